"""Lists of score values and comparisons in words: what the rules must not accept.

The shapes are those of dev corpus text ("ECOG) score of 0, 1 or 2", "NYHA 2 or worse",
"should be ≥34 letters or better"), written short so that each test holds one rule:
a list of score values is one range only when no value is left out between, and a
score compared in words no comparator form reads is never an exact value.
"""

from __future__ import annotations

import pytest

from normalizer.extract.rules import RulesExtractor
from normalizer.pipeline import normalize_text

from .test_vitals_catalog import Bounds, bounds


@pytest.fixture(scope="module")
def rules() -> RulesExtractor:
    return RulesExtractor()


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("ECOG 0, 1 or 2", [("ecog", ((0, True), (2, True)))]),
        ("ASA 1 or2", [("asa_class", ((1, True), (2, True)))]),
        ("Karnofsky 70, 80 or 90", [("karnofsky", ((70, True), (90, True)))]),
        ("ECOG 0 or 2", [("ecog", ((0, True), (0, True))), ("ecog", ((2, True), (2, True)))]),
        ("GCS 3-8 or 13", [("gcs", ((3, True), (8, True))), ("gcs", ((13, True), (13, True)))]),
    ],
)
def test_a_list_of_scores_is_one_range_only_without_a_gap(
    rules: RulesExtractor, text: str, want: list[tuple[str, Bounds]]
) -> None:
    """'ECOG 0 or 2' excludes 1: it is no range 0..2, and it is not accepted as one."""
    doc = normalize_text(text, name="list", extractor=rules, default_section="inclusion")
    [crit] = doc.criteria
    assert [(c.variable, bounds(c)) for c in crit.constraints] == want
    if len(want) > 1:
        assert crit.status != "accepted"


@pytest.mark.parametrize(
    "text",
    [
        "ETDRS letter score of 34 letters or better",
        "BCVA letter score of 19 letters or worse",
        "ETDRS letter score of 34 or better",
    ],
)
def test_a_score_compared_in_words_the_rules_do_not_read_is_not_an_exact_value(
    rules: RulesExtractor, text: str
) -> None:
    """'34 letters or better' is no '= 34': the value goes to review, not 'score-value'."""
    doc = normalize_text(text, name="words", extractor=rules, default_section="inclusion")
    [crit] = doc.criteria
    assert crit.status == "needs_review"
    assert "score-value" not in [f.code for f in crit.findings]
    assert "comparator-missing" in [f.code for f in crit.findings]
