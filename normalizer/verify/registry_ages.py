"""The registry's ages against the text's eligible ages, end by end.

Which criterion (and constraint) states each end of the eligible set for age,
how it is said, whether a registry age agrees with it (within half of the finer
unit, or the exclusive form one unit out), the finding each side draws, and the
registry's ages as an eligible set when the text states none.  See
:mod:`normalizer.verify.registry` (how ages compare, where findings go).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..catalog import load_catalog
from ..models import (
    Bound,
    Constraint,
    Criterion,
    EligibilityInterval,
    EligibilitySet,
)
from ..units import convert
from ..words import amount_words
from .codes import finding
from .describe import quote
from .registry_reading import RegistryAge
from .registry_result import _Out
from .registry_rules import Side


@dataclass(frozen=True, slots=True)
class _End:
    """One end of the text's eligible ages: value in years, and who states it."""

    years: float
    inclusive: bool
    criterion: Criterion | None
    constraint: int | None
    words: str
    """'at least 18 years', in the unit the criterion wrote."""
    step: float | None = None
    """One of the unit the criterion wrote, in years (None: no criterion holds it)."""


_SIDE_WORDS = {
    ("minimum", True): "at least",
    ("minimum", False): "over",
    ("maximum", True): "at most",
    ("maximum", False): "under",
}


def _usable(crit: Criterion, k: int, c: Constraint) -> bool:
    if crit.section == "unknown" or c.qualifier or c.variable != "age" or c.canonical is None:
        return False
    return not any(f.severity == "error" and f.constraint in (k, None) for f in crit.findings)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _holder(side: Side, years: float, criteria: list[Criterion]) -> tuple[Criterion, int] | None:
    """The first criterion (and constraint) whose age limit is this end of the eligible set."""
    for crit in criteria:
        for k, c in enumerate(crit.constraints):
            if not _usable(crit, k, c) or c.canonical is None:
                continue
            inclusion = crit.section == "inclusion"
            wanted = c.canonical.lower if (side == "minimum") == inclusion else c.canonical.upper
            if wanted is not None and _close(wanted, years):
                return crit, k
    return None


def _age_unit() -> str | None:
    age = load_catalog().get("age")
    return age.canonical_unit if age is not None else None


def _end_words(side: Side, bound: Bound, unit: str | None) -> str:
    return f"{_SIDE_WORDS[(side, bound.inclusive)]} {amount_words(bound.value, unit)}"


def _end(side: Side, bound: Bound | None, criteria: list[Criterion]) -> _End | None:
    if bound is None:
        return None
    held = _holder(side, bound.value, criteria)
    if held is None:
        words = f"the text says {_end_words(side, bound, _age_unit())}"
        return _End(bound.value, bound.inclusive, None, None, words)
    crit, k = held
    c = crit.constraints[k]
    stated = c.lower if (side == "minimum") == (crit.section == "inclusion") else c.upper
    assert stated is not None
    if crit.section == "inclusion":
        words = f"{crit.id} says {_end_words(side, stated, c.unit)}"
    else:  # an exclusion states the complement: "age < 18" leaves at least 18
        other: Side = "maximum" if side == "minimum" else "minimum"
        excluded = _end_words(other, stated, c.unit)
        kept = _end_words(side, Bound(value=stated.value, inclusive=not stated.inclusive), c.unit)
        words = f"{crit.id} excludes {excluded}, leaving {kept}"
    step = convert(1.0, c.unit, "age") if c.unit is not None else None
    return _End(bound.value, bound.inclusive, crit, k, words, step)


def _agrees(side: Side, end: _End, reg: RegistryAge) -> tuple[bool, bool]:
    """(agrees, only as the exclusive form one unit out)."""
    assert reg.years is not None
    step = end.step or reg.step
    half = min(step, reg.step) / 2 + 1e-9
    if abs(end.years - reg.years) <= half:
        return True, not end.inclusive
    if not end.inclusive:
        inner = end.years + step if side == "minimum" else end.years - step
        if abs(inner - reg.years) <= half:
            return True, True
    return False, False


def _registry_words(side: Side, reg: RegistryAge) -> str:
    return f"{_SIDE_WORDS[(side, True)]} {reg.words()} ({side} age {reg.written})"



def _compare_side(
    side: Side, reg: RegistryAge, end: _End | None, text_has_age: bool, out: _Out
) -> None:
    if reg.unreadable:
        out.add(finding(
            "registry-age-unreadable",
            f"the registry's {side} age {quote(reg.written or '')} is not a number with a unit "
            "of time; it was not compared with the text",
        ), None)
        return
    if reg.years is None and end is None:
        return
    if end is None:
        said = f"the registry says {_registry_words(side, reg)}; no criterion states a {side} age"
        if not text_has_age:
            said += ", so the registry's ages are the eligible ages"
        out.add(finding("registry-age-only", said), None)
        return
    k = end.constraint
    if reg.years is None:
        absent = "N/A" if reg.written else "absent"
        out.add(finding(
            "registry-age-missing",
            f"{end.words}; the registry states no {side} age (the field is {absent})", k,
        ), end.criterion)
        return
    agrees, exclusive = _agrees(side, end, reg)
    if agrees:
        said = f"the registry's {side} age ({reg.written}) agrees with the text: {end.words}"
        if exclusive:
            said += " (the registry writes whole units and cannot write 'over' or 'under')"
        out.add(finding("registry-age-agrees", said, k), end.criterion)
        return
    out.add(finding(
        "registry-age-disagrees",
        f"the registry says {_registry_words(side, reg)}; {end.words}", k,
    ), end.criterion)


def _age_set(minimum: RegistryAge, maximum: RegistryAge) -> EligibilitySet | None:
    if minimum.years is None and maximum.years is None:
        return None
    lower = Bound(value=minimum.years, inclusive=True) if minimum.years is not None else None
    upper = Bound(value=maximum.years, inclusive=True) if maximum.years is not None else None
    empty = lower is not None and upper is not None and lower.value > upper.value
    return EligibilitySet(
        variable="age",
        unit=_age_unit(),
        intervals=[] if empty else [EligibilityInterval(lower=lower, upper=upper)],
        empty=empty,
        criteria=[],
        origin="registry",
    )
