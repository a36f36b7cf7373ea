"""Inclusion criteria met by any one of their limits (schema 8, ``Criterion.any_of``).

"Creatinine < 2.0 mg/dL, or creatinine clearance > 40 mL/min" was read right, limit by
limit, and accepted; but the derived eligible sets and the FHIR and OMOP exports then
demanded both limits, and turned away the patient with creatinine 2.5 mg/dL and a
clearance of 45 mL/min whom the criterion admits.  Every text below is a criterion of a
*dev* document of Chia (checked by :func:`~tests.dev_text.read`).
"""

from __future__ import annotations

import dataclasses

import pytest

from normalizer.evaluation.split import split_of
from normalizer.export.fhir import bundle_of, readings_of_bundle, validate_bundle
from normalizer.export.fhir_codes import fhir_id
from normalizer.export.omop import cohort_of, readings_of_cohort
from normalizer.export.selection import reading_of, select
from normalizer.extract.rules import RulesExtractor
from normalizer.models import Criterion, Document
from normalizer.pipeline import normalize_text
from normalizer.verify.alternatives import CombinationExample, load_combination

from .conftest import need_shared
from .dev_text import CHIA, LCT, SHARED, read

ANY_OF = [
    (
        CHIA + "NCT01082549_inc.txt",
        "Creatinine <2.0 mg/dL, or creatinine clearance >40 mL/min (as calculated by the "
        "Cockcroft-Gault method.",
        ["creatinine", "creatinine_clearance"],
    ),
    (
        CHIA + "NCT01994382_inc.txt",
        "Serum creatinine of < 1.5 ULN or calculated CrCl of > 50 mL/min",
        ["creatinine", "creatinine_clearance"],
    ),
    (
        CHIA + "NCT00943865_inc.txt",
        "hypertension (systolic blood pressure ≥ 140 or diastolic blood pressure ≥90 mmHg or "
        "treatment with antihypertensive drugs).",
        ["sbp", "dbp"],
    ),
    (
        CHIA + "NCT02816762_inc.txt",
        "Previous diagnosis of type 2 diabetes, fulfilling at least one of the following "
        "criteria: 1) current treatment with oral antidiabetic drugs and/or insulin; 2) a "
        "fasting glucose value above 126 mg/dl on at least 2 occasions; 3) blood glucose level "
        "at 2 hours after an oral glucose tolerance test is equal to or more than 200 mg/dl; or "
        "4) a glycated hemoglobin (HbA1c) level > 6.5 %",
        ["glucose", "glucose", "hba1c"],
    ),
]


@pytest.fixture(scope="module")
def rules() -> RulesExtractor:
    return RulesExtractor()


@pytest.mark.parametrize(
    ("source", "text", "variables"), ANY_OF, ids=[t[:30] for _, t, _ in ANY_OF]
)
def test_alternatives_are_any_of_and_left_out_of_the_sets(
    rules: RulesExtractor, source: str, text: str, variables: list[str]
) -> None:
    crit = read(rules, source, text, "inclusion")
    assert [c.variable for c in crit.constraints] == variables
    assert crit.any_of
    [note] = [f for f in crit.findings if f.code == "eligibility-alternatives"]
    assert note.severity == "info" and crit.id in note.message
    assert crit.status == "accepted"  # the limits are read right; the sets say what they hold


def test_at_most_one_of_is_no_alternative(rules: RulesExtractor) -> None:
    crit = read(
        rules,
        CHIA + "NCT02785549_inc.txt",
        "Maximum one of the following SIRS criteria (* T>38 ºC or <36ºC, L>12,000 or <4000/uL, "
        "HR>90 bpm, RR<20 rpm) or CRP>15 mg/dL",
        "inclusion",
    )
    assert len({c.variable for c in crit.constraints}) >= 2
    assert not crit.any_of


def _document(text: str) -> Document:
    return normalize_text(text, name="t", extractor=RulesExtractor())


def test_limits_joined_by_and_or_a_semicolon_stay_all_of() -> None:
    doc = _document(
        "Inclusion Criteria:\n"
        "- Age 18 to 75 years and BMI < 35 kg/m2\n"
        "- Hemoglobin >= 9 g/dL; platelets >= 100,000/mm3 or more\n"
        "- Male or female, of either sex, with HbA1c >= 7% and fasting glucose >= 126 mg/dL\n"
        "Exclusion Criteria:\n"
        "- Hemoglobin < 9 g/dL or platelets < 100,000/mm3\n"
    )
    assert [(c.id, c.any_of, len({k.variable for k in c.constraints})) for c in doc.criteria] == [
        ("inc-1", False, 2),
        ("inc-2", False, 2),
        ("inc-3", False, 2),
        ("exc-1", False, 2),  # an exclusion excludes on any one of its limits already
    ]
    assert all(f.code != "eligibility-alternatives" for c in doc.criteria for f in c.findings)
    assert {s.variable for s in doc.eligibility} >= {"age", "bmi", "hemoglobin", "hba1c"}


def test_sets_hold_a_one_variable_alternative_as_the_union() -> None:
    """Two limits on one variable joined by "or" are its union; before schema 8 their
    intersection was empty and the criteria were flagged eligibility-empty."""
    doc = _document(
        "Inclusion Criteria:\n"
        "- HbA1c > 7% or fasting glucose > 126 mg/dL\n"
        "- Platelet count < 80,000/mm3 or > 700,000/mm3\n"
        "- Age 18 years or older\n"
    )
    inc1, inc2, _ = doc.criteria
    assert inc1.any_of and inc2.any_of
    sets = {s.variable: s for s in doc.eligibility}
    assert "hba1c" not in sets and "glucose" not in sets  # inc-1 bounds two variables
    platelets = sets["platelets"]
    assert platelets.criteria == ["inc-2"] and not platelets.empty
    assert [
        (iv.lower and iv.lower.value, iv.upper and iv.upper.value) for iv in platelets.intervals
    ] == [
        (None, 80.0),
        (700.0, None),
    ]
    assert all(f.code != "eligibility-empty" for f in inc2.findings)


def test_exports_combine_an_any_of_criterion_with_any_of() -> None:
    doc = _document(
        "Inclusion Criteria:\n- Creatinine < 2.0 mg/dL, or creatinine clearance > 40 mL/min\n"
    )
    [crit] = doc.criteria
    assert crit.status == "accepted" and crit.any_of
    export = select(doc)
    bundle = bundle_of(export)
    validate_bundle(bundle)
    evidence = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "EvidenceVariable"
    )
    [inclusion] = evidence["characteristic"]
    [criterion] = inclusion["definitionByCombination"]["characteristic"]
    assert criterion["definitionByCombination"]["code"] == "any-of"
    assert len(criterion["definitionByCombination"]["characteristic"]) == 2
    [rule] = cohort_of(export)["InclusionRules"]
    assert rule["expression"]["Type"] == "ANY"


def test_the_json_says_any_of_only_when_true() -> None:
    crit = Criterion(id="inc-1", section="inclusion", text="x", span=(0, 1))
    assert "any_of" not in crit.model_dump(mode="json")
    crit.any_of = True
    assert crit.model_dump(mode="json")["any_of"] is True


UNREAD = [
    (
        LCT + "batch9/NCT03862963.txt",
        "HbA1c ≥ 8.0% or diagnosed with T2D and taking diabetes medication",
        "diagnosed with T2D and taking diabetes medication",
    ),
]


def test_an_alternative_no_constraint_reads_is_kept_and_leaves_the_sets(
    rules: RulesExtractor,
) -> None:
    """ "HbA1c ≥ 8.0% or diagnosed with T2D ..." was an accepted HbA1c limit that the sets
    and the exports demanded of every patient; the diagnosed, treated one is eligible."""
    [(source, text, alternative)] = UNREAD
    crit = read(rules, source, text, "inclusion")
    assert [c.variable for c in crit.constraints] == ["hba1c"]
    assert crit.any_of and crit.alternative == alternative
    [note] = [f for f in crit.findings if f.code == "eligibility-alternatives"]
    assert alternative in note.message
    doc = _document(f"Inclusion Criteria:\n- {text}\n- Age >= 18 years\n")
    assert [s.variable for s in doc.eligibility] == ["age"]
    export = select(doc)
    bundle = bundle_of(export)
    validate_bundle(bundle)
    want = [reading_of(export.record_id, sel) for sel in export.constraints]
    fhir_want = [dataclasses.replace(r, criterion_id=fhir_id(r.criterion_id)) for r in want]
    assert readings_of_bundle(bundle) == fhir_want  # the alternative is no reading
    evidence = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "EvidenceVariable"
    )
    [inclusion] = evidence["characteristic"]
    first = inclusion["definitionByCombination"]["characteristic"][0]
    assert first["definitionByCombination"]["code"] == "any-of"
    assert first["definitionByCombination"]["characteristic"][-1]["description"] == alternative
    cohort = cohort_of(export)
    assert cohort["InclusionRules"][0]["expression"]["Type"] == "ANY"
    assert any(cs["name"] == f"alternative: {alternative}" for cs in cohort["ConceptSets"])
    assert readings_of_cohort(cohort, export.record_id) == want


def test_limits_all_required_then_or_a_condition_are_left_as_they_are() -> None:
    doc = _document(
        "Inclusion Criteria:\n- SBP >= 140 mmHg and DBP >= 90 mmHg, or on antihypertensive "
        "treatment\n- Serum or plasma creatinine level less than or equal to 2 times the upper "
        "limit of normal\n"
    )
    assert [(c.any_of, c.alternative) for c in doc.criteria] == [(False, None), (False, None)]


EXAMPLES = load_combination().examples


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.text[:30] for e in EXAMPLES])
def test_combination_examples(rules: RulesExtractor, example: CombinationExample) -> None:
    """data/combination.toml's examples, each read through the whole pipeline."""
    doc = normalize_text(example.text, name="t", extractor=rules, default_section=example.section)
    [crit] = doc.criteria
    assert len(crit.constraints) >= 1
    assert (crit.any_of, crit.alternative) == (example.any_of, example.alternative)


def test_combination_examples_are_dev_corpus_text_both_ways() -> None:
    need_shared()
    assert {e.any_of for e in EXAMPLES} == {True, False}
    assert any(e.alternative for e in EXAMPLES)
    dev = "\n".join(
        p.read_text(encoding="utf-8")
        for root in (SHARED / CHIA, SHARED / LCT)
        for p in sorted(root.rglob("*.txt"))
        if split_of(p.name) == "dev"
    )
    assert [e.text for e in EXAMPLES if e.text not in dev] == []


def test_a_qualified_limit_after_or_is_read_not_an_alternative() -> None:
    """The text after the last limit, qualified ones too, is the alternative: the second
    limit here is read (for women only), so there is no unread alternative."""
    doc = _document(
        "Inclusion Criteria:\n- Triglycerides > 150 mg/dL or HDL < 50 mg/dL in women\n"
    )
    [crit] = doc.criteria
    assert [c.qualifier for c in crit.constraints] == [None, "in women"]
    assert crit.alternative is None
