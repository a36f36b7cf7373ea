"""The registry's structured fields against the text (``normalizer.verify.registry``).

Texts and field values are real: the eligibility text and ``minimumAge`` /
``maximumAge`` / ``sex`` of ClinicalTrials.gov studies, read here from the API v2
responses in ``shared/corpus/ctgov_v2`` (``protocolSection.eligibilityModule``).
Every study there with criteria text has registry fields that agree with it, so
the other findings pair one real study's text with another real study's field
values (each test says which), and one test drops a study's age criterion.
Only ``registry-age-unreadable`` uses a value no registry wrote (a real one never
is unreadable).  The sex restriction comes from an LCT text (a real
ClinicalTrials.gov record, ``shared/corpus/lct``).
"""

from __future__ import annotations

import json
import math
from functools import cache
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer.extract.rules import RulesExtractor
from normalizer.models import (
    SCHEMA_VERSION,
    Criterion,
    Document,
    EligibilitySet,
    Finding,
    RecordInfo,
    RecordOrigin,
    RegistryFields,
)
from normalizer.pipeline import normalize_record, normalize_text
from normalizer.records import Record
from normalizer.render import document_table
from normalizer.review.queue import rows_of
from normalizer.schema import document_schema
from normalizer.verify import load_findings
from normalizer.verify.registry import load_age_words, load_sex_rules, read_registry_age

from .conftest import LCT, SHARED, need_shared
from .test_verify import REGISTRY_CODES

CTGOV = SHARED / "corpus" / "ctgov_v2"


# --------------------------------------------------------------------------
# Real studies
# --------------------------------------------------------------------------


@cache
def _studies() -> dict[str, dict[str, Any]]:
    """nctId -> eligibilityModule of every study in the ctgov_v2 responses."""
    need_shared()
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(CTGOV.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for study in data.get("studies") or [data]:
            section = study["protocolSection"]
            nct = section["identificationModule"]["nctId"]
            found.setdefault(nct, {}).update(section.get("eligibilityModule", {}))
    return found


def text_of(nct: str) -> str:
    text: str = _studies()[nct]["eligibilityCriteria"]
    return text


def fields_of(nct: str, **change: str | None) -> RegistryFields:
    """The registry fields of a real study (``change`` names the fields taken elsewhere)."""
    module = _studies()[nct]
    sex = module.get("sex")
    values: dict[str, Any] = {
        "minimum_age": module.get("minimumAge"),
        "maximum_age": module.get("maximumAge"),
        "sex": sex.lower() if sex else None,
    }
    values.update(change)
    return RegistryFields(**values)


def normalized(text: str, registry: RegistryFields | None, nct: str = "NCT00000000") -> Document:
    info = RecordInfo(
        id=nct, nct_id=nct, origin=RecordOrigin(path=f"{nct}.json"), registry=registry
    )
    return normalize_record(Record(info=info, text=text), extractor=RulesExtractor())


def registry_findings(doc: Document) -> list[tuple[str | None, Finding]]:
    """(criterion id or None for the document, finding) of every registry-* finding."""
    out: list[tuple[str | None, Finding]] = [(None, f) for f in doc.findings]
    for crit in doc.criteria:
        out += [(crit.id, f) for f in crit.findings if f.code.startswith("registry-")]
    return out


def by_id(doc: Document, crit_id: str) -> Criterion:
    return next(c for c in doc.criteria if c.id == crit_id)


def age_sets(doc: Document) -> list[EligibilitySet]:
    return [s for s in doc.eligibility if s.variable == "age"]


NCT02576665_NO_AGE = "2. Patient is between 18 and 75 years of age, inclusive.\n"


def example_documents() -> list[Document]:
    """One real record per registry code (test_words reads their messages)."""
    need_shared()
    without_age = text_of("NCT02576665").replace(NCT02576665_NO_AGE, "")
    lct = (LCT / "batch10" / "NCT03865199.txt").read_text(encoding="utf-8")
    return [
        normalized(text_of("NCT02576665"), fields_of("NCT02576665")),
        normalized(text_of("NCT06382129"), fields_of(
            "NCT06382129", minimum_age=_studies()["NCT04318717"]["minimumAge"])),
        normalized(text_of("NCT02576665"), fields_of("NCT06382129")),
        normalized(without_age, fields_of("NCT02576665")),
        normalized(text_of("NCT06382129"), fields_of("NCT02576665")),
        normalized(text_of("NCT06382129"), fields_of("NCT06382129", minimum_age="Eighteen Years")),
        normalized(lct, fields_of("NCT06604689"), "NCT03865199"),
    ]


# --------------------------------------------------------------------------
# Each code on real records, by value
# --------------------------------------------------------------------------


def test_agreeing_record_says_so_on_the_age_constraint() -> None:
    doc = normalized(text_of("NCT02576665"), fields_of("NCT02576665"))  # 18 to 75 Years
    assert registry_findings(doc) == [
        ("inc-2", Finding(code="registry-age-agrees", severity="info", constraint=0,
                          message="the registry's minimum age (18 Years) agrees with the text: "
                                  "inc-2 says at least 18 years")),
        ("inc-2", Finding(code="registry-age-agrees", severity="info", constraint=0,
                          message="the registry's maximum age (75 Years) agrees with the text: "
                                  "inc-2 says at most 75 years")),
    ]
    assert by_id(doc, "inc-2").status == "accepted"
    assert [(s.origin, s.criteria) for s in age_sets(doc)] == [("text", ["inc-2"])]


@pytest.mark.parametrize("nct", ["NCT02576665", "NCT06382129", "NCT06604689"])
def test_every_real_record_agrees_with_its_own_registry_fields(nct: str) -> None:
    doc = normalized(text_of(nct), fields_of(nct))
    assert {f.code for _, f in registry_findings(doc)} == {"registry-age-agrees"}
    assert doc.findings == []  # no sex finding: "women of childbearing potential" restricts nothing


def test_minimum_age_disagreement_names_both_values() -> None:
    # NCT06382129's text ("Age ≥18 years old;") with NCT04318717's minimumAge (16 Years)
    doc = normalized(text_of("NCT06382129"), fields_of(
        "NCT06382129", minimum_age=_studies()["NCT04318717"]["minimumAge"]))
    assert registry_findings(doc) == [
        ("inc-2", Finding(code="registry-age-disagrees", severity="warning", constraint=0,
                          message="the registry says at least 16 years (minimum age 16 Years); "
                                  "inc-2 says at least 18 years")),
    ]
    assert by_id(doc, "inc-2").status == "needs_review"
    assert [(s.origin, s.intervals[0].lower) for s in age_sets(doc)] == [
        ("text", by_id(doc, "inc-2").constraints[0].lower)]  # the eligible set stays the text's


def test_both_ends_disagree() -> None:
    # NCT02576665's text (18 to 75) with NCT02710084's fields (5 Years to 17 Years)
    nct = _studies()["NCT02710084"]
    doc = normalized(text_of("NCT02576665"), fields_of(
        "NCT02576665", minimum_age=nct["minimumAge"], maximum_age=nct["maximumAge"]))
    assert [(i, f.code, f.message) for i, f in registry_findings(doc)] == [
        ("inc-2", "registry-age-disagrees",
         "the registry says at least 5 years (minimum age 5 Years); inc-2 says at least 18 years"),
        ("inc-2", "registry-age-disagrees",
         "the registry says at most 17 years (maximum age 17 Years); inc-2 says at most 75 years"),
    ]


def test_text_only_maximum_is_missing_from_the_registry() -> None:
    # NCT02576665's text (18 to 75) with NCT06382129's fields (18 Years, no maximum)
    doc = normalized(text_of("NCT02576665"), fields_of("NCT06382129"))
    assert [(i, f.code, f.severity, f.constraint, f.message)
            for i, f in registry_findings(doc)] == [
        ("inc-2", "registry-age-agrees", "info", 0,
         "the registry's minimum age (18 Years) agrees with the text: "
         "inc-2 says at least 18 years"),
        ("inc-2", "registry-age-missing", "info", 0,
         "inc-2 says at most 75 years; the registry states no maximum age "
         "(the field is absent)"),
    ]
    na = normalized(text_of("NCT02576665"), fields_of("NCT02576665", maximum_age="N/A"))
    assert [f.message for _, f in registry_findings(na) if f.code == "registry-age-missing"] == [
        "inc-2 says at most 75 years; the registry states no maximum age (the field is N/A)"]


def test_registry_only_ages_become_the_eligible_ages_marked_registry() -> None:
    # NCT02576665 with its one age criterion (inc-2) taken out, and its own fields
    text = text_of("NCT02576665")
    assert NCT02576665_NO_AGE in text
    doc = normalized(text.replace(NCT02576665_NO_AGE, ""), fields_of("NCT02576665"))
    assert not any(c.variable == "age" for crit in doc.criteria for c in crit.constraints)
    assert [(i, f.code, f.severity, f.message) for i, f in registry_findings(doc)] == [
        (None, "registry-age-only", "info",
         "the registry says at least 18 years (minimum age 18 Years); no criterion states a "
         "minimum age, so the registry's ages are the eligible ages"),
        (None, "registry-age-only", "info",
         "the registry says at most 75 years (maximum age 75 Years); no criterion states a "
         "maximum age, so the registry's ages are the eligible ages"),
    ]
    (age,) = age_sets(doc)
    assert age.origin == "registry" and age.criteria == [] and age.unit == "a"
    assert [(i.lower, i.upper) for i in age.intervals] == [
        (age.intervals[0].lower, age.intervals[0].upper)]
    lower, upper = age.intervals[0].lower, age.intervals[0].upper
    assert lower is not None and upper is not None
    assert (lower.value, lower.inclusive, upper.value, upper.inclusive) == (18, True, 75, True)
    assert doc.eligibility[0] is age  # catalog order: age comes first
    others = [s for s in doc.eligibility if s is not age]
    assert others and all(s.origin == "text" for s in others)


def test_registry_end_the_text_does_not_state_is_listed_on_the_record() -> None:
    # NCT06382129's text (≥ 18, no maximum) with NCT02576665's fields (18 Years to 75 Years)
    doc = normalized(text_of("NCT06382129"), fields_of("NCT02576665"))
    assert [(i, f.code) for i, f in registry_findings(doc)] == [
        (None, "registry-age-only"), ("inc-2", "registry-age-agrees")]
    assert doc.findings[0].message == (
        "the registry says at most 75 years (maximum age 75 Years); no criterion states a "
        "maximum age")
    (age,) = age_sets(doc)
    assert age.origin == "text" and age.intervals[0].upper is None  # the text's set stays


def test_unreadable_registry_age_is_a_finding_not_a_crash() -> None:
    doc = normalized(text_of("NCT06382129"), fields_of("NCT06382129", minimum_age="Eighteen Years"))
    assert registry_findings(doc) == [
        (None, Finding(code="registry-age-unreadable", severity="warning",
                       message="the registry's minimum age 'Eighteen Years' is not a number "
                               "with a unit of time; it was not compared with the text")),
    ]


def test_sex_restriction_against_the_registry_sex_field() -> None:
    # LCT's NCT03865199 ("Women aged 18 or older ...") with NCT06604689's fields (ALL, 18 Years)
    lct = (LCT / "batch10" / "NCT03865199.txt").read_text(encoding="utf-8")
    doc = normalized(lct, fields_of("NCT06604689"), "NCT03865199")
    sex = [(i, f) for i, f in registry_findings(doc) if f.code.startswith("registry-sex")]
    assert sex == [("inc-1", Finding(
        code="registry-sex-disagrees", severity="warning",
        message="inc-1 restricts enrolment to women ('Women aged 18 or older unde … ing any "
                "exclusion criteria.'); the registry's sex field says all"))]
    assert by_id(doc, "inc-1").status == "needs_review"
    agreeing = normalized(lct, fields_of("NCT06604689", sex="female"), "NCT03865199")
    assert not [f for _, f in registry_findings(agreeing) if f.code.startswith("registry-sex")]


def test_no_registry_no_comparison() -> None:
    text = text_of("NCT02576665")
    doc = normalized(text, None)
    assert registry_findings(doc) == []
    assert "findings" not in doc.model_dump(mode="json")
    plain = normalize_text(text, name=doc.source, extractor=RulesExtractor())
    assert doc.model_copy(update={"record": None}) == plain
    assert {s.origin for s in plain.eligibility} == {"text"}


def test_every_registry_code_is_declared_as_a_record_finding() -> None:
    declared = {s.code for s in load_findings().findings if s.code.startswith("registry-")}
    assert declared == REGISTRY_CODES
    assert {load_findings().get(c).scope for c in REGISTRY_CODES} == {"record"}
    found = {f.code for doc in example_documents() for _, f in registry_findings(doc)}
    assert found == REGISTRY_CODES


# --------------------------------------------------------------------------
# Reading registry ages, and how they compare
# --------------------------------------------------------------------------


@pytest.mark.parametrize("example", load_age_words().examples, ids=lambda e: repr(e.value))
def test_registry_age_examples(example: Any) -> None:
    age = read_registry_age(example.value)
    if example.reads == "unreadable":
        assert age.unreadable and age.years is None
    elif example.reads == "absent":
        assert not age.unreadable and age.years is None
    else:
        assert not age.unreadable and age.years is not None
        assert math.isclose(age.years, example.years, rel_tol=1e-5)


def test_every_registry_age_in_the_corpus_reads() -> None:
    values = {m.get(k) for m in _studies().values() for k in ("minimumAge", "maximumAge")}
    values.discard(None)
    assert len(values) > 10
    for value in values:
        age = read_registry_age(value)
        assert not age.unreadable and age.years is not None and age.years > 0, value
    assert read_registry_age("3 Months").years == 0.25  # NCT07119606
    assert read_registry_age(None).years is None and not read_registry_age(None).unreadable


@pytest.mark.parametrize(
    ("text", "minimum", "maximum", "codes"),
    [
        ("Age ≥ 6 months", "6 Months", None, ["registry-age-agrees"]),
        ("Age ≥ 0.5 years", "6 Months", None, ["registry-age-agrees"]),
        ("Age ≥ 28 days", "4 Weeks", None, ["registry-age-agrees"]),
        ("Age ≥ 6 months", "1 Year", None, ["registry-age-disagrees"]),
        ("Age > 18 years", "18 Years", None, ["registry-age-agrees"]),
        ("Age > 17 years", "18 Years", None, ["registry-age-agrees"]),
        ("Age > 16 years", "18 Years", None, ["registry-age-disagrees"]),
        ("Age ≥ 17 years", "18 Years", None, ["registry-age-disagrees"]),
        ("Age < 18 years", None, "17 Years", ["registry-age-agrees"]),
        ("Age < 18 years", None, "18 Years", ["registry-age-agrees"]),
        ("Age ≤ 18 years", None, "17 Years", ["registry-age-disagrees"]),
    ],
)
def test_age_comparison_semantics(
    text: str, minimum: str | None, maximum: str | None, codes: list[str]
) -> None:
    doc = normalized(f"Inclusion Criteria:\n- {text}\n",
                     RegistryFields(minimum_age=minimum, maximum_age=maximum))
    assert by_id(doc, "inc-1").constraints[0].variable == "age", text
    assert [f.code for _, f in registry_findings(doc)] == codes


def test_exclusive_agreement_says_the_registry_cannot_write_over() -> None:
    need_shared()
    seed = (SHARED / "seeds" / "000_79b1477fd8f1d6d3.txt").read_text(encoding="utf-8")
    doc = normalized(seed, RegistryFields(minimum_age="18 Years"))  # "Age over 18 years old"
    assert [f.message for _, f in registry_findings(doc)] == [
        "the registry's minimum age (18 Years) agrees with the text: inc-2 says over 18 years "
        "(the registry writes whole units and cannot write 'over' or 'under')"]


def test_an_exclusion_limit_is_named_as_what_it_leaves() -> None:
    doc = normalized("Exclusion Criteria:\n- Age < 18 years\n",
                     RegistryFields(minimum_age="21 Years"))
    assert [f.message for _, f in registry_findings(doc)] == [
        "the registry says at least 21 years (minimum age 21 Years); exc-1 excludes under "
        "18 years, leaving at least 18 years"]


# --------------------------------------------------------------------------
# The sex vocabulary
# --------------------------------------------------------------------------


@pytest.mark.parametrize("rule", load_sex_rules().rules, ids=lambda r: r.name)
def test_sex_rule_examples(rule: Any) -> None:
    import re

    pattern = re.compile(rule.pattern, re.IGNORECASE)
    for text in rule.matches:
        assert pattern.search(text), (rule.name, text)
    for text in rule.not_matches:
        assert not pattern.search(text), (rule.name, text)


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("Inclusion Criteria:\n- Female, older than 35 years.\n", "female"),
        ("Inclusion Criteria:\n- Men 18 years or older\n", "male"),
        ("Inclusion Criteria:\n- Male or female ≥ 18 years\n", None),
        ("Inclusion Criteria:\n- Women aged 18-45\n- Men aged 18-45\n", None),  # both: no limit
        ("Exclusion Criteria:\n- Female\n", None),  # exclusions are not read
        ("Inclusion Criteria:\n- Women of childbearing potential must have a negative serum "
         "pregnancy test\n", None),
        ("Exclusion Criteria:\n- Pregnant or lactating women\n", None),
    ],
)
def test_sex_restrictions_read_from_criteria(text: str, sex: str | None) -> None:
    doc = normalized(text, RegistryFields(sex="all"))
    found = [f for _, f in registry_findings(doc) if f.code == "registry-sex-disagrees"]
    if sex is None:
        assert found == []
    else:
        people = "women" if sex == "female" else "men"
        assert len(found) == 1 and f"restricts enrolment to {people}" in found[0].message


# --------------------------------------------------------------------------
# Where a curator sees them, and the output
# --------------------------------------------------------------------------


def _without_age() -> Document:
    return normalized(text_of("NCT02576665").replace(NCT02576665_NO_AGE, ""),
                      fields_of("NCT02576665"), "NCT02576665")


def test_review_queue_shows_record_findings_first() -> None:
    rows = rows_of(_without_age())
    assert rows[0].kind == "record" and rows[0].record == "NCT02576665"
    assert [code for code, _, _ in rows[0].findings] == ["registry-age-only", "registry-age-only"]
    disagreeing = normalized(text_of("NCT06382129"), fields_of(
        "NCT06382129", minimum_age="16 Years"))
    age_row = next(r for r in rows_of(disagreeing)
                   if r.constraint_json and r.constraint_json["variable"] == "age")
    assert age_row.criteria == ("inc-2",) and age_row.constraint == 0
    assert age_row.codes() == "registry-age-disagrees"
    # a record whose criteria are all accepted: its info-only record findings wait
    quiet = normalized("Inclusion Criteria:\n- Platelets >= 100 x 10^9/L\n",
                       fields_of("NCT02576665"))
    assert [c.status for c in quiet.criteria] == ["accepted"] and quiet.findings
    assert rows_of(quiet) == []
    assert rows_of(quiet, include_accepted=True)[0].kind == "record"
    unreadable = quiet.model_copy(update={"findings": [
        Finding(code="registry-age-unreadable", severity="warning", message="m")]})
    assert [(r.kind, r.status) for r in rows_of(unreadable)] == [("record", "needs_review")]


def test_table_shows_record_findings_and_the_registry_set() -> None:
    from rich.console import Console

    console = Console(width=160, record=True)
    console.print(document_table(_without_age(), width=160))
    shown = console.export_text()
    assert "registry-age-only" in shown and "(registry fields)" in shown
    narrow = Console(width=60, record=True)
    narrow.print(document_table(_without_age(), width=60))
    assert "record finding" in narrow.export_text()


def test_documents_with_registry_findings_validate_and_export() -> None:
    import io

    from normalizer.export import export

    docs = example_documents()
    for doc in docs:
        dumped = doc.model_dump(mode="json")
        assert dumped["schema_version"] == SCHEMA_VERSION
        jsonschema.validate(dumped, document_schema())
        assert Document.model_validate(dumped) == doc
    assert any(s["origin"] == "registry" for d in docs for s in d.model_dump()["eligibility"])
    for fmt in ("csv", "fhir", "omop"):
        out = io.StringIO()
        export(docs, fmt, out, include_review=True)
        assert out.getvalue().strip(), fmt


def test_curated_documents_compare_the_registry_again(tmp_path: Any) -> None:
    from normalizer.review.curate import curated_document
    from normalizer.review.decisions import decide
    from normalizer.store import Store

    # NCT06382129's text ("Age ≥18 years old;") with NCT04318717's minimumAge (16 Years)
    doc = normalized(text_of("NCT06382129"), fields_of("NCT06382129", minimum_age="16 Years"),
                     "NCT06382129")
    store = Store.open(tmp_path / "runs.sqlite")
    run = store.begin_run("test", {})
    store.save_document(doc, record_id="NCT06382129", content_hash="h", versions_key="v",
                        seconds=0.0, run_id=run)
    age = by_id(doc, "inc-2")
    decide(store, "NCT06382129", age, action="reject", target=0, curator="ana")
    curated = curated_document(store, "NCT06382129")
    assert curated is not None
    assert [(i, f.code) for i, f in registry_findings(curated)] == [(None, "registry-age-only")]
    (ages,) = age_sets(curated)
    assert ages.origin == "registry" and ages.intervals[0].lower is not None
    assert ages.intervals[0].lower.value == 16
    fixed = age.constraints[0].model_copy(update={"lower": age.constraints[0].lower.model_copy(
        update={"value": 16.0})})  # type: ignore[union-attr]
    decide(store, "NCT06382129", age, action="correct", target=0, constraint=fixed,
           curator="bo", expected_version=1)
    corrected = curated_document(store, "NCT06382129")
    assert corrected is not None
    assert [(i, f.code, f.constraint) for i, f in registry_findings(corrected)] == [
        ("inc-2", "registry-age-agrees", 0)]
    assert age_sets(corrected)[0].origin == "text"


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=30), st.from_regex(r"\s*\d{1,4}(\.\d+)?\s*[A-Za-z]{1,8}\s*")))
def test_any_registry_age_reads_or_is_unreadable_never_raises(value: str) -> None:
    age = read_registry_age(value)
    assert age.unreadable or age.years is None or (math.isfinite(age.years) and age.years >= 0)
    if age.years is not None:
        assert age.words() and age.step > 0
    doc = normalized("Inclusion Criteria:\n- Age ≥ 18 years\n",
                     RegistryFields(minimum_age=value, maximum_age=value))
    codes = [f.code for _, f in registry_findings(doc)]
    if age.unreadable:
        assert codes.count("registry-age-unreadable") == 2
