"""Which constraints an export carries, with what status, and whether a record is complete.

Every exporter (table, FHIR, OMOP) reads documents through :func:`select`, so the
rules are stated once:

* a constraint is **accepted** when its criterion's status is ``accepted`` and no
  curator decided on it; it is **approved** when a curator's standing (not
  stale) decision on it is ``accept``, ``correct`` or ``add`` (or, with no
  decision of its own, the criterion's latest standing decision is ``accept`` or
  ``correct``);
* a constraint a curator rejected (``reject`` or ``not_a_constraint`` on the
  constraint, or ``reject`` on its criterion) is never exported;
* everything else (``needs_review``, ``rejected`` by verification) is exported only
  with ``include_review``, and says so in its status;
* a stale decision is shown but never applied: the constraint falls back to its
  criterion's status;
* a record is **complete** when every criterion is accepted or settled by a
  curator; an incomplete record says so in every format.

Qualified constraints ("<= 5 x ULN with liver metastases") are grouped with the
unqualified constraint they replace (same criterion and variable)
by :func:`items_of`: FHIR and OMOP write them as alternatives.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from ..models import Constraint, Criterion, Decision, Document

__all__ = [
    "APPROVING",
    "ExportStatus",
    "Item",
    "Reading",
    "RecordExport",
    "Selected",
    "criterion_settled",
    "items_of",
    "reading_of",
    "select",
    "select_all",
    "standing",
]

ExportStatus = Literal["accepted", "approved", "needs_review", "rejected"]
"""``accepted``/``approved`` are exported by default; the others need ``include_review``."""

APPROVING = frozenset({"accept", "correct", "add"})


def standing(decisions: Iterable[Decision | None]) -> Decision | None:
    """The decision that applies: the latest (by ``at``) that is not stale, or None."""
    live = [d for d in decisions if d is not None and not d.stale]
    return max(live, key=lambda d: d.at) if live else None


@dataclass(frozen=True)
class Selected:
    """One exported constraint with where it comes from and why it is exported."""

    criterion: Criterion
    index: int
    constraint: Constraint
    status: ExportStatus
    decision: Decision | None

    @property
    def finding_codes(self) -> list[str]:
        """Codes of the findings on this constraint or on its whole criterion."""
        return [
            f.code
            for f in self.criterion.findings
            if f.constraint is None or f.constraint == self.index
        ]

    @property
    def evidence_text(self) -> str:
        """The words the constraint was read from (its evidence span, within the criterion)."""
        start = self.constraint.evidence[0] - self.criterion.span[0]
        end = self.constraint.evidence[1] - self.criterion.span[0]
        if 0 <= start <= end <= len(self.criterion.text):
            return self.criterion.text[start:end]
        return ""


@dataclass(frozen=True)
class RecordExport:
    """A document's exported constraints and the record's completeness."""

    document: Document
    constraints: list[Selected]
    complete: bool
    open_criteria: list[str] = field(default_factory=list)
    """Ids of the criteria neither accepted nor settled by a curator."""

    @property
    def record_id(self) -> str:
        """The record id, or the document's source when it names no record."""
        return self.document.record.id if self.document.record else self.document.source

    @property
    def nct_id(self) -> str | None:
        """The record's NCT id, when known."""
        return self.document.record.nct_id if self.document.record else None


def _status_of(
    criterion: Criterion, constraint: Constraint
) -> tuple[ExportStatus | None, Decision | None]:
    own = standing([constraint.decided_by])
    if own is not None:
        return ("approved" if own.action in APPROVING else None), own
    crit = standing(criterion.decisions)
    if crit is not None and crit.action in ("accept", "correct", "reject"):
        # a criterion's not_a_constraint marks one number (its evidence), not these
        return ("approved" if crit.action in APPROVING else None), crit
    if criterion.status == "accepted":
        return "accepted", None
    return criterion.status, None


def criterion_settled(criterion: Criterion) -> bool:
    """Accepted by verification, or decided by a curator (the criterion or all its constraints)."""
    if criterion.status == "accepted" or standing(criterion.decisions) is not None:
        return True
    return bool(criterion.constraints) and all(
        standing([c.decided_by]) is not None for c in criterion.constraints
    )


def select(document: Document, *, include_review: bool = False) -> RecordExport:
    """The constraints of ``document`` an export carries, and whether the record is complete."""
    chosen: list[Selected] = []
    open_criteria: list[str] = []
    for crit in document.criteria:
        if not criterion_settled(crit):
            open_criteria.append(crit.id)
        for index, constraint in enumerate(crit.constraints):
            status, decision = _status_of(crit, constraint)
            if status is None:
                continue  # a curator rejected it: never exported
            if status in ("accepted", "approved") or include_review:
                chosen.append(Selected(crit, index, constraint, status, decision))
    return RecordExport(document, chosen, not open_criteria, open_criteria)


def select_all(
    documents: Iterable[Document], *, include_review: bool = False
) -> Iterator[RecordExport]:
    """:func:`select` over a stream of documents (lazily)."""
    for document in documents:
        yield select(document, include_review=include_review)


@dataclass(frozen=True)
class Item:
    """A unit of combination: one constraint, or a main constraint with qualified alternatives.

    ``main`` is None when only qualified constraints of that variable are exported.
    """

    main: Selected | None
    alternatives: list[Selected] = field(default_factory=list)


def items_of(selected: list[Selected]) -> list[tuple[Criterion, list[Item]]]:
    """Group exported constraints by criterion (in order) and pair qualified with main ones."""
    by_criterion: dict[str, tuple[Criterion, list[Selected]]] = {}
    for sel in selected:
        by_criterion.setdefault(sel.criterion.id, (sel.criterion, []))[1].append(sel)
    grouped: list[tuple[Criterion, list[Item]]] = []
    for crit, sels in by_criterion.values():
        items: list[Item] = []
        mains: dict[str, Item] = {}
        for sel in sels:
            if sel.constraint.qualifier is None:
                item = Item(sel)
                items.append(item)
                mains.setdefault(sel.constraint.variable, item)
        for sel in sels:
            if sel.constraint.qualifier is None:
                continue
            key = sel.constraint.variable
            if key in mains:
                mains[key].alternatives.append(sel)
            else:
                orphan = Item(None, [sel])
                items.append(orphan)
                mains[key] = orphan
        grouped.append((crit, items))
    return grouped


@dataclass(frozen=True)
class Reading:
    """A constraint as read back from an exported file (what round-trip tests compare)."""

    record_id: str
    criterion_id: str
    section: str
    variable: str
    lower: tuple[float, bool] | None
    upper: tuple[float, bool] | None
    unit: str | None
    relative_to: str | None
    qualifier: str | None


def reading_of(record_id: str, sel: Selected) -> Reading:
    """What reading ``sel`` back from any format must give."""
    c = sel.constraint
    return Reading(
        record_id=record_id,
        criterion_id=sel.criterion.id,
        section=sel.criterion.section,
        variable=c.variable,
        lower=(c.lower.value, c.lower.inclusive) if c.lower else None,
        upper=(c.upper.value, c.upper.inclusive) if c.upper else None,
        unit=c.unit,
        relative_to=c.relative_to,
        qualifier=c.qualifier,
    )
