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

import bisect
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
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
NONE_READ = "(none read)"
"""The variable filter's value for criteria with no constraint."""
_BIG = 2000
"""A refresh of more records than this shows its progress (pages read what is loaded)."""
RESCAN_SECONDS = 3.0
"""While a run is writing, how often the queue looks for re-saved documents."""


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
        if self.variable == NONE_READ:
            if row.variables:
                return False
        elif self.variable and self.variable not in row.variables:
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
        if self.variable and self.variable != NONE_READ and self.variable not in rec.variables:
            return False
        s = self.status
        if s in ("rejected", "needs_review"):
            return rec.statuses[s] > 0
        if s == "stale" and rec.lost:
            return True
        return s == "all" or rec.states[s] > 0

    def count(self, rec: RecordRow) -> int:
        """How many criteria of ``rec`` pass (from its counts when one key is filtered)."""
        if not self.might_match(rec):
            return 0
        if self.code and self.variable:
            return sum(1 for c in rec.criteria if self.matches(c))
        if self.code:
            return rec.counts.get(("code", self.code, self.status), 0)
        if self.variable:
            return rec.counts.get(("variable", self.variable, self.status), 0)
        if self.status == "all":
            return len(rec.criteria)
        if self.status in ("rejected", "needs_review"):
            return rec.statuses[self.status]
        if self.status == "stale":
            return rec.states["stale"] + rec.lost
        return rec.states[self.status]

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


DocumentLoader = Callable[[Store, Sequence[str]], Iterable[tuple[str, Document]]]
"""Reads (record id, curated document) pairs for some record ids."""


@dataclass
class _Marks:
    runs: tuple[int, int] | None = None
    """Highest run id, and how many runs are unfinished, when last scanned."""
    scanned: float = 0.0
    decisions: int = 0
    seen: dict[str, str] = field(default_factory=dict)


@dataclass
class _View:
    """What every page reads, rebuilt when the index changes."""

    rows: list[RecordRow] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    variables: list[str] = field(default_factory=list)
    summary: Summary | None = None


class QueueIndex:
    """The queue over one store, kept current by :meth:`refresh` (thread-safe).

    Documents are written within runs (:meth:`Store.save_document` takes a run
    id), so a refresh looks for re-saved documents only when a run started or
    finished since it last looked, or every :data:`RESCAN_SECONDS` while one is
    unfinished; decisions are found by the history's highest id.  Both checks
    read a few rows, not the records table.
    """

    def __init__(self, store: Store, load: DocumentLoader) -> None:
        self._store = store
        self._load = load
        self._rows: dict[str, RecordRow] = {}
        self._view = _View()
        self._marks = _Marks()
        self._lock = threading.Lock()
        self.generation = 0
        """Bumped whenever a refresh changed something."""
        self.loading: tuple[int, int] | None = None
        """(records read, records to read) while a large refresh runs, else None."""

    # -- keeping current -----------------------------------------------------------------

    def refresh(self, *, wait: bool = True) -> None:
        """Re-read the records whose document or decisions changed since the last look.

        With ``wait=False`` a refresh already running elsewhere (the first read
        of a large store) is left to finish: the caller reads what is loaded so far.
        """
        if not self._lock.acquire(blocking=wait):
            return
        try:
            changed = self._changed()
            if changed is not None:
                self._read(*changed)
        finally:
            self._lock.release()

    def _read(self, changed_ids: list[str], removed: list[str]) -> None:
        for record_id in removed:
            self._rows.pop(record_id, None)
        big = len(changed_ids) > _BIG
        try:
            for start in range(0, len(changed_ids), 500):
                if big:
                    self.loading = (start, len(changed_ids))
                    if (start // 500) % 4 == 3:
                        self._rebuild()  # pages show what is read so far
                chunk = changed_ids[start : start + 500]
                for record_id, doc in self._load(self._store, chunk):
                    self._rows[record_id] = record_row(doc, record_id)
        finally:
            if big:
                self.loading = None
            self._rebuild()

    def _rebuild(self) -> None:
        rows = [self._rows[k] for k in sorted(self._rows)]
        self._view = _View(
            rows=rows,
            codes=sorted(set().union(*(r.codes for r in rows))),
            variables=sorted(set().union(*(r.variables for r in rows))),
        )
        self.generation += 1

    def _changed(self) -> tuple[list[str], list[str]] | None:
        r = tables.records.c
        h = tables.decision_history.c
        runs = tables.runs.c
        with self._store.engine.connect() as conn:
            last_run, unfinished = conn.execute(
                select(func.max(runs.id), func.count() - func.count(runs.finished_at))
            ).one()
            mark = (int(last_run or 0), int(unfinished or 0))
            last_change = int(conn.execute(select(func.max(h.id))).scalar() or 0)
            ids: set[str] = set()
            removed: list[str] = []
            due = mark[1] > 0 and time.monotonic() - self._marks.scanned >= RESCAN_SECONDS
            if mark != self._marks.runs or due:
                stamps = {k: v for k, v in conn.execute(select(r.record_id, r.updated_at))}
                ids.update(k for k, v in stamps.items() if self._marks.seen.get(k) != v)
                removed = [k for k in self._marks.seen if k not in stamps]
                self._marks.seen = stamps
                self._marks.runs = mark
                self._marks.scanned = time.monotonic()
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
        return self._view.rows

    def codes(self) -> list[str]:
        """Every finding code some record has."""
        return self._view.codes

    def variables(self) -> list[str]:
        """Every variable some constraint reads."""
        return self._view.variables

    def get(self, record_id: str) -> RecordRow | None:
        """One record's row."""
        with self._lock:
            return self._rows.get(record_id)

    def page(self, filters: Filters, page: int = 1, per_page: int = 20) -> QueuePage:
        """The records (and their criteria) that pass ``filters``, one page of them."""
        hits: list[RecordRow] = []
        total_criteria = 0
        for rec in self._view.rows:
            n = filters.count(rec)
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
        rows = self._view.rows
        ids = [r.record_id for r in rows]
        at = bisect.bisect_left(ids, record_id)
        before = next((r.record_id for r in reversed(rows[:at]) if filters.count(r)), None)
        start = at + 1 if at < len(ids) and ids[at] == record_id else at
        after = next((r.record_id for r in rows[start:] if filters.count(r)), None)
        return before, after

    def summary(self) -> Summary:
        """Counts for the summary page: what needs review, by code, variable and record."""
        view = self._view
        if view.summary is not None:
            return view.summary
        by_state: Counter[str] = Counter()
        by_code: Counter[str] = Counter()
        by_variable: Counter[str] = Counter()
        by_record: Counter[str] = Counter()
        for rec in view.rows:
            by_state.update(rec.states)
            by_state["stale"] += rec.lost
            for c in rec.criteria:
                if c.state in ("open", "stale"):
                    by_code.update(c.codes)
                    by_variable.update(c.variables or {NONE_READ})
                    by_record[rec.nct_id or rec.record_id] += 1
        view.summary = Summary(len(view.rows), by_state, by_code, by_variable, by_record)
        return view.summary


@dataclass(frozen=True)
class Summary:
    """What the summary page counts (criteria still to review, unless said otherwise)."""

    records: int
    by_state: Counter[str]
    by_code: Counter[str]
    by_variable: Counter[str]
    by_record: Counter[str]
