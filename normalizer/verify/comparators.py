"""Comparator checks: the bounds say what the grounded comparator, range or list says.

A bound grounded on "≥ 18" must be an inclusive lower bound; one grounded on an end
of a range must be that end, with the range's other end; a single value (= x) read
where the evidence compares, or where a measured quantity has no comparator, is
reported.
"""

from __future__ import annotations

from ..catalog import load_catalog
from ..extract.base import Extraction
from ..models import Bound, Constraint, Finding
from .bounds import extractor_said, same_value, sides
from .codes import finding
from .describe import bound_text, num, quote
from .grounding import Ground
from .scan import Quantity, Scan

__all__ = ["comparator_findings"]

_SYMBOL = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<", "eq": "="}


def comparator_findings(
    c: Constraint, k: int, grounds: dict[str, Ground], sc: Scan, extraction: Extraction
) -> list[Finding]:
    """Whether the comparators where the bounds are grounded say what the bounds say."""
    if not grounds:
        return []
    flagged = extractor_said(extraction, k, "comparator-")
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
        elif q.phrase == "=" and not flagged and not _scale_end(c, lo.value):
            unclear.append(
                f"the evidence writes '=' before {num(lo.value)}, read as = {num(lo.value)}; "
                f"registries write '=' where a ≥ or ≤ was lost (inside the scale, both differ)"
            )
    else:
        for side, bound in sides(c):
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


def _scale_end(c: Constraint, value: float) -> bool:
    """The value is an end of the variable's possible range ("CDR=0"): = and ≤/≥ agree."""
    var = load_catalog().get(c.variable)
    possible = None if var is None else var.possible
    return possible is not None and any(same_value(value, end) for end in possible)


def _group_text(q: Quantity, sc: Scan) -> str:
    members = [sc.quantities[i] for i in q.group] or [q]
    kind = "the range" if q.role.startswith("range") else "the list"
    start, end = members[0].start, members[-1].end
    return f"{kind} {quote(sc.text[start:end])}"


def _own_units(q: Quantity, partner: Quantity) -> bool:
    """Each end of a range written with a unit of its own, and the two differ."""
    mine = {r.unit for r in q.readings if r.unit is not None}
    theirs = {r.unit for r in partner.readings if r.unit is not None}
    return bool(mine) and bool(theirs) and mine.isdisjoint(theirs)


def _judge(
    c: Constraint,
    side: str,
    bound: Bound,
    g: Ground,
    grounds: dict[str, Ground],
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
            if og is None and _own_units(q, partner):
                return  # "6 months to 17 years": one constraint for each end's unit
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
