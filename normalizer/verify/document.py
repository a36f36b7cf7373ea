"""Checks across the criteria of one document, and the eligible set per variable.

Per variable (and per ULN/LLN for relative limits), in the canonical unit:

    eligible = (intersection of the inclusion criteria's sets)
               minus (union of the exclusion criteria's sets)

A criterion's set is the intersection of its constraints on the variable for an
inclusion criterion ("age >= 18 and <= 75") and their union for an exclusion
criterion ("age < 18 or > 75").  Constraints that carry a qualifier, that have an
error, whose unit cannot be converted, on ``other`` variables, or in criteria of
unknown section are left out: the set is only as good as what went in.

Findings:

* ``eligibility-empty`` (error) on every criterion of the variable when no value
  is left;
* ``eligibility-boundary`` (warning) when an inclusion end and an exclusion end
  sit on the same value and disagree about it.  With inclusion lower end ``b``
  and exclusion upper end ``b`` (the exclusion removes values below ``b``):

  ====================  ====================  ==========================================
  inclusion             exclusion             the value ``b``
  ====================  ====================  ==========================================
  ``> b``               ``< b``               a GAP: allowed by neither (warning)
  ``>= b``              ``<= b``              an OVERLAP: required and removed (warning)
  ``>= b``              ``< b``               the exclusion restates the inclusion (info)
  ``> b``               ``<= b``              the exclusion restates the inclusion (info)
  ====================  ====================  ==========================================

  and the mirror image for an inclusion upper end against an exclusion lower end;
* ``eligibility-duplicate`` (info) as in the table, and for two criteria of the
  same section with the same set.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from ..catalog import load_catalog
from ..models import (
    Bound,
    Constraint,
    Criterion,
    EligibilityInterval,
    EligibilitySet,
    Finding,
    RelativeTo,
)
from ..units import convert
from ..words import interval_words
from .codes import finding
from .describe import num, reading, with_unit

__all__ = ["Interval", "check_document", "difference", "intersect", "union"]

INF = math.inf
_NAMED = 3
"""Criteria named in one document-level message; the others are counted."""


@dataclass(frozen=True, slots=True)
class Interval:
    """A non-empty interval of the real line; infinite ends are open."""

    lo: float
    lo_in: bool
    hi: float
    hi_in: bool

    def text(self, unit: str | None, relative_to: str | None = None) -> str:
        """'18 to 75 years', '> 18 years', '≤ 2.5 × ULN', 'any value'."""
        lower = Bound(value=self.lo, inclusive=self.lo_in) if math.isfinite(self.lo) else None
        upper = Bound(value=self.hi, inclusive=self.hi_in) if math.isfinite(self.hi) else None
        return interval_words(lower, upper, unit, relative_to)


Set = list[Interval]
REAL: Set = [Interval(-INF, False, INF, False)]


def _make(lo: float, lo_in: bool, hi: float, hi_in: bool) -> Interval | None:
    lo_in = lo_in and math.isfinite(lo)
    hi_in = hi_in and math.isfinite(hi)
    if lo < hi or (lo == hi and lo_in and hi_in):
        return Interval(lo, lo_in, hi, hi_in)
    return None


def _normal(intervals: list[Interval]) -> Set:
    """Sorted, disjoint, maximal."""
    items = sorted(intervals, key=lambda i: (i.lo, not i.lo_in))
    out: Set = []
    for iv in items:
        if out:
            last = out[-1]
            touches = iv.lo < last.hi or (iv.lo == last.hi and (iv.lo_in or last.hi_in))
            if touches:
                if iv.hi > last.hi or (iv.hi == last.hi and iv.hi_in and not last.hi_in):
                    out[-1] = Interval(last.lo, last.lo_in, iv.hi, iv.hi_in)
                continue
        out.append(iv)
    return out


def union(a: Set, b: Set) -> Set:
    """A or B."""
    return _normal(a + b)


def intersect(a: Set, b: Set) -> Set:
    """A and B."""
    out: list[Interval] = []
    for x in a:
        for y in b:
            if x.lo > y.lo or (x.lo == y.lo and not x.lo_in):
                lo, lo_in = x.lo, x.lo_in
            else:
                lo, lo_in = y.lo, y.lo_in
            if x.hi < y.hi or (x.hi == y.hi and not x.hi_in):
                hi, hi_in = x.hi, x.hi_in
            else:
                hi, hi_in = y.hi, y.hi_in
            iv = _make(lo, lo_in, hi, hi_in)
            if iv is not None:
                out.append(iv)
    return _normal(out)


def complement(a: Set) -> Set:
    """Not A."""
    out: list[Interval] = []
    lo, lo_in = -INF, False
    for iv in _normal(a):
        gap = _make(lo, lo_in, iv.lo, not iv.lo_in)
        if gap is not None:
            out.append(gap)
        lo, lo_in = iv.hi, not iv.hi_in
    last = _make(lo, lo_in, INF, False)
    if last is not None:
        out.append(last)
    return out


def difference(a: Set, b: Set) -> Set:
    """A and not B."""
    return intersect(a, complement(b))


# --------------------------------------------------------------------------
# From criteria to sets
# --------------------------------------------------------------------------

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


def _parts(criteria: list[Criterion]) -> dict[_Key, list[_Part]]:
    groups: dict[_Key, list[_Part]] = defaultdict(list)
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
        for key, intervals in mine.items():
            real = [iv for iv in intervals if not _empty(iv)]
            if crit.section == "inclusion":
                whole = REAL
                for iv in intervals:
                    whole = intersect(whole, [] if _empty(iv) else [iv])
            else:
                whole = _normal(real)
            joint = " and " if crit.section == "inclusion" else " or "
            groups[key].append(_Part(crit, whole, _describe(whole, key), joint.join(said[key])))
    return groups


def _unit(key: _Key) -> str | None:
    var = load_catalog().get(key[0])
    if key[1] is not None or var is None:
        return None
    return var.canonical_unit


def _describe(s: Set, key: _Key) -> str:
    if not s:
        return "no value"
    return " or ".join(iv.text(_unit(key), key[1]) for iv in s)


def _bound(value: float, inclusive: bool) -> Bound | None:
    return None if math.isinf(value) else Bound(value=value, inclusive=inclusive)


def _ends(s: Set) -> tuple[list[tuple[float, bool]], list[tuple[float, bool]]]:
    """Finite lower ends and upper ends of a set."""
    lows = [(iv.lo, iv.lo_in) for iv in s if math.isfinite(iv.lo)]
    highs = [(iv.hi, iv.hi_in) for iv in s if math.isfinite(iv.hi)]
    return lows, highs


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _ids(parts: list[_Part]) -> str:
    """'inc-1', 'inc-1 and inc-2', or 'inc-1, inc-2, inc-3 and 997 more' (bounded length)."""
    ids = [p.criterion.id for p in parts[:_NAMED]]
    rest = len(parts) - len(ids)
    if rest > 0:
        return f"{', '.join(ids)} and {rest} more"
    return ids[0] if len(ids) == 1 else f"{', '.join(ids[:-1])} and {ids[-1]}"


def _clusters(
    ends: list[tuple[float, bool, _Part, bool]],
) -> list[list[tuple[float, bool, _Part, bool]]]:
    """Ends sorted by value, cut where two neighbours are not the same value."""
    ends.sort(key=lambda e: e[0])
    out: list[list[tuple[float, bool, _Part, bool]]] = []
    for end in ends:
        if out and _same(out[-1][-1][0], end[0]):
            out[-1].append(end)
        else:
            out.append([end])
    return out


def _boundaries(
    key: _Key, inclusions: list[_Part], exclusions: list[_Part], add: dict[str, list[Finding]]
) -> None:
    """Inclusion ends that meet exclusion ends, grouped by value: near-linear in the parts.

    Criteria that meet on one value the same way share one finding each (with a
    count), instead of one finding per pair of criteria.
    """
    label = _label(key)
    for side in ("lower", "upper"):
        ends: list[tuple[float, bool, _Part, bool]] = []  # value, inclusive, part, is_inclusion
        for inc in inclusions:
            lows, highs = _ends(inc.set)
            ends += [(b, inc_in, inc, True) for b, inc_in in (lows if side == "lower" else highs)]
        for exc in exclusions:
            lows, highs = _ends(exc.set)
            ends += [(b, exc_in, exc, False) for b, exc_in in (highs if side == "lower" else lows)]
        for cluster in _clusters(ends):
            b = cluster[0][0]
            for inc_in in (True, False):
                incs = [p for _, x, p, is_inc in cluster if is_inc and x == inc_in]
                if not incs:
                    continue
                for exc_in in (True, False):
                    excs = [p for _, x, p, is_inc in cluster if not is_inc and x == exc_in]
                    if excs:
                        _boundary(label, _at(b, key), side, (incs, inc_in),
                                  (excs, exc_in), add)


def _boundary(
    label: str,
    at: str,
    side: str,
    inc: tuple[list[_Part], bool],
    exc: tuple[list[_Part], bool],
    add: dict[str, list[Finding]],
) -> None:
    (incs, inc_in), (excs, exc_in) = inc, exc
    if side == "lower":
        inc_says = ("≥ " if inc_in else "> ") + at
        exc_says = ("≤ " if exc_in else "< ") + at
    else:
        inc_says = ("≤ " if inc_in else "< ") + at
        exc_says = ("≥ " if exc_in else "> ") + at
    both = (
        f"inclusion {_ids(incs)} {'requires' if len(incs) == 1 else 'require'} {label} "
        f"{inc_says}, exclusion {_ids(excs)} {'removes' if len(excs) == 1 else 'remove'} "
        f"{exc_says}"
    )
    if inc_in != exc_in:
        code, msg = "eligibility-duplicate", f"{both}: the exclusion restates the inclusion"
    elif inc_in:
        code = "eligibility-boundary"
        msg = f"{label} {at} is both required and excluded: {both}"
    else:
        code = "eligibility-boundary"
        msg = f"{label} {at} is allowed by neither criterion (a gap): {both}"
    for part in (*incs, *excs):
        add[part.criterion.id].append(finding(code, msg, None))


def _at(b: float, key: _Key) -> str:
    """A boundary value for people: '2.5 × ULN', '18 years'."""
    return f"{num(b)} × {key[1]}" if key[1] else with_unit(b, _unit(key))


def _label(key: _Key) -> str:
    var = load_catalog().get(key[0])
    return var.label if var is not None else key[0]


def _duplicates(key: _Key, parts: list[_Part], add: dict[str, list[Finding]]) -> None:
    """Criteria of one section with the same set: one finding each, however many they are."""
    label = _label(key)
    same: dict[tuple[str, tuple[Interval, ...]], list[_Part]] = defaultdict(list)
    for part in parts:
        same[(part.criterion.section, tuple(part.set))].append(part)
    for group in same.values():
        if len(group) < 2:
            continue
        verb = "both state" if len(group) == 2 else f"({len(group)} criteria) state"
        if group[0].set:
            msg = f"{_ids(group)} {verb} {label} {group[0].shown}"
        else:
            msg = f"{_ids(group)} {verb} limits on {label} that no value meets"
        for part in group:
            add[part.criterion.id].append(finding("eligibility-duplicate", msg, None))


def check_document(
    criteria: list[Criterion],
) -> tuple[dict[str, list[Finding]], list[EligibilitySet]]:
    """Findings across the criteria of one document, and the eligible set per variable.

    Reads the criteria's constraints and their findings so far (constraints with
    an error are left out).  Returns new findings by criterion id, and one
    :class:`EligibilitySet` per variable (and ULN/LLN) that some usable
    constraint bounds, in catalog order.
    """
    add: dict[str, list[Finding]] = defaultdict(list)
    sets: list[EligibilitySet] = []
    groups = _parts(criteria)
    order = load_catalog().order
    position = {c.id: i for i, c in enumerate(criteria)}
    for key in sorted(groups, key=lambda k: (order.get(k[0], len(order)), k[1] or "")):
        parts = groups[key]
        inclusions = [p for p in parts if p.criterion.section == "inclusion"]
        exclusions = [p for p in parts if p.criterion.section == "exclusion"]
        allowed = REAL
        for p in inclusions:
            allowed = intersect(allowed, p.set)
        removed = _normal([iv for p in exclusions for iv in p.set])
        eligible = difference(allowed, removed)
        ids = sorted({p.criterion.id for p in parts}, key=position.__getitem__)
        if not eligible:
            label = _label(key)
            said = "; ".join(
                f"{p.criterion.section} {p.criterion.id}: {p.said}" for p in parts[:_NAMED]
            )
            if len(parts) > _NAMED:
                said += f"; and {len(parts) - _NAMED} more criteria"
            for p in parts:
                add[p.criterion.id].append(
                    finding(
                        "eligibility-empty",
                        f"no {label} is eligible under these criteria ({said})",
                        None,
                    )
                )
        _boundaries(key, inclusions, exclusions, add)
        _duplicates(key, parts, add)
        sets.append(
            EligibilitySet(
                variable=key[0],
                unit=_unit(key),
                relative_to=key[1],
                intervals=[
                    EligibilityInterval(
                        lower=_bound(iv.lo, iv.lo_in), upper=_bound(iv.hi, iv.hi_in)
                    )
                    for iv in eligible
                ],
                empty=not eligible,
                criteria=ids,
            )
        )
    return dict(add), sets
