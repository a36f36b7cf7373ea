"""Reading what the registry and the criteria say: a registry age, a sex restriction.

:func:`read_registry_age` ('18 Years', '6 Months', 'N/A' as a
:class:`RegistryAge` in years) and :func:`sex_restriction` (the one sex an
inclusion criterion restricts enrolment to).  See :mod:`normalizer.verify.registry`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..models import (
    Criterion,
)
from ..units import convert
from ..words import amount_words
from .registry_rules import Sex, _sex_patterns, load_age_words


@dataclass(frozen=True, slots=True)
class RegistryAge:
    """A registry age as read: ``years`` (None when absent), or ``unreadable``."""

    written: str | None
    years: float | None = None
    number: float | None = None
    unit: str | None = None
    """UCUM code of the registry's unit ('a', 'mo', ...)."""
    step: float = 1.0
    """One of the registry's units, in years (the rounding tolerance is half of it)."""
    unreadable: bool = False

    def words(self) -> str:
        """'18 years', '6 months' (the registry's own unit)."""
        assert self.number is not None
        return amount_words(self.number, self.unit)


_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*$")


def read_registry_age(written: str | None) -> RegistryAge:
    """Read a registry age ('18 Years', '6 Months', 'N/A'); never raises.

    >>> read_registry_age("6 Months").years
    0.5
    >>> read_registry_age("N/A").years is None, read_registry_age("18").unreadable
    (True, True)
    """
    words = load_age_words()
    if written is None or written.strip().lower() in words.absent:
        return RegistryAge(written)
    match = _AGE.match(written)
    unit = words.units.get(match.group(2).lower()) if match else None
    if match is None or unit is None:
        return RegistryAge(written, unreadable=True)
    number = float(match.group(1))
    years = convert(number, unit, "age")
    step = convert(1.0, unit, "age")
    if years is None or step is None or not math.isfinite(years):
        return RegistryAge(written, unreadable=True)
    return RegistryAge(written, years=years, number=number, unit=unit, step=step)


def sex_restriction(crit: Criterion) -> Sex | None:
    """The one sex an inclusion criterion restricts enrolment to, or None."""
    if crit.section != "inclusion":
        return None
    text = " ".join(crit.text.split())
    found = {sex for pattern, sex in _sex_patterns() if pattern.search(text)}
    return found.pop() if len(found) == 1 else None
