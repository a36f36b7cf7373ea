"""The registry's structured fields against what the text says.

ClinicalTrials.gov states a minimum and maximum age and a sex for every study
beside the free text.  :func:`check_registry` compares them with what was read
from the criteria and says, with a stable code, whether they agree:

======================  ===========================================================
code                    when
======================  ===========================================================
registry-age-agrees     a registry age and the text's limit on that end agree (info)
registry-age-disagrees  they differ: the message names both and where each is from
registry-age-only       the registry states an end the text does not (info)
registry-age-missing    the text states an end the registry leaves N/A (info)
registry-age-unreadable a registry age is not '18 Years', '6 Months', 'N/A' ...
registry-sex-disagrees  an inclusion criterion restricts to one sex, the registry
                        says another sex or all
======================  ===========================================================

How ages compare
----------------
In years (the unit table's factors: 6 months is 0.5 years), end by end: the
text's end is the end of the derived eligible set for age (so an exclusion
"age < 18" gives a minimum of 18).  A registry age is inclusive and written in
whole units, so a text limit agrees when the two are within half of the finer
of the two units (the criterion's and the registry's: 17.6 years agrees with
"18 Years", 6 months with "6 Months" and 28 days with "4 Weeks", but 6 months
not with "1 Year"), or when the text's limit is exclusive and one of its own
units out: the registry cannot write "over", so "> 18 years" agrees with minimum
"18 Years" (and "> 17 years" with it too), and "< 18 years" agrees with maximum
"18 Years" or "17 Years".  The message of an exclusive agreement says so.

Where findings go
-----------------
A comparison with a text limit goes on the constraint that states that limit
(so the criterion's status and the review queue show it beside the reading);
a registry end that no criterion states, and an unreadable registry value, go
in the document's own ``findings``.  When no criterion states any age, the
registry's ages are the document's eligible ages: an
:class:`~normalizer.models.EligibilitySet` with ``origin="registry"`` and no
criteria.  When the text states an age, the eligible set stays the text's.

Sex restrictions are read by the rules of ``data/sex.toml`` (conservative: only
clear restrictions, see that file); agreement on sex draws no finding.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..catalog import load_catalog
from ..models import (
    Bound,
    Constraint,
    Criterion,
    EligibilityInterval,
    EligibilitySet,
    Finding,
    RegistryFields,
)
from ..units import convert
from ..words import amount_words
from .codes import finding
from .describe import quote

__all__ = [
    "AgeWords",
    "RegistryAge",
    "RegistryCheck",
    "SexRule",
    "SexRules",
    "check_registry",
    "load_age_words",
    "load_sex_rules",
    "read_registry_age",
    "sex_restriction",
]

Side = Literal["minimum", "maximum"]
Sex = Literal["female", "male"]


class AgeExample(BaseModel):
    """A registry age and what it reads as."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str
    years: float | None = None
    reads: Literal["absent", "unreadable"] | None = None


class AgeWords(BaseModel):
    """The contents of ``registry_ages.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    absent: list[str]
    units: dict[str, str] = Field(description="Unit word (lower case) -> UCUM code.")
    examples: list[AgeExample] = Field(default_factory=list)


class SexRule(BaseModel):
    """One way a criterion restricts enrolment to one sex, with what it must (not) match."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    sex: Sex
    pattern: str
    matches: list[str] = Field(min_length=1)
    not_matches: list[str] = Field(min_length=1)


class SexRules(BaseModel):
    """The contents of ``sex.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    rules: list[SexRule]


def _data(name: str) -> dict[str, object]:
    raw = resources.files("normalizer").joinpath(f"data/{name}").read_text("utf-8")
    return tomllib.loads(raw)


@cache
def load_age_words() -> AgeWords:
    """Load and validate the packaged ``registry_ages.toml`` (cached)."""
    return AgeWords.model_validate(_data("registry_ages.toml"))


@cache
def load_sex_rules() -> SexRules:
    """Load and validate the packaged ``sex.toml`` (cached)."""
    return SexRules.model_validate(_data("sex.toml"))


@cache
def _sex_patterns() -> tuple[tuple[re.Pattern[str], Sex], ...]:
    return tuple(
        (re.compile(rule.pattern, re.IGNORECASE), rule.sex) for rule in load_sex_rules().rules
    )


# --------------------------------------------------------------------------
# Reading registry values
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# The comparison
# --------------------------------------------------------------------------


@dataclass
class RegistryCheck:
    """What :func:`check_registry` found."""

    by_criterion: dict[str, list[Finding]] = field(default_factory=dict)
    """New findings by criterion id (on the constraint that states the limit)."""
    document: list[Finding] = field(default_factory=list)
    """Findings that no criterion holds (Document.findings)."""
    eligibility: list[EligibilitySet] = field(default_factory=list)
    """The eligible sets, with the registry's ages added when the text states none."""


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


class _Out:
    def __init__(self) -> None:
        self.check = RegistryCheck()

    def add(self, f: Finding, crit: Criterion | None) -> None:
        if crit is None:
            self.check.document.append(f)
        else:
            self.check.by_criterion.setdefault(crit.id, []).append(f)


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


def _sex(criteria: list[Criterion], registry: RegistryFields, out: _Out) -> None:
    if registry.sex is None:
        return
    restricting = [(c, s) for c in criteria if (s := sex_restriction(c)) is not None]
    if len({s for _, s in restricting}) != 1:  # none, or both sexes (one bullet each)
        return
    people = {"female": "women", "male": "men"}
    for crit, sex in restricting:
        if registry.sex != sex:
            out.add(finding(
                "registry-sex-disagrees",
                f"{crit.id} restricts enrolment to {people[sex]} ({quote(crit.text, 60)}); "
                f"the registry's sex field says {registry.sex}",
            ), crit)


def check_registry(
    criteria: list[Criterion], eligibility: list[EligibilitySet], registry: RegistryFields
) -> RegistryCheck:
    """Compare the registry's age and sex fields with what the criteria say.

    ``eligibility`` is the document's derived sets (:func:`~.document.check_document`);
    the returned sets are the same, with the registry's ages added (marked
    ``origin="registry"``) when no criterion states an age.
    """
    out = _Out()
    out.check.eligibility = list(eligibility)
    minimum = read_registry_age(registry.minimum_age)
    maximum = read_registry_age(registry.maximum_age)
    text_has_age = any(c.variable == "age" for crit in criteria for c in crit.constraints)
    ages = [s for s in eligibility if s.variable == "age" and s.relative_to is None]
    age = ages[0] if ages else None
    if age is not None and not age.empty:
        lower, upper = age.intervals[0].lower, age.intervals[-1].upper
        _compare_side("minimum", minimum, _end("minimum", lower, criteria), True, out)
        _compare_side("maximum", maximum, _end("maximum", upper, criteria), True, out)
    elif not text_has_age:
        _compare_side("minimum", minimum, None, False, out)
        _compare_side("maximum", maximum, None, False, out)
        made = _age_set(minimum, maximum)
        if made is not None:
            order = load_catalog().order
            at = sum(1 for s in eligibility if order.get(s.variable, len(order)) < order["age"])
            out.check.eligibility.insert(at, made)
    else:  # the text states an age no eligible set could use (qualified, rejected ...)
        if minimum.unreadable:
            _compare_side("minimum", minimum, None, True, out)
        if maximum.unreadable:
            _compare_side("maximum", maximum, None, True, out)
    _sex(criteria, registry, out)
    return out.check

