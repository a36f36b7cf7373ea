"""Rich renderings of documents for people (the ``table`` format)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from .models import Bound, Constraint, Document, EligibilitySet

__all__ = ["constraint_text", "document_table", "interval_text", "review_table"]

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


def _num(value: float) -> str:
    return f"{value:g}"


def interval_text(lower: Bound | None, upper: Bound | None) -> str:
    """``18 <= x <= 75`` style text for a pair of bounds."""
    if lower and upper and lower.value == upper.value and lower.inclusive and upper.inclusive:
        return f"= {_num(lower.value)}"
    parts = []
    if lower:
        parts.append(f"{_num(lower.value)} {'<=' if lower.inclusive else '<'} ")
    parts.append("x")
    if upper:
        parts.append(f" {'<=' if upper.inclusive else '<'} {_num(upper.value)}")
    return "".join(parts)


def constraint_text(c: Constraint) -> str:
    """One line for a constraint: ``platelets: x >= 80 10*9/L``."""
    unit = f" x{c.relative_to}" if c.relative_to else (f" {c.unit}" if c.unit else "")
    label = c.variable if c.variable != "other" else f"other ({c.label})"
    qualifier = f" [if {c.qualifier}]" if c.qualifier else ""
    return f"{label}: {interval_text(c.lower, c.upper)}{unit}{qualifier}"


def _eligibility_row(e: EligibilitySet) -> str:
    unit = f" x{e.relative_to}" if e.relative_to else (f" {e.unit}" if e.unit else "")
    if e.empty:
        return f"{e.variable}: no eligible value"
    spans = " or ".join(interval_text(i.lower, i.upper) for i in e.intervals)
    return f"{e.variable}: {spans}{unit}"


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
                *[("constraint", Text(constraint_text(c))) for c in crit.constraints],
                *[("finding", Text(f"{f.severity}: {f.code}: {f.message}"))
                  for f in crit.findings],
            ]
            for crit in doc.criteria
        ]
        rows += [
            [("eligible", Text(_eligibility_row(e))), ("criteria", Text(", ".join(e.criteria)))]
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
            Text("\n".join(constraint_text(c) for c in crit.constraints)),
            Text("\n".join(f"{f.severity}: {f.code}: {f.message}" for f in crit.findings)),
        )
    parts: list[Table | Text] = [table]
    if doc.eligibility:
        elig = Table(title="eligible values (derived)", show_header=True)
        elig.add_column("variable")
        elig.add_column("eligible set")
        elig.add_column("criteria")
        for e in doc.eligibility:
            elig.add_row(e.variable, _eligibility_row(e), ", ".join(e.criteria))
        parts.append(elig)
    return Group(*parts)


def review_table(rows: list[dict[str, object]], width: int | None = None) -> Table | Group:
    """The review queue: one row per criterion that needs a look, with its findings.

    Below :data:`STACK_BELOW` columns (``width``), each criterion is a block of lines.
    """
    if width is not None and width < STACK_BELOW:
        blocks = []
        for row in rows:
            found = row["findings"]
            assert isinstance(found, list)
            status = str(row["status"])
            blocks.append(
                [
                    ("source", Text(str(row["source"]))),
                    ("id", Text(str(row["criterion"]))),
                    ("status", Text(status, style=_STATUS_STYLE[status])),
                    ("criterion", Text(str(row["text"]))),
                    *[("why", Text(f"{f['severity']}: {f['code']}: {f['message']}"))
                      for f in found],
                ]
            )
        return _stacked(f"review queue: {len(rows)} criteria", blocks)
    table = Table(title=f"review queue: {len(rows)} criteria", show_lines=True)
    for col in ("source", "id", "status", "criterion", "why"):
        table.add_column(col, ratio=3 if col in ("criterion", "why") else None)
    for row in rows:
        found = row["findings"]
        assert isinstance(found, list)
        status = str(row["status"])
        table.add_row(
            str(row["source"]),
            str(row["criterion"]),
            Text(status, style=_STATUS_STYLE[status]),
            Text(str(row["text"])),
            Text("\n".join(f"{f['severity']}: {f['code']}: {f['message']}" for f in found)),
        )
    return table
