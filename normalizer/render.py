"""Rich renderings of documents for people (the ``table`` format)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from .models import Bound, Constraint, Criterion, Document, EligibilitySet
from .words import constraint_words, interval_words

if TYPE_CHECKING:
    from .review.queue import QueueRow

__all__ = ["constraint_text", "document_table", "interval_text", "queue_table"]

_STATUS_STYLE = {"accepted": "green", "needs_review": "yellow", "rejected": "red"}
STACK_BELOW = 80
"""Narrower than this many columns, a table is stacked: one block of labelled lines per row.

Side by side, five columns of text on a 20-column terminal would shrink to nothing."""


def _stacked(title: str, rows: list[list[tuple[str, Text]]]) -> Group:
    """Rows as blocks: ``field: value`` lines, wrapped at any width, a rule between."""
    parts: list[RenderableType] = [Text(title, style="bold")]
    for row in rows:
        parts.append(Text("-" * 3))
        for name, value in row:
            line = Text(f"{name}: ", style="bold")
            line.append_text(value)
            parts.append(line)
    return Group(*parts)


def interval_text(lower: Bound | None, upper: Bound | None, unit: str | None = None) -> str:
    """Limits for people: '18 to 75 years', '≥ 80 ×10⁹/L' (:mod:`normalizer.words`)."""
    return interval_words(lower, upper, unit)


def constraint_text(c: Constraint) -> str:
    """One line for a constraint: 'platelets ≥ 80 ×10⁹/L', 'other: visits ≥ 3'."""
    words = constraint_words(c)
    return f"other: {words}" if c.variable == "other" else words


def _constraints_lines(crit: Criterion) -> list[str]:
    """A criterion's constraints, one a line, marked when any one of them suffices.

    "any of:" comes first, and the alternative no constraint reads last.
    """
    lines = [constraint_text(c) for c in crit.constraints]
    if not crit.any_of:
        return lines
    unread = [f"or: {crit.alternative} (not read)"] if crit.alternative else []
    return ["any of:", *lines, *unread]


def _eligibility_row(e: EligibilitySet) -> str:
    if e.empty:
        return "no eligible value"
    return " or ".join(interval_words(i.lower, i.upper, e.unit, e.relative_to) for i in e.intervals)


def _from(e: EligibilitySet) -> str:
    """Where an eligible set comes from: its criteria, or the registry's fields."""
    return "(registry fields)" if e.origin == "registry" else ", ".join(e.criteria)


def document_table(doc: Document, width: int | None = None) -> Group:
    """Build a table of criteria (status, constraints, findings) and the eligible sets.

    Below :data:`STACK_BELOW` columns (``width``), each criterion is a block of lines.
    """
    if width is not None and width < STACK_BELOW:
        rows = [
            [
                ("id", Text(crit.id)),
                ("status", Text(crit.status, style=_STATUS_STYLE[crit.status])),
                ("criterion", Text(crit.text)),
                *[("constraint", Text(line)) for line in _constraints_lines(crit)],
                *[("finding", Text(f"{f.severity}: {f.code}: {f.message}"))
                  for f in crit.findings],
            ]
            for crit in doc.criteria
        ]
        rows += [
            [("record finding", Text(f"{f.severity}: {f.code}: {f.message}"))]
            for f in doc.findings
        ]
        rows += [
            [("eligible", Text(_eligibility_row(e))), ("criteria", Text(_from(e)))]
            for e in doc.eligibility
        ]
        return _stacked(doc.source, rows)
    table = Table(title=doc.source, show_lines=True, expand=False)
    table.add_column("id", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("criterion", ratio=3)
    table.add_column("constraints", ratio=2)
    table.add_column("findings", ratio=2)
    for crit in doc.criteria:
        table.add_row(
            crit.id,
            Text(crit.status, style=_STATUS_STYLE[crit.status]),
            Text(crit.text),
            Text("\n".join(_constraints_lines(crit))),
            Text("\n".join(f"{f.severity}: {f.code}: {f.message}" for f in crit.findings)),
        )
    parts: list[Table | Text] = [table]
    if doc.findings:
        record = Table(title="the record against its registry fields", show_header=True)
        record.add_column("severity", no_wrap=True)
        record.add_column("code", no_wrap=True)
        record.add_column("finding")
        for f in doc.findings:
            record.add_row(f.severity, f.code, f.message)
        parts.append(record)
    if doc.eligibility:
        elig = Table(title="eligible values (derived)", show_header=True)
        elig.add_column("variable")
        elig.add_column("eligible set")
        elig.add_column("criteria")
        for e in doc.eligibility:
            elig.add_row(e.variable, _eligibility_row(e), _from(e))
        parts.append(elig)
    return Group(*parts)


def queue_table(rows: Sequence[QueueRow], width: int | None = None) -> Group:
    """The review queue: one table per record (its full id in the title), a row per constraint.

    Below :data:`STACK_BELOW` columns (``width``), each row is a block of lines.
    """
    tables: list[Table | Text] = []
    records = sum(1 for i, r in enumerate(rows) if i == 0 or rows[i - 1].record != r.record)
    title = f"review queue: {len(rows)} rows in {records} records"
    if width is not None and width < STACK_BELOW:
        blocks = [
            [
                ("record", Text(r.record)),
                ("criteria", Text(", ".join(r.criteria))),
                ("status", Text(r.status or "-", style=_STATUS_STYLE.get(r.status, ""))),
                ("reading", Text(r.reading or r.text)),
                *[("why", Text(f"{sev}: {code}: {msg}")) for code, sev, msg in r.findings],
                *([("decision", Text(r.decision))] if r.decision else []),
            ]
            for r in rows
        ]
        return _stacked(title, blocks)
    tables.append(Text(title, style="bold"))
    current: Table | None = None
    for i, r in enumerate(rows):
        if i == 0 or rows[i - 1].record != r.record:
            title = r.record if r.nct_id in (None, r.record) else f"{r.record} ({r.nct_id})"
            current = Table(title=title, title_justify="left", show_lines=True, expand=False)
            for col in ("criteria", "status", "reading", "findings", "decision"):
                current.add_column(col, ratio=3 if col in ("reading", "findings") else None,
                                   no_wrap=col == "status")
            tables.append(current)
        assert current is not None
        status = r.status or "-"
        where = ", ".join(r.criteria)
        if r.kind == "root-cause":
            where = f"{where}\n(root cause)"
        elif r.kind == "unread-numbers":
            where = f"{where}\n(numbers nobody read)"
        elif r.kind == "record":
            where = "(record: registry fields)"
        reading = r.reading + (f"\n(canonical {r.canonical})" if r.canonical else "")
        if not reading:
            reading = r.text if r.kind == "criterion" else ""
        current.add_row(
            where,
            Text(status, style=_STATUS_STYLE.get(status, "")),
            Text(reading),
            Text("\n".join(f"{sev}: {code}: {msg}" for code, sev, msg in r.findings)),
            Text(r.decision),
        )
    return Group(*tables)
