"""FHIR R5 and OMOP Circe exports: shapes, validation, and round trips on gold and real records."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import pytest

from normalizer.export.fhir import (
    COMPLETE_URL,
    OFFSET_SYSTEM,
    UCUM,
    bundle_of,
    fhir_id,
    readings_of_bundle,
    validate_bundle,
)
from normalizer.export.omop import PLACEHOLDER_CONCEPT_ID, cohort_of, readings_of_cohort
from normalizer.export.selection import Reading, RecordExport, reading_of, select
from normalizer.export.table import (
    read_csv,
    read_parquet,
    readings_of_rows,
    write_csv,
    write_parquet,
)
from normalizer.models import Bound, Document

from .conftest import need_shared
from .export_data import constraint, criterion, document, gold_documents, real_documents

REFERENCE = Path(__file__).parent / "data" / "circe" / "reference_cohort.json"


def _liver_document() -> Document:
    ast = constraint(
        "ast",
        label="AST",
        lower=None,
        upper=Bound(value=2.5, inclusive=True),
        unit=None,
        relative_to="ULN",
    )
    ast_mets = ast.model_copy(
        update={"upper": Bound(value=5, inclusive=True), "qualifier": "with liver metastases"}
    )
    age = constraint("age", label="age", lower=Bound(value=18, inclusive=True), unit="a")
    rng = constraint(
        "hemoglobin",
        label="hemoglobin",
        lower=Bound(value=9, inclusive=False),
        upper=Bound(value=16, inclusive=True),
        unit="g/dL",
    )
    anc = constraint("anc", label="ANC", lower=None, upper=Bound(value=1.5, inclusive=False))
    old = constraint("age", label="age", lower=Bound(value=75, inclusive=False), unit="a")
    return document(
        criterion(
            "inc-1",
            "inclusion",
            [ast, ast_mets],
            text="AST <= 2.5 x ULN (<= 5 x ULN with liver metastases)",
        ),
        criterion("inc-2", "inclusion", [age, rng]),
        criterion("exc-1", "exclusion", [anc, old]),
        criterion("exc-2", "exclusion", [constraint()], status="needs_review"),
    )


# -- FHIR -----------------------------------------------------------------------------------


def _characteristics(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    variable = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "EvidenceVariable"
    )
    return list(variable["characteristic"])


def test_fhir_bundle_shape_and_validation() -> None:
    export = select(_liver_document())
    bundle = bundle_of(export)
    validate_bundle(bundle)
    study, variable = (e["resource"] for e in bundle["entry"])
    assert study["recruitment"]["eligibility"]["reference"] == bundle["entry"][1]["fullUrl"]
    assert study["identifier"][0] == {
        "system": "https://clinicaltrials.gov",
        "value": "NCT01234567",
    }
    assert variable["status"] == "draft"  # exc-2 is undecided
    assert {"url": COMPLETE_URL, "valueBoolean": False} in variable["extension"]
    assert "exc-2" in variable["note"][0]["text"]
    inclusion, exclusion = _characteristics(bundle)
    assert inclusion["definitionByCombination"]["code"] == "all-of"
    assert exclusion["exclude"] is True and exclusion["definitionByCombination"]["code"] == "any-of"
    text = json.dumps(bundle)
    assert '"code": "UNL"' in text and OFFSET_SYSTEM in text
    assert '"comparator": ">"' in text and '"comparator": "<="' in text
    liver = inclusion["definitionByCombination"]["characteristic"][0]
    branches = liver["definitionByCombination"]["characteristic"][0]["definitionByCombination"]
    assert branches["code"] == "any-of"
    unless, _main = branches["characteristic"][0]["definitionByCombination"]["characteristic"]
    assert (
        unless["exclude"] is True
        and unless["definitionCodeableConcept"]["text"] == "with liver metastases"
    )
    hemoglobin = inclusion["definitionByCombination"]["characteristic"][1]
    halves = hemoglobin["definitionByCombination"]["characteristic"][1]["definitionByCombination"]
    assert [
        h["definitionByTypeAndValue"]["valueQuantity"]["comparator"]
        for h in halves["characteristic"]
    ] == [">", "<="]
    assert (
        halves["characteristic"][0]["definitionByTypeAndValue"]["valueQuantity"]["system"] == UCUM
    )


def test_fhir_complete_record_is_active_and_codes_loinc() -> None:
    bundle = bundle_of(select(document(criterion("inc-1", "inclusion", [constraint()]))))
    validate_bundle(bundle)
    variable = bundle["entry"][1]["resource"]
    assert variable["status"] == "active" and "note" not in variable
    leaf = variable["characteristic"][0]["definitionByCombination"]["characteristic"][0][
        "definitionByCombination"
    ]["characteristic"][0]
    coding = leaf["definitionByTypeAndValue"]["type"]["coding"]
    assert coding[0] == {"system": "http://loinc.org", "code": "777-3", "display": "platelet count"}


@pytest.mark.parametrize(
    ("where", "value"),
    [("comparator", "=>"), ("bogus", 1), ("status", "final")],
)
def test_fhir_validation_fails_on_broken_bundles(where: str, value: object) -> None:
    bundle = bundle_of(select(document(criterion("inc-1", "inclusion", [constraint()]))))
    variable = bundle["entry"][1]["resource"]
    leaf = variable["characteristic"][0]["definitionByCombination"]["characteristic"][0][
        "definitionByCombination"
    ]["characteristic"][0]["definitionByTypeAndValue"]
    if where == "status":
        variable["status"] = value
    elif where == "comparator":
        leaf["valueQuantity"]["comparator"] = value
    else:
        leaf[where] = value
    with pytest.raises(ValueError):  # pydantic's ValidationError is a ValueError too
        validate_bundle(bundle)


def test_fhir_ids_are_valid_and_stable() -> None:
    assert fhir_id("NCT01234567") == "NCT01234567"
    odd = fhir_id("../shared/seeds/000_79b1477fd8f1d6d3.txt")
    assert odd == fhir_id("../shared/seeds/000_79b1477fd8f1d6d3.txt")
    assert len(odd) <= 64 and all(ch.isalnum() or ch in "-." for ch in odd)


# -- OMOP -----------------------------------------------------------------------------------


def _shapes(node: Any, parent: str, into: dict[str, dict[str, set[str]]]) -> None:
    """Per parent key: each child key and the JSON types seen for it."""
    if isinstance(node, list):
        for item in node:
            _shapes(item, parent, into)
    elif isinstance(node, dict):
        slot = into.setdefault(parent, {})
        for key, value in node.items():
            kind = (
                "number"
                if isinstance(value, int | float) and not isinstance(value, bool)
                else type(value).__name__
            )
            slot.setdefault(key, set()).add(kind)
            _shapes(value, key, into)


def test_circe_output_matches_the_reference_keys_and_types() -> None:
    reference: dict[str, dict[str, set[str]]] = {}
    _shapes(json.loads(REFERENCE.read_text(encoding="utf-8")), "$", reference)
    ours: dict[str, dict[str, set[str]]] = {}
    docs = [_liver_document(), *gold_documents()]
    for doc in docs:
        _shapes(cohort_of(select(doc, include_review=True)), "$", ours)
    for parent, keys in ours.items():
        assert parent in reference, f"{parent!r} is not an object Circe knows here"
        for key, kinds in keys.items():
            assert key in reference[parent], f"{parent}.{key} is not a Circe property"
            assert kinds <= reference[parent][key], (
                f"{parent}.{key}: {kinds} vs {reference[parent][key]}"
            )


def test_circe_shapes() -> None:
    cohort = cohort_of(select(_liver_document()))
    rules = {r["name"]: r for r in cohort["InclusionRules"]}
    assert set(rules) == {"inclusion inc-1", "inclusion inc-2", "exclusion exc-1"}
    assert "INCOMPLETE" in cohort["Title"]
    exc = rules["exclusion exc-1"]["expression"]
    assert exc["CriteriaList"][0]["Occurrence"] == {"Type": 0, "Count": 0}
    assert exc["CriteriaList"][0]["Criteria"]["Measurement"]["ValueAsNumber"] == {
        "Value": 1.5,
        "Op": "lt",
    }
    assert exc["Groups"][0]["Type"] == "AT_MOST" and exc["Groups"][0]["Count"] == 0
    assert exc["Groups"][0]["DemographicCriteriaList"] == [{"Age": {"Value": 75, "Op": "gt"}}]
    liver = rules["inclusion inc-1"]["expression"]["Groups"][0]
    assert liver["Type"] == "ANY"
    main = liver["Groups"][0]["CriteriaList"]
    assert main[0]["Occurrence"] == {"Type": 0, "Count": 0}  # not with liver metastases
    assert main[1]["Criteria"]["Measurement"]["RangeHighRatio"] == {"Value": 2.5, "Op": "lte"}
    inc2 = rules["inclusion inc-2"]["expression"]
    assert inc2["DemographicCriteriaList"] == [{"Age": {"Value": 18, "Op": "gte"}}]
    hb = inc2["Groups"][0]["CriteriaList"]
    assert [c["Criteria"]["Measurement"]["ValueAsNumber"]["Op"] for c in hb] == ["gt", "lte"]
    assert hb[0]["Criteria"]["Measurement"]["Unit"][0]["CONCEPT_CODE"] == "g/dL"
    names = {cs["name"]: cs for cs in cohort["ConceptSets"]}
    concept = names["ast: AST"]["expression"]["items"][0]["concept"]
    assert concept["CONCEPT_CODE"] == "1920-8" and concept["VOCABULARY_ID"] == "LOINC"
    assert concept["CONCEPT_ID"] == PLACEHOLDER_CONCEPT_ID and concept["CONCEPT_NAME"].startswith(
        "PLACEHOLDER"
    )


def test_a_constraint_without_bounds_survives_every_format() -> None:
    bare = [constraint(lower=None), constraint("age", lower=None, unit="a")]
    export = select(document(criterion("inc-1", "inclusion", bare)))
    want = sorted((reading_of(export.record_id, s) for s in export.constraints), key=repr)
    bundle = bundle_of(export)
    validate_bundle(bundle)
    # FHIR: a bound-less characteristic is valueBoolean true, with no unit
    assert sorted(readings_of_bundle(bundle), key=repr) == [
        dataclasses.replace(r, unit=None) for r in want
    ]
    got = readings_of_cohort(cohort_of(export), export.record_id)
    assert sorted(got, key=repr) == [
        dataclasses.replace(r, unit="a" if r.variable == "age" else None) for r in want
    ]


def test_unknown_section_is_left_out_of_fhir_and_omop_and_said_so() -> None:
    export = select(document(criterion("unk-1", "unknown", [constraint()])))
    assert [s.criterion.id for s in export.constraints] == ["unk-1"]  # CSV/Parquet keep it
    variable = bundle_of(export)["entry"][1]["resource"]
    assert "characteristic" not in variable and "unk-1" in variable["note"][0]["text"]
    cohort = cohort_of(export)
    assert cohort["InclusionRules"] == []
    assert "1 constraints of unknown section left out" in cohort["Title"]


# -- round trips ------------------------------------------------------------------------------


def _expected(exports: list[RecordExport]) -> list[Reading]:
    return sorted((reading_of(e.record_id, s) for e in exports for s in e.constraints), key=repr)


def _sets() -> list[tuple[str, tuple[Document, ...]]]:
    return [("gold", gold_documents()), ("real", real_documents())]


@pytest.fixture(scope="module", params=["gold", "real"])
def exports(request: pytest.FixtureRequest) -> list[RecordExport]:
    need_shared()
    docs = gold_documents() if request.param == "gold" else real_documents()
    out = [select(d, include_review=True) for d in docs]
    assert sum(len(e.constraints) for e in out) > 40
    return out


def test_round_trip_csv_and_parquet(exports: list[RecordExport]) -> None:
    text = io.StringIO()
    write_csv(exports, text)
    text.seek(0)
    assert sorted(readings_of_rows(read_csv(text)), key=repr) == _expected(exports)
    binary = io.BytesIO()
    write_parquet(exports, binary)
    binary.seek(0)
    assert sorted(readings_of_rows(read_parquet(binary)), key=repr) == _expected(exports)


def test_round_trip_fhir(exports: list[RecordExport]) -> None:
    got: list[Reading] = []
    for export in exports:
        bundle = json.loads(json.dumps(bundle_of(export)))
        validate_bundle(bundle)
        got.extend(readings_of_bundle(bundle))
    want = [
        dataclasses.replace(r, criterion_id=fhir_id(r.criterion_id))
        for r in _expected(exports)
        if r.section != "unknown"
    ]
    assert sorted(got, key=repr) == sorted(want, key=repr)


def test_round_trip_circe(exports: list[RecordExport]) -> None:
    got: list[Reading] = []
    canonical: dict[
        tuple[str, str, float | None, float | None], tuple[float | None, float | None]
    ] = {}
    for export in exports:
        got.extend(readings_of_cohort(json.loads(json.dumps(cohort_of(export))), export.record_id))
        for sel in export.constraints:
            c = sel.constraint
            if c.variable == "age" and c.canonical is not None:
                key = (
                    export.record_id,
                    sel.criterion.id,
                    c.lower and c.lower.value,
                    c.upper and c.upper.value,
                )
                canonical[key] = (c.canonical.lower, c.canonical.upper)
    want = []
    for r in _expected(exports):
        if r.section == "unknown":
            continue
        if (
            r.variable == "age" and r.unit != "a"
        ):  # Circe ages are years: compare the canonical ones
            lo, hi = canonical[
                (r.record_id, r.criterion_id, r.lower and r.lower[0], r.upper and r.upper[0])
            ]
            r = dataclasses.replace(
                r,
                unit="a",
                lower=(lo, r.lower[1]) if r.lower and lo is not None else r.lower,
                upper=(hi, r.upper[1]) if r.upper and hi is not None else r.upper,
            )
        want.append(r)
    assert sorted(got, key=repr) == sorted(want, key=repr)
