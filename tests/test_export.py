"""Export: which constraints go out, record completeness, CSV and Parquet typing, the command."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from normalizer import RulesExtractor
from normalizer.cli import app
from normalizer.export import documents_from_store
from normalizer.export.selection import select
from normalizer.export.table import SCHEMA, csv_text, read_csv, read_parquet, write_parquet
from normalizer.models import Bound, Finding
from normalizer.pipeline import normalize_record
from normalizer.store import Store

from .export_data import (
    constraint,
    criterion,
    ctgov_records,
    decision,
    document,
    seed_records,
    write_jsonl,
)

# -- which constraints are exported ----------------------------------------------------------


def _review(cid: str = "inc-1", **kw: object) -> object:
    finding = Finding(code="value-unusual", severity="warning", constraint=0, message="x")
    return criterion(
        cid, "inclusion", [constraint(**kw)], status="needs_review", findings=[finding]
    )


def test_default_exports_only_accepted_and_approved() -> None:
    doc = document(
        criterion("inc-1", "inclusion", [constraint()]),
        _review("inc-2"),
        _review("inc-3", decided_by=decision("accept")),
    )
    chosen = select(doc)
    assert [(s.criterion.id, s.status) for s in chosen.constraints] == [
        ("inc-1", "accepted"),
        ("inc-3", "approved"),
    ]
    assert not chosen.complete and chosen.open_criteria == ["inc-2"]
    with_review = select(doc, include_review=True)
    assert [s.status for s in with_review.constraints] == ["accepted", "needs_review", "approved"]


def test_curator_rejected_constraint_is_never_exported() -> None:
    doc = document(
        criterion("inc-1", "inclusion", [constraint(decided_by=decision("reject"))]),
        criterion("inc-2", "inclusion", [constraint()], decisions=[decision("reject")]),
    )
    assert select(doc, include_review=True).constraints == []
    assert select(doc).complete  # both criteria were decided


def test_criterion_not_a_constraint_settles_it_without_rejecting_its_constraints() -> None:
    crit = criterion(
        "inc-1",
        "inclusion",
        [constraint()],
        status="needs_review",
        decisions=[decision("not_a_constraint")],
    )
    chosen = select(document(crit))
    assert chosen.complete and chosen.constraints == []
    assert [s.status for s in select(document(crit), include_review=True).constraints] == [
        "needs_review"
    ]


def test_stale_decision_is_not_applied() -> None:
    stale = _review("inc-1", decided_by=decision("accept", stale=True))
    doc = document(stale)  # type: ignore[arg-type]
    assert select(doc).constraints == []
    assert not select(doc).complete
    assert [s.status for s in select(doc, include_review=True).constraints] == ["needs_review"]


def test_latest_standing_criterion_decision_applies() -> None:
    crit = criterion(
        "exc-1",
        "exclusion",
        [constraint()],
        status="needs_review",
        decisions=[decision("reject", at="2026-12-01T09:00:00+00:00"), decision("accept")],
    )
    chosen = select(document(crit))
    assert [(s.status, s.decision.action if s.decision else None) for s in chosen.constraints] == [
        ("approved", "accept")
    ]


# -- CSV ---------------------------------------------------------------------------------


def test_csv_keeps_false_and_null_apart_and_neutralises_formulas() -> None:
    text = '=HYPERLINK("http://x") platelets >= 100'
    crit = criterion(
        "-inc-1",
        "inclusion",
        [constraint(lower=Bound(value=100, inclusive=False), qualifier="+with marrow disease")],
        text=text,
    )
    body = csv_text([select(document(crit))])
    header, line = body.splitlines()[:2]
    cells = dict(zip(header.split(","), next(csv.reader([line])), strict=True))
    assert cells["lower_inclusive"] == "false"  # not blank: the jq '//' bug
    assert cells["upper_inclusive"] == "" and cells["upper_value"] == ""
    assert cells["criterion_text"].startswith("'=")
    assert cells["criterion_id"] == "'-inc-1" and cells["qualifier"] == "'+with marrow disease"
    row = read_csv(io.StringIO(body))[0]
    assert row["criterion_text"] == text and row["criterion_id"] == "-inc-1"
    assert row["lower_inclusive"] is False and row["upper_inclusive"] is None
    assert row["record_complete"] is True and row["loinc"] == "777-3"


def test_csv_reader_refuses_other_files() -> None:
    with pytest.raises(ValueError, match="header"):
        read_csv(io.StringIO("a,b\n1,2\n"))


# -- Parquet ------------------------------------------------------------------------------


def test_parquet_schema_and_types(tmp_path: Path) -> None:
    doc = document(
        criterion("inc-1", "inclusion", [constraint(lower=Bound(value=1.5, inclusive=False))]),
        _review("inc-2", decided_by=decision("correct")),
    )
    path = tmp_path / "out.parquet"
    assert write_parquet([select(doc)], path) == 2
    assert pq.read_schema(path).equals(SCHEMA)
    rows = read_parquet(path)
    assert rows[0]["lower_inclusive"] is False and rows[0]["upper_value"] is None
    assert rows[0]["finding_codes"] == [] and rows[1]["finding_codes"] == ["value-unusual"]
    assert rows[1]["decision"] == "correct" and rows[1]["curator"] == "ana"
    assert {r["record_complete"] for r in rows} == {True}


def test_readme_duckdb_query(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    docs = [document(criterion("inc-1", "inclusion", [constraint()]))]
    path = tmp_path / "constraints.parquet"
    write_parquet([select(d) for d in docs], path)
    query = (
        "SELECT nct_id, variable, lower_value, lower_inclusive, unit FROM read_parquet(?) "
        "WHERE record_complete AND variable = 'platelets'"
    )
    assert duckdb.execute(query, [str(path)]).fetchall() == [
        ("NCT01234567", "platelets", 100.0, True, "10*9/L")
    ]


# -- the command -----------------------------------------------------------------------------


def _fill_store(target: str) -> int:
    store = Store.open(target)
    run = store.begin_run("test", {})
    extractor = RulesExtractor()
    records = seed_records() + ctgov_records()
    for record in records:
        doc = normalize_record(record, extractor=extractor)
        store.save_document(
            doc,
            record_id=record.info.id,
            content_hash="h",
            versions_key="v",
            seconds=0.0,
            run_id=run,
        )
    store.close()
    return len(records)


def test_export_from_store_writes_every_format(store_target: str, tmp_path: Path) -> None:
    count = _fill_store(store_target)
    runner = CliRunner()
    store = Store.open(store_target)
    selections = [select(d) for d in documents_from_store(store)]
    expected = sum(len(s.constraints) for s in selections)
    incomplete = sum(not s.complete for s in selections)
    store.close()
    assert expected > 0 and 0 < incomplete <= count
    for fmt in ("csv", "parquet", "fhir", "omop"):
        out = tmp_path / f"out.{fmt}"
        result = runner.invoke(
            app, ["export", "--store", store_target, "--format", fmt, "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert f"of {count} records ({incomplete} incomplete)" in result.output
        if fmt == "csv":
            assert len(read_csv(out)) == expected
        elif fmt == "parquet":
            assert len(read_parquet(out)) == expected
        else:
            assert len(out.read_text(encoding="utf-8").splitlines()) == count
    folder = tmp_path / "bundles"
    folder.mkdir()
    result = runner.invoke(
        app, ["export", "--store", store_target, "-f", "fhir", "--out", str(folder)]
    )
    assert result.exit_code == 0
    assert sorted(p.name for p in folder.iterdir())[0] == "NCT02576665.json"


def test_curated_store_documents_carry_their_decisions(store_target: str, tmp_path: Path) -> None:
    crit = _review("inc-1", decided_by=decision("correct"))
    doc = document(crit, criterion("exc-1", "exclusion", [constraint()], status="needs_review"))  # type: ignore[arg-type]
    store = Store.open(store_target)
    run = store.begin_run("test", {})
    store.save_document(
        doc, record_id="NCT01234567", content_hash="h", versions_key="v", seconds=0.0, run_id=run
    )
    store.close()
    out = tmp_path / "rows.csv"
    result = CliRunner().invoke(
        app, ["export", "--store", store_target, "-f", "csv", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = read_csv(out)
    assert [(r["criterion_id"], r["status"], r["decision"], r["curator"]) for r in rows] == [
        ("inc-1", "approved", "correct", "ana")
    ]
    assert rows[0]["record_complete"] is False and rows[0]["open_criteria"] == 1


def test_export_from_a_missing_store_fails_in_one_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "normalizer",
            "export",
            "--store",
            str(tmp_path / "none.sqlite"),
            "-f",
            "csv",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 3
    assert proc.stderr.strip() == f"error: store {tmp_path / 'none.sqlite'} does not exist"
    assert not (tmp_path / "none.sqlite").exists()


def test_export_from_jsonl_and_stdin_with_a_bad_line(tmp_path: Path) -> None:
    docs = [document(criterion("inc-1", "inclusion", [constraint()]))]
    path = write_jsonl(tmp_path / "docs.jsonl", docs)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"source": 3}\n')
    runner = CliRunner()
    result = runner.invoke(app, ["export", "--documents", str(path), "-f", "omop"])
    assert result.exit_code == 1
    assert "docs.jsonl:2: not a normalizer document" in result.output
    assert "Traceback" not in result.output
    stdin = path.read_text(encoding="utf-8").splitlines()[0] + "\n"
    result = runner.invoke(app, ["export", "--documents", "-", "-f", "csv"], input=stdin)
    assert result.exit_code == 0
    assert "NCT01234567" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["-f", "csv"],
        ["--store", "x.sqlite", "--documents", "-", "-f", "csv"],
        ["--documents", "-", "-f", "parquet"],
    ],
)
def test_export_usage_errors(args: list[str]) -> None:
    result = CliRunner().invoke(app, ["export", *args])
    assert result.exit_code == 2


def test_export_unreadable_documents_file(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "normalizer",
            "export",
            "--documents",
            str(tmp_path / "no.jsonl"),
            "-f",
            "csv",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 3
    assert proc.stderr.strip().count("\n") == 0 and "cannot be read" in proc.stderr


def test_a_curator_runs_the_registry_files_and_exports_every_format(tmp_path: Path) -> None:
    """Done-when of issue 14, as a user does it: ``normalizer run`` on the ClinicalTrials.gov
    corpus and the seeds, then ``normalizer export`` in each format from that store; the
    FHIR Bundles validate with fhir.resources and the Circe JSON has Circe's shapes."""
    import json
    import subprocess
    import sys

    from normalizer.export.fhir import readings_of_bundle, validate_bundle

    from .conftest import REPO, SEEDS
    from .export_data import CTGOV
    from .test_export_formats import REFERENCE, _shapes

    target = tmp_path / "runs.sqlite"
    done = subprocess.run(
        [sys.executable, "-m", "normalizer", "run", str(CTGOV),
         "--store", str(target), "--jobs", "1"],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )
    # the search pages repeat two full studies with fewer modules: refused, named, exit 1
    assert done.returncode == 1, done.stderr
    assert done.stderr.count("already read in this run with other content") == 2
    seeds = subprocess.run(
        [sys.executable, "-m", "normalizer", "run", str(SEEDS), "--glob", "*.txt",
         "--store", str(target)],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )
    assert seeds.returncode == 0, seeds.stderr
    store = Store.open(target)
    count = store.count()
    nct_ids = {r.nct_id for r in store.stored().values()}
    store.close()
    assert count == 20 + 2 and "NCT02576665" in nct_ids  # 20 studies, 2 seeds
    outputs = {}
    for fmt in ("csv", "parquet", "fhir", "omop"):
        out = tmp_path / f"export.{fmt}"
        result = subprocess.run(
            [sys.executable, "-m", "normalizer", "export", "--store", str(target),
             "--format", fmt, "--out", str(out)],
            capture_output=True, text=True, cwd=REPO, timeout=600,
        )
        assert result.returncode == 0, result.stderr
        assert f"of {count} records" in result.stderr + result.stdout
        outputs[fmt] = out
    rows = read_csv(outputs["csv"])
    assert rows == read_parquet(outputs["parquet"]) and rows
    bundles = [json.loads(line) for line in outputs["fhir"].read_text("utf-8").splitlines()]
    assert len(bundles) == count
    readings = 0
    for bundle in bundles:
        validate_bundle(bundle)  # raises on anything the R5 models refuse
        readings += len(readings_of_bundle(bundle))
    assert readings > 0
    reference: dict[str, dict[str, set[str]]] = {}
    _shapes(json.loads(REFERENCE.read_text(encoding="utf-8")), "$", reference)
    cohorts = [json.loads(line) for line in outputs["omop"].read_text("utf-8").splitlines()]
    assert len(cohorts) == count
    ours: dict[str, dict[str, set[str]]] = {}
    for cohort in cohorts:
        _shapes(cohort, "$", ours)
    for parent, keys in ours.items():
        assert parent in reference, f"{parent!r} is not an object Circe knows here"
        for key, kinds in keys.items():
            assert kinds <= reference[parent].get(key, set()), f"{parent}.{key}: {kinds}"
