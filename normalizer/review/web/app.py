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
"""

from __future__ import annotations

import hmac
import re
import secrets
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ...extract.base import Extractor
from ...models import Constraint, Criterion, DecisionAction, Document
from ...pipeline import canonical_of
from ...store import Store, tables
from ..curate import curate, settled, verify_correction
from ..decisions import DecisionConflict, DecisionError, decide, decisions_by_record, history, undo
from ..decisions import criterion_hash as hash_of
from ..suggest import Suggestion, read_suggestion, save_suggestion, suggestions_for, take
from . import present
from .charts import bar_chart
from .forms import FormError, constraint_from_form, form_values, free_numbers
from .queue import NONE_READ, STATUS_FILTERS, Filters, QueueIndex, criterion_state

__all__ = ["ReviewApp", "Suggester", "create_app", "load_curated"]

_HERE = Path(str(resources.files("normalizer.review.web")))
PER_PAGE = 20
_CURATOR = "normalizer_curator"
_TOKEN = "normalizer_token"


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


# -- pages ----------------------------------------------------------------------------------


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


# -- actions --------------------------------------------------------------------------------


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _int(form: FormData, name: str) -> int | None:
    raw = _text(form, name).strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise FormError(f"{name}: {raw!r} is not a number") from None


def _find_criterion(doc: Document, crit_id: str, chash: str) -> Criterion:
    """The criterion the curator saw: by id when its text is unchanged, else by its text."""
    for crit in doc.criteria:
        if crit.id == crit_id and hash_of(crit.text) == chash:
            return crit
    for crit in doc.criteria:
        if hash_of(crit.text) == chash:
            return crit
    raise DecisionConflict(
        f"criterion {crit_id} changed since the page was shown (the record was read again): "
        "reload it and decide again",
        None,
    )


def _back(request: Request, record_id: str, anchor: str, done: str) -> RedirectResponse:
    query = {k: v for k, v in request.query_params.items() if k != "done"}
    query["done"] = done
    url = f"/record/{quote(record_id, safe='')}?{urlencode(query)}#{anchor}"
    return RedirectResponse(url, status_code=303)


async def _form(request: Request) -> FormData:
    form = await request.form()
    key = form.get("form_key")
    if not isinstance(key, str) or not hmac.compare_digest(key, _app(request).form_key):
        raise PermissionError("this form is not from this page: reload the page")
    return form


def _curator(request: Request, form: FormData) -> str:
    who = (_text(form, "curator") or _who(request)).strip()
    if not who:
        raise FormError("give your name (top right) before deciding")
    return who[:200]


_DONE = {
    "accept": "accepted", "reject": "rejected", "correct": "corrected", "add": "added",
    "not_a_constraint": "marked not a constraint",
}


async def decide_action(request: Request) -> Response:
    """Save one decision; a conflict or a bad field shows the record with the reason."""
    app = _app(request)
    record_id = request.path_params["record_id"]
    form = await _form(request)
    crit_id = _text(form, "criterion")
    action = _text(form, "action")
    editing: dict[str, Any] | None = None
    try:
        curator = _curator(request, form)
        doc = _current(app, record_id)
        crit = _find_criterion(doc, crit_id, _text(form, "hash"))
        target = _int(form, "target")
        constraint: Constraint | None = None
        evidence: tuple[int, int] | None = None
        if action in ("correct", "add"):
            editing = {"criterion": crit.id, "target": target, "values": _values(form)}
            shown = crit.constraints[target].evidence if (
                action == "correct" and target is not None
                and 0 <= target < len(crit.constraints)
            ) else None
            constraint = constraint_from_form(editing["values"], crit, shown)
        elif action == "not_a_constraint":
            start, end = _int(form, "start"), _int(form, "end")
            raw = _text(form, "number")
            if raw and ":" in raw:
                a, b = raw.split(":", 1)
                start, end = int(a), int(b)
            if start is None or end is None:
                raise FormError("pick the number that is not a constraint")
            evidence = (start, end)
        if action not in _DONE:
            raise FormError(f"unknown action {action!r}")
        decide(
            app.store, record_id, crit, action=cast(DecisionAction, action), curator=curator,
            target=target, constraint=constraint, evidence=evidence,
            note=_text(form, "note").strip() or None, expected_version=_int(form, "version"),
        )
    except DecisionConflict as exc:
        return _show_record(app, request, record_id, status=409, conflict=str(exc),
                            editing=editing)
    except (FormError, DecisionError) as exc:
        return _show_record(app, request, record_id, status=422, error=str(exc),
                            editing=editing)
    anchor = f"c-{crit.id}" + (f"-{target}" if target is not None else "")
    return _back(request, record_id, anchor, f"{crit.id}: {_DONE[action]}")


def _values(form: FormData) -> dict[str, str]:
    names = ("variable", "label", "lower", "lower_inc", "upper", "upper_inc", "unit",
             "relative_to", "qualifier", "evidence", "note")
    return {n: _text(form, n) for n in names}


def _current(app: ReviewApp, record_id: str) -> Document:
    docs = list(load_curated(app.store, [record_id]))
    if not docs:
        raise DecisionError(f"there is no record {record_id!r} in the store")
    return docs[0][1]


async def check_action(request: Request) -> Response:
    """The findings a corrected or added constraint would get (a fragment; nothing saved)."""
    app = _app(request)
    record_id = request.path_params["record_id"]
    form = await _form(request)
    try:
        doc = _current(app, record_id)
        crit = _find_criterion(doc, _text(form, "criterion"), _text(form, "hash"))
        target = _int(form, "target")
        shown = None
        if target is not None and 0 <= target < len(crit.constraints):
            shown = crit.constraints[target].evidence
        constraint = constraint_from_form(_values(form), crit, shown)
        findings = verify_correction(constraint, crit, target)
    except (FormError, DecisionError) as exc:
        return app.render(request, "_check.html", error=str(exc), findings=[], reading=None)
    return app.render(
        request, "_check.html", error=None, reading=present.words(constraint),
        canonical=present.canonical_text(
            constraint.model_copy(update={"canonical": canonical_of(constraint)})
        ),
        findings=[present.finding_view(f) for f in findings],
    )


async def undo_action(request: Request) -> Response:
    """Withdraw a decision (kept in the history)."""
    app = _app(request)
    record_id = request.path_params["record_id"]
    form = await _form(request)
    try:
        curator = _curator(request, form)
        decision = _int(form, "decision")
        if decision is None:
            raise FormError("there is no decision to undo here")
        undo(app.store, decision, curator=curator, expected_version=_int(form, "version"))
    except DecisionConflict as exc:
        return _show_record(app, request, record_id, status=409, conflict=str(exc))
    except (FormError, DecisionError) as exc:
        return _show_record(app, request, record_id, status=422, error=str(exc))
    return _back(request, record_id, _text(form, "anchor") or "top", "decision undone")


async def take_action(request: Request) -> Response:
    """Take one constraint of a criterion's suggestion: a curator decision like any other."""
    app = _app(request)
    record_id = request.path_params["record_id"]
    form = await _form(request)
    crit_id = _text(form, "criterion")
    try:
        curator = _curator(request, form)
        crit = _find_criterion(_current(app, record_id), crit_id, _text(form, "hash"))
        suggestion = suggestions_for(app.store, record_id).get(hash_of(crit.text))
        index = _int(form, "index")
        if suggestion is None or index is None:
            raise FormError(f"{crit_id}: there is no suggestion to take")
        row = take(app.store, record_id, crit, suggestion, index, curator=curator)
    except DecisionConflict as exc:
        return _show_record(app, request, record_id, status=409, conflict=str(exc))
    except (FormError, DecisionError) as exc:
        return _show_record(app, request, record_id, status=422, error=str(exc))
    return _back(request, record_id, f"c-{crit.id}", f"{crit.id}: {_DONE[row.action]}")


async def suggest_action(request: Request) -> Response:
    """Ask the LLM for one criterion's suggestion now, store it, show the record."""
    from starlette.concurrency import run_in_threadpool

    app = _app(request)
    record_id = request.path_params["record_id"]
    form = await _form(request)
    suggester = app.suggester
    try:
        if suggester is None:
            raise FormError("no LLM endpoint: start the page with --base-url (or "
                            "OPENAI_BASE_URL), or fill the store with: normalizer suggest")
        crit = _find_criterion(_current(app, record_id), _text(form, "criterion"),
                               _text(form, "hash"))

        def read() -> None:
            with suggester.lock:
                found = read_suggestion(suggester.reader, crit)
                save_suggestion(app.store, record_id, found,
                                suggested_by=suggester.suggested_by,
                                prompt_id=suggester.prompt_id)

        await run_in_threadpool(read)
    except DecisionConflict as exc:
        return _show_record(app, request, record_id, status=409, conflict=str(exc))
    except FormError as exc:
        return _show_record(app, request, record_id, status=422, error=str(exc))
    return _back(request, record_id, f"c-{crit.id}", f"{crit.id}: suggested")


async def curator_action(request: Request) -> Response:
    """Remember who is deciding (a cookie for a year), then go back."""
    form = await _form(request)
    who = _text(form, "curator").strip()[:200]
    back = _text(form, "back") or "/"
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    response = RedirectResponse(back, status_code=303)
    if who:
        response.set_cookie(_CURATOR, quote(who), max_age=365 * 86400, samesite="strict")
    else:
        response.delete_cookie(_CURATOR)
    return response


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


def status_page(request: Request) -> Response:
    """What the index holds, as JSON (for scripts and the benchmark)."""
    index = _app(request).index
    loading = index.loading
    return JSONResponse({
        "records": len(index.rows()),
        "loading": None if loading is None else {"read": loading[0], "of": loading[1]},
    })


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
