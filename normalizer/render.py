"""Rich renderings of documents for people (the ``table`` format)."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from .models import Bound, Constraint, Document, EligibilitySet

__all__ = ["constraint_text", "document_table", "interval_text", "review_table"]

_STATUS_STYLE = {"accepted": "green", "needs_review": "yellow", "rejected": "red"}


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


def document_table(doc: Document) -> Group:
    """Build a table of criteria (status, constraints, findings) and the eligible sets."""
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


def review_table(rows: list[dict[str, object]]) -> Table:
    """The review queue: one row per criterion that needs a look, with its findings."""
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
