"""A brat report for people: rich tables."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .models import BratReport, Rate


def _pct(rate: Rate) -> str:
    return "-" if rate.rate is None else f"{100 * rate.rate:.1f}%"


def render(report: BratReport, console: Console) -> None:
    """Print ``report`` as rich tables."""
    c = report.counts
    title = f"{report.corpus} {report.split or 'all'}" + (
        f" — {report.label}" if report.label else ""
    )
    summary = Table(title=title)
    summary.add_column("metric")
    summary.add_column("value", justify="right")
    summary.add_column("hits / total", justify="right")
    for name, rate in (
        ("value recall", report.value_recall),
        ("comparator recall", report.comparator_recall),
        ("precision", report.precision),
        ("precision, any annotated value", report.precision_any_value),
    ):
        summary.add_row(name, _pct(rate), f"{rate.hits} / {rate.total}")
    summary.add_row(
        "bare gold items (no comparator)",
        str(c.bare_items),
        f"{report.bare_value_recalled} recalled",
    )
    console.print(summary)
    console.print(
        f"{c.documents} documents, {c.trials} trials, {c.criteria} criteria "
        f"({c.criteria_with_gold} with gold), {c.gold_items} gold items, "
        f"{c.predictions} predicted constraints"
    )

    variables = Table(title="precision by predicted variable")
    for col in ("variable", "predicted", "precision"):
        variables.add_column(col, justify="left" if col == "variable" else "right")
    for row in report.by_variable:
        variables.add_row(row.variable, str(row.predicted), _pct(row.precision))
    console.print(variables)

    entities = Table(title="recall by gold entity")
    for col in ("entity", "gold", "value recall", "comparator recall"):
        entities.add_column(col, justify="left" if col == "entity" else "right")
    for e in report.by_entity:
        entities.add_row(e.entity, str(e.gold), _pct(e.value_recall), _pct(e.comparator_recall))
    console.print(entities)

    errors = Table(title="largest error classes", show_lines=True)
    for col in ("kind", "reason", "count", "examples"):
        errors.add_column(col, justify="right" if col == "count" else "left")
    for err in report.errors:
        shown = "\n".join(
            f"{ex.text[:120]!r}\n  gold: {ex.gold or '-'}\n  got: {', '.join(ex.predicted) or '-'}"
            for ex in err.examples
        )
        errors.add_row(err.kind, err.reason, str(err.count), shown)
    console.print(errors)
