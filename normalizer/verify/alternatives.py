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
"""

from __future__ import annotations

import re
from itertools import pairwise

from ..models import Criterion

__all__ = ["any_of"]

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


def any_of(crit: Criterion) -> bool:
    """Whether ``crit`` (an inclusion criterion) is met by any one of its constraints."""
    if crit.section != "inclusion":
        return False
    limits = sorted((c for c in crit.constraints if not c.qualifier), key=lambda c: c.evidence)
    if len(limits) < 2:
        return False
    base = crit.span[0]
    lead = crit.text[: max(0, limits[0].evidence[0] - base)]
    if _LEAD.search(lead) and not _AT_MOST.search(lead):
        return True
    for before, after in pairwise(limits):
        # two limits on one name share the start of their evidence ("Platelet count <
        # 80,000/mm3 or > 700,000/mm3"): then what joins them is after the first's end
        start, end = before.evidence[1], after.evidence[0]
        if end < start:
            end = after.evidence[1]
        gap = crit.text[start - base : end - base]
        if not _OR.search(gap) or _AND.search(gap):
            return False
    return True
