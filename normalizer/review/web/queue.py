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

The rows (:class:`RecordRow`, :class:`CriterionRow`, :class:`RootCause`,
:func:`record_row`, :func:`criterion_state`) live in :mod:`.rows`, the filters
and pages (:class:`Filters`, :class:`QueuePage`, :data:`STATUS_FILTERS`) in
:mod:`.filters`; this module keeps the index and re-exports their public names.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ...models import Document
from ...store import Store, tables
from .filters import STATUS_FILTERS, Filters, QueuePage
from .rows import NONE_READ as NONE_READ
from .rows import (
    STATES,
    CriterionRow,
    RecordRow,
    RootCause,
    criterion_state,
    record_row,
)
from .rows import State as State

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

_BIG = 2000
"""A refresh of more records than this shows its progress (pages read what is loaded)."""
RESCAN_SECONDS = 3.0
"""While a run is writing, how often the queue looks for re-saved documents."""


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
