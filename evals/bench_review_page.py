"""Benchmark the review page over a store of 10,000 records, through HTTP.

    python evals/bench_review_page.py [--records 10000] [--distinct 300] [--runs 15]
        [--store PATH] [--shared ../shared] [--out evals/results/bench_review_page.json]

The store: ``--distinct`` Chia trials of the dev split normalised once by the
rules extractor (inclusion and exclusion text as one record), each document
saved again under other NCT ids until the store holds ``--records`` records
(``Store.save_document``, as ``normalizer run`` saves).  The server:
``normalizer review --serve`` in its own process on a free loopback port.
Timed from this process with one keep-alive HTTP client:

* startup: from launching the server until the first page answers, and until
  its queue index has read every record (in a background thread; pages answer
  meanwhile with what is read so far);
* the queue page (default filter, a finding-code filter, a variable filter, a
  page far down the list, the summary), ``--runs`` times each; the figure is
  the median;
* saving a decision: POST ``/record/{id}/decide`` (accept; each run on another
  record), answered by the 303 redirect; the median again, then the record page
  the redirect opens and the queue page after it (which re-reads the decided
  record); the decisions are then counted in the store.

The summary is computed once per change of the index, so its later runs are
cached; the queue pages are filtered and paged on every request.

Budgets (issue 13): queue page <= 300 ms, decision save <= 100 ms.  Exits 1 when
a median is over its budget.  The machine is shared: figures are as measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from bench_review import chia_documents  # type: ignore[import-not-found]  # beside this file

from normalizer.models import Document
from normalizer.review.decisions import criterion_hash, decisions_by_record
from normalizer.review.web.server import free_port
from normalizer.store import Store

REPO = Path(__file__).resolve().parents[1]
QUEUE_BUDGET_MS = 300.0
SAVE_BUDGET_MS = 100.0


def build_store(target: Path, docs: list[Document], records: int) -> dict[str, float]:
    """Save copies of ``docs`` under distinct NCT ids until the store has ``records``."""
    started = time.perf_counter()
    store = Store.open(target)
    run = store.begin_run("bench_review_page", {})
    for n in range(records):
        base = docs[n % len(docs)]
        assert base.record is not None
        nct = f"NCT{90000000 + n:08d}"
        info = base.record.model_copy(update={"id": nct, "nct_id": nct})
        doc = base.model_copy(update={"record": info})
        store.save_document(
            doc, record_id=nct, content_hash=f"{n:064x}", versions_key="bench", seconds=0.0,
            run_id=run,
        )
    store.finish_run(run, {"records": records})
    store.close()
    return {"build_seconds": round(time.perf_counter() - started, 1)}


def timed(client: httpx.Client, method: str, url: str, **kw: Any) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    answer = client.request(method, url, **kw)
    return (time.perf_counter() - start) * 1000.0, answer


def median_of(client: httpx.Client, url: str, runs: int) -> dict[str, float]:
    times = []
    for _ in range(runs):
        ms, answer = timed(client, "GET", url)
        answer.raise_for_status()
        times.append(ms)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def decision_targets(target: Path, count: int) -> list[tuple[str, str, str]]:
    """(record id, criterion id, criterion hash) of ``count`` records with a constraint."""
    store = Store.open(target)
    decided = decisions_by_record(store)  # a kept --store: decide where nobody has yet
    found: list[tuple[str, str, str]] = []
    for doc in store.iter_documents():
        crit = next((c for c in doc.criteria if c.constraints), None)
        if crit is not None and doc.record is not None and doc.record.id not in decided:
            found.append((doc.record.id, crit.id, criterion_hash(crit.text)))
        if len(found) == count:
            break
    store.close()
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--distinct", type=int, default=300)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--store", type=Path, help="Keep the store here (default: a temp dir).")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--out", type=Path, default=REPO / "evals/results/bench_review_page.json")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        target = args.store or Path(tmp) / "bench.sqlite"
        report: dict[str, Any] = {
            "records": args.records, "distinct_documents": args.distinct, "runs": args.runs,
            "python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "store": "sqlite",
        }
        if not target.exists():
            started = time.perf_counter()
            docs = chia_documents(args.shared, args.distinct)
            report["normalise_seconds"] = round(time.perf_counter() - started, 1)
            report["criteria_per_record"] = round(
                sum(len(d.criteria) for d in docs) / len(docs), 1
            )
            report.update(build_store(target, docs, args.records))
        port = free_port()
        launched = time.perf_counter()
        server = subprocess.Popen(
            [sys.executable, "-m", "normalizer", "review", "--serve", "--store", str(target),
             "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, timeout=120) as client:
                while True:
                    try:
                        first = client.get("/")
                        break
                    except httpx.TransportError:
                        if server.poll() is not None:
                            raise SystemExit(f"the server stopped: {server.stderr}") from None
                        time.sleep(0.1)
                report["first_answer_seconds"] = round(time.perf_counter() - launched, 1)
                while (status := client.get("/status").json())["loading"] or status[
                    "records"
                ] < args.records:
                    time.sleep(0.2)
                report["index_ready_seconds"] = round(time.perf_counter() - launched, 1)
                first = client.get("/")
                shown = re.search(r"<strong>(\d+)</strong> criteria in <strong>(\d+)</strong>",
                                  first.text)
                report["queue_open"] = (
                    {"criteria": int(shown.group(1)), "records": int(shown.group(2))}
                    if shown else None
                )
                pages = {
                    "queue": "/",
                    "queue_code_filter": "/?code=unparsed-number",
                    "queue_variable_filter": "/?status=all&variable=age",
                    "queue_page_200": "/?status=all&page=200",
                    "summary": "/summary",
                }
                report["pages"] = {name: median_of(client, url, args.runs)
                                   for name, url in pages.items()}
                key = re.search(r'name="form_key" value="([^"]+)"', first.text)
                assert key is not None
                client.cookies.set("normalizer_curator", "bench")
                saves, follow, requeue = [], [], []
                for record_id, crit_id, chash in decision_targets(target, args.runs):
                    ms, answer = timed(
                        client, "POST", f"/record/{record_id}/decide",
                        data={"form_key": key.group(1), "action": "accept",
                              "criterion": crit_id, "hash": chash, "target": "0"},
                    )
                    if answer.status_code != 303:
                        raise SystemExit(f"decision not saved: {answer.status_code}")
                    saves.append(ms)
                    page_ms, page = timed(client, "GET", answer.headers["location"])
                    page.raise_for_status()
                    follow.append(page_ms)
                    queue_ms, queue = timed(client, "GET", "/")
                    queue.raise_for_status()
                    requeue.append(queue_ms)
                report["decision_save"] = {
                    "median_ms": round(statistics.median(saves), 1),
                    "max_ms": round(max(saves), 1),
                }
                report["record_page_after_save"] = {
                    "median_ms": round(statistics.median(follow), 1),
                    "max_ms": round(max(follow), 1),
                }
                report["pages"]["queue_after_each_decision"] = {
                    "median_ms": round(statistics.median(requeue), 1),
                    "max_ms": round(max(requeue), 1),
                }
                check = Store.open(target)
                kept = sum(len(v) for v in decisions_by_record(check).values())
                check.close()
                if kept < len(saves):
                    raise SystemExit(f"{len(saves)} decisions posted, {kept} in the store")
                report["decisions_in_store"] = kept
        finally:
            server.terminate()
            server.wait(timeout=30)
    queue_worst = max(v["median_ms"] for k, v in report["pages"].items() if k != "summary")
    report["budgets"] = {
        "queue_ms": QUEUE_BUDGET_MS, "decision_save_ms": SAVE_BUDGET_MS,
        "queue_ok": queue_worst <= QUEUE_BUDGET_MS,
        "decision_save_ok": report["decision_save"]["median_ms"] <= SAVE_BUDGET_MS,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    for name, fig in report["pages"].items():
        print(f"{name:24} median {fig['median_ms']:7.1f} ms   max {fig['max_ms']:7.1f} ms")
    d = report["decision_save"]
    print(f"{'decision save':24} median {d['median_ms']:7.1f} ms   max {d['max_ms']:7.1f} ms")
    print(f"first answer {report['first_answer_seconds']} s, queue index ready "
          f"{report['index_ready_seconds']} s; written {args.out}")
    ok = report["budgets"]["queue_ok"] and report["budgets"]["decision_save_ok"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
