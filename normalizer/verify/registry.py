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

The data files live in :mod:`.registry_rules`, reading a registry age and a sex
restriction in :mod:`.registry_reading`, the result and where findings go in
:mod:`.registry_result`, the comparison of ages in :mod:`.registry_ages`; this
module puts them together (:func:`check_registry`, with the sex comparison) and
re-exports their public names.
"""

from __future__ import annotations

from ..catalog import load_catalog
from ..models import Criterion, EligibilitySet, RegistryFields
from .codes import finding
from .describe import quote
from .registry_ages import _age_set, _compare_side, _end
from .registry_reading import RegistryAge, read_registry_age, sex_restriction
from .registry_result import RegistryCheck, _Out
from .registry_rules import AgeExample as AgeExample
from .registry_rules import AgeWords, SexRule, SexRules, load_age_words, load_sex_rules
from .registry_rules import Sex as Sex
from .registry_rules import Side as Side

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
