"""Checks of one constraint: against the catalog, and against its evidence.

Catalog checks need only the constraint (unit, range, bounds, relative limits).
Grounding checks read the evidence: every bound's number is written there (garbles
undone), in the unit the constraint says, with the comparator the bounds imply,
with ULN/LLN where the constraint is relative, and the variable is the one named.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..catalog import Variable, load_catalog
from ..extract.base import Extraction
from ..models import Bound, Constraint, Criterion, Finding
from ..units import convert, dimensionality, is_valid_ucum, unit_fits
from .codes import finding
from .describe import bound_text, num, quote, unit_text, with_unit
from .lexicon import load_evidence
from .scan import Quantity, Reading, Scan
from .scope import scope_findings

__all__ = ["check_constraint", "same_value"]

_PUNCTUATION = re.compile(r"[,;()\[\]]")
_TRAILING = 30
_SYMBOL = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<", "eq": "="}


def same_value(a: float, b: float) -> bool:
    """Equal up to float noise (a number as written vs as stored)."""
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


@dataclass(slots=True)
class _Ground:
    """Where a bound's number was found."""

    index: int
    quantity: Quantity
    reading: Reading
    unit_stated: bool


def _sides(c: Constraint) -> list[tuple[str, Bound]]:
    return [(s, b) for s, b in (("lower", c.lower), ("upper", c.upper)) if b is not None]


# --------------------------------------------------------------------------
# Against the catalog
# --------------------------------------------------------------------------


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
    for side, bound in _sides(c):
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
    for side, bound in _sides(c):
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


def _extractor_said(extraction: Extraction, k: int, family: str) -> bool:
    """The extractor already reported on constraint ``k`` with a code of ``family``."""
    return any(f.constraint == k and f.code.startswith(family) for f in extraction.findings)


def _catalog_findings(
    c: Constraint, k: int, stated_unit: str | None, extraction: Extraction
) -> list[Finding]:
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
    if c.qualifier and not _extractor_said(extraction, k, "qualified"):
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


# --------------------------------------------------------------------------
# Against the evidence
# --------------------------------------------------------------------------


def _amount(value: float, unit: str | None, var: Variable | None) -> float | None:
    if var is None or unit is None or var.canonical_unit is None:
        return None
    return convert(value, unit, var.id)


def _ground(
    c: Constraint, bound: Bound, found: list[tuple[int, Quantity]], var: Variable | None
) -> list[tuple[_Ground, bool]]:
    """Readings that write ``bound``: (where, same amount in the stated unit)."""
    target = _amount(bound.value, c.unit, var) if c.relative_to is None else None
    out: list[tuple[_Ground, bool]] = []
    for i, q in found:
        for r in q.readings:
            stated = r.unit is not None
            amount = _amount(r.value, r.unit, var) if stated and r.relative is None else None
            equal_amount = target is not None and amount is not None and same_value(amount, target)
            if same_value(r.value, bound.value) or equal_amount:
                out.append((_Ground(i, q, r, stated), equal_amount))
    return out


def _numbers_in(found: list[tuple[int, Quantity]]) -> str:
    shown = [q.describe() for _, q in found]
    return "it states " + ", ".join(shown) if shown else "it states no number"


def _evidence_findings(
    c: Constraint, k: int, crit: Criterion, sc: Scan, extraction: Extraction
) -> tuple[list[Finding], str | None]:
    """Grounding findings, and the unit the evidence writes (for unit-missing)."""
    var = load_catalog().get(c.variable)
    start, end = c.evidence[0] - crit.span[0], c.evidence[1] - crit.span[0]
    evidence = sc.text[start:end]
    found = list(sc.inside(start, end))
    out: list[Finding] = []
    grounds: dict[str, _Ground] = {}
    unstated: list[str] = []
    wrong_unit: list[str] = []
    stated_unit: str | None = None
    for side, bound in _sides(c):
        candidates = _ground(c, bound, found, var)
        if not candidates:
            out.append(
                finding(
                    "number-not-in-evidence",
                    f"{side} bound {num(bound.value)} is not written in the evidence "
                    f"{quote(evidence)}; {_numbers_in(found)}",
                    k,
                )
            )
            continue
        rel_ok = [(g, eq) for g, eq in candidates if g.reading.relative == c.relative_to]
        if not rel_ok:
            g = candidates[0][0]
            out.append(finding("relative-mismatch", _relative_message(c, side, bound, g), k))
            continue
        stated_unit = stated_unit or next(
            (g.reading.unit for g, _ in rel_ok if g.unit_stated), None
        )
        choice = _choose(c, side, bound, rel_ok, var, wrong_unit, unstated)
        if choice is not None:
            grounds[side] = choice
    out += _unit_findings(c, k, var, extraction, wrong_unit, unstated)
    out += _comparator_findings(c, k, grounds, sc, extraction)
    out += _variable_findings(c, k, sc, start, end, var)
    return out, stated_unit


def _relative_message(c: Constraint, side: str, bound: Bound, g: _Ground) -> str:
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


def _choose(
    c: Constraint,
    side: str,
    bound: Bound,
    rel_ok: list[tuple[_Ground, bool]],
    var: Variable | None,
    wrong_unit: list[str],
    unstated: list[str],
) -> _Ground | None:
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


def _best(options: list[tuple[_Ground, bool]], side: str) -> _Ground:
    """Prefer a quantity whose comparator suits the side of the bound."""

    def fit(g: _Ground) -> int:
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


def _unit_findings(
    c: Constraint,
    k: int,
    var: Variable | None,
    extraction: Extraction,
    wrong_unit: list[str],
    unstated: list[str],
) -> list[Finding]:
    out: list[Finding] = []
    if wrong_unit:
        out.append(finding("unit-not-in-evidence", "; ".join(wrong_unit), k))
    if not unstated or var is None or c.unit is None:
        return out
    if _extractor_said(extraction, k, "unit-"):
        return out  # the extractor already said it assumed the unit
    usual = all(
        (v := convert(b.value, c.unit, var.id)) is not None and var.usual[0] <= v <= var.usual[1]
        for _, b in _sides(c)
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


def _comparator_findings(
    c: Constraint, k: int, grounds: dict[str, _Ground], sc: Scan, extraction: Extraction
) -> list[Finding]:
    if not grounds:
        return []
    flagged = _extractor_said(extraction, k, "comparator-")
    wrong: list[str] = []
    unclear: list[str] = []
    lo, hi = c.lower, c.upper
    if (
        lo is not None
        and hi is not None
        and same_value(lo.value, hi.value)
        and lo.inclusive
        and hi.inclusive
    ):
        g = grounds.get("lower") or grounds["upper"]
        q = g.quantity
        if q.role in ("range-lo", "range-hi", "list-lo", "list-hi", "list-mid"):
            wrong.append(
                f"the evidence reads {_group_text(q, sc)} but the constraint is = {num(lo.value)}"
            )
        elif q.op in ("ge", "gt", "le", "lt") and not q.ambiguous:
            msg = (
                f"the constraint is = {num(lo.value)} but the evidence says "
                f"{quote(q.phrase)} ({_SYMBOL[q.op]}) {num(lo.value)}"
            )
            (unclear if q.role == "carried" else wrong).append(msg)
        elif _measured(c) and not flagged:
            said = f"{quote(q.phrase)} before" if q.phrase else "no comparator for"
            unclear.append(
                f"the evidence writes {said} {num(lo.value)}, read as = {num(lo.value)}; a limit "
                f"on a measured quantity is rarely one value (a lost ≥ or ≤?)"
            )
    else:
        for side, bound in _sides(c):
            where = grounds.get(side)
            if where is not None:
                _judge(c, side, bound, where, grounds, sc, wrong, unclear, flagged)
    out: list[Finding] = []
    if wrong:
        out.append(finding("comparator-mismatch", "; ".join(wrong), k))
    if unclear:
        out.append(finding("comparator-unclear", "; ".join(unclear), k))
    return out


def _measured(c: Constraint) -> bool:
    """A measured quantity or a ULN/LLN multiple (not a score, class, count or ratio)."""
    var = load_catalog().get(c.variable)
    return c.relative_to is not None or (var is not None and var.kind == "quantity")


def _group_text(q: Quantity, sc: Scan) -> str:
    members = [sc.quantities[i] for i in q.group] or [q]
    kind = "the range" if q.role.startswith("range") else "the list"
    start, end = members[0].start, members[-1].end
    return f"{kind} {quote(sc.text[start:end])}"


def _judge(
    c: Constraint,
    side: str,
    bound: Bound,
    g: _Ground,
    grounds: dict[str, _Ground],
    sc: Scan,
    wrong: list[str],
    unclear: list[str],
    flagged: bool,
) -> None:
    q = g.quantity
    lower = side == "lower"
    said = bound_text(side, bound)
    both = "lower" in grounds and "upper" in grounds
    if q.pair and both and grounds["lower"].quantity is grounds["upper"].quantity:
        return  # "0,1": both ends of a two-value list
    if q.role in ("range-lo", "range-hi", "list-lo", "list-hi", "list-mid"):
        group = _group_text(q, sc)
        first = q.role.endswith("lo")
        if q.role == "list-mid":
            wrong.append(f"{num(bound.value)} is inside {group}, not an end of it")
            return
        if first != lower:
            end_name = "lower" if first else "upper"
            wrong.append(
                f"the evidence reads {group} with {num(bound.value)} as its {end_name} end, "
                f"but the constraint says {said}"
            )
            return
        inclusive = q.op != "gt"  # "> 8 - 40 years": the lower end says its own comparator
        if bound.inclusive != inclusive:
            ends = "includes" if inclusive else "excludes"
            wrong.append(f"{group} {ends} {num(bound.value)}, but the constraint says {said}")
            return
        other = "upper" if lower else "lower"
        partner = sc.quantities[q.group[-1] if first else q.group[0]]
        og = grounds.get(other)
        if og is None or og.quantity is not partner:
            if og is None and (c.upper if lower else c.lower) is not None:
                return  # the other bound failed grounding and is reported there
            wrong.append(f"the evidence reads {group}, but the constraint keeps only {said}")
        return
    op = q.op
    if op is None or op == "eq" or q.ambiguous:
        if flagged:
            return
        if op is None:
            unclear.append(
                f"the evidence states no comparator for {num(bound.value)}; "
                f"the constraint reads it as {said}"
            )
        else:
            unclear.append(
                f"the evidence writes {quote(q.phrase)} before {num(bound.value)}; "
                f"the constraint reads it as {said}"
            )
        return
    direction_ok = (op in ("ge", "gt")) == lower
    inclusive_ok = (op in ("ge", "le")) == bound.inclusive
    if direction_ok and inclusive_ok:
        return
    what = "direction" if not direction_ok else "inclusiveness"
    msg = (
        f"the constraint says {said} but the evidence says {quote(q.phrase)} "
        f"({_SYMBOL[op]} {num(bound.value)}): {what} differs"
    )
    if q.role == "carried":
        unclear.append(msg + " (the comparator is carried over from an earlier limit)")
    else:
        wrong.append(msg)


_LEAD_REACH = 300
"""Characters before the evidence read for variable names: bounds the cost per constraint
(a clause of thousands of characters would otherwise be re-read for each of its limits)."""


def _variable_findings(
    c: Constraint, k: int, sc: Scan, start: int, end: int, var: Variable | None
) -> list[Finding]:
    if var is None:
        return []
    # the words leading into the evidence since the previous limit, and the few words
    # right after it ("... x 10^9/L platelets") unless they lead into the next limit of
    # the clause ("30-55 years with BMI 30-40")
    # ... and not from outside a bracket the evidence opens in ("hepatitis C (... HCV-RNA ...),
    # chronic active hepatitis B (HBV DNA >= 2x103IU/ml")
    bracket = max(sc.view.rfind("(", 0, start), sc.view.rfind(")", 0, start)) + 1
    lead = max(
        [sc.clause_start(start), bracket, *(q.after for q in sc.quantities if q.after <= start),
         start - _LEAD_REACH]
    )
    stop = _PUNCTUATION.search(sc.view, end, min(len(sc.view), end + _TRAILING))
    tail = min(sc.clause_end(end), stop.start() if stop else end + _TRAILING)
    if any(end <= q.start < tail for q in sc.quantities):
        tail = end
    named = sc.mentions(lead, tail) if lead < tail else set()
    named |= sc.mentions(start, end)
    if c.variable in named or not named:
        return []
    catalog = load_catalog()
    others = ", ".join(sorted(v.label for v in map(catalog.get, named) if v is not None))
    return [
        finding(
            "variable-not-in-evidence",
            f"the evidence {quote(sc.text[start:end])} names {others}, not {var.label}",
            k,
        )
    ]


def check_constraint(
    c: Constraint, k: int, crit: Criterion, sc: Scan, extraction: Extraction
) -> list[Finding]:
    """All findings about constraint ``k`` of ``crit`` (scanned as ``sc``)."""
    cs, ce = crit.span
    es, ee = c.evidence
    if not (cs <= es < ee <= ce):
        where = "is empty" if es >= ee else f"is not inside the criterion's span [{cs}, {ce})"
        return [
            finding("evidence-outside", f"the evidence span [{es}, {ee}) {where}", k),
            *_catalog_findings(c, k, None, extraction),
        ]
    grounding, stated_unit = _evidence_findings(c, k, crit, sc, extraction)
    scoped = scope_findings(c, k, crit, sc)
    return _catalog_findings(c, k, stated_unit, extraction) + grounding + scoped
