"""AACT's eligibilities.txt: built from corpus text with synth.write_aact, streamed row by row."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from normalizer.models import RegistryFields
from normalizer.records import ReadFailure, read_records
from normalizer.records.synth import AACT_HEADER, build_ctgov_studies, corpus_texts, write_aact

from .conftest import SHARED, need_shared
from .records_util import normalized, read_all

HEADER = "|".join(AACT_HEADER)


def test_rows_built_from_corpus_text_read_back_exactly(tmp_path: Path) -> None:
    need_shared()
    texts = corpus_texts(SHARED, limit=60)
    studies = build_ctgov_studies(60, texts)
    path = write_aact(tmp_path / "eligibilities.txt", studies)
    records, failures = read_all(path)
    assert failures == []
    assert [r.text for r in records] == texts  # quoted over many lines, "" unescaped, \r kept
    assert records[0].info.origin.line == 2
    lines = path.read_text(encoding="utf-8").split("\n")
    for row_id, record in enumerate(records, 1):
        assert lines[record.info.origin.line - 1].startswith(f"{row_id}|{record.info.nct_id}|")
    first = records[0].info
    assert first.id == first.nct_id == "NCT01234567"
    assert first.registry == RegistryFields(
        minimum_age="18 Years", maximum_age=None, sex="all", healthy_volunteers=True,
        std_ages=["ADULT", "OLDER_ADULT"])
    third = records[2].info.registry
    assert third == RegistryFields(minimum_age="6 Months", maximum_age="17 Years", sex="female",
                                   healthy_volunteers=False, std_ages=["CHILD"])
    for record in records:
        normalized(record)


def test_broken_quoting_costs_one_row_and_the_next_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "eligibilities.txt"
    path.write_text(
        HEADER + "\n"
        '1|NCT00000001||All|18 Years|N/A|No||"Inclusion Criteria:\n* Age >= 18\n"|||||\n'
        '2|NCT00000002||All|18 Years|N/A|No||"Inclusion Criteria:\n* a "stray" quote\n"|||||\n'
        '3|NCT00000003||Male|N/A|65 Years|No||"Exclusion Criteria:\n* ECOG > 2"|||||\n'
        '4|NCT00000004||All|18 Years|N/A|No||"never closed\n* Age >= 21\n'
        '5|NCT00000005||Female|18 Years|N/A|No||"Inclusion Criteria:\n* BMI < 30"|||||\n',
        encoding="utf-8",
    )
    records, failures = read_all(path)
    assert [r.info.id for r in records] == ["NCT00000001", "NCT00000003", "NCT00000005"]
    assert [r.info.origin.line for r in records] == [2, 8, 12]
    assert records[1].text == "Exclusion Criteria:\n* ECOG > 2"
    assert records[1].info.registry is not None and records[1].info.registry.sex == "male"
    assert [f.where for f in failures] == [f"{path}:5", f"{path}:10"]
    assert all("broken quoting" in f.message for f in failures)


def test_non_utf8_row_and_a_row_with_missing_fields(tmp_path: Path) -> None:
    path = tmp_path / "eligibilities.txt"
    path.write_bytes(
        (HEADER + "\n").encode()
        + b'1|NCT00000001||All|18 Years|N/A|No||"\xe2ge \xff 18"|||||\n'
        + b"2|NCT00000002|short row\n"
        + b'3|NCT00000003||All|18 Years|N/A|No||"Age >= 18"|||||\n'
    )
    records, failures = read_all(path)
    assert [r.info.id for r in records] == ["NCT00000003"]
    assert failures[0].where == f"{path}:2" and "not valid UTF-8" in failures[0].message
    assert failures[1].where == f"{path}:3"
    assert "NCT00000002: row has 3 fields" in failures[1].message


def test_not_an_aact_file(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("id|nct_id|gender\n1|NCT00000001|All\n", encoding="utf-8")
    records, failures = read_all(path, input_format="aact")
    assert records == [] and failures[0].where == str(path)
    assert "no criteria column" in failures[0].message
    # without --input-format it is not taken for AACT: a text record
    as_text, _ = read_all(path)
    assert as_text[0].text is not None and as_text[0].text.startswith("id|nct_id")


def test_an_aact_file_is_streamed(tmp_path: Path) -> None:
    studies = build_ctgov_studies(3_000, ["Inclusion Criteria:\n* Age >= 18 years\n" * 200])
    path = write_aact(tmp_path / "eligibilities.txt", studies)
    assert path.stat().st_size > 20_000_000
    tracemalloc.start()
    try:
        count = sum(1 for r in read_records([str(path)]) if not isinstance(r, ReadFailure))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 3_000
    assert peak < 8_000_000, f"peak {peak:,} bytes"
