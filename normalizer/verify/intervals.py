"""Sets of the real line as sorted, disjoint intervals: union, intersection, difference.

What :mod:`normalizer.verify.document` computes eligible sets with; an
:class:`Interval`'s infinite ends are open, a set (``Set``) is a normalised list
of them and ``REAL`` the whole line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..models import (
    Bound,
)
from ..words import interval_words

INF = math.inf


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
