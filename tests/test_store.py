"""The run store on SQLite and on the PostgreSQL server: schema, documents, failures."""

from __future__ import annotations

import pytest

from normalizer import RulesExtractor
from normalizer.errors import ConfigError
from normalizer.models import RecordInfo, RecordOrigin
from normalizer.pipeline import normalize_record
from normalizer.records import Record
from normalizer.store import Store
from normalizer.store.fingerprint import content_hash, versions_key, versions_of
from normalizer.store.migrations import MIGRATIONS

from .conftest import SEEDS


def _record(record_id: str, text: str) -> Record:
    return Record(
        info=RecordInfo(id=record_id, nct_id=record_id, origin=RecordOrigin(path="x.json")),
        text=text,
    )


def test_schema_is_migrated_once(store_target: str) -> None:
    store = Store.open(store_target)
    assert store.schema_version() == MIGRATIONS[-1].version
    store.close()
    again = Store.open(store_target)
    assert again.migrate() == []  # nothing left to apply on a second open
    again.close()


def test_documents_round_trip_and_replace(store_target: str) -> None:
    store = Store.open(store_target)
    extractor = RulesExtractor()
    text = (SEEDS / "001_1264358aa91b314b.txt").read_text(encoding="utf-8")
    record = _record("NCT00000001", text)
    doc = normalize_record(record, extractor=extractor)
    assert doc.provenance is not None
    key = versions_key(versions_of(doc.provenance))
    run = store.begin_run("test", versions_of(doc.provenance))
    store.save_document(
        doc, record_id="NCT00000001", content_hash=content_hash(record), versions_key=key,
        seconds=0.01, run_id=run,
    )
    assert store.get_document("NCT00000001") == doc
    row = store.stored()["NCT00000001"]
    assert (row.content_hash, row.versions_key) == (content_hash(record), key)
    assert row.criteria == len(doc.criteria) > 0
    assert row.accepted + row.needs_review + row.rejected == row.criteria
    # saving again replaces, never duplicates
    other = normalize_record(_record("NCT00000001", "Inclusion Criteria:\n* Age 18-75"),
                             extractor=extractor)
    store.save_document(
        other, record_id="NCT00000001", content_hash="h2", versions_key=key, seconds=0.0,
        run_id=run,
    )
    assert store.count() == 1
    assert store.get_document("NCT00000001") == other
    store.finish_run(run, {"records": 1})
    store.close()


def test_iter_documents_pages_in_record_order(store_target: str) -> None:
    store = Store.open(store_target)
    extractor = RulesExtractor()
    run = store.begin_run("test", {})
    ids = [f"NCT{n:08d}" for n in (5, 3, 9, 1, 7)]
    for record_id in ids:
        doc = normalize_record(_record(record_id, "* Age > 18 years"), extractor=extractor)
        store.save_document(doc, record_id=record_id, content_hash="h", versions_key="v",
                            seconds=0.0, run_id=run)
    read = [d.record.id for d in store.iter_documents(batch=2) if d.record]
    assert read == sorted(ids)
    chosen = [d.record.id for d in store.iter_documents(["NCT00000009", "NCT00000001"])
              if d.record]
    assert chosen == ["NCT00000001", "NCT00000009"]
    store.close()


def test_failures_are_kept_until_the_record_is_stored(store_target: str) -> None:
    store = Store.open(store_target)
    run = store.begin_run("test", {})
    store.save_failure("bulk.zip:NCT00000002.json", "not JSON", run_id=run,
                       record_id="NCT00000002")
    assert store.failures() == [("bulk.zip:NCT00000002.json", "NCT00000002", "not JSON")]
    doc = normalize_record(_record("NCT00000002", "* Age > 18"), extractor=RulesExtractor())
    store.save_document(doc, record_id="NCT00000002", content_hash="h", versions_key="v",
                        seconds=0.0, run_id=run)
    assert store.failures() == []
    store.close()


def test_a_store_in_a_missing_folder_is_one_clear_error(tmp_path: object) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        Store.open("/nonexistent-folder/runs.sqlite")


def test_an_unreachable_database_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match="cannot be opened"):
        Store.open("postgresql://127.0.0.1:1/nothing?connect_timeout=2")


def test_the_patterns_version_read_alone_is_the_validated_one() -> None:
    from normalizer.patterns import load_patterns
    from normalizer.store.fingerprint import patterns_version

    assert patterns_version() == load_patterns().version


def test_a_new_finding_or_unit_spelling_redoes_stored_results() -> None:
    """The versions key holds the version of every data file that changes a result."""
    from normalizer.findings import load_findings
    from normalizer.pipeline import normalize_text
    from normalizer.store.fingerprint import DATA_FILES, data_versions

    doc = normalize_text("Inclusion Criteria:\n* Age ≥ 18 years\n", name="x",
                         extractor=RulesExtractor())
    versions = versions_of(doc.provenance)
    assert versions["findings_version"] == load_findings().version
    assert {f"{name}_version" for name in DATA_FILES} <= versions.keys()
    assert data_versions()["units_version"] == versions["units_version"]
    changed = {**versions, "findings_version": versions["findings_version"] + "+1"}
    assert versions_key(changed) != versions_key(versions)
