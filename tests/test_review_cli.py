"""``normalizer review``: the queue in table, CSV and JSON Lines, from files or a run store."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from normalizer import RulesExtractor
from normalizer.models import Document, RecordInfo, RecordOrigin
from normalizer.pipeline import normalize_record
from normalizer.records import Record
from normalizer.review.decisions import decide
from normalizer.review.queue import COLUMNS, csv_cell, queue_rows, rows_of, write_csv
from normalizer.store import Store

from .conftest import REPO, SEEDS

SEED = SEEDS / "001_1264358aa91b314b.txt"
NCT = "NCT01306084"  # longer than the column a table would give it
TOCA = "Patient has previously participated in the Toca 5 trial (Tg 511-15-01)."  # NCT02576665
IMPEDANCE = "The ascertained lead impedance is between 200 and 1500 Ohm."  # Chia NCT02195024


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NORMALIZER_"))}
    return subprocess.run(
        [sys.executable, "-m", "normalizer", "review", *args],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=300,
    )


def _doc(text: str, record_id: str = NCT) -> Document:
    record = Record(
        info=RecordInfo(id=record_id, nct_id=record_id, title="Neoadjuvant therapy in ESCC",
                        origin=RecordOrigin(path="studies.json", index=0)),
        text=text,
    )
    return normalize_record(record, extractor=RulesExtractor())


def _store(path: Path, *docs: Document) -> Store:
    store = Store.open(path)
    run_id = store.begin_run("test", {})
    for doc in docs:
        assert doc.record is not None
        store.save_document(doc, record_id=doc.record.id, content_hash="h", versions_key="v",
                            seconds=0.0, run_id=run_id)
    return store


def test_one_row_per_constraint_with_its_reading_in_words() -> None:
    doc = _doc(SEED.read_text(encoding="utf-8"))
    rows = rows_of(doc)
    labs = [r for r in rows if r.kind == "constraint" and r.criteria == ("inc-7",)]
    crit = next(c for c in doc.criteria if c.id == "inc-7")
    assert len(labs) == len(crit.constraints) == 8
    assert [r.constraint for r in labs] == list(range(8))
    assert labs[1].reading == "platelet count ≥ 10 ×10⁹/L"
    assert [code for code, _, _ in labs[1].findings] == ["value-unusual"]
    assert labs[2].reading == "hemochrome ≥ 9 g/dL" and labs[2].canonical == "≥ 90 g/L"
    assert labs[5].reading == "AST ≤ 2.5 × ULN"
    assert all(r.status == "needs_review" and r.nct_id == NCT for r in labs)
    # accepted criteria are not in the queue, unless asked for
    assert not [r for r in rows if r.status == "accepted"]
    assert any(r.status == "accepted" for r in rows_of(doc, include_accepted=True))


def test_root_cause_first_and_merged_once() -> None:
    rows = rows_of(_doc(SEED.read_text(encoding="utf-8")))
    first = rows[0]
    assert first.kind == "root-cause" and first.criteria == ("inc-5", "exc-1")
    assert [code for code, _, _ in first.findings] == ["eligibility-boundary"]
    # the finding both criteria repeat is one row, not one per criterion
    boundary = [r for r in rows for code, _, _ in r.findings if code == "eligibility-boundary"]
    assert boundary == [first]


def test_numbers_nobody_read_are_one_row_per_record() -> None:
    doc = _doc(f"Inclusion Criteria:\n* {IMPEDANCE}\n* Age ≥ 18 years\n\nExclusion Criteria:\n"
               f"* {TOCA}\n")
    rows = rows_of(doc)
    [noise] = [r for r in rows if r.kind == "unread-numbers"]
    assert noise.criteria == ("inc-1", "exc-1") and rows[-1] is noise
    assert "2 criteria (inc-1, exc-1) have numbers no constraint covers" in noise.why()
    assert not [r for r in rows if r.kind != "unread-numbers" and "unparsed-number" in r.codes()]


def test_csv_neutralises_formulas_and_round_trips() -> None:
    assert [csv_cell(v) for v in ("=1+2", "+44", "-3", "@SUM(A1)", "a=b", "", None, 7)] == [
        "'=1+2", "'+44", "'-3", "'@SUM(A1)", "a=b", "", "", "7"]
    text = ("Inclusion Criteria:\n* =HYPERLINK(\"http://x\") Age ≥ 18 years\n"
            "* -5 < platelets, \"quoted\",\nline ≥ 100 x 10^9/L\n* @cmd Hemoglobin ≥ 9 g/dL\n")
    rows = queue_rows([_doc(text)], include_accepted=True)
    out = io.StringIO()
    write_csv(rows, out)
    read = list(csv.reader(io.StringIO(out.getvalue())))
    assert tuple(read[0]) == COLUMNS and len(read) == len(rows) + 1
    cells = [c for line in read[1:] for c in line]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    texts = [line[COLUMNS.index("text")] for line in read[1:]]
    assert "'=HYPERLINK(\"http://x\") Age ≥ 18 years" in texts
    assert any(t.startswith("'@cmd") for t in texts)
    # every cell comes back exactly as written: quotes, commas and newlines survive
    again = io.StringIO()
    csv.writer(again).writerows(read)
    assert again.getvalue() == out.getvalue()


def test_review_from_a_store_shows_curated_decisions(tmp_path: Path) -> None:
    doc = _doc(SEED.read_text(encoding="utf-8"))
    other = _doc(f"Exclusion Criteria:\n* {TOCA}\n", "NCT02576665")
    target = tmp_path / "runs.sqlite"
    store = _store(target, doc, other)
    bmi = next(c for c in doc.criteria if c.text.startswith("BMI acuity"))
    decide(store, NCT, bmi, action="accept", target=0, curator="ana", note="acuity = at least")
    labs = next(c for c in doc.criteria if c.id == "inc-7")
    decide(store, NCT, labs, action="reject", target=1, curator="bo")
    store.close()

    done = run("--store", str(target), "-f", "jsonl")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert {r["record"] for r in rows} == {NCT, "NCT02576665"}
    # both criteria are settled by the curators: out of the queue
    assert not [r for r in rows if r["criteria"] in (["inc-7"], ["inc-8"])]
    assert [r["criteria"] for r in rows if r["record"] == NCT] == [["inc-5", "exc-1"], ["inc-5"],
                                                                   ["exc-1"], ["exc-12"]]
    every = run("--store", str(target), "-f", "jsonl", "--include-accepted")
    shown = [json.loads(line) for line in every.stdout.splitlines()]
    [accepted] = [r for r in shown if r["reading"].startswith("BMI")]
    assert accepted["decision"] == "accept by ana (acuity = at least)"
    assert accepted["status"] == "accepted"
    [platelets] = [r for r in shown if r["reading"].startswith("platelet count")]
    assert platelets["decision"] == "reject by bo"
    assert platelets["constraint_object"]["decided_by"]["action"] == "reject"

    table = run("--store", str(target), "--include-accepted")
    assert table.returncode == 0, table.stderr
    assert f"{NCT}" in table.stdout and "NCT02576665" in table.stdout  # never cut
    assert "reject by bo" in table.stdout and "≥ 10 ×10⁹/L" in table.stdout
    assert "10*9/L" not in table.stdout
    as_csv = run("--store", str(target), "-f", "csv")
    read = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert {r["record"] for r in read} == {NCT, "NCT02576665"}


def test_review_without_input_is_one_clear_error(tmp_path: Path) -> None:
    done = run()
    assert done.returncode != 0 and "give the registry files" in done.stderr
    assert "Traceback" not in done.stderr
    bad = run("--store", str(tmp_path / "missing" / "runs.sqlite"))
    assert bad.returncode != 0 and "does not exist" in bad.stderr
    assert "Traceback" not in bad.stderr
