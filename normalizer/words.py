"""Words for people: a constraint and its unit as a clinician writes them.

One place writes a reading for people, and the review table, the review page
and the finding messages all use it:

    >>> from normalizer.models import Bound, Constraint
    >>> age = Constraint(variable="age", label="age", unit="a", evidence=(0, 9),
    ...                  lower=Bound(value=18, inclusive=True))
    >>> constraint_words(age)
    'age ≥ 18 years'
    >>> limits_words(age.model_copy(update={"upper": Bound(value=75, inclusive=True)}))
    '18 to 75 years'
    >>> alt = Constraint(variable="alt", label="ALT", relative_to="ULN", evidence=(0, 9),
    ...                  upper=Bound(value=2.5, inclusive=True))
    >>> limits_words(alt)
    '≤ 2.5 × ULN'
    >>> unit_words("10*9/L"), unit_words("Cel"), unit_words("{copies}/mL")
    ('×10⁹/L', '°C', 'copies/mL')
    >>> amount_words(100, "10*9/L"), amount_words(1, "a"), amount_words(50, "%")
    ('100 ×10⁹/L', '1 year', '50%')

How each UCUM code is written is data (``data/words.toml``).
"""

from __future__ import annotations

import math
import re
from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from .data_files import data_toml
from .models import Bound, Constraint

__all__ = [
    "WordTable",
    "amount_words",
    "bound_words",
    "constraint_words",
    "interval_words",
    "limits_words",
    "load_words",
    "number_words",
    "unit_words",
]

_POWER = re.compile(r"^10\*(-?\d+)(?:\.|(?=/)|$)")
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_PARTS = re.compile(r"([/.()])")
_SYMBOL = {("lower", True): "≥", ("lower", False): ">", ("upper", True): "≤", ("upper", False): "<"}


class WordTable(BaseModel):
    """The contents of ``words.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    tight: list[str] = Field(description="Units written against the number: '50%'.")
    units: dict[str, list[str]] = Field(description="Whole codes: [singular, plural] or [one].")
    atoms: dict[str, str] = Field(description="Parts of composed codes.")


@cache
def load_words() -> WordTable:
    """Load and validate the packaged ``words.toml`` (cached)."""
    return WordTable.model_validate(data_toml("words.toml"))


def number_words(value: float) -> str:
    """A number as a person writes it: 18, 2.5, 100000, 1.5e-05."""
    value = float(value)
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value.is_integer() and abs(value) < 1e12:
        return str(int(value))
    return f"{value:.6g}"


def _composed(code: str) -> str:
    atoms = load_words().atoms
    power = _POWER.match(code)
    front = ""
    if power is not None:
        front = "×10" + power.group(1).translate(_SUPERSCRIPT)
        code = code[power.end() :]
        if code and not code.startswith("/"):
            front += " "
    parts = [atoms.get(p, p) for p in _PARTS.split(code) if p]
    text = "".join("·" if p == "." else p for p in parts)
    return front + text


def unit_words(code: str | None, value: float | None = None) -> str:
    """A UCUM code as people write it: 'years', '°C', '×10⁹/L', 'µmol/L' ('' for none).

    With ``value`` 1 a unit that has a singular takes it ('1 year').
    """
    if not code:
        return ""
    forms = load_words().units.get(code)
    if forms is None:
        return _composed(code)
    if value is not None and value == 1 and len(forms) > 1:
        return forms[0]
    return forms[-1]


def amount_words(value: float, unit: str | None) -> str:
    """A number with its unit: '18 years', '100 ×10⁹/L', '50%', '2.5'."""
    shown = unit_words(unit, value)
    if not shown:
        return number_words(value)
    gap = "" if unit in load_words().tight else " "
    return f"{number_words(value)}{gap}{shown}"


def bound_words(side: str, bound: Bound, unit: str | None = None) -> str:
    """One bound: '≥ 18', '< 8 cm' (``side`` is 'lower' or 'upper')."""
    return f"{_SYMBOL[(side, bound.inclusive)]} {amount_words(bound.value, unit)}"


def interval_words(
    lower: Bound | None,
    upper: Bound | None,
    unit: str | None = None,
    relative_to: str | None = None,
) -> str:
    """Limits for people: '≥ 18 years', '18 to 75 years', '≤ 2.5 × ULN', '= 2'."""

    def end(v: float) -> str:
        if relative_to is not None:
            return f"{number_words(v)} × {relative_to}"
        return amount_words(v, unit)

    lo, hi = lower, upper
    if lo is not None and hi is not None:
        if lo.value == hi.value and lo.inclusive and hi.inclusive:
            return f"= {end(lo.value)}"
        if lo.inclusive and hi.inclusive and lo.value < hi.value:
            return f"{number_words(lo.value)} to {end(hi.value)}"
        return (
            f"{_SYMBOL[('lower', lo.inclusive)]} {number_words(lo.value)} and "
            f"{_SYMBOL[('upper', hi.inclusive)]} {end(hi.value)}"
        )
    if lo is not None:
        return f"{_SYMBOL[('lower', lo.inclusive)]} {end(lo.value)}"
    if hi is not None:
        return f"{_SYMBOL[('upper', hi.inclusive)]} {end(hi.value)}"
    return "any value"


def limits_words(c: Constraint) -> str:
    """The limits of a constraint without its name: '≥ 18 years', '18 to 75 years'."""
    if c.lower is None and c.upper is None:
        return "(no limit)"
    return interval_words(c.lower, c.upper, c.unit, c.relative_to)


def constraint_words(c: Constraint) -> str:
    """A constraint for people: 'age ≥ 18 years', 'ALT ≤ 2.5 × ULN (if liver metastases)'."""
    name = c.label or c.variable
    qualifier = f" ({c.qualifier})" if c.qualifier else ""
    return f"{name} {limits_words(c)}{qualifier}"
