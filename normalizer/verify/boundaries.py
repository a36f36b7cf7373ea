"""Findings between the criteria of one variable: boundaries and duplicates.

An inclusion end that meets an exclusion end on the same value (a gap, an
overlap, or a restatement: ``eligibility-boundary`` and ``eligibility-duplicate``)
and criteria of one section with the same set (``eligibility-duplicate``), one
finding per criterion however many meet.  See :mod:`normalizer.verify.document`.
"""

from __future__ import annotations

import math
from collections import defaultdict

from ..models import (
    Finding,
)
from .codes import finding
from .describe import num, with_unit
from .eligible_parts import _Key, _label, _Part, _unit
from .intervals import Interval, Set

_NAMED = 3
"""Criteria named in one document-level message; the others are counted."""


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
