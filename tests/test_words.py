"""Words for people: constraints and units as a clinician writes them, and every
finding code's message, rendered from real examples, reading as a sentence."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator

import pytest

from normalizer import RulesExtractor
from normalizer.catalog import load_catalog
from normalizer.extract.base import CriterionInput
from normalizer.models import Bound, Constraint, Finding
from normalizer.pipeline import normalize_text
from normalizer.verify import check_document, compare_extractions, load_findings, merge_extractions
from normalizer.words import amount_words, constraint_words, limits_words, unit_words

from .conftest import REPO, SEEDS, SHARED
from .fake_openai import Reply, fake_openai
from .test_llm_faults import GOOD, make
from .test_registry import example_documents, registry_findings
from .test_verify import (
    ADULT_GE_18,
    AGE_OVER_18,
    EXAMPLES,
    SEED_000_INC_8,
    UNDER_18,
    C,
    Case,
    _ext,
    document,
    ge,
    le,
    verified,
)


def _c(**kw: object) -> Constraint:
    return Constraint.model_validate({"label": kw.get("variable"), "evidence": (0, 1), **kw})


@pytest.mark.parametrize(
    ("constraint", "words"),
    [
        (_c(variable="age", lower=ge(18), unit="a"), "≥ 18 years"),
        (_c(variable="alt", label="ALT", upper=le(2.5), relative_to="ULN"), "≤ 2.5 × ULN"),
        (_c(variable="platelets", lower=ge(100), unit="10*9/L"), "≥ 100 ×10⁹/L"),
        (_c(variable="lesion_size", upper=Bound(value=8, inclusive=False), unit="cm"), "< 8 cm"),
        (_c(variable="age", lower=ge(18), upper=le(75), unit="a"), "18 to 75 years"),
        (_c(variable="age", lower=Bound(value=18, inclusive=False), upper=le(75), unit="a"),
         "> 18 and ≤ 75 years"),
        (_c(variable="ecog", lower=ge(2), upper=le(2)), "= 2"),
        (_c(variable="life_expectancy", lower=ge(1), unit="mo"), "≥ 1 month"),
        (_c(variable="lvef", lower=ge(50), unit="%"), "≥ 50%"),
        (_c(variable="temperature", upper=Bound(value=38.5, inclusive=False), unit="Cel"),
         "< 38.5 °C"),
        (_c(variable="hbv_dna", lower=ge(2000), unit="{copies}/mL"), "≥ 2000 copies/mL"),
        (_c(variable="egfr", lower=ge(60), unit="mL/min/{1.73_m2}"), "≥ 60 mL/min/1.73 m²"),
        (_c(variable="bilirubin", upper=le(34.2), unit="umol/L"), "≤ 34.2 µmol/L"),
        (_c(variable="anc", lower=ge(1500), unit="/uL"), "≥ 1500/µL"),
    ],
)
def test_limits_in_words(constraint: Constraint, words: str) -> None:
    assert limits_words(constraint) == words


def test_a_constraint_in_words_names_its_variable_and_condition() -> None:
    alt = _c(variable="alt", label="ALT", upper=le(5), relative_to="ULN",
             qualifier="liver metastases, if any")
    assert constraint_words(alt) == "ALT ≤ 5 × ULN (liver metastases, if any)"
    assert constraint_words(_c(variable="age", label="age", unit="a")) == "age (no limit)"


def test_every_catalog_unit_is_written_without_ucum_syntax() -> None:
    codes = set()
    for var in load_catalog().variables:
        codes |= set(var.units) | ({var.canonical_unit} if var.canonical_unit else set())
    assert len(codes) > 40
    for code in sorted(codes):
        shown = unit_words(code)
        assert shown and not re.search(r"[*\[\]{}_]|\b10\d", shown), (code, shown)
    assert amount_words(1, "a") == "1 year" and amount_words(2, "a") == "2 years"
    assert unit_words(None) == "" and amount_words(2.5, None) == "2.5"


# -- every finding code's message, from real examples -------------------------------------

_REAL_TEXTS = [
    SEEDS / "000_79b1477fd8f1d6d3.txt",
    SEEDS / "001_1264358aa91b314b.txt",
    # 'ECOG score of 0, 1 or 2': a single score value (score-value)
    SHARED / "corpus" / "chia" / "chia_without_scope" / "NCT00391690_inc.txt",
    # 'BMI range 20-50 (excluding ... under 20 or over 50)': two lower limits (limit-repeated)
    SHARED / "corpus" / "chia" / "chia_without_scope" / "NCT01483118_exc.txt",
]


def _corpus_texts() -> Iterator[str]:
    # the reader's limits: a run-on line over the length cap, a number no double holds
    yield "Inclusion Criteria:\n* " + "Age > 18 years and " * 200 + "\n"
    yield "Inclusion Criteria:\n* Platelets > 1" + "0" * 320 + " x 10^9/L\n"
    for path in _REAL_TEXTS:
        yield path.read_text(encoding="utf-8")
    for line in (REPO / "gold" / "dev.jsonl").read_text(encoding="utf-8").splitlines():
        yield json.loads(line)["text"]
    for path in sorted((SHARED / "corpus" / "ctgov_v2").glob("*.json")):
        page = json.loads(path.read_text(encoding="utf-8"))
        for study in page.get("studies") or [page]:
            text = study["protocolSection"].get("eligibilityModule", {}).get(
                "eligibilityCriteria")
            if text:
                yield text


def _llm_findings() -> list[Finding]:
    """llm-unavailable, llm-invalid-output, llm-answer-truncated, unit-unreadable...,
    from the fake server."""
    out: list[Finding] = []
    invented = {"items": [{"id": "c1", "constraints": [
        {**GOOD["items"][0]["constraints"][0], "quote": "Platelet count ≥ 150 x 10^9/L"}]}]}
    odd_unit = {"items": [{"id": "c1", "constraints": [
        {**GOOD["items"][0]["constraints"][0], "unit": "lots per bucket"}]}]}
    one = GOOD["items"][0]["constraints"][0]
    repeated = {"items": [{"id": "c1", "constraints": [one] * 30}]}
    many = {"items": [{"id": "c1", "constraints": [
        {**one, "label": f"Platelet count {k}"} for k in range(40)]}]}
    long_label = {"items": [{"id": "c1", "constraints": [{**one, "label": "P" * 500}]}]}
    text = "Platelet count ≥ 100 x 10^9/L"
    for replies in ([Reply("status", status=502)] * 3, [Reply("ok", arguments=invented)] * 2,
                    [Reply("ok", arguments=odd_unit)], [Reply("ok", arguments=repeated)],
                    [Reply("ok", arguments=many)], [Reply("ok", arguments=long_label)],
                    [Reply("ok", finish_reason="length", raw_arguments='{"items": [')] * 2):
        with fake_openai(*replies) as srv:
            [result] = make(srv.url).extract([CriterionInput("inc-1", "inclusion", text, 0)])
        out += result.findings
    return out


def _document_findings() -> list[Finding]:
    out: list[Finding] = []
    age_or = Case(  # "or" read as two limits of one inclusion: no age meets both
        "Age ≥ 65 years or ≤ 18 years",
        [C("age", "Age ≥ 65 years", lower=ge(65), unit="a"),
         C("age", "≤ 18 years", upper=le(18), unit="a")],
    )
    exclusion = Case(ADULT_GE_18.text, ADULT_GE_18.constraints, section="exclusion")
    for cases in ((AGE_OVER_18, UNDER_18), (ADULT_GE_18, UNDER_18), (AGE_OVER_18, exclusion),
                  (age_or, Case(age_or.text, age_or.constraints, id="inc-2"))):
        extra, _ = check_document(document(*cases))
        out += [f for found in extra.values() for f in found]
    return out


def _agreement_findings() -> list[Finding]:
    text = SEED_000_INC_8
    rules = _ext(text, C("alt", "ALT/AST≤2.5ULN", upper=le(2.5), relative_to="ULN"))
    llm = _ext(text, C("alt", "ALT/AST≤2.5ULN", upper=le(3), relative_to="ULN"),
               C("hemoglobin", "HB ≥90g/L", lower=ge(90), unit="g/L"))
    partial = _ext(text, C("alt", "ALT/AST≤2.5ULN", upper=le(2.5), relative_to="ULN"),
                   complete=False)
    return compare_extractions(rules, llm) + merge_extractions(
        partial, llm, keep_rivals=False).findings


@pytest.fixture(scope="module")
def messages() -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    extractor = RulesExtractor()
    for text in _corpus_texts():
        doc = normalize_text(text, name="real", extractor=extractor)
        for crit in doc.criteria:
            for f in crit.findings:
                found[f.code].append(f.message)
    for case, _fragment in EXAMPLES.values():
        for f in verified(case).findings:
            found[f.code].append(f.message)
    # a registry that lost a comparator symbol (issue 15's shape; no corpus text has one)
    lost = "Inclusion Criteria:\n- Age  18 years\n"
    stripped = normalize_text(lost, name="t", extractor=extractor)
    for crit in stripped.criteria:
        for f in crit.findings:
            found[f.code].append(f.message)
    for f in _document_findings() + _agreement_findings() + _llm_findings():
        found[f.code].append(f.message)
    for doc in example_documents():  # the registry's fields against real records
        for _, f in registry_findings(doc):
            found[f.code].append(f.message)
    return dict(found)


_BROKEN = [
    (re.compile(r"\ba (?!uni|usu|use|one\b|eu)[aeiouAEIOU]"), "'a' before a vowel"),
    (re.compile(r"\ban (?!h(?:our|onest))[b-df-hj-np-tv-zB-DF-HJ-NP-TV-Z]"),
     "'an' before a consonant"),
    (re.compile(r"  "), "a doubled space"),
    (re.compile(r"''|\(\s*\)|\[\s*\]|\bNone\b|\{\}"), "an empty slot"),
    (re.compile(r"\bstate \S+ nothing\b|\bnothing$"), "'nothing' where a value belongs"),
    (re.compile(r"\s[,;:.]"), "a space before punctuation"),
    (re.compile(r"^\s|\s$"), "leading or trailing space"),
    (re.compile(r"[<>]=|\d x (ULN|LLN)\b|(^|[ ;(])x \d"), "'>=' or 'x' instead of the words"),
    (re.compile(r"\b10\*\d|\d (a|Cel|mo|wk)\b|\{copies\}|\[IU\]"), "a UCUM code as a unit"),
]


def test_every_finding_code_has_a_real_message(messages: dict[str, list[str]]) -> None:
    declared = {spec.code for spec in load_findings().findings}
    assert declared - set(messages) == set()


_QUOTED = re.compile(r"(?<![A-Za-z])'[^']*'(?![A-Za-z])")
"""Criterion text quoted in a message: written as the registry wrote it."""
_OURS = {"'>=' or 'x' instead of the words", "a UCUM code as a unit"}


def _problems(message: str) -> list[str]:
    ours = _QUOTED.sub("'…'", message)
    return [why for pattern, why in _BROKEN
            if pattern.search(ours if why in _OURS else message)]


def test_every_finding_message_reads_as_a_sentence(messages: dict[str, list[str]]) -> None:
    broken = [
        f"{code}: {why}: {message!r}"
        for code, found in sorted(messages.items())
        for message in found
        for why in _problems(message)
    ]
    assert broken == [], "\n".join(sorted(set(broken)))
    assert sum(map(len, messages.values())) > 100


def test_the_broken_sentences_of_the_issue_are_gone(messages: dict[str, list[str]]) -> None:
    duplicate = " | ".join(messages["eligibility-duplicate"])
    assert "both state limits on age that no value meets" in duplicate
    repeated = " | ".join(messages["limit-repeated"])
    assert "both set an upper limit" in repeated and "both set a lower limit" in repeated
    invalid = " | ".join(messages["llm-invalid-output"])
    assert "is not in the criterion text" in invalid and "InstructorRetryException" not in invalid


def test_the_sentence_check_catches_what_the_issue_saw() -> None:
    assert _problems("inc-1 and inc-6 both state age nothing")
    assert _problems("constraints 0 and 1 both set a upper limit on ALT")
    assert _problems("read as >= 18 a")
    assert _problems("no constraint covers '3 months' , '12'")
    assert not _problems("the evidence 'ALT <= 2.5 x ULN' names AST, not ALT")


def test_the_module_examples_run() -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module("normalizer.words"))
    assert result.attempted > 0 and result.failed == 0
