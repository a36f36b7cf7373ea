"""Verification: every finding code on real registry text, and real clean criteria.

Criteria and constraints are built directly (as an extractor would emit them), so
these tests do not depend on any extractor; the end-to-end tests at the bottom go
through ``normalize_text`` with the rules extractor.  Texts come from
``shared/seeds`` and ``shared/corpus`` (Chia, LCT), quoted verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from normalizer.extract.base import Extraction, NumberNote
from normalizer.models import Bound, Constraint, Criterion, Finding, RelativeTo, Section
from normalizer.pipeline import canonical_of
from normalizer.verify import (
    check_criterion,
    check_document,
    compare_extractions,
    findings_markdown,
    load_findings,
    merge_extractions,
    same_constraint,
    status_of,
)

from .conftest import REPO, SEEDS, need_shared

# --------------------------------------------------------------------------
# Building criteria as an extractor would
# --------------------------------------------------------------------------


def ge(v: float) -> Bound:
    return Bound(value=v, inclusive=True)


def gt(v: float) -> Bound:
    return Bound(value=v, inclusive=False)


le = ge
lt = gt


@dataclass
class C:
    """A constraint whose evidence is the first occurrence of ``at`` in the text."""

    variable: str
    at: str
    lower: Bound | None = None
    upper: Bound | None = None
    unit: str | None = None
    relative_to: RelativeTo | None = None
    qualifier: str | None = None
    evidence: tuple[int, int] | None = None

    def build(self, text: str, offset: int = 0) -> Constraint:
        if self.evidence is None:
            start = text.index(self.at)
            evidence = (offset + start, offset + start + len(self.at))
        else:
            evidence = self.evidence
        c = Constraint(
            variable=self.variable,
            label=self.at,
            lower=self.lower,
            upper=self.upper,
            unit=self.unit,
            relative_to=self.relative_to,
            qualifier=self.qualifier,
            evidence=evidence,
            extracted_by=["llm"],
        )
        return c.model_copy(update={"canonical": canonical_of(c)})


@dataclass
class Case:
    text: str
    constraints: list[C] = field(default_factory=list)
    section: Section = "inclusion"
    notes: list[str] = field(default_factory=list)
    """Substrings an extractor noted as not constraints (time windows...)."""
    id: str = "inc-1"


def criterion(case: Case, doc: str | None = None) -> tuple[Criterion, str, Extraction]:
    source = doc if doc is not None else case.text
    start = source.index(case.text)
    crit = Criterion(
        id=case.id,
        section=case.section,
        text=case.text,
        span=(start, start + len(case.text)),
        constraints=[c.build(case.text, start) for c in case.constraints],
    )
    notes = []
    for sub in case.notes:
        at = start + case.text.index(sub)
        notes.append(NumberNote((at, at + len(sub)), "temporal"))
    return crit, source, Extraction(notes=notes)


def verified(case: Case) -> Criterion:
    crit, source, extraction = criterion(case)
    crit.findings = check_criterion(crit, source, extraction)
    crit.status = status_of(crit)
    return crit


def codes(crit: Criterion, *, at_least: str = "info") -> set[str]:
    rank = {"info": 0, "warning": 1, "error": 2}
    return {f.code for f in crit.findings if rank[f.severity] >= rank[at_least]}


def message(crit: Criterion, code: str) -> str:
    return " | ".join(f.message for f in crit.findings if f.code == code)


# --------------------------------------------------------------------------
# One real example per finding code (per constraint and per criterion)
# --------------------------------------------------------------------------

SEED_000_INC_8 = (
    "Major organ function is normal, meeting the following criteria: (i) blood routine "
    "examination A.HB ≥90g/L; b.ANC≥1.5×109/L; C. PLT ≥80×109/L; (ii) Biochemical examination: "
    "a. ALT/AST≤2.5ULN; b. TBIL≤1.5ULN; c. Plasma Cr≤1.5ULN or creatinine clearance "
    "(CCr)≥60ml/min;"
)
SEED_001_INC_7 = (
    "Neutrophil count ≥1.5\\*109/L, platelet count ≥10.0\\*109/L, hemochrome ≥9g/dL; Serum "
    "creatinine ≤1.5 times the upper limit of normal value; Bilirubin ≤1.5 times the upper limit "
    "of normal value, AST, ALT, AKP≤2.5 times the upper limit of normal value."
)

# code -> (case, fragment the message must quote)
EXAMPLES: dict[str, tuple[Case, str]] = {
    "variable-unknown": (
        Case(
            "Age over 18 years old, gender is not limited;",
            [C("age_years", "Age over 18 years old", lower=gt(18), unit="a")],
        ),
        "age_years",
    ),
    "variable-other": (  # seed 001 inc-5
        Case(
            "Length of esophageal lesions \\<8cm.",
            [C("other", "Length of esophageal lesions \\<8cm", upper=lt(8), unit="cm")],
        ),
        "not in the catalog",
    ),
    "variable-unvalidated": (  # Chia NCT02647788 exc-1: an id the catalog holds for review
        Case("ASA> 3;", [C("asa_class", "ASA> 3", lower=gt(3))]),
        "held for review",
    ),
    "bounds-missing": (  # seed 000 inc-7
        Case("Expected survival ≥3 months;", [C("life_expectancy", "Expected survival ≥3 months")]),
        "neither",
    ),
    "bounds-inverted": (  # seed 001 inc-1
        Case("Ages 18-75.", [C("age", "Ages 18-75", lower=ge(75), upper=le(18), unit="a")]),
        "≥ 75",
    ),
    "unit-invalid": (
        Case(SEED_000_INC_8, [C("hemoglobin", "HB ≥90g/L", lower=ge(90), unit="g/liter")]),
        "g/liter",
    ),
    "unit-mismatch": (  # the brief's example: a neutrophil count in g/dL
        Case(
            SEED_001_INC_7,
            [C("anc", "Neutrophil count ≥1.5\\*109/L", lower=ge(1.5), unit="g/dL")],
            notes=[],
        ),
        "g/dL",
    ),
    "unit-not-convertible": (  # seed 000 exc-6: copies/mL for HBV DNA has no conversion to IU
        Case(
            "active hepatitis B (HBV-DNA≥104 copy numbers /ml or 2000IU/ml)",
            [
                C("hbv_dna", "HBV-DNA≥104 copy numbers /ml", lower=ge(10000), unit="{copies}/mL"),
                C(
                    "hbv_dna",
                    "HBV-DNA≥104 copy numbers /ml or 2000IU/ml",
                    lower=ge(2000),
                    unit="[IU]/mL",
                ),
            ],
            section="exclusion",
        ),
        "copies/mL measures",
    ),
    "unit-missing": (  # LCT NCT03921034 exc-4
        Case(
            "Chronic renal insufficiency with Cr > 1.4 or GFR < 60",
            [
                C("creatinine", "Cr > 1.4", lower=gt(1.4)),
                C("egfr", "GFR < 60", upper=lt(60), unit="mL/min/{1.73_m2}"),
            ],
            section="exclusion",
        ),
        "serum creatinine needs a unit",
    ),
    "unit-inferred": (  # seed 001 inc-1: no unit written, age in years
        Case("Ages 18-75.", [C("age", "Ages 18-75", lower=ge(18), upper=le(75), unit="a")]),
        "default unit years",
    ),
    "unit-guessed": (  # seed 001 inc-1 read in months
        Case("Ages 18-75.", [C("age", "Ages 18-75", lower=ge(18), upper=le(75), unit="mo")]),
        "assumes mo",
    ),
    "unit-not-in-evidence": (  # seed 001 inc-7: 9 g/dL read as 9 g/L
        Case(SEED_001_INC_7, [C("hemoglobin", "hemochrome ≥9g/dL", lower=ge(9), unit="g/L")]),
        "9 g/dL (= 90 g/L)",
    ),
    "value-impossible": (  # seed 001 inc-8 with the decimal point lost
        Case(
            "BMI acuity 18.5 kg/m2.",
            [C("bmi", "BMI acuity 18.5 kg/m2", lower=ge(185), unit="kg/m2")],
        ),
        "185 kg/m²",
    ),
    "value-unusual": (  # LCT NCT03863015 exc-6
        Case(
            "Temperature on admission < 30 °C",
            [C("temperature", "Temperature on admission < 30 °C", upper=lt(30), unit="Cel")],
            section="exclusion",
        ),
        "usual thresholds 35 to 40 °C",
    ),
    "value-not-integer": (  # seed 001 inc-3 read with a fraction
        Case("ECOG ps 0 to 1.", [C("ecog", "ECOG ps 0 to 1", lower=ge(0), upper=le(1.5))]),
        "1.5",
    ),
    "relative-not-allowed": (  # seed 000 inc-7 read as x ULN
        Case(
            "Expected survival ≥3 months;",
            [C("life_expectancy", "Expected survival ≥3 months", lower=ge(3), relative_to="ULN")],
        ),
        "reference range",
    ),
    "relative-with-unit": (  # seed 000 inc-8
        Case(
            SEED_000_INC_8,
            [C("bilirubin", "TBIL≤1.5ULN", upper=le(1.5), unit="umol/L", relative_to="ULN")],
        ),
        "carries the unit µmol/L",
    ),
    "relative-unusual": (  # seed 001 inc-7 read as 25 x ULN
        Case(
            SEED_001_INC_7,
            [
                C(
                    "alp",
                    "AKP≤2.5 times the upper limit of normal value",
                    upper=le(25),
                    relative_to="ULN",
                )
            ],
        ),
        "25 × ULN",
    ),
    "qualified": (  # Chia: an alternative limit under a condition
        Case(
            "serum alanine transaminase (ALT) ≤ 2.5 x ULN (in case of liver metastases < 5 x ULN)",
            [
                C(
                    "alt",
                    "alanine transaminase (ALT) ≤ 2.5 x ULN",
                    upper=le(2.5),
                    relative_to="ULN",
                ),
                C(
                    "alt",
                    "< 5 x ULN",
                    upper=lt(5),
                    relative_to="ULN",
                    qualifier="in case of liver metastases",
                ),
            ],
        ),
        "liver metastases",
    ),
    "evidence-outside": (
        Case(
            "Expected survival ≥3 months;",
            [C("life_expectancy", "", lower=ge(3), unit="mo", evidence=(10, 60))],
        ),
        "[10, 60)",
    ),
    "number-not-in-evidence": (  # seed 000 inc-2 with an invented number
        Case(
            "Age over 18 years old, gender is not limited;",
            [C("age", "Age over 18 years old", lower=gt(21), unit="a")],
        ),
        "21",
    ),
    "comparator-mismatch": (  # seed 000 exc-1 with the comparator flipped
        Case(
            "Under 18 years of age; ECOG is greater than 2;",
            [
                C("age", "Under 18 years of age", lower=gt(18), unit="a"),
                C("ecog", "ECOG is greater than 2", lower=gt(2)),
            ],
            section="exclusion",
        ),
        "'Under'",
    ),
    "comparator-unclear": (  # Chia NCT02900443 inc-3: '=' where a sign was lost
        Case("Age = 18 years", [C("age", "Age = 18 years", lower=ge(18), unit="a")]),
        "'='",
    ),
    "relative-mismatch": (  # seed 000 inc-8 with the x ULN dropped
        Case(SEED_000_INC_8, [C("bilirubin", "TBIL≤1.5ULN", upper=le(1.5), unit="mg/dL")]),
        "1.5 × ULN",
    ),
    "variable-not-in-evidence": (  # seed 000 inc-8: the ANC limit read as platelets
        Case(SEED_000_INC_8, [C("platelets", "ANC≥1.5×109/L", lower=ge(1.5), unit="10*9/L")]),
        "absolute neutrophil count",
    ),
    "limit-repeated": (  # Chia NCT02426034 inc-9 with the condition of the second limit lost
        Case(
            "ALT and AST <2.5 × ULN; liver metastases, if any, the ALT and AST<5 × ULN",
            [
                C("alt", "ALT and AST <2.5 × ULN", upper=lt(2.5), relative_to="ULN"),
                C("alt", "ALT and AST<5 × ULN", upper=lt(5), relative_to="ULN"),
            ],
        ),
        "neither has a qualifier",
    ),
    "scope-unclear": (  # Chia NCT02443623 exc: the age of someone other than the patient
        Case(
            "Household or other close/intimate contact(s) under the age of 12 months.",
            [C("age", "under the age of 12 months", upper=lt(12), unit="mo")],
            section="exclusion",
        ),
        "someone other than the patient",
    ),
    "unparsed-number": (  # seed 000 inc-7 with nothing extracted
        Case("Expected survival ≥3 months;"),
        "'3 months'",
    ),
    "roman-numeral-unread": (  # Chia NCT02105090 inc-3 with nothing extracted
        Case("American Society of Anesthesiology class I-III"),
        "'I' (ASA physical status class), 'III' (ASA physical status class)",
    ),
}

DOCUMENT_CODES = {"eligibility-empty", "eligibility-boundary", "eligibility-duplicate"}
AGREEMENT_CODES = {"extractors-disagree", "llm-only"}  # examples: here and tests/test_hybrid.py
LIMIT_CODES = {"criterion-too-long", "number-too-large"}  # examples: tests/test_limits.py
REGISTRY_CODES = {  # examples on real ClinicalTrials.gov records: tests/test_registry.py
    "registry-age-agrees",
    "registry-age-disagrees",
    "registry-age-only",
    "registry-age-missing",
    "registry-age-unreadable",
    "registry-sex-disagrees",
}


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_each_finding_code_on_real_text(code: str) -> None:
    case, fragment = EXAMPLES[code]
    crit = verified(case)
    assert code in codes(crit), crit.findings
    assert fragment in message(crit, code)
    severity = load_findings().get(code).severity
    if severity == "error":
        assert crit.status == "rejected"
    elif severity == "warning":
        assert crit.status != "accepted"


def test_every_verify_code_has_a_real_example() -> None:
    declared = {s.code for s in load_findings().findings if "verify" in s.emitted_by}
    covered = set(EXAMPLES) | DOCUMENT_CODES | AGREEMENT_CODES | LIMIT_CODES | REGISTRY_CODES
    assert declared == covered


def test_platelets_ten_is_unusual() -> None:  # seed 001 inc-7, the brief's own example
    crit = verified(
        Case(
            SEED_001_INC_7,
            [C("platelets", "platelet count ≥10.0\\*109/L", lower=ge(10), unit="10*9/L")],
        )
    )
    assert "value-unusual" in codes(crit)


# --------------------------------------------------------------------------
# Clean real criteria: correct constraints must draw no warning and no error
# --------------------------------------------------------------------------

CLEAN: list[Case] = [
    Case(
        "Age over 18 years old, gender is not limited;",
        [C("age", "Age over 18 years old", lower=gt(18), unit="a")],
    ),
    Case(
        "Expected survival ≥3 months;",
        [C("life_expectancy", "Expected survival ≥3 months", lower=ge(3), unit="mo")],
    ),
    Case(
        "Signing informed consent; ECOG 0-2 points;",
        [C("ecog", "ECOG 0-2 points", lower=ge(0), upper=le(2))],
    ),
    Case(
        SEED_000_INC_8,
        [
            C("hemoglobin", "HB ≥90g/L", lower=ge(90), unit="g/L"),
            C("anc", "ANC≥1.5×109/L", lower=ge(1.5), unit="10*9/L"),
            C("platelets", "PLT ≥80×109/L", lower=ge(80), unit="10*9/L"),
            C("alt", "ALT/AST≤2.5ULN", upper=le(2.5), relative_to="ULN"),
            C("ast", "AST≤2.5ULN", upper=le(2.5), relative_to="ULN"),
            C("bilirubin", "TBIL≤1.5ULN", upper=le(1.5), relative_to="ULN"),
            C("creatinine", "Cr≤1.5ULN", upper=le(1.5), relative_to="ULN"),
            C(
                "creatinine_clearance",
                "creatinine clearance (CCr)≥60ml/min",
                lower=ge(60),
                unit="mL/min",
            ),
        ],
    ),
    Case("Ages 18-75.", [C("age", "Ages 18-75", lower=ge(18), upper=le(75), unit="a")]),
    Case("ECOG ps 0 to 1.", [C("ecog", "ECOG ps 0 to 1", lower=ge(0), upper=le(1))]),
    Case(
        "Cervical esophageal cancer (upper part of the lesion in the cervical esophagus). "
        "Multifocal esophageal carcinoma, lesion length \\>8cm.",
        [C("lesion_size", "lesion length \\>8cm", lower=gt(8), unit="cm")],
        section="exclusion",
    ),
    Case(
        "HIV infection, hepatitis C (hepatitis C antibody positive with HCV-RNA above the "
        "detection limit of the assay), chronic active hepatitis B (HBV DNA≥2×103IU/ml or "
        "\\>1×104copies/mL).",
        [
            C("hbv_dna", "HBV DNA≥2×103IU/ml", lower=ge(2000), unit="[IU]/mL"),
            C("hbv_dna", "\\>1×104copies/mL", lower=gt(10000), unit="{copies}/mL"),
        ],
        section="exclusion",
    ),
    Case(
        "Patients below 18 and above 45years.",
        [
            C("age", "below 18", upper=lt(18), unit="a"),
            C("age", "above 45years", lower=gt(45), unit="a"),
        ],
        section="exclusion",
    ),
    Case(
        "Children age 4 to < 17 years",
        [C("age", "age 4 to < 17 years", lower=ge(4), upper=lt(17), unit="a")],
    ),
    Case(
        "General state with Karnowsky greater than 80, ECOG = 0, 1 or 2.",
        [
            C("karnofsky", "Karnowsky greater than 80", lower=gt(80)),
            C("ecog", "ECOG = 0, 1 or 2", lower=ge(0), upper=le(2)),
        ],
    ),
    Case(
        "Thrombocytopenia (<100,000 platelets/microL)",
        [C("platelets", "<100,000 platelets/microL", upper=lt(100000), unit="/uL")],
        section="exclusion",
    ),
    Case(
        "Total cholesterol <260 mg/dL",
        [C("total_cholesterol", "Total cholesterol <260 mg/dL", upper=lt(260), unit="mg/dL")],
    ),
    Case(
        "Serum creatinine, ≤ 1.5x Institutional Upper Limit of Normal (ULN), or Creatinine "
        "Clearance ≥ 50 mL/min (by Cockcroft-Gault formula) ",
        [
            C(
                "creatinine",
                "Serum creatinine, ≤ 1.5x Institutional Upper Limit of Normal (ULN)",
                upper=le(1.5),
                relative_to="ULN",
            ),
            C(
                "creatinine_clearance",
                "Creatinine Clearance ≥ 50 mL/min",
                lower=ge(50),
                unit="mL/min",
            ),
        ],
    ),
    Case(
        "Systolic blood pressure >/= 90 mmHg",
        [C("sbp", "Systolic blood pressure >/= 90 mmHg", lower=ge(90), unit="mm[Hg]")],
    ),
    Case("Age: > or = 16 years", [C("age", "Age: > or = 16 years", lower=ge(16), unit="a")]),
    Case(
        "Body mass index 25-35 kg/m2",
        [C("bmi", "Body mass index 25-35 kg/m2", lower=ge(25), upper=le(35), unit="kg/m2")],
    ),
    Case(
        "Have a life expectancy of less than three months",
        [C("life_expectancy", "life expectancy of less than three months", upper=lt(3), unit="mo")],
        section="exclusion",
    ),
    Case(
        "Age younger than 18 yrs. or older than 75 yrs.",
        [
            C("age", "younger than 18 yrs", upper=lt(18), unit="a"),
            C("age", "older than 75 yrs", lower=gt(75), unit="a"),
        ],
        section="exclusion",
    ),
    Case(
        "active hepatitis B (HBV-DNA≥104 copy numbers /ml or 2000IU/ml)",
        [
            C("hbv_dna", "HBV-DNA≥104 copy numbers /ml", lower=ge(10000), unit="{copies}/mL"),
            C(
                "hbv_dna",
                "HBV-DNA≥104 copy numbers /ml or 2000IU/ml",
                lower=ge(2000),
                unit="[IU]/mL",
            ),
        ],
        section="exclusion",
    ),
    Case(
        "Patients who have participated in clinical trials of other drugs within four weeks; "
        ".Patients or family members refused to participate in the study.",
        section="exclusion",
        notes=["within four weeks"],
    ),
    Case(
        "Clinical staging: regional recurrence (rT0-4N0-3M0-1a) or regional progression "
        "(cT0-4N0-3M0-1) (AJCC/UICC esophageal cancer staging (8th edition));",
        notes=["rT0-4N0-3M0-1a", "cT0-4N0-3M0-1", "8th edition"],
    ),
    Case(
        "Moderate-severe uni- and bipolar depression according to the International "
        "Classification of Diseases (ICD-10)"
    ),
]


@pytest.mark.parametrize("case", CLEAN, ids=lambda c: c.text[:40])
def test_clean_real_criteria_draw_no_warning(case: Case) -> None:
    crit = verified(case)
    assert codes(crit, at_least="warning") == set(), crit.findings
    assert crit.status == "accepted"


def test_written_numbers_are_read() -> None:
    crit = verified(
        Case(
            "Have a life expectancy of less than three months",
            [
                C(
                    "life_expectancy",
                    "life expectancy of less than three months",
                    upper=lt(4),
                    unit="mo",
                )
            ],
            section="exclusion",
        )
    )
    assert "number-not-in-evidence" in codes(crit)


def test_note_explains_a_number_but_an_unexplained_note_does_not() -> None:
    text = "Major surgery in the last three months."
    assert "unparsed-number" in codes(verified(Case(text)))
    assert codes(verified(Case(text, notes=["in the last three months"]))) == set()
    # the rules extractor notes numbers it could not explain as 'other' and says it is
    # incomplete: such a note explains nothing
    crit, source, _ = criterion(Case(text))
    at = text.index("three")
    lame = Extraction(notes=[NumberNote((at, at + 5), "other")], complete=False)
    assert {f.code for f in check_criterion(crit, source, lame)} == {"unparsed-number"}


def test_a_note_that_explains_a_limit_away_is_not_trusted() -> None:
    text = "Life expectancy lower than 3 months from the initiation of treatment with ICIs."
    crit = verified(Case(text, notes=["3 months from the initiation"], section="exclusion"))
    assert "noted as temporal, but it reads as a limit on life expectancy" in message(
        crit, "unparsed-number"
    )
    window = "Major surgery in the last three months."
    assert codes(verified(Case(window, notes=["in the last three months"]))) == set()


def test_limits_written_around_numbers() -> None:
    # LCT NCT03928093 inc-1: a range whose lower end has its own comparator
    text = "Age: > 8 - 40 years (we selected this range due to lack of data in younger population"
    partial = verified(Case(text, [C("age", "Age: > 8", lower=gt(8), unit="a")]))
    assert "keeps only > 8" in message(partial, "comparator-mismatch")
    whole = verified(
        Case(text, [C("age", "Age: > 8 - 40 years", lower=gt(8), upper=le(40), unit="a")])
    )
    assert codes(whole, at_least="warning") == set()
    # Chia NCT02858180 exc-13: '=' where '>=' was lost, before a ULN multiple
    text = (
        "alanine aminotransferase (ALT), aspartase aminotransferase (AST), or alkaline "
        "phosphatase = 10 times upper limit of normal"
    )
    eq = verified(
        Case(
            text,
            [
                C(
                    "ast",
                    "aspartase aminotransferase (AST), or alkaline phosphatase"
                    " = 10 times upper limit of normal",
                    lower=ge(10),
                    upper=le(10),
                    relative_to="ULN",
                )
            ],
            section="exclusion",
        )
    )
    assert "comparator-unclear" in codes(eq)
    # "unless" is not a ULN
    text = (
        "Severe blood pressure elevation (Systolic blood pressure ≥160 mmHg or diastolic blood"
        " pressure ≥110 mmHg on two occasions at least four hours apart while the patient is "
        "on bedrest (unless the patient is on antihypertensive therapy"
    )
    bp = verified(
        Case(
            text,
            [
                C("sbp", "Systolic blood pressure ≥160 mmHg", lower=ge(160), unit="mm[Hg]"),
                C("dbp", "diastolic blood pressure ≥110 mmHg", lower=ge(110), unit="mm[Hg]"),
            ],
            notes=["four hours apart"],
        )
    )
    assert codes(bp, at_least="warning") == set()


def test_offsets_are_document_offsets() -> None:
    doc = "Inclusion Criteria:\n* Age over 18 years old, gender is not limited;\n"
    case = Case(
        "Age over 18 years old, gender is not limited;",
        [C("age", "Age over 18 years old", lower=gt(18), unit="a")],
    )
    crit, source, extraction = criterion(case, doc)
    assert crit.span[0] > 0
    assert check_criterion(crit, source, extraction) == []
    with pytest.raises(ValueError, match="not the criterion text"):
        check_criterion(crit, "x" + source, extraction)


def test_extractor_findings_are_not_doubled() -> None:
    case = Case(
        "BMI acuity 18.5 kg/m2.", [C("bmi", "BMI acuity 18.5 kg/m2", lower=ge(18.5), unit="kg/m2")]
    )
    crit, source, _ = criterion(case)
    assert "comparator-unclear" in {f.code for f in check_criterion(crit, source, Extraction())}
    said = Finding(
        code="comparator-ambiguous",
        severity="warning",
        constraint=0,
        message="'acuity' is not a comparator; read as >= from context",
    )
    mine = check_criterion(crit, source, Extraction(findings=[said]))
    assert not any(f.code.startswith("comparator") for f in mine)


@pytest.mark.parametrize(
    ("text", "bound", "what"),
    [
        ("Age over 18 years old, gender is not limited;", ge(18), "inclusiveness"),
        ("Expected survival ≥3 months;", gt(3), "inclusiveness"),
        ("Expected survival ≥3 months;", le(3), "direction"),
    ],
)
def test_comparator_direction_and_inclusiveness(text: str, bound: Bound, what: str) -> None:
    at = text.rstrip(";,").split(",")[0]
    variable = "age" if "Age" in text else "life_expectancy"
    unit = "a" if variable == "age" else "mo"
    lower = bound if what == "inclusiveness" else None
    upper = bound if what == "direction" else None
    crit = verified(Case(text, [C(variable, at, lower=lower, upper=upper, unit=unit)]))
    assert "comparator-mismatch" in codes(crit)
    assert what in message(crit, "comparator-mismatch")


def test_a_range_needs_both_numbers() -> None:
    crit = verified(Case("Ages 18-75.", [C("age", "Ages 18-75", lower=ge(18), unit="a")]))
    assert "comparator-mismatch" in codes(crit)
    assert "keeps only ≥ 18" in message(crit, "comparator-mismatch")


def test_uln_added_where_the_text_has_none() -> None:
    crit = verified(
        Case(SEED_000_INC_8, [C("hemoglobin", "HB ≥90g/L", lower=ge(90), relative_to="ULN")])
    )
    assert {"relative-mismatch", "relative-unusual"} <= codes(crit)


# --------------------------------------------------------------------------
# Across the criteria of one document
# --------------------------------------------------------------------------


def document(*cases: Case) -> list[Criterion]:
    out = []
    for i, case in enumerate(cases, 1):
        case.id = f"{case.section[:3]}-{i}"
        out.append(verified(case))
    return out


AGE_OVER_18 = Case(
    "Age over 18 years old, gender is not limited;",
    [C("age", "Age over 18 years old", lower=gt(18), unit="a")],
)
ADULT_GE_18 = Case(
    "Adult patient ≥ 18 years old",
    [C("age", "Adult patient ≥ 18 years old", lower=ge(18), unit="a")],
)
UNDER_18 = Case(
    "Under 18 years of age; ECOG is greater than 2;",
    [
        C("age", "Under 18 years of age", upper=lt(18), unit="a"),
        C("ecog", "ECOG is greater than 2", lower=gt(2)),
    ],
    section="exclusion",
)
AGE_LE_18 = Case(
    "Age ≤ 18 years;", [C("age", "Age ≤ 18 years", upper=le(18), unit="a")], section="exclusion"
)


def test_eligibility_gap_is_a_boundary_warning() -> None:  # seed 000: inc-2 and exc-1
    criteria = document(AGE_OVER_18, UNDER_18)
    extra, sets = check_document(criteria)
    for crit in criteria:
        found = {f.code for f in extra[crit.id]}
        assert "eligibility-boundary" in found
    assert "age 18 years is allowed by neither" in extra[criteria[0].id][0].message
    age = next(s for s in sets if s.variable == "age")
    assert age.unit == "a" and not age.empty
    assert [(i.lower, i.upper) for i in age.intervals] == [(gt(18), None)]
    assert age.criteria == [criteria[0].id, criteria[1].id]


def test_eligibility_overlap_is_a_boundary_warning() -> None:
    criteria = document(ADULT_GE_18, AGE_LE_18)
    extra, sets = check_document(criteria)
    assert "both required and excluded" in extra[criteria[0].id][0].message
    age = next(s for s in sets if s.variable == "age")
    assert [(i.lower, i.upper) for i in age.intervals] == [(gt(18), None)]


def test_exclusion_restating_inclusion_is_an_info_duplicate() -> None:
    criteria = document(ADULT_GE_18, UNDER_18)
    extra, _ = check_document(criteria)
    assert {f.code for f in extra[criteria[0].id]} == {"eligibility-duplicate"}
    assert all(f.severity == "info" for fs in extra.values() for f in fs)


def test_same_limit_in_two_inclusions_is_a_duplicate() -> None:
    criteria = document(
        ADULT_GE_18, Case("Age = 18 years", [C("age", "Age = 18 years", lower=ge(18), unit="a")])
    )
    extra, _ = check_document(criteria)
    assert "eligibility-duplicate" in {f.code for f in extra[criteria[1].id]}


def test_contradiction_empties_the_eligible_set() -> None:
    # inclusion "over 18" and, as an exclusion, the real phrase "Adult patient >= 18 years old"
    exclusion = Case(ADULT_GE_18.text, ADULT_GE_18.constraints, section="exclusion")
    criteria = document(AGE_OVER_18, exclusion)
    extra, sets = check_document(criteria)
    for crit in criteria:
        assert "eligibility-empty" in {f.code for f in extra[crit.id]}
        crit.findings += extra[crit.id]
        assert status_of(crit) == "rejected"
    age = next(s for s in sets if s.variable == "age")
    assert age.empty and age.intervals == []


def test_eligibility_converts_units_and_skips_qualified_and_rejected() -> None:
    months = Case(
        "Expected survival ≥3 months;",
        [C("life_expectancy", "Expected survival ≥3 months", lower=ge(3), unit="mo")],
    )
    weeks = Case(
        "Patients must have a predicted life expectancy of at least 12 weeks. ",
        [C("life_expectancy", "life expectancy of at least 12 weeks", lower=ge(12), unit="wk")],
    )
    qualified = EXAMPLES["qualified"][0]
    wrong = Case(
        "Expected survival ≥3 months;",
        [C("life_expectancy", "Expected survival ≥3 months", lower=ge(4), unit="mo")],
    )
    criteria = document(months, weeks, qualified, wrong)
    _, sets = check_document(criteria)
    survival = next(s for s in sets if s.variable == "life_expectancy")
    assert survival.unit == "mo"
    assert survival.criteria == [criteria[0].id, criteria[1].id]
    assert [(i.lower, i.upper) for i in survival.intervals] == [(ge(3), None)]
    alt = next(s for s in sets if s.variable == "alt")
    assert alt.relative_to == "ULN" and alt.unit is None
    assert [(i.lower, i.upper) for i in alt.intervals] == [(None, le(2.5))]


# --------------------------------------------------------------------------
# Two extractors
# --------------------------------------------------------------------------


def _ext(text: str, *cs: C, complete: bool = True) -> Extraction:
    return Extraction(constraints=[c.build(text) for c in cs], complete=complete)


def test_same_constraint_compares_in_canonical_units() -> None:
    text = "Serum creatinine less than or equal to 2.0 mg/dL"
    a = C("creatinine", text, upper=le(2.0), unit="mg/dL").build(text)
    b = C("creatinine", text, upper=le(176.8), unit="umol/L").build(text)
    c = C("creatinine", text, upper=lt(176.8), unit="umol/L").build(text)
    assert same_constraint(a, b)
    assert not same_constraint(a, c)


def test_extractors_disagree_names_both_readings() -> None:
    text = SEED_000_INC_8
    rules = _ext(
        text,
        C("alt", "ALT/AST≤2.5ULN", upper=le(2.5), relative_to="ULN"),
        C("hemoglobin", "HB ≥90g/L", lower=ge(90), unit="g/L"),
    )
    llm = _ext(
        text,
        C("alt", "ALT/AST≤2.5ULN", upper=le(3), relative_to="ULN"),
        C("hemoglobin", "HB ≥90g/L", lower=ge(9), unit="g/dL"),
    )
    found = compare_extractions(rules, llm)
    assert [f.code for f in found] == ["extractors-disagree", "extractors-disagree"]
    assert "rules read ALT/AST≤2.5ULN ≤ 2.5 × ULN; llm read ALT/AST≤2.5ULN ≤ 3 × ULN" in (
        found[0].message
    )
    merged = merge_extractions(rules, llm)
    assert [c.extracted_by for c in merged.constraints] == [
        ["llm", "rules"],
        ["llm", "rules"],
        ["llm"],
    ]
    assert {f.constraint for f in merged.findings} == {0, 2}


def test_agreeing_extractors_merge_into_one() -> None:
    text = SEED_000_INC_8
    rules = _ext(text, C("hemoglobin", "HB ≥90g/L", lower=ge(90), unit="g/L"))
    llm = _ext(text, C("hemoglobin", "HB ≥90g/L", lower=ge(9), unit="g/dL"))
    assert compare_extractions(rules, llm) == []
    merged = merge_extractions(rules, llm)
    assert len(merged.constraints) == 1
    assert merged.constraints[0].extracted_by == ["llm", "rules"]


def test_a_constraint_only_one_side_found_counts_only_if_the_other_read_everything() -> None:
    text = SEED_000_INC_8
    rules = _ext(text, complete=False)
    llm = _ext(text, C("hemoglobin", "HB ≥90g/L", lower=ge(90), unit="g/L"))
    assert compare_extractions(rules, llm) == []
    rules.complete = True
    found = compare_extractions(rules, llm)
    assert [f.code for f in found] == ["extractors-disagree"]
    assert "rules found no such constraint" in found[0].message


# --------------------------------------------------------------------------
# Status and the codes page
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("severities", "status"),
    [
        ((), "accepted"),
        (("info",), "accepted"),
        (("info", "warning"), "needs_review"),
        (("warning", "error"), "rejected"),
    ],
)
def test_status_of(severities: tuple[str, ...], status: str) -> None:
    crit = Criterion(
        id="inc-1",
        section="inclusion",
        text="x",
        span=(0, 1),
        findings=[
            Finding(code="qualified", severity=s, message="m")
            for s in severities  # type: ignore[arg-type]
        ],
    )
    assert status_of(crit) == status


def test_findings_page_is_generated_from_the_data() -> None:
    page = (REPO / "docs" / "findings.md").read_text(encoding="utf-8")
    assert page == findings_markdown(), "run: python -m normalizer.verify > docs/findings.md"
    for spec in load_findings().findings:
        assert f"`{spec.code}`" in page


# --------------------------------------------------------------------------
# End to end through the rules extractor
# --------------------------------------------------------------------------


def _normalize(name: str) -> object:
    from normalizer.extract.rules import RulesExtractor
    from normalizer.pipeline import normalize_text

    source = (SEEDS / name).read_text(encoding="utf-8")
    return normalize_text(source, name=name, extractor=RulesExtractor())


def test_end_to_end_seed_000() -> None:
    need_shared()
    doc = _normalize("000_79b1477fd8f1d6d3.txt")
    by_id = {c.id: c for c in doc.criteria}  # type: ignore[attr-defined]
    organ = by_id["inc-8"]
    assert organ.status == "accepted" and len(organ.constraints) == 8
    exc = by_id["exc-1"]
    assert exc.status == "needs_review"
    assert "eligibility-boundary" in {f.code for f in exc.findings}
    age = next(s for s in doc.eligibility if s.variable == "age")  # type: ignore[attr-defined]
    assert [(i.lower, i.upper) for i in age.intervals] == [(gt(18), None)]


def test_end_to_end_seed_001() -> None:
    need_shared()
    doc = _normalize("001_1264358aa91b314b.txt")
    by_id = {c.id: c for c in doc.criteria}  # type: ignore[attr-defined]
    assert by_id["inc-8"].status == "needs_review"  # "BMI acuity 18.5"
    assert by_id["inc-1"].status == "accepted"
    for crit in doc.criteria:  # type: ignore[attr-defined]
        if crit.status != "accepted":
            assert crit.findings, crit.id


def test_every_non_accepted_criterion_says_why_on_a_corpus_sample() -> None:
    need_shared()
    from normalizer.extract.rules import RulesExtractor
    from normalizer.pipeline import normalize_text

    lct = sorted((SEEDS.parent / "corpus" / "lct" / "leaf_clinical_trials").glob("batch1/*.txt"))
    assert lct
    for path in lct[:20]:
        doc = normalize_text(
            path.read_text(encoding="utf-8"), name=path.name, extractor=RulesExtractor()
        )
        for crit in doc.criteria:
            if crit.status != "accepted":
                assert crit.findings, (path.name, crit.id)
            for f in crit.findings:
                assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", f.code)
                assert f.constraint is None or 0 <= f.constraint < len(crit.constraints)


def test_shared_texts_are_real() -> None:
    """The texts above are quoted verbatim from shared/ (seeds and corpus)."""
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
    texts = {case.text.strip() for case, _ in EXAMPLES.values()} | {c.text.strip() for c in CLEAN}
    missing = [t for t in texts if t not in corpus]
    assert missing == []
