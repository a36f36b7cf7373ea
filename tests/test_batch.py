"""``normalizer run``: resume by content hash and versions, failures, timeouts, kill -9."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from normalizer.batch import ExtractorSpec, RunOptions, run_batch
from normalizer.batch.pool import WorkerPool
from normalizer.cli import app
from normalizer.store import DocumentRow, Store, tables

from .batch_faults import FaultySpec
from .conftest import CHIA, LCT, REPO, need_shared

AGE = "Inclusion Criteria:\n* Age 18-75 years\n* Platelets >= 100 x 10^9/L\n"


def _corpus_files(folder: Path, count: int) -> list[str]:
    """``count`` plain-text records built from Chia and LCT texts (cycled, unique names)."""
    need_shared()
    texts = sorted(CHIA.glob("*.txt")) + sorted(LCT.rglob("*.txt"))
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for i in range(count):
        path = folder / f"rec{i:05d}.txt"
        path.write_text(texts[i % len(texts)].read_text(encoding="utf-8"), encoding="utf-8")
        names.append(str(path))
    return names


def _documents(target: str) -> dict[str, str]:
    store = Store.open(target)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(select(tables.records.c.record_id, tables.records.c.document))
            return {r[0]: r[1] for r in rows}
    finally:
        store.close()


def _run(files: list[str], target: str, **options: object) -> tuple[Store, object]:
    store = Store.open(target)
    factory = options.pop("factory", ExtractorSpec())
    options.setdefault("inline_max", 0)  # these tests are of the pool: never run in-process
    summary = run_batch(files, store, factory, RunOptions(**options))  # type: ignore[arg-type]
    return store, summary


def test_rerun_skips_force_redoes_changed_text_redone(store_target: str, tmp_path: Path) -> None:
    files = _corpus_files(tmp_path / "in", 40)
    store, first = _run(files, store_target, jobs=2, chunksize=4)
    assert (first.done, first.skipped, first.failed) == (40, 0, 0)  # type: ignore[attr-defined]
    before = _documents(store_target)
    assert len(before) == 40
    _, again = _run(files, store_target, jobs=2)
    assert (again.done, again.skipped) == (0, 40)  # type: ignore[attr-defined]
    Path(files[3]).write_text(AGE, encoding="utf-8")
    _, changed = _run(files, store_target, jobs=2)
    assert (changed.done, changed.skipped) == (1, 39)  # type: ignore[attr-defined]
    after = _documents(store_target)
    assert after[files[3]] != before[files[3]] and '"Age 18-75 years"' in after[files[3]]
    assert {k: v for k, v in after.items() if k != files[3]} == {
        k: v for k, v in before.items() if k != files[3]
    }
    _, forced = _run(files, store_target, jobs=1, force=True)
    assert (forced.done, forced.skipped) == (40, 0)  # type: ignore[attr-defined]
    assert _documents(store_target) == after  # the same documents, read again
    runs = store.runs()
    assert [r.summary["records"]["done"] for r in runs if r.summary] == [40, 0, 1, 40]
    assert all(r.finished_at for r in runs)
    store.close()


def test_new_versions_redo_everything(store_target: str, tmp_path: Path) -> None:
    files = _corpus_files(tmp_path / "in", 5)
    store, _ = _run(files, store_target, jobs=1)
    with store.engine.begin() as conn:  # as if the rules or catalog had changed since
        conn.execute(tables.records.update().values(versions_key="0" * 64))
    _, again = _run(files, store_target, jobs=1)
    assert (again.done, again.skipped) == (5, 0)  # type: ignore[attr-defined]
    store.close()


def test_failure_stored_then_cleared_on_success(store_target: str, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(AGE, encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text(AGE + "* RAISE-ME please\n", encoding="utf-8")
    files = [str(good), str(bad), str(tmp_path / "missing.txt")]
    store, summary = _run(files, store_target, jobs=1, factory=FaultySpec())
    assert (summary.done, summary.failed) == (1, 2)  # type: ignore[attr-defined]
    failures = {where: message for where, _id, message in store.failures()}
    assert "RuntimeError: the extractor broke on purpose" in failures[str(bad)]
    assert str(tmp_path / "missing.txt") in failures
    bad.write_text(AGE, encoding="utf-8")
    _, again = _run(files[:2], store_target, jobs=1, factory=FaultySpec())
    assert (again.done, again.skipped, again.failed) == (1, 1, 0)  # type: ignore[attr-defined]
    assert [w for w, _i, _m in store.failures()] == [str(tmp_path / "missing.txt")]
    assert store.get_document(str(bad)) is not None
    store.close()


def test_hung_and_crashing_records_fail_and_the_run_goes_on(tmp_path: Path) -> None:
    files = _corpus_files(tmp_path / "in", 12)
    Path(files[2]).write_text(AGE + "* HANG-ME\n", encoding="utf-8")
    Path(files[7]).write_text(AGE + "* CRASH-ME\n", encoding="utf-8")
    target = str(tmp_path / "runs.sqlite")
    started = time.monotonic()
    store, summary = _run(
        files, target, jobs=2, chunksize=3, record_timeout=2.0, factory=FaultySpec()
    )
    assert time.monotonic() - started < 60
    assert (summary.done, summary.failed) == (10, 2)  # type: ignore[attr-defined]
    failures = {where: message for where, _id, message in store.failures()}
    assert failures[files[2]].startswith("timed out: no result after 2 s")
    assert failures[files[7]].startswith("the worker died (exit code 70)")
    assert store.count() == 10  # every record after the bad ones, in their chunks, was done
    store.close()


def test_spec_provenance_without_building_is_the_extractors() -> None:
    from normalizer.pipeline import provenance_of

    spec = ExtractorSpec()
    assert spec.provenance() == provenance_of(spec.build()[0])


def test_save_documents_json_round_trip(store_target: str) -> None:
    store = Store.open(store_target)
    run = store.begin_run("test", {"v": "1"})
    row = DocumentRow(
        record_id="r1", nct_id="NCT1", source="r1.txt", content_hash="h", versions_key="k",
        document='{"schema_version": 2, "source": "r1.txt"}', criteria=0, accepted=0,
        needs_review=0, rejected=0, seconds=0.1,
    )
    store.save_failure("r1.txt", "broken", run_id=run, record_id="r1")
    assert store.save_documents_json([row, row], run_id=run) == 1
    assert store.failures() == []
    assert store.get_document("r1") is not None and store.count() == 1
    assert store.stored(["r1", "nope"])["r1"].content_hash == "h"
    store.finish_run(run, {"records": 1})
    (only,) = store.runs()
    assert only.summary == {"records": 1} and only.versions == {"v": "1"}
    store.close()


def test_cli_exit_codes_and_summary_json(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(AGE, encoding="utf-8")
    target = str(tmp_path / "runs.sqlite")
    out = tmp_path / "summary.json"
    runner = CliRunner()
    result = runner.invoke(
        app, ["run", str(good), str(tmp_path / "gone.txt"), "--store", target,
              "--jobs", "1", "--summary-json", str(out)],
    )
    assert result.exit_code == 1, result.output
    assert f"failed: {tmp_path / 'gone.txt'}" in result.output.replace("\n", "")
    summary = json.loads(out.read_text(encoding="utf-8"))
    assert summary["records"] == {"seen": 2, "done": 1, "skipped": 0, "failed": 1}
    assert summary["criteria"] == 2 and summary["llm"]["calls"] == 0
    result = runner.invoke(app, ["run", str(tmp_path / "gone.txt"), "--store", target])
    assert result.exit_code == 3
    result = runner.invoke(app, ["run", str(good), "--store", target])
    assert result.exit_code == 0 and "1 skipped" in result.output


# -- kill -9 ----------------------------------------------------------------------------


def _tagged(tag: str) -> list[int]:
    """Live processes whose environment carries ``tag`` (the run and everything it started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            env = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if tag.encode() in env and state != "Z":
            found.append(int(entry.name))
    return found


def _start(files: list[str], target: str, tag: str, summary: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, NORMALIZER_BATCH_TEST_TAG=tag, PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, "-m", "normalizer", "run", *files, "--store", target,
         "--jobs", "2", "--chunksize", "4", "--summary-json", str(summary)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO,
    )


def _gone(tag: str, seconds: float = 10.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := _tagged(tag)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_at_random_points_loses_nothing(store_target: str, tmp_path: Path) -> None:
    """SIGKILL at seeded random points: the first during start-up, the others once a
    random number of the remaining records is stored (plus a random few milliseconds),
    so every kill lands in a live run however fast or loaded the machine is."""
    count = 1500
    files = _corpus_files(tmp_path / "in", count)
    reference = str(tmp_path / "reference.sqlite")
    tag = uuid.uuid4().hex
    summary = tmp_path / "summary.json"
    proc = _start(files, reference, tag + "ref", summary)
    assert proc.wait(timeout=600) == 0, proc.stderr.read() if proc.stderr else ""
    expected = _documents(reference)
    assert len(expected) == count

    rng = random.Random(20261202)
    watch = Store.open(store_target)
    landed = 0  # kills that hit a run with its workers up
    for attempt in range(5):
        before = len(_documents(store_target))
        run_tag = f"{tag}{attempt}"
        proc = _start(files, store_target, run_tag, summary)
        if attempt == 0:  # anywhere in the first second, start-up included
            time.sleep(rng.uniform(0.0, 1.0))
        else:  # while the workers run: parent, resource tracker, forkserver and 2 workers
            goal = before + rng.randint(1, max(1, (count - before) // 3))
            deadline = time.monotonic() + 300
            while (
                watch.count() < goal and proc.poll() is None and time.monotonic() < deadline
            ):
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.2))
        if proc.poll() is None and len(_tagged(run_tag)) >= 5:
            landed += 1
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert _gone(run_tag) == [], "workers outlived the killed run"
        stored = _documents(store_target)
        assert len(stored) >= before  # nothing written is ever lost
        for record_id, document in stored.items():  # and what is there is whole and right
            assert document == expected[record_id]
    watch.close()
    assert landed >= 4, "the kills after start-up hit a live run with its workers up"

    before = len(_documents(store_target))
    assert before < count  # the kills did cut runs short
    summary.unlink(missing_ok=True)
    proc = _start(files, store_target, tag + "end", summary)
    assert proc.wait(timeout=600) == 0, proc.stderr.read() if proc.stderr else ""
    final = json.loads(summary.read_text(encoding="utf-8"))
    assert final["records"]["skipped"] == before  # only what was not stored is redone
    assert final["records"]["done"] == count - before
    assert _documents(store_target) == expected


def test_llm_usage_adds_up_over_workers(tmp_path: Path) -> None:
    from .fake_openai import Reply, fake_openai
    from .test_llm_faults import GOOD, TEXT

    record = tmp_path / "plt.txt"
    record.write_text(f"Inclusion Criteria:\n* {TEXT}\n", encoding="utf-8")
    target = str(tmp_path / "runs.sqlite")
    out = tmp_path / "summary.json"
    runner = CliRunner()
    with fake_openai(Reply("ok", arguments=GOOD)) as srv:
        argv = ["run", str(record), "--store", target, "--jobs", "1", "--extractor", "llm",
                "--base-url", srv.url, "--api-key", "fake", "--model", "fake-openai",
                "--cache", str(tmp_path / "llm.sqlite"), "--summary-json", str(out)]
        first = runner.invoke(app, argv)
        assert first.exit_code == 0, first.output
        llm = json.loads(out.read_text(encoding="utf-8"))["llm"]
        assert (llm["calls"], llm["prompt_tokens"], llm["completion_tokens"]) == (1, 100, 20)
        again = runner.invoke(app, [*argv, "--force"])  # the same request: from the cache
        assert again.exit_code == 0, again.output
        llm = json.loads(out.read_text(encoding="utf-8"))["llm"]
        assert (llm["calls"], llm["cache_hits"]) == (0, 1)
        assert len(srv.requests) == 1
    store = Store.open(target)
    doc = store.get_document(str(record))
    assert doc is not None and doc.provenance is not None and doc.provenance.model == "fake-openai"
    assert [c.variable for c in doc.criteria[0].constraints] == ["platelets"]
    store.close()


def test_a_worker_killed_while_idle_is_replaced(tmp_path: Path) -> None:
    from collections import deque

    from normalizer.batch.pool import WorkerPool
    from normalizer.records import read_records

    files = _corpus_files(tmp_path / "in", 6)
    pool = WorkerPool(ExtractorSpec(), jobs=1, chunksize=2, record_timeout=30)
    pending = deque((r.info.id, r) for r in read_records(files[:2]))  # type: ignore[union-attr]
    try:
        pool.submit(pending)  # type: ignore[arg-type]
        done = []
        while pool.in_flight:
            done.extend(pool.events(1.0))
        first = pool.pids()
        os.kill(first[0], signal.SIGKILL)  # idle, between chunks
        time.sleep(0.5)
        pending = deque((r.info.id, r) for r in read_records(files[2:]))  # type: ignore[union-attr]
        deadline = time.monotonic() + 60
        while (pending or pool.in_flight) and time.monotonic() < deadline:
            pool.submit(pending)  # type: ignore[arg-type]
            done.extend(pool.events(1.0))
    finally:
        pool.close()
    assert [o.error for o in done] == [None] * 6  # no record blamed for the idle death
    assert pool.restarts == 1


def test_ctgov_json_lines_by_nct_id(store_target: str, tmp_path: Path) -> None:
    from normalizer.records.synth import build_ctgov_studies, nct_id, write_jsonl

    studies = build_ctgov_studies(30, [AGE, "Exclusion Criteria:\n* ALT > 3 x ULN\n"])
    path = str(write_jsonl(tmp_path / "studies.jsonl", studies))
    store, first = _run([path], store_target, jobs=2, chunksize=4)
    assert (first.done, first.skipped) == (30, 0)  # type: ignore[attr-defined]
    assert set(store.stored()) == {nct_id(i) for i in range(30)}
    doc = store.get_document(nct_id(5))
    assert doc is not None and doc.source == f"{path}:6"
    studies[5]["protocolSection"]["eligibilityModule"]["maximumAge"] = "99 Years"
    write_jsonl(tmp_path / "studies.jsonl", studies)  # a registry field changed
    _, again = _run([path], store_target, jobs=2)
    assert (again.done, again.skipped) == (1, 29)  # type: ignore[attr-defined]
    store.close()


def test_a_record_id_given_twice_is_stored_once_whatever_finishes_first(
    store_target: str, tmp_path: Path
) -> None:
    """The same NCT id in two inputs: an identical copy is skipped, a different one refused.

    Found as a user: the ctgov_v2 search pages repeat two of the full studies with fewer
    modules, and every rerun redid both copies, the store keeping whichever a worker
    finished last.
    """
    from normalizer.records.synth import build_ctgov_studies, nct_id, write_jsonl

    studies = build_ctgov_studies(6, [AGE, "Exclusion Criteria:\n* ALT > 3 x ULN\n"])
    first = str(write_jsonl(tmp_path / "a.jsonl", studies))
    copy = json.loads(json.dumps(studies[:2]))
    copy[1]["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = "Age 30-40 years"
    second = str(write_jsonl(tmp_path / "b.jsonl", copy))
    for attempt in range(2):  # the first run, then a rerun
        store, summary = _run([first, second], store_target, jobs=2, chunksize=1)
        done = 6 if attempt == 0 else 0
        assert (summary.done, summary.skipped, summary.failed) == (  # type: ignore[attr-defined]
            done, 7 - done, 1
        )
        assert summary.failures == [  # type: ignore[attr-defined]
            (f"{second}:2", f"record {nct_id(1)} was already read in this run with other "
             "content; this copy is not stored (a record id must name one record)")
        ]
        doc = store.get_document(nct_id(1))
        assert doc is not None and doc.source == f"{first}:2"
        store.close()


def test_progress_total_is_known_for_text_files_and_zips_only(tmp_path: Path) -> None:
    from normalizer.batch.runner import _known_total
    from normalizer.records.synth import build_ctgov_studies, write_jsonl, write_zip

    studies = build_ctgov_studies(7, [AGE])
    archive = str(write_zip(tmp_path / "s.zip", studies))
    lines = str(write_jsonl(tmp_path / "s.jsonl", studies))
    text = tmp_path / "a.txt"
    text.write_text(AGE, encoding="utf-8")
    assert _known_total([archive, str(text)], "auto") == 8
    assert _known_total([lines], "auto") is None  # counting would read the whole file
    assert _known_total([str(tmp_path)], "auto") is None


def test_a_few_records_are_done_in_process_and_equal_the_pools(tmp_path: Path) -> None:
    files = _corpus_files(tmp_path / "in", 3)
    pooled = str(tmp_path / "pool.sqlite")
    inline = str(tmp_path / "inline.sqlite")
    store, _ = _run(files, pooled, jobs=2, chunksize=1)
    store.close()
    started: list[int] = []
    real_start = WorkerPool.start

    def start(self: WorkerPool) -> None:
        started.append(self.jobs)
        real_start(self)

    WorkerPool.start = start  # type: ignore[method-assign]
    try:
        store, summary = _run(files, inline, jobs=2, inline_max=3)
        store.close()
        assert started == []  # three records to do: no forkserver, no workers
        assert summary.done == 3  # type: ignore[attr-defined]
        store, summary = _run(files, str(tmp_path / "four.sqlite"), jobs=1, inline_max=2)
        store.close()
        assert started == [1]  # more than inline_max: the pool
    finally:
        WorkerPool.start = real_start  # type: ignore[method-assign]
    assert _documents(inline) == _documents(pooled)
