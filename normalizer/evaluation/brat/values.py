r"""How a brat value text is read: its numbers, its comparator, its unit (both corpora).

* ``value_text`` is ``source[value_span]``.  For a discontinuous Chia value the
  span covers all fragments: Chia splits "greater than or equal to 10 g/dL" into
  "greater than 10 g/dL" OR "equal to 10 g/dL", and only the covering text
  keeps the comparator.  When a gap between fragments holds a digit the
  covering text mixes in another value ("at least 60 kg ... and 48 kg"), so
  numbers and comparator are then read from the fragments alone.
* ``values`` are the numbers in the text, in order.  A power-of-ten multiplier
  belongs to the unit, not to the value: "1.5 x 10^9/L", "1.5×109/L" (the
  registry's flattened superscript) and "10.0\*109/L" all give ``[1.5]`` and
  the multiplier goes to ``unit_text``.  "12,000" is 12000, "1,5" is 1.5, a
  dash between two numbers is a range, not a minus sign.  For LCT only numbers
  inside the annotated ``Value*`` arguments count.
* ``comparator`` comes from the :data:`COMPARATOR_PHRASES` table: a phrase
  before a number ("at least", "≥", "more than") or after it ("or older",
  "or more") applies to that number; a lower and an upper bound, "between", or
  a dash/"to" between two numbers make a ``"range"``.  A bare ``=`` sign gives
  ``None``: in this registry text it is mostly a ≥ or ≤ whose glyph was lost
  ("=18 years"), so it cannot be trusted either way; so does a "±" tolerance.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

__all__ = [
    "COMPARATOR_PHRASES",
    "DIGIT",
    "LOWER",
    "MULTIPLIER",
    "UPPER",
    "Comparator",
    "Span",
    "comparator_of",
    "number_spans",
    "other_readings",
    "parse_comparator",
    "parse_numbers",
    "unit_tail",
]

Comparator = Literal[">", ">=", "<", "<=", "=", "range"]
Span = tuple[int, int]

# "?" marks a bare "=" sign: a lost >= or <= as often as a real equality.
_Cmp = Literal[">", ">=", "<", "<=", "=", "?"]

# (regex, comparator, attaches to): "next" for a phrase before its number
# ("at least 18"), "prev" for one after it ("18 or older").  Matched as one
# alternation, longest first, case-insensitively.
COMPARATOR_PHRASES: tuple[tuple[str, _Cmp, Literal["next", "prev"]], ...] = (
    # >=
    (
        r"≥|⩾|≧|(?<!\w)³(?=\s*\d)|˃\s*=|=\s*/\s*>|>\s*/\s*=|>\s*or\s*=|\\?>\s*_|=\s*>|\\?>\s*=",
        ">=",
        "next",
    ),
    (
        r"\b(?:greater|more|higher|larger|older)\s+(?:than\s+)?(?:or\s+)?equals?(?:\s+to)?\b",
        ">=",
        "next",
    ),
    (
        r"\bequals?\s+(?:to\s+)?or\s+(?:greater|more|higher|larger|older|above|over)(?:\s+than)?\b",
        ">=",
        "next",
    ),
    (
        r"\b(?:at\s+least|no\s+(?:less|fewer|lower)\s+than|not\s+(?:less|fewer|lower)\s+than|"
        r"(?:a\s+)?minimum(?:\s+of)?)",
        ">=",
        "next",
    ),
    (
        r"\b(?:or|and)\s+(?:more|greater|higher|older|above|over|longer|up|bigger|larger)\b",
        ">=",
        "prev",
    ),
    (r"(?<=\d)\s*\+", ">=", "prev"),
    # <=
    (
        r"≤|⩽|≦|£(?=\s*\d)|˂\s*=|=\s*/\s*<|<\s*/\s*=|<\s*or\s*=|\\?<\s*_|=\s*<|\\?<\s*=",
        "<=",
        "next",
    ),
    (
        r"\b(?:less|fewer|lower|smaller|younger)\s+(?:than\s+)?(?:or\s+)?equals?(?:\s+to)?\b",
        "<=",
        "next",
    ),
    (
        r"\bequals?\s+(?:to\s+)?or\s+(?:less|lower|fewer|smaller|younger|below|under)(?:\s+than)?\b",
        "<=",
        "next",
    ),
    (
        r"\b(?:at\s+most|up\s+to|no\s+(?:more|greater|higher)\s+than|"
        r"not\s+(?:more|greater|higher)\s+than|not\s+(?:to\s+)?exceed(?:ing)?|"
        r"(?:does|do|should|must)\s+not\s+exceed|(?:a\s+)?maximum(?:\s+of)?)",
        "<=",
        "next",
    ),
    (r"\b(?:or|and)\s+(?:less|lower|younger|below|under|fewer|shorter|smaller)\b", "<=", "prev"),
    # > and <
    (
        r"\b(?:greater|more|higher|larger|bigger|older|longer)\s+than\b|\bover\b|\babove\b|"
        r"\bexceed(?:s|ing)?\b|\bin\s+excess\s+of\b|\bsuperior\s+to\b|\bbeyond\b|\\?>|＞|˃",
        ">",
        "next",
    ),
    (
        r"\b(?:less|lower|smaller|fewer|younger|shorter)\s+than\b|\bbelow\b|\bunder\b|"
        r"\binferior\s+to\b|\\?<|＜|˂",
        "<",
        "next",
    ),
    # = (words) and the bare, untrustworthy "=" sign
    (r"\b(?:equal\s+to|equals|exactly)\b", "=", "next"),
    (r"=", "?", "next"),
)

_PHRASE = re.compile(
    "|".join(f"({pattern})" for pattern, _, _ in COMPARATOR_PHRASES), re.IGNORECASE
)
_SIDED: dict[_Cmp, Comparator] = {">": ">", ">=": ">=", "<": "<", "<=": "<="}
LOWER = frozenset({">", ">="})
UPPER = frozenset({"<", "<="})

# A power-of-ten multiplier: part of the unit, never a value.  Without a caret
# (the registry's flattened "×109/L") only the usual exponents 3, 6, 9, 12 count,
# so "2 x 100 mg" keeps its 100.
MULTIPLIER = re.compile(
    r"""
    (?:(?:[x×X*]|\\\*)\s*)?
    10\s*(?:\^|\*\*|\*|[eE])\s*\(?[-−]?\d{1,2}\)?(?!\d)
  | (?:[x×X*]|\\\*)\s*10\s*\(\s*[-−]?\d{1,2}\s*\)
  | (?:[x×X*]|\\\*)\s*10(?:3|6|9|12)(?!\d)
  | (?:(?:[x×X*]|\\\*)\s*)?10[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+
  | (?<=\d\s)10(?:3|6|9|12)(?=\s*/)
    """,
    re.VERBOSE,
)
# Numbers that belong to a unit: "mL/min/1.73 m2", "g/24 h".
_IN_UNIT = re.compile(r"(?:/|\bper\b)\s*(?:1[.,]73\s*m(?:2|²|\^2|\*m)?|24\s*-?\s*h)", re.IGNORECASE)
# A number not glued to a preceding letter ("mm3", "HbA1c", "FEV1" and "COVID-19" are
# names, "kg.m-2" a unit).  Thousands: "12,000", "100 000"; a lone comma is a decimal
# comma ("1,5 mg/dL"), the registry's usual meaning.
_NUMBER = re.compile(
    r"(?<![^\W\d_])(?<![.,\d])[-−]?"
    r"(?:\d{1,3}(?:,\d{3})+(?![\d,])|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d.,])"
    r"|\d+(?:[.,]\d+)?|\.\d+)(?!\d)"
)
_UNIT_EXPONENT = re.compile(r"[^\W\d_]-$")
_RANGE_GAP = re.compile(
    r"^[^\d<>≤≥=]{0,12}?(?:-|–|—|~|～|\bto\b|\bthrough\b|\bthru\b)\s*$", re.IGNORECASE
)
_PLUS_MINUS = re.compile(r"±|\+\s*/\s*-|\+\s*-(?!\d)")
_BETWEEN = re.compile(r"\bbetween\b|\bfrom\b.*\bto\b", re.IGNORECASE | re.DOTALL)
DIGIT = re.compile(r"\d")


def _mask_multipliers(text: str) -> tuple[str, list[Span]]:
    spans = [m.span() for pattern in (MULTIPLIER, _IN_UNIT) for m in pattern.finditer(text)]
    masked = list(text)
    for start, end in spans:
        masked[start:end] = " " * (end - start)
    return "".join(masked), spans


def _to_float(token: str) -> float:
    token = token.replace("−", "-")
    if re.fullmatch(r"-?\d{1,3}(?:[, \u00a0\u202f]\d{3})+", token):
        return float(re.sub(r"[, \u00a0\u202f]", "", token))
    return float(token.replace(",", "."))


def number_spans(text: str) -> list[tuple[float, Span]]:
    """Numbers in ``text`` with their spans, multipliers masked."""
    masked, _ = _mask_multipliers(text)
    found: list[tuple[float, Span]] = []
    for match in _NUMBER.finditer(masked):
        token, start = match.group(0), match.start()
        if len(token) == 1 and _UNIT_EXPONENT.search(masked[max(0, start - 2) : start]):
            continue  # "kg.m-2", "min-1"
        if token[0] in "-−":
            before = masked[:start].rstrip()
            # "12-65", "18 -65", "0.5% - 1%", "15°-45°": a dash after a number is a range.
            if before and (before[-1].isdigit() or before[-1] in ")%]°'\""):
                token, start = token[1:], start + 1
        found.append((_to_float(token), (start, match.end())))
    return found


def parse_numbers(text: str) -> list[float]:
    """Return the numbers of a value text, in order.

    ``"1.5 x 10^9/L"`` -> ``[1.5]``; ``"0 - 2"`` -> ``[0.0, 2.0]``; ``"<100,000/mm3"`` ->
    ``[100000.0]``.
    """
    return [value for value, _ in number_spans(text)]


def comparator_of(text: str, numbers: Sequence[Span]) -> Comparator | None:
    """The comparator of ``text`` whose numbers stand at ``numbers`` (see the module docstring)."""
    if not numbers or _PLUS_MINUS.search(text):
        return None  # "23 (+/- 4)" is a centre and a tolerance, not a comparison
    masked, _ = _mask_multipliers(text)
    per_number: list[_Cmp | None] = [None] * len(numbers)
    for match in _PHRASE.finditer(masked):
        assert match.lastindex is not None
        _, cmp, attaches = COMPARATOR_PHRASES[match.lastindex - 1]
        if attaches == "next":
            index = next((i for i, (s, _) in enumerate(numbers) if s >= match.end()), None)
            if index is not None:
                per_number[index] = cmp  # the phrase nearest the number wins
        else:
            index = next(
                (i for i in reversed(range(len(numbers))) if numbers[i][1] <= match.start()),
                None,
            )
            if index is not None and per_number[index] in (None, "?", "="):
                per_number[index] = cmp
    if len(numbers) >= 2:
        gaps = [masked[numbers[i][1] : numbers[i + 1][0]] for i in range(len(numbers) - 1)]
        if _BETWEEN.search(masked) or any(_RANGE_GAP.match(gap) for gap in gaps):
            return "range"
    sided = [(_SIDED[cmp], i) for i, cmp in enumerate(per_number) if cmp and cmp in _SIDED]
    lower = next((i for cmp, i in sided if cmp in LOWER), None)
    upper = next((i for cmp, i in sided if cmp in UPPER), None)
    if lower is not None and upper is not None:
        # ">= 18 and <= 65" is a range; "< 18 or > 65" is not one interval.
        return "range" if lower < upper else None
    if sided:
        return sided[0][0]
    if "=" in per_number:
        return "="
    return None


def parse_comparator(text: str) -> Comparator | None:
    """Return the comparator of a value text: ``"greater than or equal to 10 g/dL"`` -> ``">="``.

    ``None`` when the text has no number, states no direction (a bare value), or
    only a bare ``=`` sign (see the module docstring).
    """
    return comparator_of(text, [span for _, span in number_spans(text)])


def unit_tail(text: str, numbers: Sequence[Span]) -> str | None:
    """Chia has no unit annotation: the unit is what follows the last number."""
    if not numbers:
        return None
    tail = text[numbers[-1][1] :]
    tail = re.sub(r"^\s*(?:[x×X*]|\\\*)(?=\s|\d|[A-Z])\s*", "", tail)  # "x 10^9/L", "x ULN"
    tail = re.sub(r"\s+", " ", _PHRASE.sub(" ", tail)).strip(" .,;:=")
    if tail.count("(") != tail.count(")"):
        tail = tail.strip(" ()[]")
    return tail or None


# Other readings of a value as written, kept beside the literal one: European thousands
# ("150.000 cels/mm3" is 150000) and a power of ten whose superscript was lost ("< 105/mm3"
# is 10^5, "> 103 IU/mL" 10^3).  A prediction on either reading matches.
_DOT_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3})\.(\d{3})(?![\d.,])")
_LOST_POWER = re.compile(r"(?<![\d.,^*x×X])(?<![\dx×X*]\s)10([3-9])(?=\s*(?:/|[A-Za-zµμ]))")


def other_readings(text: str) -> tuple[float, ...]:
    """Other readings of the numbers in ``text``: dot thousands, a lost power of ten."""
    found = [float(a + b) for a, b in _DOT_THOUSANDS.findall(text)]
    found += [10.0 ** int(exp) for exp in _LOST_POWER.findall(text)]
    return tuple(found)
