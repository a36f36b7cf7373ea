"""Limits: comparators read around values, and the bounds they make.

A value becomes a limit with a comparator before it ("≥", "at least") or after it
("or older"), as a range ("18-75", "between 18 and 75"), as a pair written A/B
("140/90 mmHg"), or bare.  Which variable a limit is on is not known here
(:mod:`.binding` says).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...models import Bound, RelativeTo
from ...phrases import Mention
from ...units.conversion import convert
from .lexicon import Comparator, Lexicon
from .quantities import Quantity

__all__ = ["RANGE_END", "Cmp", "Limit", "Limits", "bounds"]

_THAN = re.compile(r"\s*than\b", re.IGNORECASE)
_SLASH_GAP = re.compile(r"\s*/\s*")
_ABBREVIATION_ASIDE = re.compile(r"\(\s*[A-Z][A-Za-z0-9-]{1,11}\s*\)")
"""An abbreviation in brackets after a name, "(MSDBP)": no word between a name and its
value."""


@dataclass(frozen=True, slots=True)
class Cmp:
    """A comparator phrase in the text."""

    start: int
    end: int
    meaning: Comparator


@dataclass(slots=True)
class Limit:
    """A comparator and value, or a range, before a variable is known."""

    start: int
    end: int
    quantities: list[Quantity]
    lower: Bound | None
    upper: Bound | None
    unit: str | None
    relative: RelativeTo | None
    cmp: Comparator | None = None
    ranged: bool = False
    equivalents: list[Quantity] = field(default_factory=list)
    pair: Quantity | None = None  # B of "A/B"
    pair_upper: Quantity | None = None  # B's upper end in "140-159/90-99 mmHg"
    named_in: tuple[int, int] | None = None  # "18 ≤ age ≤ 75": where the variable is named
    upper_unit: str | None = None
    """A range with a unit of time on each end ("6 months to 17 years"): the upper end's
    unit (``unit`` is the lower end's); emitted as two one-sided constraints."""

    @property
    def explicit(self) -> bool:
        """Whether a comparator or a range says which side the value bounds."""
        return self.cmp is not None or self.ranged

    @property
    def value_start(self) -> int:
        """Where the limit's first value starts."""
        return self.quantities[0].start

    def set_op(self, cmp: Comparator) -> None:
        """Bound the first value as ``cmp`` says."""
        self.cmp = cmp
        self.lower, self.upper = bounds(cmp.op, self.quantities[0].value)


RANGE_END = Comparator("le", None, False)
"""The comparator of a bare value that closes a range ("between ages >=18 and 65")."""


def _above(q: Quantity, r: Quantity) -> bool:
    """Whether ``q`` is more than ``r``: in years when each has a unit of time of its own."""
    if q.unit and r.unit and q.unit != r.unit:
        low, high = convert(q.value, q.unit, "age"), convert(r.value, r.unit, "age")
        if low is not None and high is not None:
            return low > high  # "28 days to < 18 years"
    return q.value > r.value


def bounds(op: str, value: float) -> tuple[Bound | None, Bound | None]:
    """The lower and upper bound that ``op value`` sets."""
    if op == "eq":
        return Bound(value=value, inclusive=True), Bound(value=value, inclusive=True)
    if op in ("ge", "gt"):
        return Bound(value=value, inclusive=op == "ge"), None
    return None, Bound(value=value, inclusive=op == "le")


class Limits:
    """Reads the comparators and limits of one criterion view."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._lex = lexicon

    def comparators(self, view: str) -> list[Cmp]:
        """Comparator phrases written before a value."""
        lex = self._lex
        return [
            Cmp(m.start(), m.end(), lex.comparator("before", m.group()))
            for m in lex.before.finditer(view)
            if m.end() > m.start()
        ]

    def after(self, view: str, pos: int) -> Cmp | None:
        """A comparator written right after a value ("or older"), if any."""
        match = self._lex.after.match(view, pos)
        if match is None or match.end() == pos or _THAN.match(view, match.end()):
            return None  # "18 years or older than 95": "older than" opens the next limit
        return Cmp(pos, match.end(), self._lex.comparator("after", match.group()))

    def fillers_only(self, view: str, start: int, end: int, mentions: list[Mention]) -> bool:
        """Only filler words (and variable names) between ``start`` and ``end``."""
        gap = view[start:end]
        for m in mentions:
            if start <= m.start and m.end <= end:
                gap = gap.replace(view[m.start : m.end], " ")
        if "(" in gap:  # "Mean Sitting Diastolic Blood Pressure (MSDBP) 110 mmHg"
            gap = _ABBREVIATION_ASIDE.sub(" ", gap)
        return self._lex.filler_gap.fullmatch(gap) is not None

    def _cmp_before(
        self, view: str, q: Quantity, cmps: list[Cmp], floor: int, mentions: list[Mention]
    ) -> Cmp | None:
        for cmp in reversed(cmps):
            if cmp.end <= q.start:
                if cmp.start >= floor and self.fillers_only(view, cmp.end, q.start, mentions):
                    return cmp
                return None
        return None

    def limits(
        self, view: str, quantities: list[Quantity], cmps: list[Cmp], mentions: list[Mention]
    ) -> list[Limit]:
        """The limits the values make, left to right."""
        limits: list[Limit] = []
        floor = 0
        i = 0
        while i < len(quantities):
            q = quantities[i]
            before = self._cmp_before(view, q, cmps, floor, mentions)
            if before is None:
                chained = self._chained(view, quantities, i, cmps, mentions)
                if chained is not None:
                    floor = chained.end
                    limits.append(chained)
                    i += 2
                    continue
            after = self.after(view, q.end) if before is None else None
            if before is None and after is None and q.inside is not None:
                after = Cmp(q.end, q.end, self._lex.comparator("before", q.inside))
            ranged = self._range(view, quantities, i, before, after, cmps)
            if ranged is not None:
                r, upper_cmp = ranged
                limit = Limit(
                    start=before.start if before else q.start,
                    end=r.end,
                    quantities=[q, r],
                    lower=Bound(
                        value=q.value, inclusive=before is None or before.meaning.op != "gt"
                    ),
                    upper=Bound(value=r.value, inclusive=upper_cmp is None or upper_cmp.op != "lt"),
                    unit=q.unit or r.unit,
                    relative=q.relative or r.relative,
                    ranged=True,
                )
                if q.unit and r.unit and q.unit != r.unit:
                    limit.upper_unit = r.unit
                tail = self.after(view, r.end)
                if tail is not None and tail.meaning.implies:
                    limit.end = tail.end  # "18 to 65 years old"
                i += 2
                second = self._range_pair(view, quantities, i - 1, cmps)
                if second is not None:  # "140-159/90-99 mmHg": a range on each of a pair
                    limit.pair, limit.pair_upper = second
                    limit.unit = limit.unit or second[1].unit
                    limit.end = second[1].end
                    i += 2
            else:
                pair = self._pair(view, quantities, i)
                if pair is not None:
                    after = self.after(view, pair.end) if before is None else None
                cmp = before or after
                last = pair or q
                limit = Limit(
                    start=before.start if before else q.start,
                    end=after.end if after else last.end,
                    quantities=[q],
                    lower=Bound(value=q.value, inclusive=True),
                    upper=Bound(value=q.value, inclusive=True),
                    unit=last.unit,
                    relative=q.relative,
                    pair=pair,
                )
                if cmp is not None:
                    limit.set_op(cmp.meaning)
                i += 2 if pair else 1
            floor = limit.end
            limits.append(limit)
        return limits

    def _chained(
        self, view: str, quantities: list[Quantity], i: int, cmps: list[Cmp],
        mentions: list[Mention],
    ) -> Limit | None:
        """A range written as a chained comparison: "18 ≤ age ≤ 75", "75 > age > 18".

        The variable is named between two comparators of the same direction, the
        first written after its value (so read the other way round).
        """
        if i + 1 >= len(quantities):
            return None
        q, r = quantities[i], quantities[i + 1]
        first = next((c for c in cmps if c.start >= q.end), None)
        if first is None or first.end > r.start or view[q.end : first.start].strip():
            return None
        second = self._cmp_before(view, r, cmps, first.end, mentions)  # starts after first
        if second is None:
            return None
        less = {"lt", "le"}
        if (first.meaning.op in less) != (second.meaning.op in less) or not (
            {first.meaning.op, second.meaning.op} <= less | {"gt", "ge"}
        ):
            return None
        named = [m for m in mentions if first.end <= m.start and m.end <= second.start]
        if not named:
            return None
        low, high = (q, r) if first.meaning.op in less else (r, q)
        low_cmp, high_cmp = (first, second) if first.meaning.op in less else (second, first)
        if low.value > high.value:
            return None
        return Limit(
            start=q.start,
            end=r.end,
            quantities=[low, high],
            lower=Bound(value=low.value, inclusive=low_cmp.meaning.op in ("le", "ge")),
            upper=Bound(value=high.value, inclusive=high_cmp.meaning.op in ("le", "ge")),
            unit=q.unit or r.unit,
            relative=q.relative or r.relative,
            ranged=True,
            named_in=(first.end, second.start),
        )

    def _pair(self, view: str, quantities: list[Quantity], i: int) -> Quantity | None:
        """The B of a pair written A/B ("140/90 mmHg", "4/10"), if there is one."""
        if i + 1 >= len(quantities):
            return None
        q, r = quantities[i], quantities[i + 1]
        if q.unit is not None or q.relative is not None or r.relative is not None:
            return None
        return r if _SLASH_GAP.fullmatch(view, q.end, r.start) else None

    def _range_pair(
        self, view: str, quantities: list[Quantity], i: int, cmps: list[Cmp]
    ) -> tuple[Quantity, Quantity] | None:
        """B's range after the range A ends on ``quantities[i]``: "140-159/90-99 mmHg"."""
        if i + 2 >= len(quantities):
            return None
        a_end, b, c = quantities[i], quantities[i + 1], quantities[i + 2]
        if a_end.unit is not None or a_end.relative is not None or b.unit is not None:
            return None
        if not _SLASH_GAP.fullmatch(view, a_end.end, b.start):
            return None
        ranged = self._range(view, quantities, i + 1, None, None, cmps)
        return (b, c) if ranged is not None else None

    def _range(
        self,
        view: str,
        quantities: list[Quantity],
        i: int,
        before: Cmp | None,
        after: Cmp | None,
        cmps: list[Cmp],
    ) -> tuple[Quantity, Comparator | None] | None:
        """The second value of a range starting at ``quantities[i]``, if there is one.

        A lower comparator may open it: ">7 to 15", "≥18 - 75".
        """
        if after is not None or i + 1 >= len(quantities):
            return None
        if before is not None and before.meaning.op not in ("ge", "gt", "eq"):
            return None
        q, r = quantities[i], quantities[i + 1]
        gap = view[q.end : r.start]
        upper = next((c for c in cmps if q.end <= c.start and c.end <= r.start), None)
        if upper is not None:
            if upper.meaning.op not in ("le", "lt"):
                return None
            gap = view[q.end : upper.start] + view[upper.end : r.start]
        if self._lex.range_gap.fullmatch(gap) is None or _above(q, r):
            return None
        times = self._lex.reader.time_units
        if (q.unit and r.unit and q.unit != r.unit and not {q.unit, r.unit} <= times) or (
            q.relative and r.relative and q.relative != r.relative
        ):
            return None  # a unit of time on each end is one range: "6 months to 17 years"
        if gap.strip().lower() == "and" and not self._lex.range_opener.search(view, 0, q.start):
            return None
        return r, upper.meaning if upper else None
