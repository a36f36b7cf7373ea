"""ClinicalTrials.gov API v2 in: the real responses in shared/corpus/ctgov_v2, JSON Lines, zip."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from normalizer.models import RecordOrigin, RegistryFields
from normalizer.records.synth import build_ctgov_studies, write_jsonl, write_page, write_zip

from .conftest import need_shared
from .records_util import CTGOV, normalized, read_all, study


def fixtures() -> list[Path]:
    need_shared()
    return sorted(CTGOV.glob("*.json"))


def test_every_fixture_reads_into_documents_whose_spans_are_the_criteria_text() -> None:
    files = fixtures()
    assert len(files) == 10
    records, failures = read_all(*files)
    assert failures == []
    for record in records:
        doc = normalized(record)
        assert record.info.nct_id is not None and record.info.id == record.info.nct_id
        if record.text is not None:
            assert doc.criteria, record.source
    with_text = [r for r in records if r.text is not None]
    assert [r.info.nct_id for r in with_text] == ["NCT02576665", "NCT06382129", "NCT06604689"]
    # search pages carry only some modules: no criteria text, a note, the structured fields
    pages = [r for r in records if r.info.origin.index is not None]
    assert len(pages) == len(records) - 3 == 22
    assert all(r.text is None and "no eligibility criteria text" in (r.info.note or "")
               for r in pages)


def test_a_full_study_is_pinned_by_value() -> None:
    need_shared()
    path = CTGOV / "get_nct02576665_20260811.json"
    (record,), failures = read_all(path)
    assert failures == []
    raw = json.loads(path.read_text(encoding="utf-8"))["protocolSection"]
    assert record.text == raw["eligibilityModule"]["eligibilityCriteria"]
    assert record.text.startswith("Inclusion Criteria:\n\n1. Patient has give")
    info = record.info
    assert info.id == info.nct_id == "NCT02576665"
    assert info.title == (
        "A Study of Toca 511, a Retroviral Replicating Vector, Combined With Toca FC in "
        "Patients With Solid Tumors or Lymphoma (Toca 6)")
    assert info.conditions[:2] == ["Colorectal Cancer", "Triple Negative Breast Cancer"]
    assert len(info.conditions) == 12
    assert info.registry == RegistryFields(minimum_age="18 Years", maximum_age="75 Years",
                                           sex="all", healthy_volunteers=None, std_ages=[])
    assert info.origin == RecordOrigin(path=str(path))
    assert record.source == str(path)
    doc = normalized(record)
    ages = [c for crit in doc.criteria for c in crit.constraints if c.variable == "age"]
    assert ages, "the age criterion of the text is read"


def test_search_page_studies_are_indexed_and_pinned() -> None:
    need_shared()
    path = CTGOV / "search_phelan_limit5_20260811.json"
    records, failures = read_all(path)
    assert failures == []
    assert [r.info.nct_id for r in records] == [
        "NCT02710084", "NCT05105685", "NCT01525901", "NCT03493607", "NCT07119606"]
    assert [r.info.origin.index for r in records] == [0, 1, 2, 3, 4]
    assert records[4].source == f"{path}#4"
    assert records[4].info.registry is not None
    assert (records[4].info.registry.minimum_age, records[4].info.registry.maximum_age) == (
        "3 Months", "99 Years")
    assert records[0].info.title == (
        "Piloting Treatment With Intranasal Oxytocin in Phelan-McDermid Syndrome")


def test_jsonl_and_zip_of_the_real_studies(tmp_path: Path) -> None:
    need_shared()
    studies = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(CTGOV.glob("get_*.json"))]
    jsonl = write_jsonl(tmp_path / "studies.jsonl", studies)
    archive = write_zip(tmp_path / "bulk.zip", studies)
    from_lines, f1 = read_all(jsonl)
    from_zip, f2 = read_all(archive)
    assert f1 == f2 == []
    assert [r.info.origin.line for r in from_lines] == [1, 2, 3]
    assert [r.source for r in from_zip] == [
        f"{archive}:NCT02576665.json", f"{archive}:NCT06382129.json", f"{archive}:NCT06604689.json"]
    for a, b, raw in zip(from_lines, from_zip, studies, strict=True):
        criteria = raw["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
        assert a.text == b.text == criteria
        assert a.info.registry == b.info.registry
        normalized(b)


def test_a_directory_of_json_and_a_compact_page_on_one_line(tmp_path: Path) -> None:
    need_shared()
    for p in sorted(CTGOV.glob("get_*.json")):
        (tmp_path / "sub").mkdir(exist_ok=True)
        shutil.copy(p, tmp_path / "sub" / p.name)
    page = write_page(tmp_path / "page.json", [study("NCT00000001"), study("NCT00000002")], "tok")
    records, failures = read_all(tmp_path, glob="*.json")
    assert failures == []
    assert [r.info.id for r in records] == [
        "NCT00000001", "NCT00000002", "NCT02576665", "NCT06382129", "NCT06604689"]
    assert records[1].source == f"{page}#1"


def test_structured_fields_from_a_synthetic_study() -> None:
    (s,) = build_ctgov_studies(1, ["Inclusion Criteria:\n* Age 18 to 75 years\n"])
    s["protocolSection"]["eligibilityModule"]["healthyVolunteers"] = True
    from normalizer.records.ctgov import records_of_json

    (record,) = records_of_json(s, RecordOrigin(path="x.json"), "unknown")
    assert not isinstance(record, type(None))
    assert record.info.registry == RegistryFields(  # type: ignore[union-attr]
        minimum_age="18 Years", maximum_age=None, sex="all", healthy_volunteers=True,
        std_ages=["ADULT", "OLDER_ADULT"])


def test_synth_is_deterministic_with_distinct_ids(tmp_path: Path) -> None:
    texts = ["Inclusion Criteria:\n* Age >= 18 years\n", "Exclusion Criteria:\n* ECOG > 2\n"]
    a = build_ctgov_studies(10_000, texts)
    assert a == build_ctgov_studies(10_000, texts)
    ids = [s["protocolSection"]["identificationModule"]["nctId"] for s in a]
    assert len(set(ids)) == 10_000
    sexes = {s["protocolSection"]["eligibilityModule"]["sex"] for s in a}
    assert sexes == {"ALL", "FEMALE", "MALE"}
    one = write_zip(tmp_path / "a.zip", a[:50]).read_bytes()
    assert one == write_zip(tmp_path / "b.zip", a[:50]).read_bytes()
    with zipfile.ZipFile(tmp_path / "a.zip") as z:
        assert len(z.namelist()) == 50


@pytest.mark.parametrize("fmt", ["ctgov", "auto"])
def test_input_format_ctgov_reads_json_named_txt(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "study.txt"
    path.write_text(json.dumps(study("NCT07654321"), indent=2), encoding="utf-8")
    (record,), failures = read_all(path, input_format=fmt)
    assert failures == [] and record.info.nct_id == "NCT07654321"
    as_text, _ = read_all(path, input_format="text")
    assert as_text[0].text is not None and as_text[0].text.startswith("{")
