"""The rules extractor and verification read criteria text with one reader.

Regression tests for the places where their two private copies of
``patterns.toml`` had drifted (issue 11), and checks that they now hold the same
compiled objects, so that they differ in policy only, never in what they can read.
"""

from __future__ import annotations

import pytest

from normalizer import RulesExtractor, normalize_text
from normalizer.extract.rules.lexicon import load_lexicon
from normalizer.patterns import load_patterns
from normalizer.reader import load_reader
from normalizer.verify import scan as verify_scan
from normalizer.verify.lexicon import load_shared

SHARED_FIELDS = [
    "before", "after", "comparators", "relative", "power", "bare_power", "garbled_power",
    "garbled_exponents", "lost_power_units", "range_gap", "range_opener", "filler_gap",
    "clause_break", "blocker", "time_units", "dose_units",
]


def read(
    text: str, section: str = "Inclusion"
) -> tuple[list[tuple[str, float | None, float | None]], str, list[str]]:
    doc = normalize_text(f"{section} Criteria:\n* {text}", name="x", extractor=RulesExtractor())
    crit = doc.criteria[0]
    bounds = [
        (c.variable, c.lower.value if c.lower else None, c.upper.value if c.upper else None)
        for c in crit.constraints
    ]
    return bounds, crit.status, [f.code for f in crit.findings]


@pytest.mark.parametrize("field", SHARED_FIELDS)
def test_extractor_and_verification_hold_the_same_compiled_part(field: str) -> None:
    reader = load_reader()
    assert getattr(load_lexicon(), field) is getattr(reader, field)
    assert getattr(load_shared(), field) is getattr(reader, field)


def test_one_reader_for_both() -> None:
    assert load_lexicon().reader is load_shared() is load_reader()
    assert RulesExtractor()._mentions is load_reader().mentions


# -- range openers: up to 3 words in extraction, none in verification -------------

@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("Patients between the ages of 18 and 65 years", 18, 65),  # the case
        ("Be between age 18 and 55 years", 18, 55),
        ("Adults between age 18 and 75", 18, 75),
        ("Men and women between ages >=18 and 65.", 18, 65),
        ("A male or female between, and including, 18 and 50 years of age", 18, 50),
        ("Subject must be between the ages of 18 and 55 years;", 18, 55),
    ],
)
def test_a_range_opened_words_before_is_read_and_verified_alike(
    text: str, low: float, high: float
) -> None:
    bounds, status, findings = read(text)
    assert bounds == [("age", low, high)]
    assert "comparator-unclear" not in findings
    assert status == "accepted", findings


def test_the_opener_still_needs_an_opener() -> None:
    """Without 'between' or 'from', '18 and 65' is two values, in both readings."""
    reader = load_reader()
    assert reader.range_opener.search("Patients between the ages of ")
    assert not reader.range_opener.search("Patients aged ")
    assert not reader.range_opener.search("between one two three four words ")


# -- comparator phrases: verification matched a different regex --------------------

def test_a_spaced_comparator_is_read_and_verified_alike() -> None:
    bounds, _, findings = read("postnatal age < or= 28 days")
    assert bounds == [("age", None, 28)]
    assert "comparator-unclear" not in findings


@pytest.mark.parametrize("position", ["before", "after"])
def test_every_comparator_phrase_means_the_same_to_both(position: str) -> None:
    lexicon, shared = load_lexicon(), load_shared()
    for entry in load_patterns().comparators:
        if entry.position != position:
            continue
        for form in entry.forms:
            assert lexicon.comparator(position, form) == shared.comparator(position, form), form
            assert lexicon.before.pattern == shared.before.pattern


# -- mentions: verification required the hyphen a name is written with --------------
# (found by comparing both finders over every catalog name, hyphens and blanks swapped)

@pytest.mark.parametrize(
    ("text", "variables"),
    [
        ("albumin corrected calcium", {"calcium"}),  # verification: albumin and calcium
        ("albumin-corrected calcium", {"calcium"}),
        ("HIV 1 RNA", {"hiv_rna"}),  # verification: nothing
        ("plasma HIV 1 RNA", {"hiv_rna"}),
        ("HIV 1 viral load", {"hiv_rna"}),
        ("HIV-1 viral load", {"hiv_rna"}),
        ("body mass index", {"bmi"}),
    ],
)
def test_a_name_is_the_same_mention_for_both(text: str, variables: set[str]) -> None:
    view = load_reader().view(text)
    extracted = {m.variable for m in RulesExtractor()._mentions.find(view)}
    verified = verify_scan.mentions(view, 0, len(view))
    assert extracted == verified == variables


# -- number words: verification read 9 words (and compounds) the extractor did not -------

def test_one_list_of_number_words() -> None:
    from normalizer.verify.lexicon import load_evidence

    assert load_evidence().word_number is load_reader().number_word
    assert load_lexicon().number_word is load_reader().number_word
    assert load_reader().value_of("twenty-five") == 25
    assert load_reader().value_of("seventy") == 70


@pytest.mark.parametrize(
    ("text", "bound"),
    [
        ("at least twenty-five years old", ("age", 25, None)),  # a compound
        ("life expectancy of at least seventeen weeks", ("life_expectancy", 17, None)),
        ("Age at least nineteen years", ("age", 19, None)),
    ],
)
def test_a_number_word_verification_reads_is_read_by_the_extractor(
    text: str, bound: tuple[str, float, float | None]
) -> None:
    bounds, status, findings = read(text)
    assert bounds == [bound]
    assert "unparsed-number" not in findings and status == "accepted", findings


def test_greater_than_slash_equals_to_is_one_comparator() -> None:
    """Gold chia-NCT02894645-exc-1: read as '= 18' and flagged, the gold says >= 18."""
    bounds, status, findings = read(
        "Age less than one year or age greater than/equals to 18 years", "Exclusion"
    )
    assert bounds == [("age", None, 1), ("age", 18, None)]
    assert status == "accepted", findings


# -- a ULN/LLN limit with no number: verification read "<= ULN" as 1 x ULN, the rules
# read nothing (patterns v9 reads it in both) ---------------------------------------

@pytest.mark.parametrize(
    ("text", "section", "expected"),
    [
        ("Bilirubin < ULN.", "Inclusion", ("bilirubin", None, 1.0)),  # Chia NCT01082549
        ("Serum creatinine above ULN", "Exclusion", ("creatinine", 1.0, None)),  # NCT02609048
        ("those received heparin within 48 hours, resulting in an activated partial "
         "thromboplastin time greater than the upper limit of normal.", "Exclusion",
         ("aptt", 1.0, None)),  # LCT NCT03925298
    ],
)
def test_a_limit_without_a_number_is_one_times_the_limit(
    text: str, section: str, expected: tuple[str, float | None, float | None]
) -> None:
    bounds, status, findings = read(text, section)
    assert (bounds, status, findings) == ([expected], "accepted", [])
    doc = normalize_text(f"{section} Criteria:\n* {text}", name="x", extractor=RulesExtractor())
    assert doc.criteria[0].constraints[0].relative_to == "ULN"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the comparator between the multiplier and the limit, once lost: "higher than the
        # ULN" alone read as > 1 x ULN, accepted
        ("ALT three times higher than the upper limit of normal", [("alt", 3.0, None)]),
        ("ALT 3 fold higher than the upper limit of normal", [("alt", 3.0, None)]),
        ("AST a factor of 3 above the upper limit of normal", [("ast", 3.0, None)]),
        ("total bilirubin 1.5 times lower than the ULN", [("bilirubin", None, 1.5)]),
    ],
)
def test_a_comparator_after_the_multiplier_is_read_and_verified_alike(
    text: str, expected: list[tuple[str, float | None, float | None]]
) -> None:
    bounds, status, codes = read(text)
    assert bounds == expected
    assert status == "accepted", codes
