"""Limits stated as the normal range: to review when a variable is named, else nothing."""

from __future__ import annotations

import pytest

from normalizer.extract.rules import RulesExtractor
from normalizer.pipeline import normalize_text


def _criterion(text: str) -> tuple[str, list[str]]:
    doc = normalize_text(f"Inclusion Criteria:\n- {text}\n", name="t", extractor=RulesExtractor())
    (crit,) = doc.criteria
    return crit.status, [f.code for f in crit.findings]


@pytest.mark.parametrize(
    "text",
    [
        # real registry phrasing (Chia NCT03134378 exc, NCT02301962 inc)
        "ALT values within normal limits, and no previous liver disease",
        "Serum Potassium within normal limits.",
        "creatinine within the upper limit of normal",
        "Hemoglobin WNL",
        "AST within the ULN",
        "thyroid dysfunction, with serum TSH out of normal limits",  # Chia NCT00943865 exc
    ],
)
def test_a_named_variable_within_the_normal_range_goes_to_review(text: str) -> None:
    status, codes = _criterion(text)
    assert status == "needs_review"
    assert "normal-range-unread" in codes


@pytest.mark.parametrize(
    "text",
    [
        "Laboratory values within normal limits",  # no catalog variable to hold a limit
        "AST <= ULN",  # read: 1 x ULN
        "Adequate renal function",
    ],
)
def test_no_finding_without_a_variable_or_when_the_limit_is_read(text: str) -> None:
    _status, codes = _criterion(text)
    assert "normal-range-unread" not in codes


def test_a_window_after_life_expectancy_is_its_limit_not_a_date() -> None:
    # LCT NCT03869164 exc: was accepted with nothing read (the window a temporal note);
    # now the rules read 'within' after a time-valued variable as at most (<= 12
    # months), and verification, which reads no comparator there, sends it to review
    status, codes = _criterion("life expectancy within 12 months;")
    assert status == "needs_review" and "comparator-unclear" in codes


def test_a_window_after_age_stays_a_window() -> None:
    # age has no abnormal side: windows near it are everywhere
    status, codes = _criterion(
        "Pregnancy test for woman of childbearing age within 7 days before enrolment"
    )
    assert "unparsed-number" not in codes, (status, codes)
