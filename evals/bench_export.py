"""Benchmark the exports: 10,000 records in each format, from JSON Lines documents.

    python evals/bench_export.py [--records 10000] [--out evals/results/bench_export.json]

The records are the seed and CT.gov corpus records (normalised once with the rules
extractor), copied under distinct record ids to ``--records`` documents, written
as JSON Lines.  Each format is timed end to end as ``normalizer export
--documents`` runs it (parse every line, select, write a file), with review rows
included (the larger export); parsing alone is timed as the baseline.  Each
figure is the best of ``--runs`` runs in one process, in wall and process CPU
seconds (the CPU figure is the one a loaded, shared machine distorts least).
Target: <= 30 s a format.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from normalizer.export import FORMATS, documents_from_jsonl, export  # noqa: E402
from normalizer.models import Document  # noqa: E402
from tests.export_data import real_documents  # noqa: E402

TARGET_SECONDS = 30.0


def _documents(count: int) -> list[Document]:
    base = real_documents()
    out = []
    for i in range(count):
        doc = base[i % len(base)]
        assert doc.record is not None
        record = doc.record.model_copy(update={"id": f"{doc.record.id}-{i:05d}"})
        out.append(doc.model_copy(update={"record": record}))
    return out


def _fail(failure: object) -> None:
    raise SystemExit(f"bench input is broken: {failure}")


def _run(path: Path, fmt: str | None, folder: Path) -> tuple[float, float, dict[str, int]]:
    start, cpu = time.perf_counter(), time.process_time()
    with path.open(encoding="utf-8") as lines:
        docs = documents_from_jsonl(lines, str(path), _fail)
        if fmt is None:
            n = sum(1 for _ in docs)
            return time.perf_counter() - start, time.process_time() - cpu, {"records": n}
        target = folder / f"out.{fmt}"
        mode = "wb" if fmt == "parquet" else "w"
        with target.open(mode) as out:
            summary = export(docs, fmt, out, include_review=True)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    return seconds, cpu_seconds, {
        "records": summary.records,
        "constraints": summary.constraints,
        "bytes": target.stat().st_size,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument(
        "--out", type=Path, default=REPO / "evals" / "results" / "bench_export.json"
    )
    args = parser.parse_args()
    load = [round(x, 2) for x in os.getloadavg()]
    docs = _documents(args.records)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "documents.jsonl"
        path.write_text("".join(d.model_dump_json() + "\n" for d in docs), encoding="utf-8")
        for fmt in (None, *FORMATS):
            best = best_cpu = float("inf")
            info: dict[str, int] = {}
            for _ in range(args.runs):
                seconds, cpu_seconds, info = _run(path, fmt, folder)
                best, best_cpu = min(best, seconds), min(best_cpu, cpu_seconds)
            name = fmt or "parse_only"
            results[name] = {"seconds": round(best, 3), "cpu_seconds": round(best_cpu, 3), **info}
            print(f"{name:10} {best:7.2f} s wall {best_cpu:7.2f} s cpu  {info}", flush=True)
    for fmt in FORMATS:
        results[fmt]["within_target"] = results[fmt]["seconds"] <= TARGET_SECONDS
        results[fmt]["ratio_to_parse"] = round(
            results[fmt]["seconds"] / results["parse_only"]["seconds"], 2
        )
    report = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "records": args.records,
        "runs": args.runs,
        "target_seconds": TARGET_SECONDS,
        "load_average_at_start": load,
        "note": "best of runs, one process; include_review=True; wall and process CPU seconds "
        "(the machine is shared with other jobs: wall time includes waiting for a core)",
        "formats": results,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
