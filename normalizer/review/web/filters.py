"""The review queue's filters and the page they select.

:class:`Filters` (status, finding code, variable, record, as the query string
gives them: which criteria and records pass, and how many) and
:class:`QueuePage` (one page of the filtered queue).  See
:mod:`normalizer.review.web.queue`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .rows import NONE_READ, CriterionRow, RecordRow

STATUS_FILTERS = ("open", "rejected", "needs_review", "stale", "decided", "accepted", "all")
"""What the status filter offers: a state, a machine status, or everything."""


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
