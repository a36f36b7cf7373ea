"""The committed JSON Schemas are exactly what the models generate."""

from __future__ import annotations

import json

import jsonschema

from normalizer.models import SCHEMA_VERSION, Bound, Constraint, Criterion, Document
from normalizer.schema import committed_schema, document_schema, gold_schema

from .conftest import REPO


def test_committed_document_schema_matches_models() -> None:
    assert committed_schema() == document_schema(), (
        "normalizer/schema/document.schema.json drifted from the models: regenerate it with "
        "`normalizer schema > normalizer/schema/document.schema.json` and bump SCHEMA_VERSION "
        "if the contract changed"
    )


def test_committed_gold_schema_matches_models() -> None:
    committed = json.loads((REPO / "gold" / "gold.schema.json").read_text("utf-8"))
    assert committed == gold_schema()


def test_a_document_validates_and_a_broken_one_does_not() -> None:
    doc = Document(
        source="x.txt",
        criteria=[
            Criterion(
                id="inc-1",
                section="inclusion",
                text="BMI acuity 18.5 kg/m2.",
                span=(0, 22),
                constraints=[
                    Constraint(
                        variable="bmi",
                        label="BMI",
                        lower=Bound(value=18.5, inclusive=True),
                        unit="kg/m2",
                        evidence=(0, 21),
                        extracted_by=["rules"],
                    )
                ],
            )
        ],
    )
    dumped = doc.model_dump(mode="json")
    assert dumped["schema_version"] == SCHEMA_VERSION
    assert dumped["criteria"][0]["span"] == [0, 22]
    jsonschema.validate(dumped, document_schema())
    dumped["criteria"][0]["status"] = "maybe"
    try:
        jsonschema.validate(dumped, document_schema())
    except jsonschema.ValidationError:
        pass
    else:  # pragma: no cover - the assertion is the point
        raise AssertionError("an unknown status validated")
