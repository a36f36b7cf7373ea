"""Read the numbers of a criterion the way verification needs them.

:func:`scan` finds every *quantity* in a criterion's text: a number (digits or a
number word) with what is written around it, the garbles undone:

* a power of ten after it ("1.5 x 10^9/L", the lost superscript "1.5*109/L",
  "2x103 IU/mL"): the quantity has a literal reading (1.5 in ``10*9/L``) and a
  folded one (1.5e9 in ``/L``; 2000 in ``[IU]/mL``);
* a bare "104 copies/mL" is also read as 10^4 when the unit is one the lexicon
  lists as losing powers; "100,000" is one number; "100.000" may be either;
* the unit written after it, as UCUM (through :func:`normalizer.units.to_ucum`);
* a ULN/LLN limit after it ("2.5 x ULN", "1.5 times the upper limit of normal"),
  and a ULN/LLN limit with no number at all ("<= ULN": 1 x ULN);
* the comparator that governs it: its own ("greater than 2", "18 or older"),
  the two ends of a range ("18-75", "between 18 and 75"), a list of values
  ("ECOG 0, 1 or 2"), or one carried over from the previous quantity
  ("HBV DNA >= 10^4 copies/mL or 2000 IU/mL").

All offsets are into the criterion text; the text is read through the rules
lexicon's same-length view (``patterns.toml``: escapes, dashes and code-page
garbles undone), so offsets never move.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from ..catalog import load_catalog
from ..models import RelativeTo
from ..reader import glued_to_word
from ..units import to_ucum
from .lexicon import Shared, load_evidence, load_shared

__all__ = ["Op", "Quantity", "Reading", "Role", "Scan", "known_unit", "scan"]

Op = Literal["ge", "gt", "le", "lt", "eq"]
Role = Literal[
    "own",  # the quantity's own comparator (before or after it), or none
    "inherited",  # carried from the previous quantity across "or" / "(" / "/"
    "carried",  # carried from the previous quantity across a comma or "and": weaker
    "range-lo",
    "range-hi",
    "list-lo",
    "list-mid",
    "list-hi",
]

# not inside a word, and not an identifier's number ("ICD-10", "DSM-5", "COVID-19")
# a number; glued to a comparator, list or range word that lost its blank too
# ("greater than100", "ASA 1 or2"), as the extractor's NUMBER reads it.  The first digit
# comes first and the lookbehinds reach over it: re finds a pattern that starts with a
# digit by a fast scan for digits (one that starts with lookbehinds is tried at every
# position: ten times slower).
_GLUED = glued_to_word(over=r"\d")
_NUMBER = re.compile(
    rf"\d(?:(?<![\w.]\d)|(?<=[^\w.][xX]\d)|{_GLUED})"
    r"(?<![A-Za-z]-\d)\d*(?:[.,]\d+){0,5}"
)
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DOT_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_DECIMAL_COMMA = re.compile(r"(\d+),(\d{1,2})")
_BARE_POWER = re.compile(r"\s*(?:\^|\*\*|[eE])\s*\(?\s*(-?\d{1,2})\s*\)?(?![\d.])")
_UNIT_LINK = re.compile(
    r"\s*(?:,\s*)?(?:or|and|to|-|/|,)\s*(?P<cmp>[^\w\s]{1,3}|[A-Za-z][A-Za-z ]{0,30}?)?\s*",
    re.IGNORECASE,
)
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and/or|or|and)?|and/or|or|/)\s*", re.IGNORECASE)
_STRONG_LINK = re.compile(r"\s*,?\s*(?:or|\(|/|or\s*\()\s*", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:not|no)\s+$", re.IGNORECASE)
_UNIT_STOP = set(";,()[]<>≤≥=\n")
_COUNTED = re.compile(r"[A-Za-z]+\+?\s?/")
_MULTIPLIER_GAP = re.compile(r"\s*[xX*]\s*")  # "> x3 upper normal limit"
_UNIT_GOES_ON = re.compile(r"\s*(?:/|per\b)", re.IGNORECASE)
_UNIT_WINDOW = 40
_SHORT_RANGE = 400  # characters: mentions of a longer range come from the whole view's
_NAMED_GAP = 120  # characters: fillers and one variable's name between a comparator and its value
_INVERT: dict[str, Op] = {"gt": "le", "lt": "ge", "ge": "lt", "le": "gt"}


@dataclass(frozen=True, slots=True)
class Reading:
    """One way to read a quantity.

    The value, the unit written after it as UCUM (None: none written), and the
    ULN/LLN it multiplies.
    """

    value: float
    unit: str | None
    relative: RelativeTo | None = None


@dataclass(slots=True)
class Quantity:
    """A number in the criterion text and what is written around it."""

    start: int
    end: int
    """End of the number with its power of ten (the part a curator reads as 'the number')."""
    stop: int
    """End of its unit or ULN/LLN phrase (``end`` when neither)."""
    text: str
    readings: list[Reading]
    implicit: bool = False
    """A ULN/LLN limit written without a number ('<= ULN'): 1 x ULN."""
    word: bool = False
    pair: bool = False
    """'0,1' or '1,5': a list of two or a decimal comma; read both ways."""
    op: Op | None = None
    phrase: str = ""
    ambiguous: bool = False
    role: Role = "own"
    after: int = 0
    """End of a comparator written after it ('or older'), else ``stop``."""
    group: tuple[int, ...] = ()
    """Indices of the quantities of its range or list, in order."""

    def values(self) -> list[float]:
        """The distinct values of its readings."""
        return sorted({r.value for r in self.readings})

    def describe(self) -> str:
        """The quantity as written, for messages."""
        return "'ULN'" if self.implicit else repr(self.text)


@dataclass(slots=True)
class Scan:
    """Every quantity of a criterion, with the text they were read from."""

    text: str
    view: str
    quantities: list[Quantity] = field(default_factory=list)
    _clause_breaks: list[tuple[int, int]] | None = None
    _named: list[tuple[int, int, str]] | None = None

    def inside(self, start: int, end: int) -> Iterator[tuple[int, Quantity]]:
        """Quantities whose number overlaps ``[start, end)``."""
        for i, q in enumerate(self.quantities):
            if q.start < end and q.end > start:
                yield i, q

    def mentions(self, start: int, end: int) -> set[str]:
        """Catalog variable ids named in ``text[start:end]``.

        A range longer than :data:`_SHORT_RANGE` is answered from the mentions of
        the whole view, found once: a long clause read again for each of its many
        limits would make the cost quadratic.
        """
        if end - start <= _SHORT_RANGE:
            return mentions(self.view, start, end)
        if self._named is None:
            self._named = _named_at(self.view, 0, len(self.view))
        return {var for a, b, var in self._named if start <= a and b <= end}

    def _breaks(self) -> list[tuple[int, int]]:
        """Every clause break of the view, ``(start, end)``, found once (then bisected)."""
        if self._clause_breaks is None:
            self._clause_breaks = [
                (m.start(), m.end()) for m in _lexicon().clause_break.finditer(self.view)
            ]
        return self._clause_breaks

    def clause_start(self, pos: int) -> int:
        """Start of the clause holding ``pos`` (after the last ';' or sentence end)."""
        breaks = self._breaks()
        # the last break that ends at or before pos (as finditer(view, 0, pos) finds it)
        k = bisect.bisect_right(breaks, (pos, pos)) - 1
        while k >= 0 and breaks[k][1] > pos:
            k -= 1
        return breaks[k][1] if k >= 0 else 0

    def clause_end(self, pos: int) -> int:
        """End of the clause holding ``pos``."""
        breaks = self._breaks()
        k = bisect.bisect_left(breaks, (pos, -1))
        return breaks[k][0] if k < len(breaks) else len(self.view)


def _lexicon() -> Shared:
    return load_shared()


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
        return Quantity(start, end, relative.end(), text[start:end], readings)
    after = end
    if view[end : end + 1] == ")" and view[:start].rstrip().endswith("("):
        after = end + 1  # "three (3) years"
    unit, unit_end = _unit_at(view, after)
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


def _comparators(view: str, quantities: list[Quantity]) -> None:
    lex = _lexicon()
    prev = 0
    for q in quantities:
        best: re.Match[str] | None = None
        for m in lex.before.finditer(view, prev, q.start):
            if (
                lex.filler_gap.fullmatch(view, m.end(), q.start)
                or _MULTIPLIER_GAP.fullmatch(view, m.end(), q.start)
                or _restated(view, m.end(), q)
                or _named_between(view, m.end(), q.start)
            ):
                best = m
        q.after = q.stop
        if best is not None:
            _set_op(q, "before", best.group(), view, best.start())
        else:
            # "18 or older"; not after a value with its own comparator ("below 18 and
            # above 45": "and above" is the next value's)
            post = lex.after.match(view, q.stop)
            if post is not None:
                _set_op(q, "after", post.group(), view, post.start())
                q.after = post.end()
        prev = max(prev, q.after)


def _named_between(view: str, start: int, end: int) -> bool:
    """'greater than NYHA 2': only fillers and one variable's name between."""
    if end - start > _NAMED_GAP:
        return False  # fillers and one name are short: a long gap is never one
    names = list(_lexicon().mentions.pattern.finditer(view, start, end))
    if len(names) != 1:
        return False
    m = names[0]
    lex = _lexicon()
    return bool(
        lex.filler_gap.fullmatch(view, start, m.start())
        and lex.filler_gap.fullmatch(view, m.end(), end)
    )


def _restated(view: str, start: int, q: Quantity) -> bool:
    """'three (3)': the gap before ``q`` is the same number in words and a '('."""
    m = re.fullmatch(r"\s*([A-Za-z][A-Za-z\s-]*?)\s*\(\s*", view[start : q.start])
    if m is None:
        return False
    value = load_evidence().value_of(m.group(1))
    return value is not None and value in q.values()


def _set_op(q: Quantity, position: str, phrase: str, view: str, where: int) -> None:
    meaning = _lexicon().comparator(position, phrase.strip())
    if meaning is None:
        return
    op: Op = meaning.op
    phrase = phrase.strip()
    negation = _NEGATION.search(view, 0, where)
    if op in _INVERT and negation is not None and not re.match(r"(?i)(?:not|no)\b", phrase):
        op = _INVERT[op]
        phrase = f"{negation.group().strip()} {phrase}"
    q.op, q.phrase, q.ambiguous = op, phrase, meaning.ambiguous


def _ranges_and_lists(view: str, quantities: list[Quantity]) -> None:
    lex = _lexicon()
    n = len(quantities)
    i = 0
    while i < n - 1:
        a, b = quantities[i], quantities[i + 1]
        gap = lex.range_gap.fullmatch(view, a.after, b.start)
        if gap is None and a.op is None and b.op in ("le", "lt") and b.role == "own":
            # "4 to < 17 years": a range whose upper end has its own comparator
            sep = lex.range_gap.match(view, a.after, b.start)
            word = sep.group().strip().lower() if sep is not None else ""
            if sep is not None and word not in ("and", "") and lex.before.match(view, sep.end()):
                a.role = "range-lo"
                a.group = (i, i + 1)
                _share_unit(a, b)
                i += 2
                continue
        if (
            gap is not None
            and (a.op is None or (a.op in ("ge", "gt") and not a.ambiguous))
            and not a.implicit
            and not b.implicit
            and a.values()[0] <= b.values()[-1]
            and (
                not re.fullmatch(r"\s*and\s*", gap.group(), re.IGNORECASE)
                or lex.range_opener.search(view, 0, a.start)
            )
        ):
            b.op = None
            a.role, b.role = "range-lo", "range-hi"
            a.group = b.group = (i, i + 1)
            _share_unit(a, b)
            i += 2
            continue
        i += 1
    i = 0
    while i < n - 1:
        chain = [i]
        while chain[-1] + 1 < n:
            x, y = quantities[chain[-1]], quantities[chain[-1] + 1]
            if not (
                _LIST_GAP.fullmatch(view, x.after, y.start)
                and (x.op is None or (x.op == "eq" and len(chain) == 1))
                and y.op is None
                and x.role == "own"
                and y.role == "own"
                and not x.implicit
                and not y.implicit
                and all(v.is_integer() for v in x.values() + y.values())
                and max(x.values()) < min(y.values())
            ):
                break
            chain.append(chain[-1] + 1)
        if len(chain) > 1:
            for k in chain:
                quantities[k].role = "list-mid"
                quantities[k].group = tuple(chain)
            quantities[chain[0]].role = "list-lo"
            quantities[chain[-1]].role = "list-hi"
        i = chain[-1] + 1


def _share_unit(a: Quantity, b: Quantity) -> None:
    """'18-75 years': the first value takes the unit written after the second."""
    units = {r.unit for r in b.readings if r.unit is not None}
    rel = {r.relative for r in b.readings if r.relative is not None}
    if any(r.unit or r.relative for r in a.readings):
        return
    extra = [Reading(r.value, u, None) for r in a.readings for u in units]
    extra += [Reading(r.value, None, x) for r in a.readings for x in rel]
    a.readings = a.readings + extra


def _inherit(view: str, quantities: list[Quantity]) -> None:
    lex = _lexicon()
    for prev, q in itertools.pairwise(quantities):
        link = _UNIT_LINK.fullmatch(view, prev.after, q.start)
        if link is not None and q.op is not None and prev.role == "own":
            # "< 3.5 or > 5.1 mEq/L": two limits written with one unit
            only = link.group("cmp")
            if only is None or lex.before.fullmatch(only.strip()):
                _share_unit(prev, q)
        if (
            q.op is not None
            or q.role != "own"
            or prev.op is None
            or prev.role
            not in (
                "own",
                "inherited",
                "carried",
            )
        ):
            continue
        if prev.ambiguous:
            continue
        if _STRONG_LINK.fullmatch(view, prev.after, q.start):
            q.role = "inherited"
        elif lex.clause_break.search(view, prev.after, q.start) is None:
            q.role = "carried"
        else:
            continue
        q.op, q.phrase = prev.op, prev.phrase


def scan(text: str) -> Scan:
    """Every quantity of ``text`` with its readings and comparator."""
    view = _lexicon().view(text)
    quantities: list[Quantity] = []
    for start, end, values, pair in _number_tokens(view):
        if quantities and start < quantities[-1].stop:
            continue  # a digit inside the previous quantity's unit or power
        q = _quantity(view, text, start, end, values)
        q.pair = pair
        quantities.append(q)
    quantities += _word_quantities(view, text, quantities)
    quantities += _implicit_limits(view, text, quantities)
    quantities.sort(key=lambda q: q.start)
    _comparators(view, quantities)
    _ranges_and_lists(view, quantities)
    _inherit(view, quantities)
    return Scan(text, view, quantities)


# --------------------------------------------------------------------------
# Variable mentions
# --------------------------------------------------------------------------


def _named_at(view: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """``(start, end, variable id)`` of every mention in ``view[start:end]``, in order."""
    lex = _lexicon()
    found = [(m.start, m.end, m.variable) for m in lex.mentions.find(view, start, end)]
    for finder, position in ((lex.before, "before"), (lex.after, "after")):
        for m in finder.finditer(view, start, end):
            meaning = lex.comparator(position, m.group().strip())
            if meaning is not None and meaning.implies is not None:
                found.append((m.start(), m.end(), meaning.implies))
    return found


def mentions(view: str, start: int, end: int) -> set[str]:
    """Catalog variable ids named in ``view[start:end]`` (including 'older than': age)."""
    return {var for _, _, var in _named_at(view, start, end)}
