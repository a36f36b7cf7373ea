"""Helpers for the reader tests: read everything, split records from failures, check spans."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from normalizer.extract.rules import RulesExtractor
from normalizer.models import Document
from normalizer.pipeline import normalize_record
from normalizer.records import ReadFailure, Record, read_records

from .conftest import SHARED

CTGOV = SHARED / "corpus" / "ctgov_v2"
FB_CSV = SHARED / "corpus" / "fb_ctparser" / "data" / "input" / "clinical_trials.csv"
RULES = RulesExtractor()


def read_all(*inputs: str | Path, **kw: Any) -> tuple[list[Record], list[ReadFailure]]:
    records: list[Record] = []
    failures: list[ReadFailure] = []
    for item in read_records([str(i) for i in inputs], **kw):
        (failures if isinstance(item, ReadFailure) else records).append(item)  # type: ignore[arg-type]
    return records, failures


def normalized(record: Record) -> Document:
    """The record's document, after checking every span against the record's text."""
    doc = normalize_record(record, extractor=RULES)
    assert doc.source == record.source
    assert doc.record == record.info
    if record.text is None:
        assert doc.criteria == []
    for crit in doc.criteria:
        assert record.text is not None
        assert record.text[crit.span[0] : crit.span[1]] == crit.text
        for c in crit.constraints:
            assert crit.span[0] <= c.evidence[0] <= c.evidence[1] <= crit.span[1]
    return doc


def study(nct: str | None = "NCT01234567",
          criteria: object = "Inclusion Criteria:\n* Age >= 18 years\n",
          **elig: object) -> dict[str, Any]:
    ident: dict[str, Any] = {"briefTitle": f"Study {nct}"}
    if nct is not None:
        ident["nctId"] = nct
    module: dict[str, Any] = {"sex": "ALL", "minimumAge": "18 Years", **elig}
    if criteria is not None:
        module["eligibilityCriteria"] = criteria
    return {"protocolSection": {"identificationModule": ident,
                                "conditionsModule": {"conditions": ["Asthma"]},
                                "eligibilityModule": module}}
