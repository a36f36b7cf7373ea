"""The review app's actions: what each POST route saves, checks or withdraws.

Deciding, checking a correction, undoing, taking a suggestion, asking for one,
and remembering the curator; the form's fields read, its key checked, and the
criterion the curator saw found again.  See :mod:`normalizer.review.web.app`.
"""

from __future__ import annotations

import hmac
from typing import Any, cast
from urllib.parse import quote, urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import (
    RedirectResponse,
    Response,
)

from ...models import Constraint, Criterion, DecisionAction, Document
from ...pipeline import canonical_of
from ..curate import verify_correction
from ..decisions import DecisionConflict, DecisionError, decide, undo
from ..decisions import criterion_hash as hash_of
from ..suggest import read_suggestion, save_suggestion, suggestions_for, take
from . import present
from .forms import FormError, constraint_from_form
from .pages import _show_record
from .state import _CURATOR, ReviewApp, _app, _who, load_curated


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
