"""How findings quote numbers, units and constraints to a curator.

Numbers, units and readings are written by :mod:`normalizer.words`, the one
place that writes them for people ('≥ 18 years', '≤ 2.5 × ULN'); this module
adds the quoting of criterion text.
"""

from __future__ import annotations

from ..models import Bound, Constraint
from ..words import amount_words, bound_words, constraint_words, number_words, unit_words

__all__ = ["bound_text", "num", "quote", "reading", "unit_text", "with_unit"]


def num(value: float) -> str:
    """A number as a person writes it: 18, 2.5, 100000, 1e+10."""
    return number_words(value)


def with_unit(value: float, unit: str | None) -> str:
    """'90 g/L', '18 years', '2.5' (no unit)."""
    return amount_words(value, unit)


def unit_text(unit: str | None) -> str:
    """A unit code as people write it: 'years', '×10⁹/L'."""
    return unit_words(unit)


def quote(text: str, limit: int = 90) -> str:
    """Text in single quotes, shortened in the middle when long."""
    text = " ".join(text.split())
    if len(text) > limit:
        half = (limit - 5) // 2
        text = f"{text[:half].rstrip()} … {text[-half:].lstrip()}"
    return f"'{text}'"


def bound_text(side: str, bound: Bound, unit: str | None = None) -> str:
    """'≥ 18', '< 75 years'."""
    return bound_words(side, bound, unit)


def reading(c: Constraint) -> str:
    """A constraint in one line: 'ALT ≤ 2.5 × ULN', 'age 18 to 75 years', 'ECOG = 2'."""
    return constraint_words(c)
