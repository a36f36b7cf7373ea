"""What a curator decision is once stored: its row, its history entry, its errors.

The actions a decision takes (:data:`ACTIONS`), :class:`DecisionRow` (and how a
row of the ``decisions`` table reads as one), :class:`HistoryEntry`, and the
errors :class:`DecisionError` and :class:`DecisionConflict`.  Saving and reading
them is :mod:`normalizer.review.decisions`'s; their keys are
:mod:`normalizer.review.decision_keys`'.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Row

from ..errors import NormalizerError
from ..models import Constraint, DecisionAction, Span

ACTIONS: tuple[DecisionAction, ...] = ("accept", "correct", "reject", "add", "not_a_constraint")


class DecisionError(NormalizerError):
    """A decision that cannot be made as asked (no such constraint, no evidence...)."""


class DecisionConflict(DecisionError):
    """Another curator saved a decision on the same thing since this one was shown."""

    def __init__(self, message: str, current: DecisionRow | None) -> None:
        super().__init__(message)
        self.current = current
        """The decision as it now stands in the store (None: it was never saved)."""


@dataclass(frozen=True)
class DecisionRow:
    """A stored decision.  Its constraints' evidence is relative to ``criterion_text``."""

    id: int
    record_id: str
    criterion_hash: str
    criterion_text: str
    slot: str
    action: DecisionAction
    evidence_text: str | None
    evidence_span: Span | None
    """[start, end) of the evidence in ``criterion_text`` (None: the whole criterion)."""
    constraint: Constraint | None
    """correct / add: the constraint the curator wrote."""
    original: Constraint | None
    """accept / correct / reject: the constraint as the extractor read it."""
    curator: str
    at: str
    note: str | None
    suggested_by: str | None
    version: int
    undone: bool

    def as_json(self) -> dict[str, Any]:
        """The decision as plain JSON (what the history stores)."""
        return {
            "action": self.action,
            "evidence_text": self.evidence_text,
            "evidence_span": list(self.evidence_span) if self.evidence_span else None,
            "constraint": _dump(self.constraint),
            "original": _dump(self.original),
            "curator": self.curator,
            "at": self.at,
            "note": self.note,
            "suggested_by": self.suggested_by,
            "version": self.version,
            "undone": self.undone,
        }


@dataclass(frozen=True)
class HistoryEntry:
    """One change to a decision: who, when, and the decision before and after."""

    decision_id: int
    record_id: str
    version: int
    change: str
    curator: str
    at: str
    before: dict[str, Any] | None
    after: dict[str, Any]


def _dump(c: Constraint | None) -> dict[str, Any] | None:
    return None if c is None else c.model_dump(mode="json")


def _load(raw: str | None) -> Constraint | None:
    return None if raw is None else Constraint.model_validate_json(raw)


def _row(r: Row[Any]) -> DecisionRow:
    m = r._mapping
    start, end = m["evidence_start"], m["evidence_end"]
    return DecisionRow(
        id=int(m["id"]),
        record_id=m["record_id"],
        criterion_hash=m["criterion_hash"],
        criterion_text=m["criterion_text"],
        slot=m["slot"],
        action=cast(DecisionAction, m["action"]),
        evidence_text=m["evidence_text"],
        evidence_span=None if start is None else (int(start), int(end)),
        constraint=_load(m["constraint_json"]),
        original=_load(m["original_json"]),
        curator=m["curator"],
        at=m["at"],
        note=m["note"],
        suggested_by=m["suggested_by"],
        version=int(m["version"]),
        undone=bool(m["undone"]),
    )
