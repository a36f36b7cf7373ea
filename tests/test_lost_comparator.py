"""A bare '=' where the registry lost a ≥ or ≤ (Chia writes "LVEF = 50%" for "LVEF ≥ 50%").

On a measured quantity or score whose abnormal side the catalog states, the rules read
it as the side the section states (inclusion: the normal side; exclusion: the abnormal
one); on age (catalog ``inclusion_side``), an inclusion criterion's one age is the
minimum; always for review.  Elsewhere '=' stays '= x', also for review.
"""

from __future__ import annotations

import pytest

from normalizer.extract.rules import RulesExtractor
from normalizer.models import Section
from normalizer.pipeline import normalize_text

Bounds = list[tuple[str, float | None, float | None]]
HEADERS = {"inclusion": "Inclusion Criteria:", "exclusion": "Exclusion Criteria:"}


def _read(section: Section, text: str) -> tuple[str, Bounds, list[str]]:
    body = f"{HEADERS[section]}\n- {text}\n" if section in HEADERS else f"{text}\n"
    doc = normalize_text(body, name="t", extractor=RulesExtractor())
    (crit,) = doc.criteria
    bounds = [
        (c.variable, c.lower.value if c.lower else None, c.upper.value if c.upper else None)
        for c in crit.constraints
    ]
    return crit.status, bounds, [f.code for f in crit.findings]


@pytest.mark.parametrize(
    ("section", "text", "expected"),
    [
        # real registry text (Chia), the direction the annotators read
        (
            "exclusion",
            "Subject has a life expectancy of = 1 year.",
            [("life_expectancy", None, 1.0)],
        ),
        (
            "inclusion",
            "Subject has structural normal heart with an LVEF = 50%",
            [("lvef", 50.0, None)],
        ),
        (
            "inclusion",
            "Serum creatinine =1.5 mg/dl or eGFR=60(ml/min/1.73 m2)",
            [("creatinine", None, 1.5), ("egfr", 60.0, None)],
        ),
        (
            "exclusion",
            "severe renal impairment (CLcr = 29 mL/min, or eGFR = 29 mL/min/1.73 m2)",
            [("creatinine_clearance", None, 29.0), ("egfr", None, 29.0)],
        ),
        # a score with an abnormal side (MMSE: low), NCT01809041
        (
            "exclusion",
            "Mini-mental State Examination (MMSE) [18] score = 23.",
            [("mmse", None, 23.0)],
        ),
        ("inclusion", "ECOG = 1", [("ecog", None, 1.0)]),
        # age: no abnormal side, but one age in an inclusion criterion is the minimum
        ("inclusion", "Age =18 years", [("age", 18.0, None)]),  # NCT01884337
        ("inclusion", "Patients aged =50 years with DM2", [("age", 50.0, None)]),
    ],
)
def test_a_lost_comparator_is_read_as_the_side_the_section_states(
    section: Section, text: str, expected: Bounds
) -> None:
    status, bounds, codes = _read(section, text)
    assert bounds == expected
    assert status == "needs_review" and "comparator-unclear" in codes


@pytest.mark.parametrize(
    ("section", "text", "expected"),
    [
        ("exclusion", "Age = 75 years", [("age", 75.0, 75.0)]),  # either end is excluded
        ("inclusion", "QRS width = 120 ms", [("other", 120.0, 120.0)]),  # no side known
        ("unknown", "LVEF = 50%", [("lvef", 50.0, 50.0)]),  # no section, no direction
    ],
)
def test_elsewhere_equals_stays_one_value(
    section: Section, text: str, expected: Bounds
) -> None:
    _status, bounds, _codes = _read(section, text)
    assert bounds == expected
