"""The review queue's rows: one small row per record, and the state of a criterion.

:func:`record_row` turns a (curated) document into a :class:`RecordRow`: its
criteria (:class:`CriterionRow`, with :func:`criterion_state`), its
document-level findings merged into root causes (:class:`RootCause`), and the
counts the filters read.  See :mod:`normalizer.review.web.queue`.

States of a criterion, as the queue shows them:

* ``open``: the machine says ``needs_review`` or ``rejected`` and the curators
  have not decided everything it asks (each constraint, and the criterion's
  own findings such as ``unparsed-number``);
* ``decided``: curators decided everything the findings asked;
* ``stale``: a decision on it no longer matches what was read (shown, not applied);
* ``accepted``: nothing to review.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Literal

from ...models import Criterion, Document
from ...verify import load_findings

State = Literal["open", "decided", "stale", "accepted"]
STATES: tuple[State, ...] = ("open", "stale", "decided", "accepted")
NONE_READ = "(none read)"
"""The variable filter's value for criteria with no constraint."""


@dataclass(frozen=True, slots=True)
class CriterionRow:
    """One criterion as the queue lists it."""

    id: str
    section: str
    status: str
    state: State
    text: str
    codes: frozenset[str]
    variables: frozenset[str]


@dataclass(frozen=True, slots=True)
class RootCause:
    """A document-level finding, merged across the criteria that repeat it."""

    code: str
    severity: str
    message: str
    criteria: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecordRow:
    """One record as the queue lists it: who it is and what in it needs a look."""

    record_id: str
    nct_id: str | None
    title: str | None
    criteria: tuple[CriterionRow, ...]
    roots: tuple[RootCause, ...]
    states: Counter[str]
    statuses: Counter[str]
    codes: frozenset[str]
    variables: frozenset[str]
    counts: dict[tuple[str, str, str], int]
    """Criteria by (``code`` or ``variable``, its value, status filter): exact counts
    for a status with one code or one variable."""
    lost: int = 0
    """Stale decisions on criteria the record no longer has (shown with the record)."""

    @property
    def open(self) -> int:
        """How many of its criteria still need a curator."""
        return self.states["open"] + self.states["stale"]



def criterion_state(crit: Criterion) -> State:
    """The queue state of a curated criterion; see the module docstring.

    Curation recomputes the status from the findings no decision settles, so a
    criterion still ``needs_review`` or ``rejected`` has something left to decide.
    """
    if any(d.stale for d in crit.decisions):
        return "stale"
    if crit.status != "accepted":
        return "open"
    decided = crit.decisions or any(c.decided_by is not None for c in crit.constraints)
    return "decided" if decided else "accepted"


@cache
def _scopes() -> dict[str, str]:
    return {spec.code: spec.scope for spec in load_findings().findings}


def record_row(doc: Document, record_id: str) -> RecordRow:
    """The queue's row of one (curated) document."""
    scope = _scopes()
    merged: dict[tuple[str, str], tuple[str, list[str]]] = {}
    rows: list[CriterionRow] = []
    for crit in doc.criteria:
        for f in crit.findings:
            if scope.get(f.code) == "document":
                key = (f.code, f.message)
                merged.setdefault(key, (f.severity, []))[1].append(crit.id)
        rows.append(
            CriterionRow(
                id=crit.id,
                section=crit.section,
                status=crit.status,
                state=criterion_state(crit),
                text=crit.text,
                codes=frozenset(f.code for f in crit.findings),
                variables=frozenset(c.variable for c in crit.constraints),
            )
        )
    rank = {"error": 0, "warning": 1, "info": 2}
    roots = sorted(
        (RootCause(code, sev, msg, tuple(ids)) for (code, msg), (sev, ids) in merged.items()),
        key=lambda r: (rank.get(r.severity, 3), -len(r.criteria), r.code),
    )
    counts: Counter[tuple[str, str, str]] = Counter()
    for r in rows:
        keys = {r.state, "all"} | ({r.status} if r.state != "accepted" else set())
        for code in r.codes:
            for k in keys:
                counts["code", code, k] += 1
        for var in r.variables or {NONE_READ}:
            for k in keys:
                counts["variable", var, k] += 1
    info = doc.record
    return RecordRow(
        record_id=record_id,
        nct_id=info.nct_id if info else None,
        title=info.title if info else None,
        criteria=tuple(rows),
        roots=tuple(roots),
        states=Counter(r.state for r in rows),
        statuses=Counter(r.status for r in rows if r.state != "accepted"),
        codes=frozenset().union(*(r.codes for r in rows)),
        variables=frozenset().union(*(r.variables for r in rows)),
        counts=dict(counts),
        lost=len(doc.decisions),
    )
