"""CSV with a column of text: the fb_ctparser file (AACT-derived, two CSVs joined) and options."""

from __future__ import annotations

import csv
from pathlib import Path

from .conftest import need_shared
from .records_util import FB_CSV, normalized, read_all


def test_the_fb_ctparser_csv_reads_into_documents() -> None:
    need_shared()
    records, failures = read_all(FB_CSV)
    assert failures == []
    assert len(records) == 20  # the second header row (two CSVs joined) is skipped
    with open(FB_CSV, encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.reader(handle) if not r[0].startswith("#")]
    assert [r.text for r in records] == [row[4] for row in rows]
    first = records[0].info
    assert first.id == first.nct_id == "NCT04346355"
    assert first.title == "Efficacy of Early Administration of Tocilizumab in COVID-19 Patients"
    assert first.conditions == ["COVID-19 Pneumonia"]
    assert records[1].info.conditions == ["Covid-19", "Pneumonia, Viral"]
    assert first.origin.line == 2 and records[0].source == f"{FB_CSV}:2"
    assert records[10].info.nct_id == "NCT04348032"
    for record in records:
        doc = normalized(record)
        assert doc.criteria, record.source
    assert records[0].text is not None
    assert records[0].text.startswith("\n        Inclusion Criteria:")


def test_text_and_id_columns_by_option(tmp_path: Path) -> None:
    path = tmp_path / "trials.csv"
    path.write_text('key,body,other\nA-1,"Inclusion Criteria:\n* Age >= 18",x\n'
                    'A-2,"Exclusion Criteria:\n* ECOG > 2",y\n', encoding="utf-8")
    records, failures = read_all(path)
    assert records == [] and "give --text-column" in failures[0].message
    records, failures = read_all(path, text_column="body", id_column="key")
    assert failures == []
    assert [(r.info.id, r.info.nct_id, r.info.origin.line) for r in records] == [
        ("A-1", None, 2), ("A-2", None, 4)]
    assert records[1].text == "Exclusion Criteria:\n* ECOG > 2"
    _, failures = read_all(path, text_column="body", id_column="nope")
    assert "no column 'nope'" in failures[0].message


def test_a_broken_row_fails_alone(tmp_path: Path) -> None:
    path = tmp_path / "trials.csv"
    path.write_text('nct_id,criteria\nNCT00000001,"Age >= 18"\nNCT00000002,"bad "quote" here"\n'
                    'NCT00000003,"Age < 65"\nNCT00000004,\n', encoding="utf-8")
    records, failures = read_all(path)
    assert [r.info.id for r in records] == ["NCT00000001", "NCT00000003", "NCT00000004"]
    assert records[2].text is None and "is empty" in (records[2].info.note or "")
    assert [f.where for f in failures] == [f"{path}:3"]
    assert "broken quoting" in failures[0].message
