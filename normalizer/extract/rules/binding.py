"""Binding: which variables each limit is on.

A limit takes the catalog mentions just before it in its clause (a list of mentions
shares one limit), else a mention right after it ("18 years of age"), else the
previous limit's variables when the two are linked ("≥ 10^4 copies/ml or 2000
IU/ml"; a parenthesised alternative with its qualifier), else what the comparator or
unit implies ("older than", "patients ≥ 18 years"), else ``other`` when it clearly is
a measurement.  A mention whose unit cannot be the limit's ("HbA1c (less than 3
months)") does not take it.
"""

from __future__ import annotations

import bisect
import re

from ...catalog import Catalog
from ...models import Bound
from ...phrases import Mention
from ...units import dimensionality, unit_fits
from .contexts import Note
from .implied import Implied
from .lexicon import Lexicon
from .limits import RANGE_END, Cmp, Limit, Limits
from .linking import Links, clean, closing
from .naming import NOWHERE, Names, Reading, Target
from .quantities import NEXT_WORD

__all__ = ["Binder"]

_MAX_AFTER_GAP = 24  # characters between a value and a variable named after it
_MAX_LIMIT_MENTION_GAP = 90  # characters between a variable and its limit
_MAX_DURATION_GAP = 40  # characters between a time-valued variable and its value
_ALTERNATIVE = re.compile(r"\b(?:or|and)\b|,", re.IGNORECASE)
_OUT_OF = frozenset({5.0, 10.0, 100.0})  # "pain 4/10": a score out of a scale's maximum
_CLAUSE_MARK = re.compile(r"[,;]")
_WITHIN = re.compile(r"\bwithin\b", re.IGNORECASE)


_OWN_PARENS = re.compile(r"\s*\(([^()]*)\)")
"""The first limit's own parenthesis at the start of the gap to the next limit."""
_LEADING_WORD = re.compile(
    r"[\s,;]*(?:(?:and|or|and/or|but|while|whereas)\s+)?([A-Za-z]+)[\s:]*", re.I
)
"""A gap to the next limit that is a link and one word: "and men" in "Women ≥ 45 kg and
men ≥ 50 kg" (the word, when a person, leads the next limit)."""


def _share_unit(first: Limit, second: Limit) -> None:
    """"< 1,000 or > 15,000/µL": two limits on one variable written with one unit."""
    if (
        first.unit is None
        and first.relative is None
        and second.unit is not None
        and second.relative is None
        and not first.ranged
        and first.pair is None
    ):
        first.unit = second.unit


class Binder:
    """Binds the limits of one criterion view to their variables."""

    def __init__(
        self, lexicon: Lexicon, catalog: Catalog, limits: Limits, names: Names, links: Links
    ) -> None:
        self._lex = lexicon
        self._catalog = catalog
        self._limits = limits
        self._names = names
        self._links = links
        self._implied = Implied(lexicon, catalog, limits, names)
        self._fit_cache: dict[tuple[str, str], bool] = {}

    def bind(
        self, view: str, limits: list[Limit], mentions: list[Mention], breaks: list[int]
    ) -> list[Reading]:
        """The limits with their variables, in order (a limit with none is dropped)."""
        readings: list[Reading] = []
        previous: Reading | None = None
        pending: Limit | None = None  # an explicit limit still looking for its variable
        for limit in limits:
            at = bisect.bisect_right(breaks, limit.start)
            floor = breaks[at - 1] if at else -1
            if previous is not None:
                floor = max(floor, previous.limit.end)
            if limit.pair is not None:
                pair = self._pair_readings(view, limit, floor)
                if pair:
                    readings.extend(pair)
                    previous = pair[-1]
                    continue
                if (
                    limit.unit is None
                    and limit.pair.value not in _OUT_OF
                    and not self._out_of_scale(limit, mentions, floor)
                ):
                    if limit.quantities[0].value != 1:
                        continue  # a ratio, not a value: visual acuity "20/40"
                    limit = self._dilution(limit)  # a titre "> 1/40" is a dilution of 40
            link = (
                self._links.link(view, previous.limit, limit, breaks, mentions)
                if previous
                else None
            )
            reading = self._own(view, limit, mentions, floor)
            if reading is None and link is not None and previous is not None:
                if link == "plain" and self._links.equivalent(view, previous.limit, limit):
                    previous.limit.equivalents.extend(limit.quantities)
                    previous.limit.end = max(previous.limit.end, closing(view, limit.end))
                    continue
                reading = self._inherit(view, previous, limit, link)
                if reading is not None and link == "plain":
                    _share_unit(previous.limit, limit)
            if reading is None:
                reading = self._implied.read(view, limit, floor)
            if reading is None:
                pending = limit if limit.explicit else None
                continue
            if pending is not None:
                first = self._backfill(view, pending, reading, breaks, mentions)
                if first is not None:
                    readings.append(first)
                    previous, link = first, "plain"
            pending = None
            if previous is not None and link == "plain" and self._links.merge(previous, reading):
                continue
            readings.append(reading)
            previous = reading
        self._links.qualify_repeats(view, readings, breaks)
        self._links.qualify_conditions(view, readings)
        return readings

    def durations(self, view: str, note: Note, mentions: list[Mention], cmps: list[Cmp]) -> bool:
        """Whether ``note`` is the value of a time-valued variable named right before it.

        "Life expectancy lower than 3 months from the initiation of treatment", and a
        window whose words lead to the value: "Expectation of survival for at least 2
        months".
        """
        if note.reason != "temporal":
            return False
        number = self._lex.numeric.search(view, note.start, note.end)
        if number is None:
            return False
        at = number.start()
        before = [m for m in mentions if m.end <= note.start]
        if not before or at - before[-1].end > _MAX_DURATION_GAP:
            return False
        var = self._catalog.get(before[-1].variable)
        if var is None or var.canonical_unit not in self._lex.time_units:
            return False
        gap = view[before[-1].end : at]
        for cmp in cmps:
            if before[-1].end <= cmp.start and cmp.end <= at:
                gap = gap.replace(view[cmp.start : cmp.end], " ")
        return self._lex.filler_gap.fullmatch(gap) is not None

    def _within(self, view: str, mention: Mention, limit: Limit) -> bool:
        """'within' between a time-valued variable and its bare value: an upper limit."""
        var = self._catalog.get(mention.variable)
        if var is None or var.canonical_unit not in self._lex.time_units:
            return False
        return _WITHIN.search(view, mention.end, limit.value_start) is not None

    def _out_of_scale(self, limit: Limit, mentions: list[Mention], floor: int) -> bool:
        """'GCS 15/15', 'MMSE 24/30': B of A/B is the top of the scale named before it."""
        assert limit.pair is not None
        named = [m for m in mentions if floor <= m.start and m.end <= limit.start]
        if not named:
            return False
        var = self._catalog.get(named[-1].variable)
        return var is not None and var.kind == "score" and var.possible[1] == limit.pair.value

    def _own(self, view: str, limit: Limit, mentions: list[Mention], floor: int) -> Reading | None:
        """The limit's own variables: mentions before it in its clause, or right after."""
        if limit.named_in is not None:  # "18 ≤ age ≤ 75"
            start, end = limit.named_in
            inside = [m for m in mentions if start <= m.start and m.end <= end]
            targets = [t for t in self._names.targets(inside[-1:]) if self._fits(t.variable, limit)]
            return Reading(limit, targets) if targets else None
        before = [
            m
            for m in mentions
            if floor <= m.start
            and m.end <= limit.value_start
            and limit.start - m.end <= _MAX_LIMIT_MENTION_GAP
        ]
        if before:
            chosen = [before[-1]]
            for m in reversed(before[:-1]):
                if self._lex.list_gap.fullmatch(view, m.end, chosen[-1].start) is None:
                    break
                if self._names.aside(view, m, chosen[-1].start):
                    break  # "(adjusted for serum albumin) serum calcium < 8"
                chosen.append(m)
            chosen.reverse()
            if not limit.explicit and not self._limits.fillers_only(
                view, chosen[-1].end, limit.value_start, mentions
            ):
                return None
            if self._names.named_between(view, chosen[-1].end, limit.start):
                return None  # "body weight for one hour, or a serum lactate level of > 2"
            targets = [t for t in self._names.targets(chosen) if self._fits(t.variable, limit)]
            if targets and not limit.explicit and self._within(view, chosen[-1], limit):
                limit.set_op(RANGE_END)  # "life expectancy within 12 months": at most 12
            return Reading(limit, targets) if targets else None
        number_end = limit.quantities[-1].number_end
        for m in mentions:
            if m.start < number_end or m.start - limit.end > _MAX_AFTER_GAP:
                continue
            if not self._limits.fillers_only(view, min(limit.end, m.start), m.start, mentions):
                break
            if _CLAUSE_MARK.search(view, min(limit.end, m.start), m.start):
                break  # "FIO2 ≤0.4, PEEP <8 cm H2O": a name after a comma opens the next limit
            if _ALTERNATIVE.search(
                view, min(limit.end, m.start), m.start
            ) and self._names.named_between(view, floor, limit.start, alone=True):
                break  # "mean arterial pressure < 70 mmHg or systolic blood pressure < 100"
            var = self._catalog.get(m.variable)
            modifier = NEXT_WORD.match(view, m.end)
            if not self._fits(m.variable, limit) or (
                limit.unit is None
                and var is not None
                and var.kind == "quantity"
                and modifier is not None
                and modifier.group(1).lower() not in self._lex.next_word_ok | self._lex.label_stop
            ):
                break  # "more than three glucose lowering therapies" counts therapies
            limit.end = max(limit.end, m.end)
            tail = self._limits.after(view, m.end)
            if (
                tail is not None
                and not limit.ranged
                and (limit.cmp is None or tail.meaning.implies)
            ):
                limit.set_op(tail.meaning)
                limit.end = tail.end
            return Reading(limit, self._names.targets([m]))
        return None

    def _inherit(self, view: str, previous: Reading, limit: Limit, link: str) -> Reading | None:
        """An alternative limit on the previous limit's variables."""
        first = previous.limit
        if link == "qualified" and (first.unit != limit.unit or first.relative != limit.relative):
            return None
        if (
            link == "qualified"
            and first.unit is None
            and first.relative is None
            and not (first.cmp is not None and limit.cmp is not None)
        ):
            return None  # unitless: a comparator on each ("under 30 for men and under 32")
        if not limit.explicit and first.cmp is not None and not first.ranged:
            if first.upper is None and self._links.range_end(view, first, limit):
                limit.upper, limit.lower = limit.upper, None  # "between ages >=18 and 65"
                limit.cmp = RANGE_END
            else:
                limit.set_op(first.cmp)  # "≥ 10^4 copies/ml or 2000 IU/ml"
        targets = [t for t in previous.targets if self._fits(t.variable, limit)]
        if not targets:
            return None
        gap = view[first.end : limit.start]
        if link == "qualified" and previous.qualifier is None:
            lead = _LEADING_WORD.fullmatch(gap)
            if lead is not None and self._lex.person.fullmatch(lead.group(1)):
                # "Women ≥ 45 kg and men ≥ 50 kg": the person after the link leads the
                # next limit, and the one before the first limit leads the first
                previous.qualifier = self._names.person_word(view, 0, first.start)
                return Reading(limit, targets, lead.group(1))
            if "(" not in gap:
                previous.qualifier = clean(gap)  # "> 2.5 mg/dL in men, or > 2.0 mg/dL in women"
            elif (own := _OWN_PARENS.match(gap)) is not None:
                previous.qualifier = clean(own.group(1))  # "≥ 13 g/dL (men) or ≥ 12 g/dL (women)"
        if (first.lower is None) != (limit.lower is None) and link == "plain":
            return Reading(limit, targets)  # the other end of a range: "at least 4 and ≤ 8"
        return Reading(limit, targets, self._links.qualifier(view, first, limit))

    def _backfill(
        self,
        view: str,
        pending: Limit,
        reading: Reading,
        breaks: list[int],
        mentions: list[Mention],
    ) -> Reading | None:
        """Give a pending limit the next one's variable: "≥20 and ≤80 years of age"."""
        if self._links.link(view, pending, reading.limit, breaks, mentions) != "plain":
            return None
        if pending.unit is None and pending.relative is None:
            pending.unit, pending.relative = reading.limit.unit, reading.limit.relative
        targets = [t for t in reading.targets if self._fits(t.variable, pending)]
        if targets != reading.targets:
            return None
        return Reading(pending, targets)

    def _fits(self, variable: str, limit: Limit) -> bool:
        """Whether the limit's unit can be a unit of ``variable`` (the same dimension will do)."""
        var = self._catalog.get(variable)
        unit = limit.unit
        if var is None or unit is None or limit.relative is not None:
            return True
        if var.canonical_unit is None:
            # a score, class or count has no time and no dose: "ASA treatment > 1 g/day"
            # is acetylsalicylic acid, not the ASA class
            return unit not in self._lex.time_units and unit not in self._lex.dose_units
        key = (variable, unit)
        if key not in self._fit_cache:
            self._fit_cache[key] = unit_fits(variable, unit) or (
                dimensionality(unit) is not None
                and dimensionality(unit) == dimensionality(var.canonical_unit)
            )
        return self._fit_cache[key]

    def _pair_readings(self, view: str, limit: Limit, floor: int) -> list[Reading]:
        """One limit per variable of a named pair: "BP ≥ 140/90 mmHg"."""
        assert limit.pair is not None
        name = None
        for match in self._lex.pair.finditer(view, max(floor, 0), limit.value_start):
            name = match
        unit = limit.pair_upper.unit if limit.pair_upper else limit.pair.unit
        named = name is not None and name.lastgroup is not None
        if name is not None and name.lastgroup is not None:
            first, second = self._lex.pair_variables[name.lastgroup]
            span = name.start(), name.end()
        elif unit in self._lex.pair_units:
            first, second = self._lex.pair_units[unit]  # "(140-159/90-99 mmHg)": a pressure
            span = NOWHERE, NOWHERE
        else:
            return []
        b = limit.pair
        other = Limit(limit.start, limit.end, [b], limit.lower, limit.upper, b.unit, None)
        if limit.pair_upper is not None:
            top = limit.pair_upper
            other.quantities.append(top)
            other.unit, other.ranged = top.unit, True
            other.lower = Bound(value=b.value, inclusive=True)
            other.upper = Bound(value=top.value, inclusive=True)
        elif limit.cmp is not None:
            other.set_op(limit.cmp)
        else:
            other.lower = other.upper = Bound(value=b.value, inclusive=True)
        return [
            Reading(limit, [Target(first, *span, None if named else first)]),
            Reading(other, [Target(second, *span, None if named else second)]),
        ]

    def _dilution(self, limit: Limit) -> Limit:
        """The limit on the denominator of a "1/N" titre."""
        assert limit.pair is not None
        b = limit.pair
        out = Limit(limit.start, limit.end, [b], limit.lower, limit.upper, None, None)
        out.equivalents.append(limit.quantities[0])
        if limit.cmp is not None:
            out.set_op(limit.cmp)
        else:
            out.lower = out.upper = Bound(value=b.value, inclusive=True)
        return out
