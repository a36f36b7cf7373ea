"""Whether an inclusion criterion is met by any one of its limits, not by all of them.

"Creatinine < 2.0 mg/dL, or creatinine clearance > 40 mL/min" and "hypertension
(systolic BP >= 140 or diastolic BP >= 90 mmHg)" admit a patient who meets either
limit; "fulfilling at least one of the following: ... fasting glucose > 126 mg/dL;
... HbA1c > 6.5%" likewise.  Read as all of them, the derived eligible sets and the
FHIR and OMOP exports would demand every limit and turn such patients away.

A criterion is *any of* when it is an inclusion criterion with two or more
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
from itertools import pairwise

from ..models import Constraint, Criterion

__all__ = ["any_of", "combination"]

_LEAD = re.compile(
    r"\b(?:(?:at\s+least\s+)?one|any(?:\s+one)?)\s+of\s+(?:the\s+)?(?:following|these|those)\b",
    re.IGNORECASE,
)
_AT_MOST = re.compile(
    r"\b(?:maximum|max\.?|at\s+most|no\s+more\s+than|not\s+more\s+than|none|only|exactly)"
    r"\s+(?:of\s+)?(?:one\s+|1\s+)?of\b",
    re.IGNORECASE,
)
_OR = re.compile(
    r"\bor\b(?!\s+(?:more|less|greater|higher|lower|above|below|older|younger|over|under"
    r"|fewer|longer|shorter|better|worse|equal)\b)",  # "9 g/dL or more" is a comparator
    re.IGNORECASE,
)
_AND = re.compile(r";|\band\b(?!\s*/\s*or)|\bwith\b|\bplus\b|\bas\s+well\s+as\b", re.IGNORECASE)
_TAIL = re.compile(
    r"[\s,)\]]*(?:or|and\s*/\s*or)\s+(?!(?:more|less|greater|higher|lower|above|below|older"
    r"|younger|over|under|fewer|longer|shorter|better|worse|equal)\b)"
    r"(?P<alternative>[A-Za-z(][^;.]*[A-Za-z)])",
    re.IGNORECASE,
)
_ALTERNATIVE_CHARS = 120


def any_of(crit: Criterion) -> bool:
    """Whether ``crit`` (an inclusion criterion) is met by any one of its constraints."""
    return combination(crit)[0]


def combination(crit: Criterion) -> tuple[bool, str | None]:
    """Whether ``crit`` is *any of*, and the alternative its text adds that no limit reads."""
    if crit.section != "inclusion":
        return False, None
    limits = sorted((c for c in crit.constraints if not c.qualifier), key=lambda c: c.evidence)
    if not limits:
        return False, None
    base = crit.span[0]
    joined = len(limits) >= 2 and _joined(crit.text, base, limits)
    if len(limits) >= 2 and not joined:
        return False, None
    tail = _TAIL.match(crit.text, max(c.evidence[1] for c in limits) - base)
    if tail is None:
        return joined, None
    text = " ".join(tail.group("alternative").split())
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].rstrip()  # "(SBP >= 140 or ... or treatment with drugs)"
    return True, text[:_ALTERNATIVE_CHARS]


def _joined(text: str, base: int, limits: list[Constraint]) -> bool:
    lead = text[: max(0, limits[0].evidence[0] - base)]
    if _LEAD.search(lead) and not _AT_MOST.search(lead):
        return True
    for before, after in pairwise(limits):
        # two limits on one name share the start of their evidence ("Platelet count <
        # 80,000/mm3 or > 700,000/mm3"): then what joins them is after the first's end
        start, end = before.evidence[1], after.evidence[0]
        if end < start:
            end = after.evidence[1]
        gap = text[start - base : end - base]
        if not _OR.search(gap) or _AND.search(gap):
            return False
    return True
