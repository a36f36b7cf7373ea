"""Reading a criterion of a *dev* corpus document through the whole pipeline.

Regression tests of the rules use real registry text from the development split
only: :func:`read` checks the split and that the text is the file's own.
"""

from __future__ import annotations

from pathlib import Path

from normalizer.evaluation.split import split_of
from normalizer.extract.rules import RulesExtractor
from normalizer.models import Constraint, Criterion, Section, Status
from normalizer.pipeline import normalize_text

from .conftest import need_shared

SHARED = Path(__file__).parents[1].parent / "shared"
CHIA = "corpus/chia/chia_without_scope/"
LCT = "corpus/lct/leaf_clinical_trials/"

Bounds = tuple[tuple[float, bool] | None, tuple[float, bool] | None]
Expected = list[tuple[str, Bounds, str | None]]
"""Each constraint read: variable, bounds, unit."""
Case = tuple[str, Section, str, Expected, Status]
"""A dev criterion (source, section, text), what it reads as, and its status."""

def case_id(case: Case) -> str:
    """A short test id: the criterion's first words."""
    return case[2][:40]


def read(rules: RulesExtractor, source: str, text: str, section: Section) -> Criterion:
    """The one criterion ``text`` of the dev document ``source`` (under ``shared/``)."""
    need_shared()
    assert split_of(source) == "dev", "rules are written from the development split only"
    assert text in (SHARED / source).read_text("utf-8"), "the text is the corpus's own"
    doc = normalize_text(text, name=source, extractor=rules, default_section=section)
    assert len(doc.criteria) == 1
    return doc.criteria[0]


def bounds(c: Constraint) -> Bounds:
    lo = None if c.lower is None else (c.lower.value, c.lower.inclusive)
    hi = None if c.upper is None else (c.upper.value, c.upper.inclusive)
    return lo, hi


def check(rules: RulesExtractor, case: Case) -> None:
    """The case's criterion reads as it expects, with its status."""
    source, section, text, expected, status = case
    crit = read(rules, source, text, section)
    assert [(c.variable, bounds(c), c.unit) for c in crit.constraints] == expected
    assert crit.status == status, [f.code for f in crit.findings]
