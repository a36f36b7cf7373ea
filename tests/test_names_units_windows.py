"""Limits once accepted with nothing read, or not read at all, on real registry text.

Each text is a criterion of a *dev* document of the Chia or LCT corpus (checked: the
split, and that the text is in the file), read through the whole pipeline.  The
classes (issue 15):

* a grade note inside a score's own name: "K-L grade 2-3" was set aside as a tumour
  grade, so the criterion was accepted with nothing read (the Kellgren-Lawrence
  grade is a catalog id since schema 6);
* a month abbreviation that is the start of a word: "10 decibel" was a date
  ("10 Dec");
* names of life expectancy the catalog lacked ("Expectancy of survival <6 months",
  accepted with the window explained as temporal), and a window whose words lead to
  its value ("for at least 2 months"), and "life expectancy within 12 months" (at
  most 12 months: 'within' after a time-valued variable);
* units no spelling knew: "cc per minute" (the 60 was explained as a dose),
  dioptres, decibels;
* the ventricular rate of atrial fibrillation is the heart rate.
"""

from __future__ import annotations

import pytest

from normalizer.extract.rules import RulesExtractor

from .dev_text import CHIA, LCT, Case, case_id, check, read


@pytest.fixture(scope="module")
def rules() -> RulesExtractor:
    return RulesExtractor()


CASES: list[Case] = [
    (
        LCT + "batch14/NCT03920020.txt",
        "inclusion",
        "Being radiographically K-L grade 2-3",
        [("kellgren_lawrence", ((2, True), (3, True)), None)],
        "needs_review",  # an id of schema 6: held for review
    ),
    (
        CHIA + "NCT02923700_exc.txt",
        "exclusion",
        "Kellgren-Lawrence score at X-ray evaluation > 3;",
        [("kellgren_lawrence", ((3, False), None), None)],
        "needs_review",
    ),
    (
        LCT + "batch9/NCT03864731.txt",
        "exclusion",
        "Conductive hearing loss >10 decibel on average",
        [("other", ((10, False), None), "dB")],
        "needs_review",  # not a catalog variable
    ),
    (
        LCT + "batch12/NCT03921502.txt",
        "exclusion",
        "Expectancy of survival <6 months.",
        [("life_expectancy", (None, (6, False)), "mo")],
        "accepted",
    ),
    (
        CHIA + "NCT01701219_inc.txt",
        "inclusion",
        "Expectation of survival for at least 2 months.",
        [("life_expectancy", ((2, True), None), "mo")],
        "accepted",
    ),
    (
        CHIA + "NCT03382106_exc.txt",
        "exclusion",
        "A glomerular filtration rate of 60 cc per minute or less.",
        [("egfr", (None, (60, True)), "mL/min")],
        "accepted",
    ),
    (
        LCT + "batch10/NCT03869164.txt",
        "exclusion",
        "life expectancy within 12 months;",
        [("life_expectancy", (None, (12, True)), "mo")],
        "needs_review",  # 'within' read as at most; verification reads no comparator
    ),
    (
        LCT + "batch12/NCT03921931.txt",
        "exclusion",
        "ametropia below 3 diopters",
        [("other", (None, (3, False)), "[diop]")],
        "needs_review",
    ),
    (
        LCT + "batch12/NCT03921931.txt",
        "exclusion",
        "MD <= 10 dB",
        [("other", (None, (10, True)), "dB")],
        "needs_review",
    ),
    (
        CHIA + "NCT02985242_exc.txt",
        "exclusion",
        "atrial fibrillation/flutter with a mean ventricular response rate at rest "
        ">100 beats per minute",
        [("heart_rate", ((100, False), None), "/min")],
        "accepted",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_read(rules: RulesExtractor, case: Case) -> None:
    check(rules, case)


def test_kellgren_lawrence_grades_in_roman_numerals_go_to_review(rules: RulesExtractor) -> None:
    crit = read(
        rules,
        CHIA + "NCT02904785_inc.txt",
        "Clinical and radiologic diagnosis of primary knee osteoarthritis "
        "(Kellgren & Lawrence I, II or III);",
        "inclusion",
    )
    assert crit.status == "needs_review" and not crit.constraints
    [unread] = [f for f in crit.findings if f.code == "roman-numeral-unread"]
    assert "'II' (Kellgren-Lawrence grade)" in unread.message


def test_a_month_name_must_be_a_whole_word(rules: RulesExtractor) -> None:
    """A date still reads as one: the fix only stops 'dec' inside 'decibel'."""
    for text in ("Signed consent before 10 December 2019", "enrolled on 3 Jan. 2018"):
        extraction = rules.read(text)
        assert extraction.constraints == []
        assert extraction.notes and {n.reason for n in extraction.notes} == {"date"}, text
    notes = rules.read("Conductive hearing loss >10 decibel on average").notes
    assert all(n.reason != "date" for n in notes)


def test_roman_grades_said_before_the_name_go_to_review(rules: RulesExtractor) -> None:
    """The grade comes first and the classification's name at the clause's end."""
    crit = read(
        rules,
        LCT + "batch14/NCT03921749.txt",
        "subjects diagnosed with grade II or III OA during radiologicalexamination as "
        "defined by the radiological classification of Kellgren and Lawrence (K-L) scale "
        "for knee OA",
        "inclusion",
    )
    assert crit.status == "needs_review"
    assert "roman-numeral-unread" in {f.code for f in crit.findings}
