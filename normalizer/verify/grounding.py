"""Grounding: where the evidence writes each bound's number, and in which unit.

A bound is grounded by a reading of a quantity in the evidence with the same value
(garbles undone), or the same amount in another unit, and the same ULN/LLN.  Of
several, the one whose comparator suits the bound's side is taken.  A unit the
evidence does not write, or writes otherwise, is reported here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog import Variable
from ..extract.base import Extraction
from ..models import Bound, Constraint, Finding
from ..units import convert, unit_fits
from .bounds import extractor_said, same_value, sides
from .codes import finding
from .describe import num, quote, unit_text, with_unit
from .scan import Quantity, Reading

__all__ = [
    "Ground",
    "choose",
    "ground",
    "numbers_in",
    "relative_message",
    "sq",
    "unit_findings",
]


@dataclass(slots=True)
class Ground:
    """Where a bound's number was found."""

    index: int
    quantity: Quantity
    reading: Reading
    unit_stated: bool


def _amount(value: float, unit: str | None, var: Variable | None) -> float | None:
    if var is None or unit is None or var.canonical_unit is None:
        return None
    return convert(value, unit, var.id)


def ground(
    c: Constraint, bound: Bound, found: list[tuple[int, Quantity]], var: Variable | None
) -> list[tuple[Ground, bool]]:
    """Readings that write ``bound``: (where, same amount in the stated unit)."""
    target = _amount(bound.value, c.unit, var) if c.relative_to is None else None
    out: list[tuple[Ground, bool]] = []
    for i, q in found:
        for r in q.readings:
            stated = r.unit is not None
            amount = _amount(r.value, r.unit, var) if stated and r.relative is None else None
            equal_amount = target is not None and amount is not None and same_value(amount, target)
            if same_value(r.value, bound.value) or equal_amount:
                out.append((Ground(i, q, r, stated), equal_amount))
    return out


def numbers_in(found: list[tuple[int, Quantity]]) -> str:
    """What the evidence states, for a bound it does not write."""
    shown = [q.describe() for _, q in found]
    return "it states " + ", ".join(shown) if shown else "it states no number"


def relative_message(c: Constraint, side: str, bound: Bound, g: Ground) -> str:
    """Why the reading ``g`` of ``bound`` is not relative to what the constraint is."""
    q, r = g.quantity, g.reading
    written = sq(q)
    if c.relative_to is None:
        return (
            f"the evidence reads {num(r.value)} × {r.relative} ({written}) but the constraint "
            f"is absolute ({side} bound {with_unit(bound.value, c.unit)}), not relative to "
            f"{r.relative}"
        )
    if r.relative is None:
        return (
            f"the constraint is relative to {c.relative_to} but the evidence writes "
            f"{with_unit(r.value, r.unit)} ({written}) with no ULN/LLN"
        )
    return (
        f"the constraint is relative to {c.relative_to} but the evidence says {r.relative} "
        f"({written})"
    )


def sq(q: Quantity) -> str:
    """The quantity with what follows it, quoted."""
    return quote(q.text) if q.implicit else quote(_full(q))


def _full(q: Quantity) -> str:
    return q.text if q.stop <= q.end else q.text + "…"


def choose(
    c: Constraint,
    side: str,
    bound: Bound,
    rel_ok: list[tuple[Ground, bool]],
    var: Variable | None,
    wrong_unit: list[str],
    unstated: list[str],
) -> Ground | None:
    """Pick the reading that grounds ``bound``; note unit problems on the way."""
    checks_unit = (
        c.relative_to is None
        and c.unit is not None
        and var is not None
        and var.canonical_unit is not None
        and unit_fits(var.id, c.unit)
    )
    if not checks_unit:
        return _best(rel_ok, side)
    good = [(g, eq) for g, eq in rel_ok if eq or (g.unit_stated and g.reading.unit == c.unit)]
    if good:
        return _best(good, side)
    bare = [(g, eq) for g, eq in rel_ok if not g.unit_stated]
    if bare:
        unstated.append(side)
        return _best(bare, side)
    g = rel_ok[0][0]
    theirs = _amount(g.reading.value, g.reading.unit, var)
    ours = _amount(bound.value, c.unit, var)
    assert var is not None and var.canonical_unit is not None
    canon = var.canonical_unit
    said = with_unit(g.reading.value, g.reading.unit)
    if theirs is not None:
        said += f" (= {with_unit(theirs, canon)})"
    else:
        said += f", not a unit of {var.label}"
    mine = with_unit(bound.value, c.unit)
    if ours is not None and c.unit != canon:
        mine += f" (= {with_unit(ours, canon)})"
    wrong_unit.append(f"the evidence writes {said} where the {side} bound says {mine}")
    return _best(rel_ok, side)


def _best(options: list[tuple[Ground, bool]], side: str) -> Ground:
    """Prefer a quantity whose comparator suits the side of the bound."""

    def fit(g: Ground) -> int:
        q = g.quantity
        lower = side == "lower"
        if q.role in ("range-lo", "list-lo"):
            return 2 if lower else 0
        if q.role in ("range-hi", "list-hi"):
            return 0 if lower else 2
        if q.op in ("ge", "gt"):
            return 2 if lower else 0
        if q.op in ("le", "lt"):
            return 0 if lower else 2
        return 1

    return max((g for g, _ in options), key=fit)


def unit_findings(
    c: Constraint,
    k: int,
    var: Variable | None,
    extraction: Extraction,
    wrong_unit: list[str],
    unstated: list[str],
) -> list[Finding]:
    """The unit problems :func:`choose` noted: a unit written otherwise, or none written."""
    out: list[Finding] = []
    if wrong_unit:
        out.append(finding("unit-not-in-evidence", "; ".join(wrong_unit), k))
    if not unstated or var is None or c.unit is None:
        return out
    if extractor_said(extraction, k, "unit-"):
        return out  # the extractor already said it assumed the unit
    usual = all(
        (v := convert(b.value, c.unit, var.id)) is not None and var.usual[0] <= v <= var.usual[1]
        for _, b in sides(c)
    )
    if c.unit == var.default_unit and usual:
        out.append(
            finding(
                "unit-inferred",
                f"the evidence writes no unit; {var.label} read in its default unit "
                f"{unit_text(c.unit)}",
                k,
            )
        )
    else:
        why = (
            f"not the catalog default ({unit_text(var.default_unit)})"
            if var.default_unit and c.unit != var.default_unit
            else "the catalog has no default unit"
            if not var.default_unit
            else "the value is unusual in it"
        )
        out.append(
            finding(
                "unit-guessed",
                f"the evidence writes no unit for {var.label}; "
                f"the constraint assumes {unit_text(c.unit)}, {why}",
                k,
            )
        )
    return out
