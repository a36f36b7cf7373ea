"""The quantities written in a criterion, each on its own.

The number tokens (digits with thousands separators, decimal commas and
'1.2.3' undone), the power of ten after a number, the unit written after it
(:func:`known_unit`: a UCUM code that is a unit of the text, not a word), the
ULN/LLN it multiplies, numbers written as words and ULN/LLN limits written
with no number.  What links quantities to each other is :mod:`.assembly`'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from ...catalog import load_catalog
from ...phrases import after_unit_hyphen, glued_to_word
from ...reader import plus_days
from ...units import to_ucum
from ..lexicon import load_evidence
from .model import Quantity, Reading, _lexicon

# not inside a word, and not an identifier's number ("ICD-10", "DSM-5", "COVID-19")
# a number; glued to a comparator, list or range word that lost its blank too
# ("greater than100", "ASA 1 or2"), as the extractor's NUMBER reads it.  The first digit
# comes first and the lookbehinds reach over it: re finds a pattern that starts with a
# digit by a fast scan for digits (one that starts with lookbehinds is tried at every
# position: ten times slower).
_GLUED = glued_to_word(over=r"\d")
_UNIT_HYPHEN = after_unit_hyphen(over=r"\d")  # "18 years-65 years"
_NUMBER = re.compile(
    rf"\d(?:(?<![\w.]\d)|(?<=[^\w.][xX]\d)|{_GLUED})"
    rf"(?:(?<![A-Za-z]-\d)|{_UNIT_HYPHEN})\d*(?:[.,]\d+){{0,5}}"
)
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DOT_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_DECIMAL_COMMA = re.compile(r"(\d+),(\d{1,2})")
_BARE_POWER = re.compile(r"\s*(?:\^|\*\*|[eE])\s*\(?\s*(-?\d{1,2})\s*\)?(?![\d.])")
_UNIT_STOP = set(";,()[]<>≤≥=\n")
_COUNTED = re.compile(r"[A-Za-z]+\+?\s?/")
_UNIT_GOES_ON = re.compile(r"\s*(?:/|per\b)", re.IGNORECASE)
_UNIT_WINDOW = 40


@cache
def _known_units() -> frozenset[str]:
    lex = _lexicon()
    units: set[str] = set(lex.time_units) | set(lex.dose_units) | set(lex.lost_power_units)
    for var in load_catalog().variables:
        units.update(var.units)
        for code in (var.canonical_unit, var.default_unit):
            if code is not None:
                units.add(code)
    return frozenset(units)


def known_unit(code: str | None, surface: str = "") -> bool:
    """True when ``surface`` (read as UCUM ``code``) is a unit written in the text.

    ``to_ucum`` accepts any valid UCUM code, and short words after numbers are
    sometimes valid codes by accident ('8 am' is attometres, '2 at' technical
    atmospheres).  A code counts when some variable, time window or dose is
    written in it, or when its spelling cannot be a plain word ('cell/mL', '%').
    """
    if code is None:
        return False
    if code in _known_units() or code.startswith("10*"):
        return True
    return any(not ch.isalpha() and not ch.isspace() for ch in surface.strip())


def _unit_at(view: str, pos: int) -> tuple[str | None, int]:
    """The longest unit spelling starting at ``pos`` (after blanks): UCUM code and end."""
    i = pos
    while i < len(view) and view[i] in " \t":
        i += 1
    if i + 1 < len(view) and view[i] == "-" and view[i + 1].isalpha():
        i += 1  # "3-mo", "5-yrs"
    limit = min(len(view), i + _UNIT_WINDOW)
    j = i
    while j < limit and view[j] not in _UNIT_STOP:
        # a new number after a blank starts a new quantity, not a unit
        if view[j].isdigit() and j > i and view[j - 1] == " " and view[i:j].strip() not in "x*":
            break
        if view[j] == "-" and j > i and view[j + 1 : j + 2].isdigit() and view[j - 1].isalpha():
            break  # "18 years-65 years": the hyphen opens the range's other end
        j += 1
    ends = sorted(
        {k for k in range(i + 1, j + 1) if k == j or view[k] == " " or view[k - 1] == "%"},
        reverse=True,
    )
    starts = [i]
    counted = _COUNTED.match(view, i, j)
    if counted is not None:  # "100,000 platelets/microL": the counted thing named in the unit
        starts.append(counted.end() - 1)
    for start in starts:
        for end in ends:
            surface = view[start:end]
            if end <= start or not surface.strip():
                continue
            code = to_ucum(surface)
            if known_unit(code, surface):
                if _UNIT_GOES_ON.match(view, end):
                    return None, pos  # "gram" of "gram/deciliter": a unit we cannot read
                return code, end
    if j < len(view) and view[j] == "(" and j - i <= 25:
        # "8.0 gram/deciliter (g/dL)": a compound unit restated in parentheses
        close = view.find(")", j)
        restated = view[j + 1 : close] if close != -1 else ""
        if "/" in restated or "%" in restated:
            code = to_ucum(restated)
            if known_unit(code, restated):
                return code, close + 1
    return None, pos


def _number_tokens(view: str) -> Iterator[tuple[int, int, list[float], bool]]:
    """(start, end, values, pair) for every written number, left to right."""
    pos = 0
    while True:
        m = _NUMBER.search(view, pos)
        if m is None:
            return
        text = m.group()
        start = m.start()
        if _THOUSANDS.fullmatch(text):
            yield start, m.end(), [float(text.replace(",", ""))], False
            pos = m.end()
            continue
        if "," in text:
            dec = _DECIMAL_COMMA.match(text)
            if dec is not None and dec.end() == len(text):
                whole, frac = dec.group(1), dec.group(2)
                values = [float(f"{whole}.{frac}"), float(whole), float(frac)]
                yield start, m.end(), values, True
                pos = m.end()
                continue
            head = text.split(",", 1)[0]
            yield from _plain(head, start)
            pos = start + len(head) + 1
            continue
        yield from _plain(text, start)
        pos = m.end()


def _plain(text: str, start: int) -> Iterator[tuple[int, int, list[float], bool]]:
    if _DOT_THOUSANDS.fullmatch(text) and text.count(".") == 1:
        yield start, start + len(text), [float(text), float(text.replace(".", ""))], False
        return
    if text.count(".") > 1:  # "1.2.3": read the first number only
        head = ".".join(text.split(".")[:2])
        yield start, start + len(head), [float(head)], False
        return
    yield start, start + len(text), [float(text)], False


def _bare_power(view: str, pos: int) -> tuple[int, int] | None:
    """'10^4', '10(9)', '10e4' right at ``pos`` (after the '10'): exponent and end."""
    shared = _lexicon().bare_power
    if shared is not None:
        m = shared.match(view, pos)
        if m is not None:
            groups = [g for g in m.groups() if g is not None]
            if groups:
                return int(groups[0]), m.end()
    m = _BARE_POWER.match(view, pos)
    return (int(m.group(1)), m.end()) if m is not None else None


def _negative(view: str, start: int) -> bool:
    if start == 0 or view[start - 1] != "-":
        return False
    k = start - 2
    while k >= 0 and view[k] == " ":
        k -= 1
    return k < 0 or not (view[k].isalnum() or view[k] in ")%")


def _quantity(view: str, text: str, start: int, end: int, values: list[float]) -> Quantity:
    lex = _lexicon()
    number = view[start:end]
    exp: int | None = None
    power_end = end
    bare = _bare_power(view, end) if number == "10" else None
    if bare is not None:
        values = [10.0 ** bare[0]]
        end = power_end = bare[1]
    else:
        power = lex.power.match(view, end)
        if power is not None:
            exp, power_end = int(power.group("exp")), power.end()
        else:
            garbled = lex.garbled_power.match(view, end)
            if garbled is not None and int(garbled.group("exp")) in lex.garbled_exponents:
                exp, power_end = int(garbled.group("exp")), garbled.end()
    if _negative(view, start):
        values = values + [-v for v in values]
    relative = lex.relative.match(view, power_end)
    if relative is not None and exp is None:
        rel = lex.relative_to(relative)
        readings = [Reading(v, None, rel) for v in values]
        found = Quantity(start, end, relative.end(), text[start:end], readings)
        found.inside = lex.comparator_inside(relative)
        return found
    after = end
    if view[end : end + 1] == ")" and view[:start].rstrip().endswith("("):
        after = end + 1  # "three (3) years"
    fraction = lex.week_fraction.match(view, after) if exp is None else None
    if fraction is not None:
        values, after = [plus_days(v, fraction) for v in values], fraction.end()
    unit, unit_end = _unit_at(view, after)
    days = lex.week_days.match(view, unit_end) if unit == "wk" else None
    if days is not None:
        values, unit_end = values + [plus_days(v, days) for v in values], days.end()
    readings = [Reading(v, unit) for v in values]
    stop = max(unit_end, power_end)
    if exp is not None:
        rest, rest_end = _unit_at(view, power_end)
        readings += [Reading(v * 10.0**exp, rest) for v in values]
        stop = max(stop, rest_end)
    elif unit in lex.lost_power_units and re.fullmatch(r"10\d{1,2}", number):
        lost = int(number[2:])
        if lost in lex.garbled_exponents or lost < 10:
            readings.append(Reading(10.0**lost, unit))
    return Quantity(start, power_end, stop, text[start:power_end], readings)


def _word_quantities(view: str, text: str, taken: list[Quantity]) -> list[Quantity]:
    ev = load_evidence()
    found: list[Quantity] = []
    for m in ev.word_number.finditer(view):
        if any(q.start < m.end() and q.stop > m.start() for q in taken):
            continue
        value = ev.value_of(m.group())
        if value is None:
            continue
        quantity = _quantity(view, text, m.start(), m.end(), [value])
        quantity.word = True
        named_unit = any(r.unit or r.relative for r in quantity.readings)
        if named_unit or ev.counted.match(view, m.end()):
            found.append(quantity)
    return found


def _implicit_limits(view: str, text: str, taken: list[Quantity]) -> list[Quantity]:
    found: list[Quantity] = []
    lex = _lexicon()
    if not lex.may_name_limit(view):
        return found
    for m in lex.limit.finditer(view):
        start = m.start()
        if any(q.start <= start < q.stop for q in taken):
            continue
        rel = lex.relative_to(m)
        found.append(
            Quantity(
                start,
                m.end(),
                m.end(),
                text[start : m.end()],
                [Reading(1.0, None, rel)],
                implicit=True,
            )
        )
    return found
