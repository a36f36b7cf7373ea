"""Curator decisions, stored in the run store, keyed so that they outlive reruns.

A decision is about one thing in one criterion of one record:

* ``accept``, ``correct`` or ``reject`` a constraint the extractor read;
* ``add`` a constraint the extractor missed;
* ``not_a_constraint``: a number of the criterion is not a limit.

It is keyed by the record id, the sha256 of the criterion's text and where the
evidence sits in that text (its offsets and text; for a constraint also the
variable as read), never by ``inc-N``: when segmentation shifts ids, the key
still finds the criterion; when the criterion's text changes, the decision is
stale (see :func:`normalizer.review.curate.curate`).

    >>> from normalizer.store import Store
    >>> store = Store.open(":memory:")
    >>> from normalizer.models import Criterion
    >>> crit = Criterion(id="inc-1", section="inclusion", text="Age >= 18 years", span=(0, 15))
    >>> row = decide(store, "NCT00000001", crit, action="not_a_constraint", curator="ana",
    ...              evidence=(7, 9))
    >>> (row.action, row.evidence_text, row.version)
    ('not_a_constraint', '18', 1)

API (what the review page and ``export`` use)
---------------------------------------------
``decide(store, record_id, criterion, *, action, curator, target=None,
constraint=None, evidence=None, note=None, suggested_by=None,
expected_version=None) -> DecisionRow``
    ``criterion`` is the :class:`~normalizer.models.Criterion` as shown (spans
    are document offsets).  ``target`` is the index of the constraint decided
    on (accept, correct, reject); ``constraint`` the corrected or added
    constraint (document offsets, like the criterion's); ``evidence`` the
    number's span for ``not_a_constraint``.  Correcting a constraint a curator
    added (``target`` pointing at it) saves the addition again, corrected;
    accepting or rejecting one is refused (undo it).  ``expected_version`` is the
    version the curator saw (``Decision.version`` on the curated document;
    None when there was no decision): if another curator saved the same key
    since, :class:`DecisionConflict` is raised and nothing is written.
``undo(store, decision_id, *, curator, expected_version=None) -> DecisionRow``
    Withdraws a decision (kept, marked ``undone``; the history says who).
``decisions_for(store, record_id, *, include_undone=False) -> list[DecisionRow]``
``decisions_by_record(store, record_ids) -> dict[str, list[DecisionRow]]``
``history(store, record_id) -> list[HistoryEntry]``
    Every change, oldest first: who, when, the decision before and after.
``criterion_hash(text) -> str``

Applying decisions to documents (:func:`~normalizer.review.curate.curate`,
:func:`~normalizer.review.curate.curated_documents`,
:func:`~normalizer.review.curate.curated_document`), which findings a decision
settles (:func:`~normalizer.review.curate.settled`), the constraints an export
writes (:func:`~normalizer.review.curate.kept`) and re-verifying a correction
(:func:`~normalizer.review.curate.verify_correction`) live in
:mod:`normalizer.review.curate`.

What a stored decision is (:class:`DecisionRow`, :class:`HistoryEntry`, the
errors) lives in :mod:`normalizer.review.decision_rows`, how it is keyed
(:func:`criterion_hash`, the slot) in :mod:`normalizer.review.decision_keys`;
this module saves, withdraws and reads them, and re-exports their public names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..models import Constraint, Criterion, DecisionAction, Span
from ..store import Store, now, tables
from .decision_keys import _Key, _key, criterion_hash, relative
from .decision_rows import (
    ACTIONS,
    DecisionConflict,
    DecisionError,
    DecisionRow,
    HistoryEntry,
    _row,
)

__all__ = [
    "ACTIONS",
    "DecisionConflict",
    "DecisionError",
    "DecisionRow",
    "HistoryEntry",
    "criterion_hash",
    "decide",
    "decisions_by_record",
    "decisions_for",
    "history",
    "relative",
    "undo",
]


class _Raced(Exception):
    """A conditional update found the row changed (handled inside :func:`decide`)."""


def _get(conn: Connection, record_id: str, chash: str, slot: str) -> DecisionRow | None:
    c = tables.decisions.c
    found = conn.execute(
        select(tables.decisions).where(
            c.record_id == record_id, c.criterion_hash == chash, c.slot == slot
        )
    ).first()
    return None if found is None else _row(found)


def _by_id(conn: Connection, decision_id: int) -> DecisionRow | None:
    found = conn.execute(
        select(tables.decisions).where(tables.decisions.c.id == decision_id)
    ).first()
    return None if found is None else _row(found)


def _log(conn: Connection, change: str, before: DecisionRow | None, after: DecisionRow) -> None:
    conn.execute(
        insert(tables.decision_history).values(
            decision_id=after.id,
            record_id=after.record_id,
            version=after.version,
            change=change,
            curator=after.curator,
            at=after.at,
            before_json=None if before is None else json.dumps(before.as_json()),
            after_json=json.dumps(after.as_json()),
        )
    )


def _conflict(current: DecisionRow | None, expected: int | None) -> DecisionConflict:
    if current is None:
        return DecisionConflict(
            f"the decision (version {expected}) is not in the store: reload the record", None
        )
    what = "withdrew" if current.undone else f"saved {current.action!r} on"
    return DecisionConflict(
        f"{current.curator} {what} this at {current.at} (version {current.version}, you saw "
        f"{'none' if expected is None else expected}): reload the record and decide again",
        current,
    )


def decide(
    store: Store,
    record_id: str,
    criterion: Criterion,
    *,
    action: DecisionAction,
    curator: str,
    target: int | None = None,
    constraint: Constraint | None = None,
    evidence: Span | None = None,
    note: str | None = None,
    suggested_by: str | None = None,
    expected_version: int | None = None,
) -> DecisionRow:
    """Save a decision (see the module docstring); raise :class:`DecisionConflict` on a race."""
    if not curator.strip():
        raise DecisionError("a decision needs the curator's name")
    key = _key(criterion, action, target, constraint, evidence)
    if constraint is not None:
        from ..pipeline import canonical_of

        fixed = key.constraint
        assert fixed is not None
        key = _Key(
            key.slot,
            key.span,
            key.evidence_text,
            fixed.model_copy(update={"canonical": canonical_of(fixed)}),
            key.original,
            key.action,
        )
    chash = criterion_hash(criterion.text)
    at = now()
    values: dict[str, Any] = {
        "criterion_text": criterion.text,
        "evidence_text": key.evidence_text,
        "evidence_start": key.span[0],
        "evidence_end": key.span[1],
        "action": key.action or action,
        "constraint_json": None if key.constraint is None else key.constraint.model_dump_json(),
        "original_json": None if key.original is None else key.original.model_dump_json(),
        "curator": curator,
        "at": at,
        "note": note,
        "suggested_by": suggested_by,
        "undone": False,
    }
    c = tables.decisions.c
    try:
        with store.engine.begin() as conn:
            current = _get(conn, record_id, chash, key.slot)
            if current is None:
                if expected_version is not None:
                    raise _conflict(None, expected_version)
                conn.execute(
                    insert(tables.decisions).values(
                        record_id=record_id, criterion_hash=chash, slot=key.slot, version=1,
                        **values,
                    )
                )
            else:
                seen = current.version if expected_version is None else expected_version
                if (expected_version is None and not current.undone) or seen != current.version:
                    raise _conflict(current, expected_version)
                done = conn.execute(
                    update(tables.decisions)
                    .where(c.id == current.id, c.version == seen)
                    .values(version=seen + 1, **values)
                )
                if done.rowcount != 1:
                    raise _Raced
            saved = _get(conn, record_id, chash, key.slot)
            assert saved is not None
            _log(conn, "decide", current, saved)
    except (IntegrityError, _Raced):  # another curator's save committed in between
        with store.engine.connect() as conn:
            raise _conflict(_get(conn, record_id, chash, key.slot), expected_version) from None
    return saved


def undo(
    store: Store, decision_id: int, *, curator: str, expected_version: int | None = None
) -> DecisionRow:
    """Withdraw a decision; raise :class:`DecisionConflict` if it changed since shown."""
    c = tables.decisions.c
    with store.engine.begin() as conn:
        current = _by_id(conn, decision_id)
        if current is None:
            raise DecisionError(f"there is no decision {decision_id}")
        seen = current.version if expected_version is None else expected_version
        if current.undone or seen != current.version:
            raise _conflict(current, expected_version)
        done = conn.execute(
            update(tables.decisions)
            .where(c.id == decision_id, c.version == seen)
            .values(version=seen + 1, undone=True, curator=curator, at=now())
        )
        if done.rowcount != 1:
            raise _conflict(_by_id(conn, decision_id), expected_version)
        saved = _by_id(conn, decision_id)
        assert saved is not None
        _log(conn, "undo", current, saved)
    return saved


def decisions_for(
    store: Store, record_id: str, *, include_undone: bool = False
) -> list[DecisionRow]:
    """The decisions on one record, oldest first."""
    return decisions_by_record(store, [record_id], include_undone=include_undone).get(
        record_id, []
    )


def decisions_by_record(
    store: Store, record_ids: Iterable[str] | None = None, *, include_undone: bool = False
) -> dict[str, list[DecisionRow]]:
    """The decisions on many records (all when None), by record id, oldest first."""
    c = tables.decisions.c
    query = select(tables.decisions).order_by(c.record_id, c.id)
    if not include_undone:
        query = query.where(c.undone.is_(False))
    out: dict[str, list[DecisionRow]] = {}
    wanted = None if record_ids is None else sorted(set(record_ids))
    chunks = [None] if wanted is None else [wanted[i : i + 500] for i in range(0, len(wanted), 500)]
    with store.engine.connect() as conn:
        for chunk in chunks:
            q = query if chunk is None else query.where(c.record_id.in_(chunk))
            for r in conn.execute(q):
                row = _row(r)
                out.setdefault(row.record_id, []).append(row)
    return out


def history(store: Store, record_id: str) -> list[HistoryEntry]:
    """Every change to the decisions on one record, oldest first."""
    h = tables.decision_history.c
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(tables.decision_history).where(h.record_id == record_id).order_by(h.id)
        ).all()
    return [
        HistoryEntry(
            decision_id=int(r.decision_id),
            record_id=r.record_id,
            version=int(r.version),
            change=r.change,
            curator=r.curator,
            at=r.at,
            before=None if r.before_json is None else json.loads(r.before_json),
            after=json.loads(r.after_json),
        )
        for r in rows
    ]
