r"""The deterministic rules extractor: every numeric limit of a criterion.

Reading one criterion, in order:

1. a same-length *view* of the text repairs registry garbles (``\<``, ``×``, ``³``,
   full-width forms) without moving offsets;
2. contexts whose numbers are not constraints (staging, editions, references,
   temporal windows, grades, dates) are set aside;
3. every other number is read with what follows it: a power of ten ("1.5×109/L"), a
   reference limit ("2.5 x ULN") or a unit (the longest words that
   :func:`normalizer.units.to_ucum` knows);
4. numbers become *limits*: a comparator before ("≥", "at least") or after ("or
   older") the value, a range ("18-75", "between 18 and 75"), or a bare value;
5. each limit takes its variables: the catalog mentions just before it in its clause
   (a list of mentions shares one limit), else a mention right after it ("18 years of
   age"), else the previous limit's variables when the two are linked ("≥ 10^4
   copies/ml or 2000 IU/ml"; a parenthesised alternative with its qualifier), else
   what the comparator or unit implies ("older than", "patients ≥ 18 years"), else
   ``other`` when it clearly is a measurement.  A mention whose unit cannot be the
   limit's ("HbA1c (less than 3 months)") does not take it;
6. every number no constraint used gets a note with its reason; one that has none
   makes the extraction incomplete, as does a low-confidence reading.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..catalog import Catalog, Variable, load_catalog
from ..findings import finding
from ..models import Bound, Constraint, RelativeTo
from ..units import dimensionality, to_ucum, unit_fits
from ..words import unit_words
from .base import CriterionInput, Extraction, NumberNote, NumberReason
from .rules_lexicon import Comparator, Lexicon, Mention, Mentions, load_lexicon
from .rules_scan import NUMBER, Cmp, Note, Quantity, Scanner

__all__ = ["RulesExtractor"]

_DIGIT = re.compile(r"\d")
_LABEL_WORD = re.compile(r"[A-Za-z][\w'/\-]*")
_ABBREVIATION = re.compile(r"(?=.)(?![A-Z][a-z]+$)(?=.*[A-Z0-9])(?=.*[A-Za-z])[A-Za-z0-9/\-]{2,12}")
_PAREN_WORD = re.compile(r"\s*\([^()]{1,15}\)")
_SEGMENT = re.compile(r"[^()\[\],:;=]+")
_AFTER_LABEL = re.compile(
    r"\s*((?:[A-Za-z][\w'\-]*\s+){0,2}?[A-Za-z][\w'\-]*\s+(?:per|a|each)\s+"
    r"(?:day|week|month|year|night)s?\b|(?:[A-Za-z][\w'\-]*\s+){0,2}[A-Za-z][\w'\-]*)"
)
_RATE = re.compile(r"\s(?:per|a|each)\s+\w+$")
_MAX_HEAD_DISTANCE = 5  # words back from a limit to the measurement word naming it
_MAX_LABEL_WORDS = 4
_MAX_AFTER_GAP = 24  # characters between a value and a variable named after it
_MAX_LIMIT_MENTION_GAP = 90  # characters between a variable and its limit
_MAX_QUALIFIER = 40  # characters of a condition between two limits on one variable
_MAX_DURATION_GAP = 40  # characters between a time-valued variable and its value
_SLASH_GAP = re.compile(r"\s*/\s*")
_OF_A_SET = re.compile(
    r"(?:\s+or\s+more)?\s+of\s+(?:these|them|those|which|the)\b",
    re.IGNORECASE,
)
_LETTER = re.compile(r"[A-Za-z]")
_CLAUSE_LINK = re.compile(r",\s*(?:or|and)\b", re.IGNORECASE)
_ALTERNATIVE = re.compile(r"\b(?:or|and)\b|,", re.IGNORECASE)
_MIN_NAME_WORDS = 2
_OUT_OF = frozenset({5.0, 10.0, 100.0})  # "pain 4/10": a score out of a scale's maximum
# a person noun right before a limit, "women above 18", "the patient is less than 28 days"
# (searched in a bounded window before the limit, from a word's start: linear time)
_PERSON_GAP = re.compile(
    r"(?<!\w)(\w+)[\s,:]*(?:(?:is|are|be|must|should|aged?)\s+)*$", re.IGNORECASE
)
_PERSON_REACH = 80  # characters before a limit where its person noun may start
_WORD_GAP = re.compile(r"\s*(?:of\s+)?")  # "at least three", "a minimum of six"
_NEXT_WORD = re.compile(r"[ -]?([A-Za-z][A-Za-z0-9/]*)")
_MAX_UNIT_WORD = 4
_MIN_COUNTED_WORD = 7
_OF_SOMETHING = re.compile(r"\s*(?:of|for|in|since|after|before|from|ago)\b", re.IGNORECASE)
_TRAILING = re.compile(r"[\s,(]*([^;,.()]*)")
_LINK_WORDS = re.compile(
    r"^(?:[\s,;(]|or\b|and\b|but\b)+|(?:[\s,;:()]|\bor|\band|\bbut|\bthe|\ba|\ban)+$", re.I
)


@dataclass(slots=True)
class _Limit:
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

    @property
    def explicit(self) -> bool:
        return self.cmp is not None or self.ranged

    @property
    def value_start(self) -> int:
        return self.quantities[0].start

    def set_op(self, cmp: Comparator) -> None:
        self.cmp = cmp
        self.lower, self.upper = _bounds(cmp.op, self.quantities[0].value)


_STRIPPED_REACH = 12
"""Characters before a bare value read for the blanks of a lost comparator."""

_NOWHERE = -1  # the span of a variable no mention names ("older than 18": age)


@dataclass(frozen=True, slots=True)
class _Target:
    """A variable a limit applies to, with the span of its name in the text."""

    variable: str
    start: int
    end: int
    label: str | None = None  # when the name is not the text of the span


@dataclass(slots=True)
class _Reading:
    """A limit bound to its variables."""

    limit: _Limit
    targets: list[_Target]
    qualifier: str | None = None


_RANGE_END = Comparator("le", None, False)


def _bounds(op: str, value: float) -> tuple[Bound | None, Bound | None]:
    if op == "eq":
        return Bound(value=value, inclusive=True), Bound(value=value, inclusive=True)
    if op in ("ge", "gt"):
        return Bound(value=value, inclusive=op == "ge"), None
    return None, Bound(value=value, inclusive=op == "le")


class RulesExtractor:
    """Deterministic extraction of numeric constraints (the offline default)."""

    name = "rules"

    def __init__(
        self,
        catalog: Catalog | None = None,
        lexicon: Lexicon | None = None,
        to_ucum_: Callable[[str], str | None] = to_ucum,
    ) -> None:
        self._catalog = catalog if catalog is not None else load_catalog()
        self._lex = lexicon if lexicon is not None else load_lexicon()
        self._scan = Scanner(self._lex, to_ucum_)
        self._mentions = (
            self._lex.reader.mentions
            if catalog is None
            else Mentions(self._catalog, self._lex.blocker)
        )
        self._fit_cache: dict[tuple[str, str], bool] = {}

    def extract(self, criteria: Sequence[CriterionInput]) -> list[Extraction]:
        """Return one :class:`Extraction` per criterion, in order."""
        return [self.read(c.text, c.start) for c in criteria]

    def read(self, text: str, offset: int = 0) -> Extraction:
        """Read one criterion whose text starts at ``offset`` in its document."""
        view = self._lex.view(text)
        if not _DIGIT.search(view) and not self._lex.number_word.search(view):
            return Extraction()
        notes = self._scan.notes(view)
        mentions = self._mentions.find(view)
        cmps = self._scan.comparators(view)
        notes = [n for n in notes if not self._durations(view, n, mentions, cmps)]
        quantities, numbers, words = self._quantities(view, notes, cmps)
        cmps = [c for c in cmps if not _inside(c.start, quantities)]
        breaks = [m.start() for m in self._lex.clause_break.finditer(view)]
        limits = self._limits(view, quantities, cmps, mentions)
        readings = self._bind(view, limits, mentions, breaks)
        extraction = Extraction()
        used: list[tuple[int, int]] = []
        for reading in readings:
            limit = reading.limit
            used.extend((q.start, q.end) for q in (*limit.quantities, *limit.equivalents))
            self._emit(text, view, offset, reading, extraction)
        self._explain(view, offset, numbers, notes, used, extraction)
        self._explain_words(offset, words, notes, used, extraction)
        return extraction

    def _durations(self, view: str, note: Note, mentions: list[Mention], cmps: list[Cmp]) -> bool:
        """Whether ``note`` is the value of a time-valued variable named right before it.

        "Life expectancy lower than 3 months from the initiation of treatment".
        """
        if note.reason != "temporal" or not self._lex.numeric.match(view, note.start):
            return False
        before = [m for m in mentions if m.end <= note.start]
        if not before or note.start - before[-1].end > _MAX_DURATION_GAP:
            return False
        var = self._catalog.get(before[-1].variable)
        if var is None or var.canonical_unit not in self._lex.time_units:
            return False
        gap = view[before[-1].end : note.start]
        for cmp in cmps:
            if before[-1].end <= cmp.start and cmp.end <= note.start:
                gap = gap.replace(view[cmp.start : cmp.end], " ")
        return self._lex.filler_gap.fullmatch(gap) is not None

    def _quantities(
        self, view: str, notes: list[Note], cmps: list[Cmp]
    ) -> tuple[list[Quantity], list[tuple[int, int]], list[tuple[int, int]]]:
        """The values of the criterion, its numbers, and its numbers written as words.

        A number word is a value only right after a comparator ("at least three months").
        """
        numbers = list(NUMBER.finditer(view))
        words = list(self._lex.number_word.finditer(view))
        compared = [
            w for w in words if any(_WORD_GAP.fullmatch(view, c.end, w.start()) for c in cmps)
        ]
        quantities: list[Quantity] = []
        for match in sorted(numbers + compared, key=lambda m: m.start()):
            if quantities and match.start() < quantities[-1].end:
                continue  # part of the previous quantity: a decimal, a unit, a power
            if any(n.start <= match.start() < n.end for n in notes):
                continue
            q = self._scan.quantity(view, match)
            if match in compared and q.unit is None and self._counted(view, q.end):
                continue  # "at least two moderate or severe exacerbations"
            if q.unit is None and q.relative is None and _OF_A_SET.match(view, q.end):
                continue  # "with at least one of these", "2 of the following"
            quantities.append(q)
        return quantities, [m.span() for m in numbers], [m.span() for m in words]

    # -- limits -----------------------------------------------------------------

    def _fillers_only(self, view: str, start: int, end: int, mentions: list[Mention]) -> bool:
        """Only filler words (and variable names) between ``start`` and ``end``."""
        gap = view[start:end]
        for m in mentions:
            if start <= m.start and m.end <= end:
                gap = gap.replace(view[m.start : m.end], " ")
        return self._lex.filler_gap.fullmatch(gap) is not None

    def _cmp_before(
        self, view: str, q: Quantity, cmps: list[Cmp], floor: int, mentions: list[Mention]
    ) -> Cmp | None:
        for cmp in reversed(cmps):
            if cmp.end <= q.start:
                if cmp.start >= floor and self._fillers_only(view, cmp.end, q.start, mentions):
                    return cmp
                return None
        return None

    def _limits(
        self, view: str, quantities: list[Quantity], cmps: list[Cmp], mentions: list[Mention]
    ) -> list[_Limit]:
        limits: list[_Limit] = []
        floor = 0
        i = 0
        while i < len(quantities):
            q = quantities[i]
            before = self._cmp_before(view, q, cmps, floor, mentions)
            after = self._scan.after(view, q.end) if before is None else None
            ranged = self._range(view, quantities, i, before, after, cmps)
            if ranged is not None:
                r, upper_cmp = ranged
                limit = _Limit(
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
                tail = self._scan.after(view, r.end)
                if tail is not None and tail.meaning.implies:
                    limit.end = tail.end  # "18 to 65 years old"
                i += 2
            else:
                pair = self._pair(view, quantities, i)
                if pair is not None:
                    after = self._scan.after(view, pair.end) if before is None else None
                cmp = before or after
                last = pair or q
                limit = _Limit(
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

    def _pair(self, view: str, quantities: list[Quantity], i: int) -> Quantity | None:
        """The B of a pair written A/B ("140/90 mmHg", "4/10"), if there is one."""
        if i + 1 >= len(quantities):
            return None
        q, r = quantities[i], quantities[i + 1]
        if q.unit is not None or q.relative is not None or r.relative is not None:
            return None
        return r if _SLASH_GAP.fullmatch(view, q.end, r.start) else None

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
        if self._lex.range_gap.fullmatch(gap) is None or q.value > r.value:
            return None
        if (q.unit and r.unit and q.unit != r.unit) or (
            q.relative and r.relative and q.relative != r.relative
        ):
            return None
        if gap.strip().lower() == "and" and not self._lex.range_opener.search(view, 0, q.start):
            return None
        return r, upper.meaning if upper else None

    # -- variables --------------------------------------------------------------

    def _bind(
        self, view: str, limits: list[_Limit], mentions: list[Mention], breaks: list[int]
    ) -> list[_Reading]:
        readings: list[_Reading] = []
        previous: _Reading | None = None
        pending: _Limit | None = None  # an explicit limit still looking for its variable
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
                if limit.unit is None and limit.pair.value not in _OUT_OF:
                    if limit.quantities[0].value != 1:
                        continue  # a ratio, not a value: visual acuity "20/40"
                    limit = self._dilution(limit)  # a titre "> 1/40" is a dilution of 40
            link = self._link(view, previous.limit, limit, breaks, mentions) if previous else None
            reading = self._own(view, limit, mentions, floor)
            if reading is None and link is not None and previous is not None:
                if link == "plain" and self._equivalent(view, previous.limit, limit):
                    previous.limit.equivalents.extend(limit.quantities)
                    previous.limit.end = max(previous.limit.end, _closing(view, limit.end))
                    continue
                reading = self._inherit(view, previous, limit, link)
            if reading is None:
                reading = self._implied(view, limit, floor)
            if reading is None:
                pending = limit if limit.explicit else None
                continue
            if pending is not None:
                first = self._backfill(view, pending, reading, breaks, mentions)
                if first is not None:
                    readings.append(first)
                    previous, link = first, "plain"
            pending = None
            if previous is not None and link == "plain" and self._merge(previous, reading):
                continue
            readings.append(reading)
            previous = reading
        self._qualify_repeats(view, readings, breaks)
        return readings

    def _qualify_repeats(self, view: str, readings: list[_Reading], breaks: list[int]) -> None:
        """Give a qualifier to a later clause that limits the same variable again.

        "ALT <2.5 × ULN; liver metastases, if any, the ALT <5 × ULN".
        """
        # earlier readings by (variable, relative, sides), with how many of each limit:
        # "an earlier reading with another limit" is then a count, not a scan (linear)
        earlier: dict[tuple[object, ...], Counter[tuple[object, ...]]] = {}
        for reading in readings:
            key, limit = _side_key(reading), _limit_key(reading)
            seen = earlier.setdefault(key, Counter())
            other = sum(seen.values()) - seen[limit] > 0
            seen[limit] += 1
            target = reading.targets[0]
            if reading.qualifier or target.start == _NOWHERE or not other:
                continue
            at = bisect.bisect_right(breaks, target.start)
            if not at:
                continue
            text = _clean(view[breaks[at - 1] + 1 : target.start])
            if text and len(text) <= _MAX_QUALIFIER and not _DIGIT.search(text):
                reading.qualifier = text

    def _dilution(self, limit: _Limit) -> _Limit:
        """The limit on the denominator of a "1/N" titre."""
        assert limit.pair is not None
        b = limit.pair
        out = _Limit(limit.start, limit.end, [b], limit.lower, limit.upper, None, None)
        out.equivalents.append(limit.quantities[0])
        if limit.cmp is not None:
            out.set_op(limit.cmp)
        else:
            out.lower = out.upper = Bound(value=b.value, inclusive=True)
        return out

    def _pair_readings(self, view: str, limit: _Limit, floor: int) -> list[_Reading]:
        """One limit per variable of a named pair: "BP ≥ 140/90 mmHg"."""
        assert limit.pair is not None
        name = None
        for match in self._lex.pair.finditer(view, max(floor, 0), limit.value_start):
            name = match
        if name is None or name.lastgroup is None:
            return []
        first, second = self._lex.pair_variables[name.lastgroup]
        b = limit.pair
        other = _Limit(limit.start, limit.end, [b], limit.lower, limit.upper, b.unit, None)
        if limit.cmp is not None:
            other.set_op(limit.cmp)
        else:
            other.lower = other.upper = Bound(value=b.value, inclusive=True)
        span = name.start(), name.end()
        return [
            _Reading(limit, [_Target(first, *span)]),
            _Reading(other, [_Target(second, *span)]),
        ]

    def _backfill(
        self,
        view: str,
        pending: _Limit,
        reading: _Reading,
        breaks: list[int],
        mentions: list[Mention],
    ) -> _Reading | None:
        """Give a pending limit the next one's variable: "≥20 and ≤80 years of age"."""
        if self._link(view, pending, reading.limit, breaks, mentions) != "plain":
            return None
        if pending.unit is None and pending.relative is None:
            pending.unit, pending.relative = reading.limit.unit, reading.limit.relative
        targets = [t for t in reading.targets if self._fits(t.variable, pending)]
        if targets != reading.targets:
            return None
        return _Reading(pending, targets)

    def _fits(self, variable: str, limit: _Limit) -> bool:
        """Whether the limit's unit can be a unit of ``variable`` (the same dimension will do)."""
        var = self._catalog.get(variable)
        unit = limit.unit
        if var is None or unit is None or limit.relative is not None:
            return True
        if var.canonical_unit is None:
            return unit not in self._lex.time_units
        key = (variable, unit)
        if key not in self._fit_cache:
            self._fit_cache[key] = unit_fits(variable, unit) or (
                dimensionality(unit) is not None
                and dimensionality(unit) == dimensionality(var.canonical_unit)
            )
        return self._fit_cache[key]

    def _own(
        self, view: str, limit: _Limit, mentions: list[Mention], floor: int
    ) -> _Reading | None:
        """The limit's own variables: mentions before it in its clause, or right after."""
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
                if self._aside(view, m, chosen[-1].start):
                    break  # "(adjusted for serum albumin) serum calcium < 8"
                chosen.append(m)
            chosen.reverse()
            if not limit.explicit and not self._fillers_only(
                view, chosen[-1].end, limit.value_start, mentions
            ):
                return None
            if self._named_between(view, chosen[-1].end, limit.start):
                return None  # "body weight for one hour, or a serum lactate level of > 2"
            targets = [t for t in self._targets(chosen) if self._fits(t.variable, limit)]
            return _Reading(limit, targets) if targets else None
        number_end = limit.quantities[-1].number_end
        for m in mentions:
            if m.start < number_end or m.start - limit.end > _MAX_AFTER_GAP:
                continue
            if not self._fillers_only(view, min(limit.end, m.start), m.start, mentions):
                break
            if _ALTERNATIVE.search(view, min(limit.end, m.start), m.start) and self._named_between(
                view, floor, limit.start, alone=True
            ):
                break  # "mean arterial pressure < 70 mmHg or systolic blood pressure < 100"
            var = self._catalog.get(m.variable)
            modifier = _NEXT_WORD.match(view, m.end)
            if not self._fits(m.variable, limit) or (
                limit.unit is None
                and var is not None
                and var.kind == "quantity"
                and modifier is not None
                and modifier.group(1).lower() not in self._lex.next_word_ok | self._lex.label_stop
            ):
                break  # "more than three glucose lowering therapies" counts therapies
            limit.end = max(limit.end, m.end)
            tail = self._scan.after(view, m.end)
            if (
                tail is not None
                and not limit.ranged
                and (limit.cmp is None or tail.meaning.implies)
            ):
                limit.set_op(tail.meaning)
                limit.end = tail.end
            return _Reading(limit, self._targets([m]))
        return None

    def _aside(self, view: str, mention: Mention, end: int) -> bool:
        """Whether ``mention`` closes a parenthesis that opened on other words."""
        close = view.find(")", mention.end, end)
        if close < 0:
            return False
        opened = view.rfind("(", 0, mention.start)
        return opened >= 0 and _LETTER.search(view, opened + 1, mention.start) is not None

    def _named_between(self, view: str, start: int, end: int, alone: bool = False) -> bool:
        """Whether another, uncatalogued quantity is named right before a limit.

        After a clause link (", or", ", and") in ``view[start:end]``, a name ending in a
        measurement word ("a serum lactate level of"); with ``alone``, such a name is all
        that stands between ``start`` and the limit.
        """
        at = start
        if not alone:
            links = list(_CLAUSE_LINK.finditer(view, start, end))
            if not links:
                return False
            at = links[-1].end()
        label = self._label(view, max(at, 0), end)
        if label is None:
            return False
        tail = view[label[1] : end]
        words = view[label[0] : label[1]].split()
        return (
            len(words) >= _MIN_NAME_WORDS
            and self._lex.other_head.search(view, *label) is not None
            and self._lex.filler_gap.fullmatch(tail) is not None
        )

    def _targets(self, chosen: list[Mention]) -> list[_Target]:
        targets: list[_Target] = []
        for m in chosen:
            if all(t.variable != m.variable for t in targets):
                targets.append(_Target(m.variable, m.start, m.end))
        return targets

    def _link(
        self,
        view: str,
        first: _Limit,
        second: _Limit,
        breaks: list[int],
        mentions: list[Mention],
    ) -> str | None:
        """How two limits of one clause are linked, if they are.

        ``"plain"``: only link words between them ("or", "and", "("); ``"qualified"``: a
        short condition without numbers or variables ("in men, ", "(women) and").
        """
        if any(first.end <= b < second.start for b in breaks):
            return None
        gap = view[first.end : second.start]
        if self._lex.link_gap.fullmatch(gap) is not None:
            # a bare number after a mere blank is no alternative limit ("≥80 years 2.Brain")
            return "plain" if gap.strip() or (first.explicit and second.explicit) else None
        condition = _clean(gap) or ""
        if (
            len(gap) <= _MAX_QUALIFIER
            and not _DIGIT.search(gap)
            and not any(first.end <= m.start < second.start for m in mentions)
            and (
                gap.lstrip(" ,").startswith("(")
                or self._lex.qualifier_lead.match(condition)
                or self._lex.person.match(condition)
            )
        ):
            return "qualified"
        return None

    def _equivalent(self, view: str, first: _Limit, second: _Limit) -> bool:
        """The same limit in another unit: "9 g/dL (5.6 mmol/L)", ">47 mmol/mol (>6.4%)"."""
        same_shape = (
            not second.explicit
            or (first.ranged and second.ranged)
            or (first.cmp is not None and second.cmp is not None and first.cmp.op == second.cmp.op)
        )
        return (
            same_shape
            and first.explicit
            and second.unit is not None
            and first.unit is not None
            and second.unit != first.unit
            and "(" in view[first.end : second.start]
        )

    def _inherit(self, view: str, previous: _Reading, limit: _Limit, link: str) -> _Reading | None:
        """An alternative limit on the previous limit's variables."""
        first = previous.limit
        if link == "qualified" and (first.unit != limit.unit or first.relative != limit.relative):
            return None
        if link == "qualified" and first.unit is None and first.relative is None:
            return None
        if not limit.explicit and first.cmp is not None and not first.ranged:
            if first.upper is None and self._range_end(view, first, limit):
                limit.upper, limit.lower = limit.upper, None  # "between ages >=18 and 65"
                limit.cmp = _RANGE_END
            else:
                limit.set_op(first.cmp)  # "≥ 10^4 copies/ml or 2000 IU/ml"
        targets = [t for t in previous.targets if self._fits(t.variable, limit)]
        if not targets:
            return None
        gap = view[first.end : limit.start]
        if link == "qualified" and previous.qualifier is None and "(" not in gap:
            previous.qualifier = _clean(gap)  # "> 2.5 mg/dL in men, or > 2.0 mg/dL in women"
        if (first.lower is None) != (limit.lower is None) and link == "plain":
            return _Reading(limit, targets)  # the other end of a range: "at least 4 and ≤ 8"
        return _Reading(limit, targets, self._qualifier(view, first, limit))

    def _range_end(self, view: str, first: _Limit, limit: _Limit) -> bool:
        """Whether ``limit`` is the upper end of a range that ``first`` opens.

        "between >=18 and 65", ">7 to 15".
        """
        gap = view[first.end : limit.start].strip().lower()
        if gap in ("to", "-", "~"):
            return True
        return gap == "and" and self._lex.range_opener.search(view, 0, first.start) is not None

    def _qualifier(self, view: str, first: _Limit, limit: _Limit) -> str | None:
        """The condition of an alternative limit: "(≤ 5 x ULN with liver metastases)"."""
        gap = view[first.end : limit.start]
        if "(" in gap:
            inside = gap[gap.rfind("(") + 1 :]
            return _clean(f"{inside} {view[limit.end : _closing(view, limit.end) - 1]}")
        after = _TRAILING.match(view, limit.end)
        if after is None:
            return None
        text = after.group(1)
        words = text.split()
        if self._lex.qualifier_lead.match(text) or (words and self._lex.person.fullmatch(words[0])):
            return _clean(text)
        return None

    def _implied(self, view: str, limit: _Limit, floor: int) -> _Reading | None:
        """No mention: what the comparator or unit implies, else ``other``."""
        if not limit.explicit:
            return None
        label = self._label(view, max(floor, 0), limit.start)
        reach = max(floor, 0, limit.start - _PERSON_REACH)
        person = _PERSON_GAP.search(view, reach, limit.start)
        person = person if person and self._lex.person.fullmatch(person.group(1)) else None
        implied = limit.cmp.implies if limit.cmp else None
        if person and (limit.unit is None or limit.unit in self._lex.time_units):
            implied = implied or "age"  # "women above 18 years", "patient is less than 28 days old"
        if (
            implied is None
            and limit.unit == "a"
            and limit.relative is None
            and not _OF_SOMETHING.match(view, limit.end)
            and (label is None or (limit.ranged and not self._lex.other_head.search(view, *label)))
        ):
            implied = "age"  # "≥ 18 years", "... between 18 years and 60 years"
        if implied is not None and implied in self._catalog:
            return _Reading(limit, [_Target(implied, _NOWHERE, _NOWHERE, implied)])
        if label is None or not self._measured(view, limit, label):
            label = self._label_after(view, limit)
            if label is None or not self._measured(view, limit, label, after=True):
                return None
        return _Reading(limit, [_Target("other", label[0], label[1])])

    def _measured(
        self, view: str, limit: _Limit, label: tuple[int, int], after: bool = False
    ) -> bool:
        """Whether an uncatalogued limit clearly is a measurement, not a window, dose or count.

        A name written after the value must say what is measured ("80% diary
        compliance") or be a rate ("5 cigarettes per day"); "at least 1 prior
        chemotherapy" is a count.
        """
        name = view[label[0] : label[1]]
        if limit.unit in self._lex.time_units:
            if len(name.split()) == 1:
                return self._lex.time_head_alone.fullmatch(name) is not None
            return self._lex.time_head.search(name) is not None
        headed = self._lex.other_head.search(name) is not None
        if limit.unit in self._lex.dose_units:
            return headed
        unitless = limit.unit is None and limit.relative is None and limit.pair is None
        if unitless and not self._glued_unit(view, limit):
            if after:
                rate = _RATE.search(name) is not None
                return (headed or rate) and not self._lex.person.search(name)
            if self._counted(view, limit.end):
                return False
            return headed or any(_ABBREVIATION.fullmatch(w) for w in name.split())
        return True

    def _counted(self, view: str, end: int) -> bool:
        """Whether the value counts things ("at least 1 additional blood culture").

        Told from a unit we cannot read ("5 h-1", "3 log UI/ml", "200 copies") by a
        long plain word after it.
        """
        match = _NEXT_WORD.match(view, end)
        if match is None:
            return False
        word = match.group(1).lower()
        return (
            len(word) >= _MIN_COUNTED_WORD
            and word.isalpha()
            and not word.endswith(("ing", "ed"))  # "greater than 5 impacting daily life"
            and word not in self._lex.next_word_ok | self._lex.label_stop
        )

    def _label(self, view: str, start: int, end: int) -> tuple[int, int] | None:
        """The span of the compact name of an uncatalogued quantity, before its limit.

        The last words of the clause, or the words up to the nearest measurement word
        ("The ETDRS letter score in the study eye must be between ...").
        """
        text = view[start:end].rstrip(" \t([:=-")
        text = _PAREN_WORD.sub(lambda m: " " * len(m.group()), text)
        segments = [m for m in _SEGMENT.finditer(text) if _LABEL_WORD.search(m.group())]
        if not segments:
            return None
        segment = segments[-1]
        words = list(_LABEL_WORD.finditer(text, segment.start(), segment.end()))
        for k in range(len(words) - 1, max(-1, len(words) - 1 - _MAX_HEAD_DISTANCE), -1):
            word = words[k].group()
            if self._lex.other_head.search(word) or _ABBREVIATION.fullmatch(word):
                words = words[: k + 1]
                break
        return self._span(start, words)

    def _label_after(self, view: str, limit: _Limit) -> tuple[int, int] | None:
        """A name written after the value: "≥ 80% diary compliance", "> 5 cigarettes per day"."""
        match = _AFTER_LABEL.match(view, limit.end)
        if match is None:
            return None
        words = list(_LABEL_WORD.finditer(view, match.start(1), match.end(1)))
        rate = _RATE.search(match.group(1)) is not None  # "10 cigarettes a day"
        for k, word in enumerate([] if rate else words[1:], 1):
            if word.group().lower() in self._lex.label_stop:
                words = words[:k]  # "30 pack-years in lifetime"
                break
        return self._span(0, words)

    def _span(self, start: int, words: list[re.Match[str]]) -> tuple[int, int] | None:
        while words and words[-1].group().lower() in self._lex.label_stop:
            words.pop()
        words = words[-_MAX_LABEL_WORDS:]
        while words and words[0].group().lower() in self._lex.label_stop:
            words.pop(0)
        if not words or all(self._lex.person.fullmatch(w.group()) for w in words):
            return None  # "for women = 470 ms": a condition, not a name
        return start + words[0].start(), start + words[-1].end()

    def _merge(self, previous: _Reading, reading: _Reading) -> bool:
        """Join "≥ 18 and ≤ 75" into one range, and "ECOG 0 or 1" into 0..1."""
        a, b = previous.limit, reading.limit
        if [t.variable for t in previous.targets] != [t.variable for t in reading.targets]:
            return False
        if (
            reading.qualifier
            or a.relative != b.relative
            or (a.unit and b.unit and a.unit != b.unit)
        ):
            return False
        merged: tuple[Bound | None, Bound | None] | None = None
        if a.cmp is not None and b.cmp is not None and not a.ranged and not b.ranged:
            if a.lower and not a.upper and b.upper and not b.lower:
                merged = (a.lower, b.upper)
            elif a.upper and not a.lower and b.lower and not b.upper:
                merged = (b.lower, a.upper)
        elif not b.explicit and (a.ranged or not a.explicit):
            var = self._catalog.get(previous.targets[0].variable)
            if var is not None and var.kind == "score" and a.lower and a.upper and b.upper:
                low = min(a.lower.value, b.upper.value)
                high = max(a.upper.value, b.upper.value)
                merged = (Bound(value=low, inclusive=True), Bound(value=high, inclusive=True))
                a.ranged = True
        if merged is None or (merged[0] and merged[1] and merged[0].value > merged[1].value):
            return False
        a.lower, a.upper = merged
        a.end = b.end
        a.unit = a.unit or b.unit
        a.quantities = a.quantities + b.quantities
        return True

    # -- output -----------------------------------------------------------------

    def _emit(self, text: str, view: str, offset: int, reading: _Reading, out: Extraction) -> None:
        limit = reading.limit
        if not limit.explicit and self._lex.stripped_comparator.search(
            view, max(0, limit.value_start - _STRIPPED_REACH), limit.value_start
        ):
            # "Age  18 years": a comparator lost where the blanks are; never "= 18"
            value = limit.quantities[0].value
            out.findings.append(
                finding(
                    "comparator-stripped",
                    f"no comparator before {value:g}, only blanks where one was probably "
                    f"lost; not read as = {value:g}",
                    None,
                )
            )
            out.complete = False
            return
        unread = limit.unit is None and limit.relative is None and self._unread_unit(view, limit)
        for target in reading.targets:
            var = self._catalog.get(target.variable)
            unit = None if limit.relative else limit.unit
            findings: list[tuple[str, str]] = []
            if var is not None and var.kind != "quantity":
                unit = None
            elif unread:
                out.complete = False  # "18 ans", "1 gram/day": a unit we cannot read
            elif unit is None and not limit.relative and var is not None and var.default_unit:
                unit = var.default_unit
                said = f"no unit written; read as {unit_words(unit)}"
                findings.append(("unit-inferred", said))
            if limit.cmp is not None and limit.cmp.ambiguous:
                written = text[limit.start : limit.value_start].strip()
                findings.append(
                    (
                        "comparator-ambiguous",
                        f"{written!r} is not a comparator; read as ≥ from context",
                    )
                )
                out.complete = False
            if not limit.explicit:
                findings.append(self._bare_finding(var, limit))
                out.complete = out.complete and var is not None and var.kind == "score"
            start, end = limit.start, limit.end
            if target.start != _NOWHERE:
                start, end = min(start, target.start), max(end, target.end)
            out.constraints.append(
                Constraint(
                    variable=target.variable,
                    label=target.label or text[target.start : target.end],
                    lower=limit.lower,
                    upper=limit.upper,
                    unit=unit,
                    relative_to=limit.relative,
                    qualifier=reading.qualifier,
                    evidence=(offset + start, offset + end),
                    extracted_by=["rules"],
                )
            )
            index = len(out.constraints) - 1
            out.findings.extend(finding(code, message, index) for code, message in findings)

    def _unread_unit(self, view: str, limit: _Limit) -> bool:
        """Whether a unit-like word no unit spelling knows follows the last value.

        Short, lower case, or with a slash or digit: "18 ans", "1 gram/day", "<1500 mm3".
        """
        match = _NEXT_WORD.match(view, limit.quantities[-1].number_end)
        if match is None:
            return False
        word = match.group(1)
        if (
            word[0].isupper()
            or word.split("/")[0].lower() in self._lex.next_word_ok | self._lex.label_stop
        ):
            return False
        return len(word) <= _MAX_UNIT_WORD or any(c == "/" or c.isdigit() for c in word)

    def _glued_unit(self, view: str, limit: _Limit) -> bool:
        """A unit we cannot read, glued to the value or with a slash: "100cc", "8.00D"."""
        end = limit.quantities[-1].number_end
        match = _NEXT_WORD.match(view, end)
        return match is not None and (match.start(1) == end or "/" in match.group(1))

    def _bare_finding(self, var: Variable | None, limit: _Limit) -> tuple[str, str]:
        value = limit.quantities[0].value
        if var is not None and var.kind == "score":
            return ("score-value", f"a single score value, read as = {value:g}")
        return ("comparator-missing", f"no comparator written; read as = {value:g}")

    def _explain(
        self,
        view: str,
        offset: int,
        numbers: list[tuple[int, int]],
        notes: list[Note],
        used: list[tuple[int, int]],
        out: Extraction,
    ) -> None:
        """A note for every number no constraint used; unexplained ones make it incomplete."""
        fallbacks: list[Note] | None = None
        covered = _Cover(used)
        for start, end in numbers:
            if covered.holds(start):
                continue
            reason: NumberReason | None = next(
                (n.reason for n in notes if n.start <= start < n.end), None
            )
            if reason is None:
                if fallbacks is None:
                    fallbacks = self._scan.fallback_notes(view)
                reason = next((n.reason for n in fallbacks if n.start <= start < n.end), None)
            if reason is None:
                reason = self._unit_reason(view, start)
            if reason is None:
                reason = "other"
                out.complete = False
            out.notes.append(NumberNote((offset + start, offset + end), reason))

    def _explain_words(
        self,
        offset: int,
        words: list[tuple[int, int]],
        notes: list[Note],
        used: list[tuple[int, int]],
        out: Extraction,
    ) -> None:
        """A note for a number word a context explains ("within four weeks")."""
        for start, end in words:
            if any(a <= start < b for a, b in used):
                continue
            reason = next((n.reason for n in notes if n.start <= start < n.end), None)
            if reason is not None:
                out.notes.append(NumberNote((offset + start, offset + end), reason))

    def _unit_reason(self, view: str, start: int) -> NumberReason | None:
        """A dose or a duration, by the number's unit alone, when no context explained it.

        Not a dose when a volume has a comparator of its own ("FEV1 > 0.8 L"): that is
        how limits on the patient's volumes are written, and a limit on a variable the
        rules cannot name is left unexplained (to review), not explained away by its
        unit.  (A duration with a comparator, "lasting longer than 30 s", stays temporal.)
        """
        match = NUMBER.match(view, start)
        if match is None:
            return None
        unit = self._scan.quantity(view, match).unit
        if unit in self._lex.dose_units:
            if unit in self._lex.volume_units and _OWN_COMPARATOR.search(
                view, max(0, start - 16), start
            ):
                return None
            return "dose"
        if unit in self._lex.time_units:
            return "temporal"
        return None


_OWN_COMPARATOR = re.compile(
    r"(?:[<>≤≥≦≧]=?|=<|=>|\b(?:than|at least|at most|no more than|no less than|up to|over|above|"
    r"under|below|exceeding|minimum of|maximum of))\s*$",
    re.I,
)


class _Cover:
    """Is a position inside any of some ``[a, b)`` spans?  A bisect, not a scan of them all."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for a, b in sorted(spans):
            if b <= a:
                continue
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self._starts = [a for a, _ in merged]
        self._ends = [b for _, b in merged]

    def holds(self, pos: int) -> bool:
        k = bisect.bisect_right(self._starts, pos) - 1
        return k >= 0 and pos < self._ends[k]


def _side_key(r: _Reading) -> tuple[object, ...]:
    """Readings that bound the same variable on the same side share this key."""
    x = r.limit
    return (r.targets[0].variable, x.relative, x.lower is None, x.upper is None)


def _limit_key(r: _Reading) -> tuple[object, ...]:
    x = r.limit
    return tuple(None if b is None else (b.value, b.inclusive) for b in (x.lower, x.upper))


def _inside(pos: int, quantities: list[Quantity]) -> bool:
    return any(q.start <= pos < q.end for q in quantities)


def _clean(text: str) -> str | None:
    """A qualifier without the link words and brackets around it."""
    return _LINK_WORDS.sub("", " ".join(text.replace(")", " ").split())) or None


def _closing(view: str, pos: int) -> int:
    """The offset just after the ``)`` that closes a parenthesis open at ``pos``."""
    close = view.find(")", pos)
    return len(view) if close < 0 else close + 1
