"""Verification: every finding code on real registry text, and real clean criteria.

Criteria and constraints are built directly (as an extractor would emit them), so
these tests do not depend on any extractor; the end-to-end tests at the bottom go
through ``normalize_text`` with the rules extractor.  Texts come from
``shared/seeds`` and ``shared/corpus`` (Chia, LCT), quoted verbatim.

The examples are data, one case per criterion, checked against
``tests/cases/schema.json``: ``tests/cases/verify/findings.toml`` (one per finding
code), ``clean.toml`` (correct readings that must be accepted) and
``comparators.toml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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

from .case_files import bound, cases, params
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


def case_of(data: dict[str, Any]) -> Case:
    """A case of ``tests/cases/verify`` (schema ``verify_case``) as a ``Case``."""
    return Case(
        data["text"],
        [
            C(
                c["variable"],
                c["at"],
                lower=bound(c.get("lower")),
                upper=bound(c.get("upper")),
                unit=c.get("unit"),
                relative_to=c.get("relative_to"),
                qualifier=c.get("qualifier"),
                evidence=tuple(c["evidence"]) if "evidence" in c else None,
            )
            for c in data.get("constraints", [])
        ],
        section=data.get("section", "inclusion"),
        notes=list(data.get("notes", [])),
    )


def check_case(data: dict[str, Any]) -> Criterion:
    """Verify a case on its own; its status, findings and messages are as it expects."""
    crit = verified(case_of(data))
    expect = data["expect"]
    assert crit.status == expect["status"], crit.findings
    assert set(expect.get("findings", [])) <= codes(crit), crit.findings
    for code, fragment in expect.get("messages", {}).items():
        assert fragment in message(crit, code), crit.findings
    return crit


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

# One real example per finding code: tests/cases/verify/findings.toml, whose ids are the codes.
# code -> (case, fragment the message must quote); tests/test_words.py reads them too.
EXAMPLES: dict[str, tuple[Case, str]] = {
    c["id"]: (case_of(c), c["expect"].get("messages", {}).get(c["id"], ""))
    for c in cases("verify", "findings")
}

DOCUMENT_CODES = {
    "eligibility-empty",
    "eligibility-boundary",
    "eligibility-duplicate",
    "eligibility-alternatives",  # examples on dev text: tests/test_alternatives.py
}
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


@pytest.mark.parametrize("case", params("verify", "findings"))
def test_each_finding_code_on_real_text(case: dict[str, Any]) -> None:
    code = case["id"]
    assert code in case["expect"].get("findings", []) and code in case["expect"].get("messages", {})
    check_case(case)


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

# Clean real criteria: tests/cases/verify/clean.toml (each expects ``accepted``).
CLEAN: list[Case] = [case_of(c) for c in cases("verify", "clean")]


@pytest.mark.parametrize("case", params("verify", "clean"))
def test_clean_real_criteria_draw_no_warning(case: dict[str, Any]) -> None:
    assert case["expect"]["status"] == "accepted", "clean.toml holds clean criteria only"
    check_case(case)  # accepted: no warning and no error (status_of)


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


@pytest.mark.parametrize("case", params("verify", "comparators"))
def test_comparator_direction_and_inclusiveness(case: dict[str, Any]) -> None:
    check_case(case)


def test_a_range_needs_both_numbers() -> None:
    crit = verified(Case("Ages 18-75.", [C("age", "Ages 18-75", lower=ge(18), unit="a")]))
    assert "comparator-mismatch" in codes(crit)
    assert "keeps only ≥ 18" in message(crit, "comparator-mismatch")


# Chia NCT02227992 inc (dev): a range with a unit of time on each end is two constraints,
# one per unit; each end is its own evidence, so losing one leaves its number unread
TWO_UNITS = "subjects aged =28 days to <1 year"


def test_a_range_with_a_unit_on_each_end_is_two_constraints() -> None:
    both = [
        C("age", "aged =28 days", lower=ge(28), unit="d"),
        C("age", "<1 year", upper=Bound(value=1, inclusive=False), unit="a"),
    ]
    crit = verified(Case(TWO_UNITS, both))
    assert "comparator-mismatch" not in codes(crit) and "unparsed-number" not in codes(crit)
    assert codes(crit) == {"comparator-unclear"}  # the '=' before 28: a lost ≥ or ≤
    for kept in both:
        crit = verified(Case(TWO_UNITS, [kept]))
        assert "unparsed-number" in codes(crit), kept


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


def test_findings_are_well_formed_on_a_corpus_sample() -> None:
    need_shared()
    from normalizer.extract.rules import RulesExtractor
    from normalizer.pipeline import normalize_text

    lct = sorted((SEEDS.parent / "corpus" / "lct" / "leaf_clinical_trials").glob("batch1/*.txt"))
    assert lct
    seen = 0
    for path in lct[:20]:
        doc = normalize_text(
            path.read_text(encoding="utf-8"), name=path.name, extractor=RulesExtractor()
        )
        for crit in doc.criteria:
            seen += len(crit.findings)
            for f in crit.findings:
                assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", f.code)
                assert f.constraint is None or 0 <= f.constraint < len(crit.constraints)
    assert seen, "no finding on 20 LCT records: the sample checked nothing"


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


def test_a_limit_with_its_condition_written_after_it_needs_its_qualifier() -> None:
    """Chia NCT02510404 inc-7: "on room air" says when the limit holds; an extractor that
    drops it (an LLM's answer) is not accepted, one that keeps it is qualified."""
    text = "Pulse oximetry of > 90% on room air"
    plain = verified(Case(text, [C("spo2", "Pulse oximetry of > 90%", lower=gt(90), unit="%")]))
    assert "applies only 'on room air'" in message(plain, "scope-unclear")
    kept = verified(
        Case(
            text,
            [
                C(
                    "spo2", "Pulse oximetry of > 90%", lower=gt(90), unit="%",
                    qualifier="on room air",
                )
            ],
        )
    )
    assert "scope-unclear" not in codes(kept)
