"""The rules extractor on real registry language, one construction per case.

Every text is a criterion (or a clause of one) from a *dev* document of the Chia or
LCT corpus (split_of(nct) == "dev"), cited by its NCT id; the expected constraints
are what a curator records.  Non-constraint numbers (windows, stages, editions,
references, grades) must give notes, not constraints.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from typing import Any

import pytest
from pydantic import ValidationError

from normalizer.evaluation.split import split_of
from normalizer.extract.base import CriterionInput, Extraction
from normalizer.extract.rules import RulesExtractor
from normalizer.extract.rules.lexicon import Patterns, compile_patterns, load_lexicon

from .case_files import cases, expected_key, expected_keys, params, read_keys


@pytest.fixture(scope="module")
def rules() -> RulesExtractor:
    return RulesExtractor()


def read(rules: RulesExtractor, text: str, start: int = 0) -> Extraction:
    return rules.extract([CriterionInput("c", "inclusion", text, start)])[0]


CONSTRUCTIONS = params("rules", "constructions")
NOTES = params("rules", "notes")


def test_cases_come_from_dev_documents() -> None:
    sources = [c["source"] for c in cases("rules", "constructions")]
    assert sources and [s for s in sources if split_of(s) != "dev"] == []


@pytest.mark.parametrize("case", CONSTRUCTIONS)
def test_constructions(rules: RulesExtractor, case: dict[str, Any]) -> None:
    extraction = read(rules, case["text"])
    assert read_keys(extraction.constraints) == expected_keys(case["expect"]["constraints"])


@pytest.mark.parametrize("case", NOTES)
def test_non_constraint_numbers_are_notes(rules: RulesExtractor, case: dict[str, Any]) -> None:
    extraction = read(rules, case["text"])
    expect = case["expect"]
    assert read_keys(extraction.constraints) == expected_keys(expect["constraints"])
    assert {n.reason for n in extraction.notes} == set(expect["notes"])
    assert extraction.complete is expect["complete"]


def test_evidence_is_in_document_offsets(rules: RulesExtractor) -> None:
    text = "Platelets > 100 109/l, Hemoglobin > 9g/dl"
    extraction = read(rules, text, start=1000)
    spans = [c.evidence for c in extraction.constraints]
    assert spans == [(1000, 1000 + text.index(",")), (1000 + text.index("Hem"), 1000 + len(text))]


def test_qualified_limits_are_read_with_their_condition(rules: RulesExtractor) -> None:
    # the `qualified` warning itself is verification's, the same for every extractor
    extraction = read(rules, "Serum creatinine >2.5 mg/dL in men, or >2.0 mg/dL in women")
    assert [c.qualifier for c in extraction.constraints] == ["in men", "in women"]


def test_default_unit_is_inferred_with_a_finding(rules: RulesExtractor) -> None:
    extraction = read(rules, "Age 18-64")
    assert [c.unit for c in extraction.constraints] == ["a"]
    assert [f.code for f in extraction.findings] == ["unit-inferred"]


def test_a_bare_value_is_read_as_equal_and_flagged(rules: RulesExtractor) -> None:
    extraction = read(rules, "Hemoglobin 9 g/dL")
    nine = {"value": 9, "inclusive": True}
    assert read_keys(extraction.constraints) == [
        repr(expected_key({"variable": "hemoglobin", "lower": nine, "upper": nine, "unit": "g/dL"}))
    ]
    assert [f.code for f in extraction.findings] == ["comparator-missing"]
    assert not extraction.complete


def test_an_unexplained_number_makes_the_extraction_incomplete(rules: RulesExtractor) -> None:
    extraction = read(rules, "Score 7 on the questionnaire at screening")
    assert extraction.constraints == []
    assert not extraction.complete
    assert [n.reason for n in extraction.notes] == ["other"]


def test_a_criterion_without_digits_is_skipped(rules: RulesExtractor) -> None:
    assert read(rules, "Informed notification and signed informed consent.") == Extraction()


# --- the lexicon: data with a schema -----------------------------------------


def packaged_patterns() -> dict[str, object]:
    raw = resources.files("normalizer").joinpath("data/patterns.toml").read_text("utf-8")
    return tomllib.loads(raw)


def test_patterns_load_and_compile() -> None:
    lexicon = load_lexicon()
    assert lexicon.version
    assert lexicon.comparator("before", "no less than").op == "ge"
    assert lexicon.comparator("after", "or older").implies == "age"
    assert lexicon.comparator("before", "acuity").ambiguous


def test_a_broken_regex_is_rejected() -> None:
    data = packaged_patterns()
    data["link"] = "(unclosed"
    with pytest.raises(ValidationError, match="does not compile"):
        Patterns.model_validate(data)


def test_translations_keep_offsets() -> None:
    data = packaged_patterns()
    data["translate"] = {"≥": ">="}
    with pytest.raises(ValidationError, match="one character"):
        Patterns.model_validate(data)
    lexicon = compile_patterns(Patterns.model_validate(packaged_patterns()))
    text = "ANC≥1.5×109/L; \\<8cm; leucocytes ³ 2000; －ｘ＞"
    view = lexicon.view(text)
    assert len(view) == len(text)
    assert re.search(r"ANC≥1\.5x109/L; +<8cm; leucocytes ≥ 2000", view)
