"""The review web app: Starlette routes over one run store, pages rendered with Jinja2.

Routes (every page works without JavaScript; ``static/review.js`` adds the keys):

* ``GET /``: the queue, grouped by record, root causes first; filters by status,
  finding code, variable and record; paginated;
* ``GET /record/{id}``: one record (criteria, evidence, readings, findings, actions);
* ``POST /record/{id}/decide``: accept, correct, reject, add, not_a_constraint;
* ``POST /record/{id}/check``: the findings a correction would get (nothing saved);
* ``POST /record/{id}/undo``: withdraw a decision;
* ``POST /record/{id}/take``: take one constraint of the LLM's suggestion (a decision,
  ``suggested_by`` recorded);
* ``POST /record/{id}/suggest``: ask the LLM for a criterion's suggestion now (only
  when the app was given a reader: ``review --serve`` with an endpoint);
* ``GET /summary``: counts and charts of what needs review;
* ``GET /status``: how many records the queue holds, and whether it is still reading;
* ``POST /curator``: remember the curator's name (a cookie).

Safety: a page is only served to a request that carries the token when the app
has one (``?token=`` once, then a cookie); every POST carries the app's form
key, so another site cannot post decisions through a curator's browser.

This module assembles the app (the guard, the templates, the routes) and
re-exports what the routes share: the shared state lives in :mod:`.state`
(:class:`ReviewApp`, :class:`Suggester`, :func:`load_curated`), the GET pages in
:mod:`.pages`, the POST actions in :mod:`.actions`.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from importlib import resources
from pathlib import Path
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ...models import Criterion
from ...store import Store
from ..curate import verify_correction
from . import present
from .actions import (
    check_action,
    curator_action,
    decide_action,
    suggest_action,
    take_action,
    undo_action,
)
from .forms import constraint_from_form, form_values, free_numbers
from .pages import PER_PAGE as PER_PAGE
from .pages import queue_page, record_page, status_page, summary_page
from .queue import QueueIndex
from .state import ReviewApp, Suggester, _app, load_curated

__all__ = ["ReviewApp", "Suggester", "create_app", "load_curated"]

_HERE = Path(str(resources.files("normalizer.review.web")))
_TOKEN = "normalizer_token"


# -- the app --------------------------------------------------------------------------------


class _Guard(BaseHTTPMiddleware):
    """The token (when there is one) on every request; one-line answers to bad forms."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        app = _app(request)
        if app.token is not None:
            given = request.query_params.get("token")
            header = request.headers.get("authorization", "")
            if given is not None and hmac.compare_digest(given, app.token):
                query = {k: v for k, v in request.query_params.items() if k != "token"}
                url = request.url.path + (f"?{urlencode(query)}" if query else "")
                response: Response = RedirectResponse(url, status_code=303)
                response.set_cookie(_TOKEN, app.token, httponly=True, samesite="strict")
                return response
            cookie = request.cookies.get(_TOKEN, "")
            ok = hmac.compare_digest(cookie, app.token) or hmac.compare_digest(
                header.removeprefix("Bearer "), app.token
            )
            if not ok:
                return PlainTextResponse(
                    "this review server needs its token: open the link it printed "
                    "(…/?token=…)\n", status_code=401,
                )
        try:
            return await call_next(request)
        except PermissionError as exc:
            return PlainTextResponse(f"{exc}\n", status_code=403)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(_HERE / "templates")),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["words"] = present.words
    env.filters["canonical"] = present.canonical_text
    env.filters["urlq"] = lambda s: quote(str(s), safe="")
    env.globals["form_values"] = form_values
    return env


def _warm(env: Environment) -> None:
    """Compile the templates and load the scanner's tables now, not on a curator's click."""
    for name in ("queue.html", "record.html", "summary.html", "_check.html", "missing.html"):
        env.get_template(name)
    crit = Criterion(id="inc-1", section="inclusion", text="Age >= 18 years", span=(0, 15))
    verify_correction(constraint_from_form({"variable": "age", "lower": "18"}, crit), crit)
    free_numbers(crit)



def create_app(
    store: Store, *, token: str | None = None, background: bool = False,
    suggester: Suggester | None = None,
) -> Starlette:
    """The review app over ``store``; ``token`` (when given) is asked of every request.

    ``suggester``: read LLM suggestions on demand (else only those stored by
    ``normalizer suggest`` are shown).

    ``background``: read the store into the queue in a thread, so that the
    server answers at once (pages say how far it got); else before returning.
    """
    review = ReviewApp(
        store=store,
        index=QueueIndex(store, load_curated),
        env=_environment(),
        token=token,
        form_key=secrets.token_urlsafe(24),
        suggester=suggester,
    )
    if background:
        threading.Thread(target=review.index.refresh, name="queue-index", daemon=True).start()
    else:
        review.index.refresh()
    _warm(review.env)
    routes = [
        Route("/", queue_page),
        Route("/summary", summary_page),
        Route("/status", status_page),
        Route("/record/{record_id:path}/decide", decide_action, methods=["POST"]),
        Route("/record/{record_id:path}/check", check_action, methods=["POST"]),
        Route("/record/{record_id:path}/undo", undo_action, methods=["POST"]),
        Route("/record/{record_id:path}/take", take_action, methods=["POST"]),
        Route("/record/{record_id:path}/suggest", suggest_action, methods=["POST"]),
        Route("/record/{record_id:path}", record_page),
        Route("/curator", curator_action, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(_Guard)])
    app.state.review = review
    return app
