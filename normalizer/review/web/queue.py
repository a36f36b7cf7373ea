"""The review queue as an in-memory index over the store's (curated) documents.

The queue page must answer fast over tens of thousands of records, so it never
reads documents per request: :class:`QueueIndex` keeps one small
:class:`RecordRow` per record (its criteria's states, finding codes and
variables, and its document-level findings merged into root causes) and
refreshes only the records whose document was re-saved or whose decisions
changed since it last looked (two cheap queries per request).  Pages are
slices of the filtered list; the page then reads the few documents it shows.

States of a criterion, as the queue shows them:

* ``open``: the machine says ``needs_review`` or ``rejected`` and the curators
  have not decided everything it asks (each constraint, and the criterion's
  own findings such as ``unparsed-number``);
* ``decided``: curators decided everything the findings asked;
* ``stale``: a decision on it no longer matches what was read (shown, not applied);
* ``accepted``: nothing to review.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import func, select

from ...models import Criterion, Document
from ...store import Store, tables
from ...verify import load_findings

__all__ = [
    "STATES",
    "STATUS_FILTERS",
    "CriterionRow",
    "Filters",
    "QueueIndex",
    "QueuePage",
    "RecordRow",
    "RootCause",
    "criterion_state",
    "record_row",
]

State = Literal["open", "decided", "stale", "accepted"]
STATES: tuple[State, ...] = ("open", "stale", "decided", "accepted")
STATUS_FILTERS = ("open", "rejected", "needs_review", "stale", "decided", "accepted", "all")
"""What the status filter offers: a state, a machine status, or everything."""


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

    @property
    def open(self) -> int:
        """How many of its criteria still need a curator."""
        return self.states["open"] + self.states["stale"]


@dataclass(frozen=True)
class Filters:
    """The queue's filters, as the page's query string gives them."""

    status: str = "open"
    code: str = ""
    variable: str = ""
    record: str = ""

    def matches(self, row: CriterionRow) -> bool:
        """Whether a criterion passes the status, code and variable filters."""
        if self.code and self.code not in row.codes:
            return False
        if self.variable and self.variable not in row.variables:
            return False
        s = self.status
        if s == "all":
            return True
        if s in ("rejected", "needs_review"):
            return row.status == s and row.state != "accepted"
        return row.state == s

    def might_match(self, rec: RecordRow) -> bool:
        """A quick record-level test: False means no criterion of ``rec`` can match."""
        if self.record:
            needle = self.record.lower()
            hay = f"{rec.record_id} {rec.nct_id or ''} {rec.title or ''}".lower()
            if needle not in hay:
                return False
        if self.code and self.code not in rec.codes:
            return False
        if self.variable and self.variable not in rec.variables:
            return False
        s = self.status
        if s in ("rejected", "needs_review"):
            return rec.statuses[s] > 0
        return s == "all" or rec.states[s] > 0

    def query(self, **change: str | int) -> str:
        """The query string of these filters with ``change`` applied (for links)."""
        from urllib.parse import urlencode

        values: dict[str, str | int] = {
            "status": self.status, "code": self.code, "variable": self.variable,
            "record": self.record,
        }
        values.update(change)
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


@dataclass(frozen=True)
class QueuePage:
    """One page of the filtered queue: the records shown and their matching criteria."""

    records: list[tuple[RecordRow, list[CriterionRow]]]
    total_records: int
    total_criteria: int
    page: int
    pages: int


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


def record_row(doc: Document, record_id: str) -> RecordRow:
    """The queue's row of one (curated) document."""
    scope = {spec.code: spec.scope for spec in load_findings().findings}
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
    )


DocumentLoader = Callable[[Store, Sequence[str]], Iterable[tuple[str, Document]]]
"""Reads (record id, curated document) pairs for some record ids."""


@dataclass
class _Marks:
    records: tuple[int, str | None] = (0, None)
    decisions: int = 0
    seen: dict[str, str] = field(default_factory=dict)


class QueueIndex:
    """The queue over one store, kept current by :meth:`refresh` (thread-safe)."""

    def __init__(self, store: Store, load: DocumentLoader) -> None:
        self._store = store
        self._load = load
        self._rows: dict[str, RecordRow] = {}
        self._order: list[str] = []
        self._marks = _Marks()
        self._lock = threading.Lock()
        self.generation = 0
        """Bumped whenever a refresh changed something."""

    # -- keeping current -----------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the records whose document or decisions changed since the last look."""
        with self._lock:
            changed = self._changed()
            if changed is None:
                return
            changed_ids, removed = changed
            for record_id in removed:
                self._rows.pop(record_id, None)
            for start in range(0, len(changed_ids), 500):
                chunk = changed_ids[start : start + 500]
                for record_id, doc in self._load(self._store, chunk):
                    self._rows[record_id] = record_row(doc, record_id)
            self._order = sorted(self._rows)
            self.generation += 1

    def invalidate(self, record_id: str) -> None:
        """Re-read one record now (after this process saved a decision on it)."""
        with self._lock:
            for rid, doc in self._load(self._store, [record_id]):
                self._rows[rid] = record_row(doc, rid)
            if record_id not in self._order and record_id in self._rows:
                self._order = sorted(self._rows)
            self.generation += 1

    def _changed(self) -> tuple[list[str], list[str]] | None:
        r = tables.records.c
        h = tables.decision_history.c
        with self._store.engine.connect() as conn:
            count, latest = conn.execute(select(func.count(), func.max(r.updated_at))).one()
            last_change = int(conn.execute(select(func.max(h.id))).scalar() or 0)
            marks = (int(count), latest)
            ids: set[str] = set()
            removed: list[str] = []
            if marks != self._marks.records:
                stamps = dict(conn.execute(select(r.record_id, r.updated_at)).tuples().all())
                ids.update(k for k, v in stamps.items() if self._marks.seen.get(k) != v)
                removed = [k for k in self._marks.seen if k not in stamps]
                self._marks.seen = stamps
                self._marks.records = marks
            if last_change != self._marks.decisions:
                touched = conn.execute(
                    select(h.record_id).where(h.id > self._marks.decisions).distinct()
                ).scalars()
                ids.update(k for k in touched if k in self._marks.seen)
                self._marks.decisions = last_change
        if not ids and not removed:
            return None
        return sorted(ids), removed

    # -- reading -------------------------------------------------------------------------

    def rows(self) -> list[RecordRow]:
        """Every record's row, by record id."""
        with self._lock:
            return [self._rows[k] for k in self._order]

    def get(self, record_id: str) -> RecordRow | None:
        """One record's row."""
        with self._lock:
            return self._rows.get(record_id)

    def page(self, filters: Filters, page: int = 1, per_page: int = 20) -> QueuePage:
        """The records (and their criteria) that pass ``filters``, one page of them."""
        with self._lock:
            order, rows = self._order, self._rows
        hits: list[RecordRow] = []
        total_criteria = 0
        for rid in order:
            rec = rows[rid]
            if not filters.might_match(rec):
                continue
            if not filters.code and not filters.variable and filters.status != "all":
                # the record-level counts are exact for a status alone
                key = filters.status
                n = rec.statuses[key] if key in ("rejected", "needs_review") else rec.states[key]
            else:
                n = sum(1 for c in rec.criteria if filters.matches(c))
            if n:
                hits.append(rec)
                total_criteria += n
        pages = max(1, -(-len(hits) // per_page))
        page = min(max(1, page), pages)
        shown = hits[(page - 1) * per_page : page * per_page]
        return QueuePage(
            records=[(rec, [c for c in rec.criteria if filters.matches(c)]) for rec in shown],
            total_records=len(hits),
            total_criteria=total_criteria,
            page=page,
            pages=pages,
        )

    def neighbours(self, record_id: str, filters: Filters) -> tuple[str | None, str | None]:
        """The previous and next record (by record id) that pass ``filters``."""
        with self._lock:
            order, rows = self._order, self._rows
        import bisect

        at = bisect.bisect_left(order, record_id)
        before = after = None
        for rid in reversed(order[:at]):
            if self._any(rows[rid], filters):
                before = rid
                break
        start = at + 1 if at < len(order) and order[at] == record_id else at
        for rid in order[start:]:
            if self._any(rows[rid], filters):
                after = rid
                break
        return before, after

    @staticmethod
    def _any(rec: RecordRow, filters: Filters) -> bool:
        return filters.might_match(rec) and any(filters.matches(c) for c in rec.criteria)

    def summary(self) -> Summary:
        """Counts for the summary page: what needs review, by code, variable and record."""
        by_state: Counter[str] = Counter()
        by_code: Counter[str] = Counter()
        by_variable: Counter[str] = Counter()
        by_record: Counter[str] = Counter()
        records = 0
        for rec in self.rows():
            records += 1
            by_state.update(rec.states)
            for c in rec.criteria:
                if c.state in ("open", "stale"):
                    by_code.update(c.codes)
                    by_variable.update(c.variables or {"(none read)"})
                    by_record[rec.nct_id or rec.record_id] += 1
        return Summary(records, by_state, by_code, by_variable, by_record)


@dataclass(frozen=True)
class Summary:
    """What the summary page counts (criteria still to review, unless said otherwise)."""

    records: int
    by_state: Counter[str]
    by_code: Counter[str]
    by_variable: Counter[str]
    by_record: Counter[str]
