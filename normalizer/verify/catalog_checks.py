"""Checks of one constraint against the catalog: it needs only the constraint.

The variable is known (or ``other``), the bounds leave some value, a relative limit
is allowed and plausible, the unit is valid UCUM and measures the variable, and the
bounds are possible and usual in the variable's canonical unit.
"""

from __future__ import annotations

from ..catalog import Variable, load_catalog
from ..extract.base import Extraction
from ..models import Constraint, Finding
from ..units import convert, dimensionality, is_valid_ucum, unit_fits
from .bounds import extractor_said, sides
from .codes import finding
from .describe import bound_text, num, unit_text, with_unit
from .lexicon import load_evidence

__all__ = ["catalog_findings"]


def _hint(value: float, lo: float, hi: float, unit: str | None) -> str:
    """Suggest the one power of ten that would make ``value`` usual."""
    fits = [
        (label, value * factor)
        for label, factor in (("× 10", 10.0), ("÷ 10", 0.1), ("× 1000", 1e3), ("÷ 1000", 1e-3))
        if lo <= value * factor <= hi
    ]
    if len(fits) == 1 and value != 0:
        label, fixed = fits[0]
        return (
            f"; {label} = {with_unit(fixed, unit)} would be usual (a lost digit or power of ten?)"
        )
    return ""


def _range_findings(c: Constraint, k: int, var: Variable) -> list[Finding]:
    out: list[Finding] = []
    unit = var.canonical_unit
    for side, bound in sides(c):
        value: float | None = bound.value
        if unit is not None:
            value = convert(bound.value, c.unit, var.id) if c.unit else None
        if value is None:
            continue
        stated = with_unit(bound.value, c.unit)
        shown = (
            stated if c.unit == unit or unit is None else f"{stated} (= {with_unit(value, unit)})"
        )
        lo, hi = var.possible
        if not lo <= value <= hi:
            out.append(
                finding(
                    "value-impossible",
                    f"{var.label} {side} bound {shown} is outside the possible range "
                    f"{num(lo)} to {with_unit(hi, unit)}{_hint(value, lo, hi, unit)}",
                    k,
                )
            )
            continue
        ulo, uhi = var.usual
        if not ulo <= value <= uhi:
            out.append(
                finding(
                    "value-unusual",
                    f"{var.label} {side} bound {shown} is outside the usual thresholds "
                    f"{num(ulo)} to {with_unit(uhi, unit)}{_hint(value, ulo, uhi, unit)}",
                    k,
                )
            )
        if var.integer and not bound.value.is_integer():
            out.append(
                finding(
                    "value-not-integer",
                    f"{var.label} takes whole numbers; {side} bound {num(bound.value)} is not one",
                    k,
                )
            )
    return out


def _relative_findings(c: Constraint, k: int, var: Variable | None) -> list[Finding]:
    out: list[Finding] = []
    if var is not None and not var.relative_ok:
        out.append(
            finding(
                "relative-not-allowed",
                f"{var.label} has no laboratory reference range, so a limit relative to "
                f"{c.relative_to} cannot apply",
                k,
            )
        )
    if c.unit is not None:
        out.append(
            finding(
                "relative-with-unit",
                f"the limit is relative to {c.relative_to} (a multiplier) but carries the unit "
                f"{unit_text(c.unit)}",
                k,
            )
        )
    rng = load_evidence().relative
    for side, bound in sides(c):
        shown = f"{num(bound.value)} × {c.relative_to}"
        if not rng.possible[0] <= bound.value <= rng.possible[1]:
            out.append(
                finding(
                    "value-impossible",
                    f"{side} bound {shown} is not a possible multiplier "
                    f"({num(rng.possible[0])} to {num(rng.possible[1])})",
                    k,
                )
            )
        elif not rng.usual[0] <= bound.value <= rng.usual[1]:
            out.append(
                finding(
                    "relative-unusual",
                    f"{side} bound {shown} is outside the usual multipliers "
                    f"{num(rng.usual[0])} to {num(rng.usual[1])} × {c.relative_to}",
                    k,
                )
            )
    return out


def catalog_findings(
    c: Constraint, k: int, stated_unit: str | None, extraction: Extraction
) -> list[Finding]:
    """Findings about constraint ``k`` that the catalog alone gives.

    ``stated_unit`` is the unit the evidence writes, if any (said in unit-missing).
    """
    out: list[Finding] = []
    var = load_catalog().get(c.variable)
    if c.variable == "other":
        out.append(
            finding(
                "variable-other",
                f"{c.label or 'the variable'} is not in the catalog: "
                "its unit and range were not checked",
                k,
            )
        )
    elif var is None:
        out.append(
            finding(
                "variable-unknown", f"{c.variable!r} is not a catalog variable id (nor 'other')", k
            )
        )
    elif var.accept == "review":
        out.append(
            finding(
                "variable-unvalidated",
                f"{var.label} is held for review in the catalog (accept = 'review'): its "
                "readings are not yet validated on enough registry text; confirm this one",
                k,
            )
        )
    if c.lower is None and c.upper is None:
        out.append(
            finding("bounds-missing", "the constraint has neither a lower nor an upper bound", k)
        )
    elif (
        c.lower is not None
        and c.upper is not None
        and (
            c.lower.value > c.upper.value
            or (c.lower.value == c.upper.value and not (c.lower.inclusive and c.upper.inclusive))
        )
    ):
        out.append(
            finding(
                "bounds-inverted",
                f"lower bound {bound_text('lower', c.lower)} and upper bound "
                f"{bound_text('upper', c.upper)} leave no value",
                k,
            )
        )
    if c.qualifier and not extractor_said(extraction, k, "qualified"):
        out.append(
            finding("qualified", f"this limit applies only {c.qualifier!r}; check the condition", k)
        )
    if c.relative_to is not None:
        return out + _relative_findings(c, k, var)
    if c.unit is not None and not is_valid_ucum(c.unit):
        out.append(finding("unit-invalid", f"{c.unit!r} is not a valid UCUM code", k))
        return out
    if var is None:
        return out
    if var.canonical_unit is None:
        if c.unit is not None:
            out.append(
                finding(
                    "unit-mismatch",
                    f"{var.label} is a {var.kind}: it takes no unit, not {unit_text(c.unit)}",
                    k,
                )
            )
        return out + _range_findings(c, k, var)
    if c.unit is None:
        said = f"; the evidence writes {unit_text(stated_unit)}" if stated_unit else ""
        out.append(
            finding(
                "unit-missing",
                f"{var.label} needs a unit (canonical {unit_text(var.canonical_unit)}) and the "
                "constraint "
                f"has none{said}",
                k,
            )
        )
        return out
    if not unit_fits(var.id, c.unit):
        if dimensionality(c.unit) == dimensionality(var.canonical_unit):
            out.append(
                finding(
                    "unit-not-convertible",
                    f"{unit_text(c.unit)} measures {var.label} but does not convert to "
                    f"{unit_text(var.canonical_unit)}: its range was not checked",
                    k,
                )
            )
            return out
        accepted = ", ".join(map(unit_text, var.units or [var.canonical_unit]))
        out.append(
            finding(
                "unit-mismatch",
                f"{unit_text(c.unit)} cannot measure {var.label} (its units: {accepted})",
                k,
            )
        )
        return out
    return out + _range_findings(c, k, var)
