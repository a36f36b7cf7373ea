"""The review app's pages: the queue, one record, the summary and the status.

What each GET route shows (:func:`queue_page`, :func:`record_page`,
:func:`summary_page`, :func:`status_page`) and how a record is put together for
its template.  See :mod:`normalizer.review.web.app`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import (
    JSONResponse,
    Response,
)

from ...models import Criterion, Document
from ...store import tables
from ..curate import settled
from ..decisions import criterion_hash as hash_of
from ..decisions import history
from ..suggest import Suggestion, suggestions_for
from . import present
from .charts import bar_chart
from .forms import free_numbers
from .queue import NONE_READ, STATUS_FILTERS, criterion_state
from .state import ReviewApp, _app, _filters, load_curated

PER_PAGE = 20


def queue_page(request: Request) -> Response:
    """The queue: records with what needs a look, root causes first."""
    app = _app(request)
    app.index.refresh(wait=False)
    filters = _filters(request)
    try:
        number = int(request.query_params.get("page", "1"))
    except ValueError:
        number = 1
    page = app.index.page(filters, number, PER_PAGE)
    names = present.variable_names()
    variables = [(v, names.get(v, v)) for v in app.index.variables()] + [(NONE_READ, NONE_READ)]
    return app.render(
        request, "queue.html", page=page, filters=filters, codes=app.index.codes(),
        variables=variables, statuses=STATUS_FILTERS, records_total=len(app.index.rows()),
    )


def summary_page(request: Request) -> Response:
    """Counts and charts of what still needs review."""
    app = _app(request)
    app.index.refresh(wait=False)
    s = app.index.summary()
    charts = [
        bar_chart("criteria to review, by finding code", list(s.by_code.items()),
                  link="/?code={}"),
        bar_chart("criteria to review, by variable", list(s.by_variable.items()),
                  link="/?variable={}", colour="#1d4ed8", names=present.variable_names()),
        bar_chart("criteria to review, by record", list(s.by_record.items()),
                  link="/?record={}", colour="#047857"),
    ]
    c = tables.decisions.c
    with app.store.engine.connect() as conn:
        decided = conn.execute(
            select(c.action, c.curator, func.count())
            .where(c.undone.is_(False))
            .group_by(c.action, c.curator)
        ).all()
    by_action: dict[str, int] = {}
    curators: dict[str, int] = {}
    for action, who, n in decided:
        by_action[action] = by_action.get(action, 0) + n
        curators[who] = curators.get(who, 0) + n
    return app.render(
        request, "summary.html", summary=s, charts=charts, by_action=by_action,
        curators=sorted(curators.items(), key=lambda kv: -kv[1]),
    )


def _suggestion_view(crit: Criterion, suggestion: Suggestion | None) -> dict[str, Any] | None:
    """The LLM's reading beside the rules': in words, with its own findings."""
    if suggestion is None:
        return None
    base = crit.span[0]
    taken = {
        (c.variable, c.model_dump_json(include={"lower", "upper", "unit", "relative_to"}))
        for c in crit.constraints
        if c.decided_by is not None and c.decided_by.suggested_by and not c.decided_by.stale
    }
    rows = []
    for k, c in enumerate(suggestion.constraints):
        shown = c.model_copy(update={"evidence": (c.evidence[0] + base, c.evidence[1] + base)})
        key = (c.variable, c.model_dump_json(include={"lower", "upper", "unit", "relative_to"}))
        rows.append({
            "k": k, "c": shown, "evidence": crit.text[c.evidence[0]:c.evidence[1]],
            "taken": key in taken,
            "findings": [present.finding_view(f) for f in suggestion.findings
                         if f.constraint == k],
        })
    return {
        "by": suggestion.suggested_by,
        "status": suggestion.status,
        "rows": rows,
        "findings": [present.finding_view(f) for f in suggestion.findings
                     if f.constraint is None],
    }


def _record_context(app: ReviewApp, record_id: str, doc: Document) -> dict[str, Any]:
    row = app.index.get(record_id)
    criteria = []
    suggested = suggestions_for(app.store, record_id)
    for crit in doc.criteria:
        done = settled(crit)
        numbers = free_numbers(crit)
        criteria.append(
            {
                "crit": crit,
                "hash": hash_of(crit.text),
                "text": present.highlight(crit, [(n.start, n.end) for n in numbers]),
                "numbers": numbers,
                "findings": [present.finding_view(f, s) for f, s in zip(crit.findings, done,
                                                                        strict=True)],
                "stale": [d for d in crit.decisions if d.stale],
                "dismissed": [d for d in crit.decisions if not d.stale],
                "state": criterion_state(crit),
                "suggestion": _suggestion_view(crit, suggested.get(hash_of(crit.text))),
            }
        )
    return {
        "record_id": record_id,
        "base": "/record/" + quote(record_id, safe=""),
        "doc": doc,
        "criteria": criteria,
        "registry": present.registry_rows(doc),
        "record_findings": [present.finding_view(f) for f in doc.findings],
        "roots": row.roots if row is not None else (),
        "lost": doc.decisions,
        "variables": present.variable_choices(),
        "history": history(app.store, record_id)[-12:],
        "can_suggest": app.suggester is not None,
    }


def record_page(request: Request) -> Response:
    """One record: every criterion with its evidence, readings, findings and actions."""
    app = _app(request)
    record_id = request.path_params["record_id"]
    return _show_record(app, request, record_id)


def _show_record(
    app: ReviewApp,
    request: Request,
    record_id: str,
    *,
    status: int = 200,
    message: str | None = None,
    conflict: str | None = None,
    error: str | None = None,
    editing: dict[str, Any] | None = None,
) -> Response:
    app.index.refresh(wait=False)
    docs = list(load_curated(app.store, [record_id]))
    if not docs:
        return app.render(request, "missing.html", status=404, record_id=record_id)
    filters = _filters(request)
    before, after = app.index.neighbours(record_id, filters)
    return app.render(
        request, "record.html", status=status, filters=filters, previous=before, next=after,
        message=message or _done(request), conflict=conflict, error=error,
        editing=editing, **_record_context(app, record_id, docs[0][1]),
    )


_DONE_SHOWN = re.compile(
    r"[\w.:-]{1,80}: (?:accepted|rejected|corrected|added|marked not a constraint|suggested)"
    r"|decision undone"
)


def _done(request: Request) -> str | None:
    """The redirect's note of what was saved; any other text in the link is not shown."""
    done = request.query_params.get("done", "")
    return done if _DONE_SHOWN.fullmatch(done) else None



def status_page(request: Request) -> Response:
    """What the index holds, as JSON (for scripts and the benchmark)."""
    index = _app(request).index
    loading = index.loading
    return JSONResponse({
        "records": len(index.rows()),
        "loading": None if loading is None else {"read": loading[0], "of": loading[1]},
    })
