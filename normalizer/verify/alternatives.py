"""Whether an inclusion criterion is met by any one of its limits, not by all of them.

"Creatinine < 2.0 mg/dL, or creatinine clearance > 40 mL/min" and "hypertension
(systolic BP >= 140 or diastolic BP >= 90 mmHg)" admit a patient who meets either
limit; "fulfilling at least one of the following: ... fasting glucose > 126 mg/dL;
... HbA1c > 6.5%" likewise.  Read as all of them, the derived eligible sets and the
FHIR and OMOP exports would demand every limit and turn such patients away.

The words are data (``data/combination.toml``, with the examples its tests run).  A
criterion is *any of* when it is an inclusion criterion with two or more
unqualified constraints and either a lead before the first says so ("at least one
of the following", "any of these"; not "at most one of") or every gap between
two consecutive constraints (by evidence) holds "or" (not "or more") and no "and",
";" or "with".
Exclusion criteria need no mark: any one of their limits excludes already.

The text may also offer an alternative that no constraint reads, after the last limit:
"HbA1c >= 8.0% or diagnosed with T2D and taking diabetes medication", "aged >= 18
years or considered an adult in the country of residence".  The criterion is then
*any of* its limits and that text (:func:`combination` returns it), when its limits are
one or are themselves alternatives; limits that are all required and then "or" a
condition ("A and B, or C") are left as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from pydantic import BaseModel, ConfigDict

from ..data_files import data_toml
from ..models import Constraint, Criterion, Section
from ..phrases import words_regex

__all__ = ["CombinationData", "combination", "load_combination"]

_ALTERNATIVE_CHARS = 120


class CombinationExample(BaseModel):
    """Real corpus text and how its limits must combine."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    section: Section
    any_of: bool
    alternative: str | None = None


class CombinationData(BaseModel):
    """``data/combination.toml``: the words that say how an inclusion criterion's limits combine."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    lead: str
    at_most: str
    comparator_words: list[str]
    join_or: str
    join_and: str
    tail_join: str
    alternative: str
    examples: list[CombinationExample]


@dataclass(frozen=True)
class _Compiled:
    lead: re.Pattern[str]
    at_most: re.Pattern[str]
    join_or: re.Pattern[str]
    join_and: re.Pattern[str]
    tail: re.Pattern[str]


@cache
def load_combination() -> CombinationData:
    """The packaged ``data/combination.toml``, validated (cached)."""
    return CombinationData.model_validate(data_toml("combination.toml"))


@cache
def _compiled() -> _Compiled:
    data = load_combination()
    # "9 g/dL or more" is a comparator, not an alternative
    finishing = r"(?!\s+(?:" + words_regex(data.comparator_words) + r")\b)"
    return _Compiled(
        lead=re.compile(data.lead, re.I),
        at_most=re.compile(data.at_most, re.I),
        join_or=re.compile(data.join_or + finishing, re.I),
        join_and=re.compile(data.join_and, re.I),
        tail=re.compile(
            data.tail_join + finishing + r"\s+(?P<alternative>" + data.alternative + ")", re.I
        ),
    )


def combination(crit: Criterion) -> tuple[bool, str | None]:
    """Whether ``crit`` is *any of*, and the alternative its text adds that no limit reads."""
    if crit.section != "inclusion" or not crit.constraints:
        return False, None
    limits = sorted((c for c in crit.constraints if not c.qualifier), key=lambda c: c.evidence)
    if not limits:
        return False, None
    base = crit.span[0]
    joined = len(limits) >= 2 and _joined(crit.text, base, limits)
    if len(limits) >= 2 and not joined:
        return False, None
    # after every limit, qualified ones too: "TG > 150 mg/dL OR HDL < 50 in females" reads both
    end = max(c.evidence[1] for c in crit.constraints)
    tail = _compiled().tail.match(crit.text, end - base)
    if tail is None:
        return joined, None
    text = " ".join(tail.group("alternative").split())
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].rstrip()  # "(SBP >= 140 or ... or treatment with drugs)"
    return True, text[:_ALTERNATIVE_CHARS]


def _joined(text: str, base: int, limits: list[Constraint]) -> bool:
    rules = _compiled()
    lead = text[: max(0, limits[0].evidence[0] - base)]
    if rules.lead.search(lead) and not rules.at_most.search(lead):
        return True
    for before, after in pairwise(limits):
        # two limits on one name share the start of their evidence ("Platelet count <
        # 80,000/mm3 or > 700,000/mm3"): then what joins them is after the first's end
        start, end = before.evidence[1], after.evidence[0]
        if end < start:
            end = after.evidence[1]
        gap = text[start - base : end - base]
        if not rules.join_or.search(gap) or rules.join_and.search(gap):
            return False
    return True
