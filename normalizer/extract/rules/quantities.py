"""The values of a criterion: numbers read with what is written right after them.

A number ("18", "1.5", "100,000", a number word after a comparator) is read with a
power of ten ("1.5×109/L"), a reference limit ("2.5 x ULN") or a unit (the longest
words that :func:`normalizer.units.to_ucum` knows).  Everything here reads a *view*
of the criterion (:meth:`Lexicon.view`): the same length as the text, so every
offset found is an offset into the text itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ...models import RelativeTo
from ...phrases import GLUED_TO_WORD, after_unit_hyphen
from ...reader import plus_days, shared_reference
from ...regex_start import fast_start
from .contexts import Note
from .lexicon import Lexicon

__all__ = ["NEXT_WORD", "NUMBER", "Quantities", "Quantity", "ToUcum"]

ToUcum = Callable[[str], "str | None"]

# A number: "18", "1.5", "100,000", "-2.5" right after a comparator.  Not a digit
# glued to a word ("HbA1c", "CD4", "T2") or to a hyphenated word ("COVID-19"), except
# to a comparator, list or range word that lost its blank ("greater than100", "at
# least18", "ASA 1 or2", "18 to75"; the verifier's scan reads the same).
NUMBER = fast_start(  # a lookahead for '-' or a digit first: found fast (regex_start)
    r"(?:(?<=[<>=≤≥])-|(?<=[<>=≤≥a-z]\s)-(?=\d))?"
    rf"(?:(?<![\w.])|{GLUED_TO_WORD})(?:(?<![A-Za-z]-)|{after_unit_hyphen()})"
    r"(?:\d{1,3}(?:,\d{3})+(?!\d|,\d)|\d+)(?:\.\d+)?"
)
# Unit words after a number: up to four blank-separated tokens are tried, longest first.
# a token of at most 40 characters, whole (a longer run of non-blanks is no unit): a
# match costs at most 40 steps however long the run ("1-1-1-...": linear, not quadratic)
_UNIT_TOKEN = re.compile(
    r"[ ]{0,2}((?:[^\s,;:()\[\]<>=≤≥\"]|,(?=\d)){1,40})(?![^\s,;:()\[\]<>=≤≥\"]|,\d)"
)
_SLASH = re.compile(r"\s*/\s*")
_MAX_UNIT_TOKENS = 4
_COUNT_UNIT = re.compile(r"10\*\d+/")
# "2,5 mg/dl", ">11,1": a lone comma and one or two digits is a decimal comma when a
# comparator stands right before the number or a unit right after it.
_DECIMAL_COMMA = re.compile(r",(\d{1,2})(?![\d,])")
_CMP_END = re.compile(
    r"(?:[<>=≤≥]|\b(?:than|least|most|to|of|over|above|under|below|between|and|from))\s*$", re.I
)
# Thousands written with blanks ("100 000/mm3") or, in European text, with dots
# ("10.000 cells/mm3"): read as thousands only when a unit follows (the blanks) or the
# unit counts cells per volume (the dots).
_BLANK_THOUSANDS = re.compile(r"(?:[ \u00a0\u202f]\d{3})+(?![\d.,])")
_GARBLED_GROUP = re.compile(r"\s10[3-9]$")
_DOT_THOUSANDS = re.compile(r"\d{1,3}\.\d{3}")
_PER_VOLUME = re.compile(r"(?:10\*\d+)?/(?:mm3|uL|mL|L)$")
_HYPHEN_UNIT = re.compile(r"-(?=[A-Za-z])")
_WORD_DIGITS = re.compile(r"\s*\(\s*(\d+)\s*\)")  # "three (3) years"
_PER = re.compile(r"\s*/")  # "x 10^9/Liter": an unknown unit, the power stays out of the value
_BLANKS = re.compile(r"\s*")
_WORD_GAP = re.compile(r"\s*(?:of\s+)?")  # "at least three", "a minimum of six"
_OF_A_SET = re.compile(
    r"(?:\s+or\s+more)?\s+of\s+(?:these|them|those|which|the)\b",
    re.IGNORECASE,
)
NEXT_WORD = re.compile(r"[ -]?([A-Za-z][A-Za-z0-9/]*)")
"""The word right after a value (or a name): a unit we cannot read, or what is counted."""
_MIN_COUNTED_WORD = 7
_MIN_COUNTED_ONE = 3
"""After a count of one, a shorter word is what is counted: "at least one item", "1 dose"."""


@dataclass(slots=True)
class Quantity:
    """A number with what is written right after it (power, unit or reference limit)."""

    start: int
    end: int
    value: float
    unit: str | None
    relative: RelativeTo | None
    number_end: int
    inside: str | None = None
    """The comparator written between its multiplier and its ULN/LLN limit ("3 times
    *higher than* the ULN"), which bounds it when no other comparator does."""


class Quantities:
    """Reads the values of one criterion view."""

    def __init__(self, lexicon: Lexicon, to_ucum: ToUcum) -> None:
        self._lex = lexicon
        self._to_ucum = to_ucum

    def values(
        self, view: str, notes: list[Note], compared: list[int]
    ) -> tuple[list[Quantity], list[tuple[int, int]], list[tuple[int, int]]]:
        """The values of the criterion, its numbers, and its numbers written as words.

        A number word is a value only right after a comparator ("at least three
        months"): ``compared`` holds where the comparator phrases end.
        """
        numbers = list(NUMBER.finditer(view))
        words = list(self._lex.number_word.finditer(view))
        after_cmp = [  # or before a ULN/LLN limit: "three times higher than the ULN"
            w for w in words
            if any(_WORD_GAP.fullmatch(view, end, w.start()) for end in compared)
            or self._lex.relative.match(view, w.end())
        ]
        quantities: list[Quantity] = []
        for match in sorted(numbers + after_cmp, key=lambda m: m.start()):
            if quantities and match.start() < quantities[-1].end:
                continue  # part of the previous quantity: a decimal, a unit, a power
            if any(n.start <= match.start() < n.end for n in notes):
                continue
            q = self.quantity(view, match)
            if match in after_cmp and q.unit is None and self.counted(view, q.end, q.value):
                continue  # "at least two moderate or severe exacerbations"
            if q.unit is None and q.relative is None and _OF_A_SET.match(view, q.end):
                continue  # "with at least one of these", "2 of the following"
            quantities.append(q)
        quantities.extend(self.implicit(view, notes, compared, quantities))
        quantities.sort(key=lambda q: q.start)
        for q, end, reference in shared_reference(
            view,
            self._lex.reader.dangling,
            [q for q in quantities if q.unit is None],
            lambda q: q.end,
            lambda q: q.relative,
        ):
            q.relative, q.end = reference, end  # "Bilirubin <2x, ... <2x ULN"
        return quantities, [m.span() for m in numbers], [m.span() for m in words]

    def implicit(
        self, view: str, notes: list[Note], compared: list[int], taken: list[Quantity]
    ) -> list[Quantity]:
        """ULN/LLN limits written with no number right after a comparator: 1 x ULN.

        "Serum creatinine <= ULN", "ALT above the upper limit of normal" (what
        verification reads as the same limit).
        """
        found: list[Quantity] = []
        reader = self._lex.reader
        if not reader.may_name_limit(view):
            return found
        for m in reader.limit.finditer(view):
            start = m.start()
            if any(q.start <= start < q.end for q in taken) or any(
                n.start <= start < n.end for n in notes
            ):
                continue
            if not any(_BLANKS.fullmatch(view, end, start) for end in compared):
                continue
            found.append(Quantity(start, m.end(), 1.0, None, reader.relative_to(m), m.end()))
        return found

    def counted(self, view: str, end: int, value: float | None = None) -> bool:
        """Whether the value counts things ("at least 1 additional blood culture").

        Told from a unit we cannot read ("5 h-1", "3 log UI/ml", "200 copies") by a
        long plain word after it; after a count of one, any plain word: "at least one
        item", "1 dose" say that there is one, which bounds no measurement.
        """
        match = NEXT_WORD.match(view, end)
        if match is None:
            return False
        word = match.group(1).lower()
        return (
            len(word) >= (_MIN_COUNTED_ONE if value == 1 else _MIN_COUNTED_WORD)
            and word.isalpha()
            and not word.endswith(("ing", "ed"))  # "greater than 5 impacting daily life"
            and word not in self._lex.next_word_ok | self._lex.label_stop
        )

    def quantity(self, view: str, number: re.Match[str]) -> Quantity:
        """Read the number at ``number`` with its power of ten, limit or unit."""
        lex = self._lex
        digits = number.group()
        word = None if digits[0].isdigit() else lex.reader.value_of(digits)
        value = word if word is not None else float(digits.replace(",", ""))
        pos = number.end()
        comma = _DECIMAL_COMMA.match(view, pos) if word is None and "," not in digits else None
        if comma is not None and (
            _CMP_END.search(view, max(0, number.start() - 12), number.start())
            or self.unit(view, comma.end()) is not None
        ):
            value = float(f"{digits}.{comma.group(1)}")
            pos = comma.end()
        blanks = (
            _BLANK_THOUSANDS.match(view, pos)
            if word is None and len(digits) <= 3 and digits.isdigit()
            else None
        )
        if (
            blanks is not None
            and not _GARBLED_GROUP.match(blanks.group())  # "100 109/l" is 100 x 10^9/L
            and self.unit(view, blanks.end()) is not None
        ):
            value = float(digits + re.sub(r"\D", "", blanks.group()))
            pos = blanks.end()
        spelled = _WORD_DIGITS.match(view, pos) if word is not None else None
        if spelled is not None and float(spelled.group(1)) == value:
            pos = spelled.end()
        fraction = lex.reader.week_fraction.match(view, pos) if word is None else None
        if fraction is not None:
            value, pos = plus_days(value, fraction), fraction.end()  # "22 3/7 weeks"
        number_end = pos
        exponent: int | None = None
        power = lex.power.match(view, pos) if word is None else None
        if power is None and digits == "10":
            bare = lex.bare_power.match(view, pos)
            if bare is not None:
                value, power = 1.0, bare
        if power is None and word is None:
            garbled = lex.garbled_power.match(view, pos)
            if garbled is not None and int(garbled.group("exp")) in lex.garbled_exponents:
                power = garbled
        if power is not None:
            exponent = int(power.group("exp") or power.groupdict().get("pexp") or 0)
            pos = power.end()
        else:
            relative = lex.relative.match(view, pos)
            if relative is not None and relative.lastgroup:
                limit = lex.reader.relative_to(relative)
                inside = lex.reader.comparator_inside(relative)
                return Quantity(
                    number.start(), relative.end(), value, None, limit, number_end, inside
                )
        unit: str | None = None
        end = pos
        if exponent is not None:
            found = self.unit(view, pos, f"10^{exponent}")
            if found is not None and _COUNT_UNIT.match(found[0]):
                unit, end = found  # a count per volume keeps its power: 1.5 10*9/L
            elif found is not None or not _PER.match(view, pos):
                value = round(value * 10.0**exponent, 9)
        if unit is None:
            found = self.unit(view, pos)
            if found is not None:
                unit, end = found
        days = lex.reader.week_days.match(view, end) if unit == "wk" else None
        if days is not None:
            value, end = plus_days(value, days), days.end()  # "23 weeks 6 days"
        if (
            exponent is None
            and unit is not None
            and _DOT_THOUSANDS.fullmatch(digits)
            and _PER_VOLUME.match(unit)
        ):
            value = float(digits.replace(".", ""))  # "10.000 cells/mm3"
        if (
            exponent is None
            and len(digits) == 3
            and digits.startswith("10")
            and int(digits[2]) in lex.garbled_exponents
            and unit in lex.lost_power_units
        ):
            value = 10.0 ** int(digits[2])
        return Quantity(number.start(), end, value, unit, None, number_end)

    def unit(self, view: str, pos: int, prefix: str = "") -> tuple[str, int] | None:
        """The longest unit written at ``pos`` (after ``prefix``): UCUM code and end."""
        tokens: list[tuple[str, int]] = []
        hyphen = _HYPHEN_UNIT.match(view, pos)  # "50-year-old", "10-mm"
        at = hyphen.end() if hyphen else pos
        while len(tokens) < _MAX_UNIT_TOKENS:
            match = _UNIT_TOKEN.match(view, at)
            if match is None:
                break
            tokens.append((match.group(1), match.end()))
            at = match.end()
        candidates = [
            (" ".join(t for t, _ in tokens[:count]), tokens[count - 1][1])
            for count in range(len(tokens), 0, -1)
        ]
        if tokens and "-" in tokens[0][0][1:]:  # "year-old": the unit before the hyphen
            word, end = tokens[0]
            cut = word.index("-", 1)
            candidates.append((word[:cut], end - len(word) + cut))
        for written, end in candidates:
            surface = written.rstrip(".'")
            end -= len(written) - len(surface)
            code = self._to_ucum(prefix + _SLASH.sub("/", surface)) if surface else None
            if code is not None:
                return code, end
        if prefix:
            code = self._to_ucum(prefix)
            if code is not None:
                return code, pos
        return None
