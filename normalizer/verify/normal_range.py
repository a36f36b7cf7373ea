"""Limits stated as the normal range itself that no constraint read.

"AST and ALT within normal limits", "creatinine within the ULN", "Hb WNL": a limit
with no number, which the rules do not read (the normal range is two limits, or
one, and the text rarely says which), so without this check the criterion would be
accepted with nothing read.  A :attr:`~normalizer.reader.Reader.normal_range`
phrase after a catalog variable's name in the same clause, which no constraint's
evidence covers, is a ``normal-range-unread`` warning: the criterion goes to review.
"""

from __future__ import annotations

from functools import cache

from ..catalog import load_catalog
from ..models import Criterion, Finding
from ..reader import load_reader
from ..regex_start import can_match, required_words
from .bounds import covered, evidence_spans
from .codes import finding
from .describe import quote
from .scan import Scan

__all__ = ["unread_normal_range"]


@cache
def _words() -> frozenset[str] | None:
    pattern = load_reader().normal_range
    return required_words(pattern.pattern, pattern.flags)


def unread_normal_range(crit: Criterion, sc: Scan) -> list[Finding]:
    """A warning naming each normal-range limit on a named variable that nothing read."""
    if not can_match(sc.view, _words()):
        return []
    evidence = evidence_spans(crit)
    catalog = load_catalog()
    loose: list[str] = []
    for m in load_reader().normal_range.finditer(sc.view):
        a, b = m.span()
        if covered(a, b, evidence):
            continue
        named = sc.mentions(sc.clause_start(a), a)
        if not named:  # "laboratory values within normal limits": no variable to hold it
            continue
        labels = sorted(catalog.label(i) for i in named)
        loose.append(f"{quote(sc.text[a:b], 40)} ({', '.join(labels)})")
    if not loose:
        return []
    return [
        finding(
            "normal-range-unread",
            f"a limit stated as the normal range that no constraint reads: {'; '.join(loose)}",
        )
    ]
