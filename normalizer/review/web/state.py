"""What the review app's routes share: the app's state and how a request is read.

:class:`ReviewApp` (the store, the queue index, templates, secrets; it renders
pages), :class:`Suggester` (an LLM reader for suggestions on demand),
:func:`load_curated` (stored records with their decisions applied), and the
request's filters and curator.  See :mod:`normalizer.review.web.app`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from jinja2 import Environment
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    Response,
)

from ...extract.base import Extractor
from ...models import Document
from ...store import Store, tables
from ..curate import curate
from ..decisions import decisions_by_record
from .queue import STATUS_FILTERS, Filters, QueueIndex

_CURATOR = "normalizer_curator"


def load_curated(store: Store, record_ids: Sequence[str]) -> Iterable[tuple[str, Document]]:
    """(record id, curated document) for each stored record of ``record_ids``."""
    c = tables.records.c
    wanted = sorted(set(record_ids))
    with store.engine.connect() as conn:
        raws = conn.execute(
            select(c.record_id, c.document).where(c.record_id.in_(wanted)).order_by(c.record_id)
        ).all()
    found = decisions_by_record(store, wanted)
    for record_id, raw in raws:
        yield record_id, curate(Document.model_validate_json(raw), found.get(record_id, []))


@dataclass(frozen=True)
class Suggester:
    """What the page asks for a suggestion on demand: a reader and how it is named."""

    reader: Extractor
    suggested_by: str
    prompt_id: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    """One reading at a time (a local LLM server answers one request at a time)."""


@dataclass
class ReviewApp:
    """What the routes share: the store, the queue index, templates, secrets."""

    store: Store
    index: QueueIndex
    env: Environment
    token: str | None
    form_key: str
    suggester: Suggester | None = None

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        """Render a template with the curator, form key and filters every page uses."""
        page = self.env.get_template(name).render(
            request=request,
            curator=_who(request),
            form_key=self.form_key,
            loading=self.index.loading,
            **context,
        )
        return HTMLResponse(page, status_code=status)


def _filters(request: Request) -> Filters:
    q = request.query_params
    status = q.get("status", "open")
    return Filters(
        status=status if status in STATUS_FILTERS else "open",
        code=q.get("code", "").strip(),
        variable=q.get("variable", "").strip(),
        record=q.get("record", "").strip(),
    )


def _who(request: Request) -> str:
    """The curator's name from the cookie."""
    from urllib.parse import unquote

    return unquote(request.cookies.get(_CURATOR, ""))


def _app(request: Request) -> ReviewApp:
    return cast(ReviewApp, request.app.state.review)

