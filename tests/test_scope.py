"""Whose limit it is and when it applies: data/scope.toml's examples, run end to end.

Each example is real corpus text (checked below).  One that must be flagged may not
leave a plain, accepted limit: its criterion is not ``accepted`` and the flagged
constraint is out of the derived eligible set.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from normalizer.extract.rules import RulesExtractor
from normalizer.models import Document, Section
from normalizer.pipeline import normalize_text
from normalizer.verify.scope import ScopeExample, load_scope

from .conftest import SEEDS, need_shared

EXAMPLES = load_scope().examples
HEADER: dict[Section, str] = {
    "inclusion": "Inclusion Criteria:",
    "exclusion": "Exclusion Criteria:",
}


def normalized(text: str, section: Section) -> Document:
    return normalize_text(f"{HEADER[section]}\n- {text}\n", name="t", extractor=RulesExtractor())


def scope_codes(doc: Document) -> list[str]:
    return [f.code for c in doc.criteria for f in c.findings if f.code == "scope-unclear"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.text[:50])
def test_scope_example(example: ScopeExample) -> None:
    doc = normalized(example.text, example.section)
    (crit,) = doc.criteria
    if example.flag:
        assert scope_codes(doc), crit.findings
        assert crit.status != "accepted"
        flagged = {f.constraint for f in crit.findings if f.code == "scope-unclear"}
        derived = {cid for e in doc.eligibility for cid in e.criteria}
        if flagged == set(range(len(crit.constraints))):
            assert crit.id not in derived
    else:
        assert not scope_codes(doc), crit.findings


def test_examples_cover_both_ways() -> None:
    assert {e.flag for e in EXAMPLES} == {True, False}


def test_scope_examples_are_real_corpus_text() -> None:
    need_shared()
    roots = [
        SEEDS,
        SEEDS.parent / "corpus" / "chia" / "chia_without_scope",
        SEEDS.parent / "corpus" / "lct" / "leaf_clinical_trials",
    ]
    corpus = "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for root in roots
        for p in sorted(Path(root).rglob("*.txt"))
    )
    assert [e.text for e in EXAMPLES if e.text not in corpus] == []


# The shapes the issue names, as a curator would meet them outside the corpora: none may
# be accepted as a plain age or a plain lab range.
BRIEF = [
    ("Household contacts under 12 months of age", "exclusion"),
    ("Major surgery no older than 30 days", "exclusion"),
    ("Women older than 35 years who smoke", "exclusion"),
    ("Patients ≥1 and ≤6 months after myocardial infarction", "inclusion"),
    (
        "(patients with creatinine ≥1.4 and ≤2.0 must have a creatinine clearance ≥50)",
        "exclusion",
    ),
    # the age the patient had at an event, not the age now
    ("Age at diagnosis 18 years or older", "inclusion"),
    ("Diagnosed with type 1 diabetes at age < 10 years", "inclusion"),
    ("Aged 40 years or younger at the time of diagnosis", "inclusion"),
    # another person's limit
    ("Donor weight > 50 kg", "inclusion"),
    ("Donor serum creatinine > 1.5 mg/dL", "exclusion"),
    ("Partner with BMI > 30 kg/m2", "exclusion"),
    ("Estimated fetal weight < 2500 g", "exclusion"),
    # a lead naming whom the limits after it are for
    ("In patients with liver metastases, ALT ≤ 5 x ULN", "inclusion"),
    ("For patients with Gilbert syndrome: total bilirubin ≤ 3 x ULN", "inclusion"),
    ("In women, hemoglobin ≥ 10 g/dL", "inclusion"),
    ("For the paediatric cohort: weight ≥ 10 kg", "inclusion"),
    # a limit for the patients on a treatment, or for a group named with a bracket in it
    ("Patients on anticoagulants must have an INR < 3", "inclusion"),
    ("Patients receiving warfarin should have INR between 2 and 3", "inclusion"),
    (
        "Patients with lymphoma other than diffuse large B cell lymphoma (DLBCL) must have "
        "received at least 2 prior lines of therapy",
        "inclusion",
    ),
]


@pytest.mark.parametrize(
    ("text", "variable"),
    [
        ("Age ≥ 18 years at the time of screening", "age"),
        ("Aged 18 to 65 at the time of consent", "age"),
        ("Women whose partner is infertile, with BMI 18-30 kg/m2", "bmi"),
        ("In the opinion of the investigator, hemoglobin ≥ 9 g/dL", "hemoglobin"),
    ],
)
def test_the_patients_own_limit_is_accepted(text: str, variable: str) -> None:
    (crit,) = normalized(text, "inclusion").criteria
    assert crit.status == "accepted", crit.findings
    assert [c.variable for c in crit.constraints] == [variable]


@pytest.mark.parametrize(("text", "section"), BRIEF)
def test_wrong_scope_is_never_accepted(text: str, section: Section) -> None:
    doc = normalized(text, section)
    (crit,) = doc.criteria
    assert crit.status != "accepted", crit
    assert not [e for e in doc.eligibility if crit.id in e.criteria]
