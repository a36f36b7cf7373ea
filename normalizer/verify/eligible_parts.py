"""From criteria to sets: each criterion's set for each variable it bounds.

Which constraints are usable (no qualifier, no error, a unit that converts, a
known variable and section), their bounds in the canonical unit, and a
criterion's set per (variable, ULN/LLN): the intersection of its constraints for
an inclusion criterion, their union for an exclusion one or an inclusion one met by
any of them.  See
:mod:`normalizer.verify.document`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..catalog import load_catalog
from ..models import (
    Constraint,
    Criterion,
    RelativeTo,
)
from ..units import convert
from .describe import reading
from .intervals import INF, REAL, Interval, Set, _make, _normal, intersect

_Key = tuple[str, RelativeTo | None]


@dataclass(slots=True)
class _Part:
    """One criterion's set for one variable."""

    criterion: Criterion
    set: Set
    shown: str
    said: str
    """The criterion's constraints on the variable, as read."""


def _canonical(c: Constraint) -> tuple[float | None, float | None] | None:
    """Bounds in the canonical unit (multipliers for relative limits), or None."""
    var = load_catalog().get(c.variable)
    if var is None:
        return None
    values: list[float | None] = []
    for bound in (c.lower, c.upper):
        if bound is None:
            values.append(None)
        elif c.relative_to is not None or var.canonical_unit is None:
            if c.unit is not None:
                return None
            values.append(bound.value)
        elif c.unit is None:
            return None
        else:
            converted = convert(bound.value, c.unit, var.id)
            if converted is None:
                return None
            values.append(float(f"{converted:.9g}"))
    return values[0], values[1]


def _interval(c: Constraint) -> Interval | None:
    bounds = _canonical(c)
    if bounds is None or (bounds[0] is None and bounds[1] is None):
        return None
    lo, hi = bounds
    return _make(
        -INF if lo is None else lo,
        c.lower.inclusive if c.lower is not None else False,
        INF if hi is None else hi,
        c.upper.inclusive if c.upper is not None else False,
    ) or Interval(0.0, False, 0.0, False)  # an empty constraint: marked, not dropped


def _usable(crit: Criterion, k: int, c: Constraint) -> bool:
    if crit.section == "unknown" or c.qualifier or c.variable == "other":
        return False
    return not any(
        (f.severity == "error" and f.constraint in (k, None))
        or (f.code == "scope-unclear" and f.constraint == k)
        for f in crit.findings
    )


def _empty(iv: Interval) -> bool:
    return iv.lo == iv.hi and not (iv.lo_in and iv.hi_in)


def _parts(
    criteria: list[Criterion],
) -> tuple[dict[_Key, list[_Part]], list[tuple[Criterion, str]]]:
    """Each variable's parts, and the *any of* inclusion criteria no one variable can hold.

    An inclusion criterion met by any one of its limits (``Criterion.any_of``) is the
    union of its limits when they bound one variable ("HbA1c < 7% or < 53 mmol/mol");
    when they bound several (an ``other`` one too), or the text adds an alternative no
    constraint reads (``Criterion.alternative``), the criterion restricts none of them
    alone and is left out, with what it says.
    """
    groups: dict[_Key, list[_Part]] = defaultdict(list)
    alternatives: list[tuple[Criterion, str]] = []
    for crit in criteria:
        mine: dict[_Key, list[Interval]] = defaultdict(list)
        said: dict[_Key, list[str]] = defaultdict(list)
        for k, c in enumerate(crit.constraints):
            if not _usable(crit, k, c):
                continue
            iv = _interval(c)
            if iv is not None:
                mine[(c.variable, c.relative_to)].append(iv)
                said[(c.variable, c.relative_to)].append(reading(c))
        if crit.any_of and (crit.alternative or len(_keys(crit)) > 1):
            if mine:  # what the sets would have held
                alternatives.append((crit, " or ".join(r for key in mine for r in said[key])))
            continue
        every = crit.section == "inclusion" and not crit.any_of
        for key, intervals in mine.items():
            real = [iv for iv in intervals if not _empty(iv)]
            if every:
                whole = REAL
                for iv in intervals:
                    whole = intersect(whole, [] if _empty(iv) else [iv])
            else:
                whole = _normal(real)
            joint = " and " if every else " or "
            groups[key].append(_Part(crit, whole, _describe(whole, key), joint.join(said[key])))
    return groups, alternatives


def _keys(crit: Criterion) -> set[_Key]:
    """What the criterion's unqualified limits bound, usable in a set or not."""
    return {(c.variable, c.relative_to) for c in crit.constraints if not c.qualifier}


def _unit(key: _Key) -> str | None:
    var = load_catalog().get(key[0])
    if key[1] is not None or var is None:
        return None
    return var.canonical_unit


def _describe(s: Set, key: _Key) -> str:
    if not s:
        return "no value"
    return " or ".join(iv.text(_unit(key), key[1]) for iv in s)



def _label(key: _Key) -> str:
    return load_catalog().label(key[0])
