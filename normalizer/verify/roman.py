"""Score values written in Roman numerals that no constraint read.

NYHA and ASA classes are written in Roman numerals as often as in Arabic ones
("ASA I-III", "NYHA class II or III", "ASA physical status > II").  The rules read
only Arabic numerals and the verifier's scan counts only those, so without this check
"ASA I-III" would be accepted with nothing read, and "ASA 1 or II" as ASA 1 alone.
A Roman numeral next to the name of a catalog variable marked ``roman`` that no
constraint's evidence covers is a ``roman-numeral-unread`` warning: the criterion
goes to review.
"""

from __future__ import annotations

import re
from functools import cache

from ..catalog import load_catalog
from ..models import Criterion, Finding
from ..reader import load_reader
from .bounds import covered, evidence_spans
from .codes import finding
from .describe import quote
from .scan import Scan

__all__ = ["unread_roman"]

_ROMAN = re.compile(r"(?<![A-Za-z0-9])(?:VI?|IV|I{1,3})(?![A-Za-z0-9])")
_AFTER = 40
"""Characters after a name where its value is looked for ("ASA physical status I or II")."""
_BEFORE = 100
"""Characters before a name, within its clause ("Level III or greater on the American
Society of ...", "grade II or III knee osteoarthritis according to the Kellgren and
Lawrence classification": 30 missed the second; 100 took no other criterion of the
corpora to review)."""


@cache
def _roman_variables() -> frozenset[str]:
    return frozenset(v.id for v in load_catalog().variables if v.roman)


def unread_roman(crit: Criterion, sc: Scan) -> list[Finding]:
    """A warning naming the Roman numerals beside a ``roman`` variable that nothing read."""
    if not _ROMAN.search(sc.text):  # most criteria: no numeral, no name to look for
        return []
    roman = _roman_variables()
    named = [m for m in load_reader().mentions.find(sc.view) if m.variable in roman]
    if not named:
        return []
    evidence = evidence_spans(crit)
    loose: dict[int, tuple[str, str]] = {}
    for m in named:
        windows = (
            (max(sc.clause_start(m.start), m.start - _BEFORE), m.start),
            (m.end, min(sc.clause_end(m.end), m.end + _AFTER)),
        )
        for start, end in windows:
            for numeral in _ROMAN.finditer(sc.text, start, end):
                a, b = numeral.span()
                if covered(a, b, evidence):
                    continue
                loose.setdefault(a, (numeral.group(), load_catalog().label(m.variable)))
    if not loose:
        return []
    said = ", ".join(f"{quote(n, 8)} ({name})" for _, (n, name) in sorted(loose.items()))
    return [
        finding(
            "roman-numeral-unread",
            f"Roman numerals no constraint reads: {said}; the rules read Arabic values only",
        )
    ]
