"""Benchmark the readers: records per second reading (no normalisation), and peak memory.

    python evals/bench_readers.py [--records 10000] [--runs 3] [--out FILE.json]

The records are built with :mod:`normalizer.records.synth` around the real
criteria texts under ``shared/`` (seeds, LCT, Chia, fb_ctparser), written as
JSON Lines, a bulk-download zip (one JSON per study) and AACT's
``eligibilities.txt``.  Each format is read through ``read_records`` to the last
record, best of ``--runs`` (wall and process CPU seconds); peak memory is
measured in a separate pass with tracemalloc (Python allocations while
reading), and the process's peak RSS is reported once at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from normalizer.records import ReadFailure, read_records  # noqa: E402
from normalizer.records.synth import (  # noqa: E402
    build_ctgov_studies,
    corpus_texts,
    write_aact,
    write_jsonl,
    write_zip,
)

SHARED = REPO.parent / "shared"


def _read(path: Path) -> tuple[int, int]:
    records = failures = 0
    for item in read_records([str(path)]):
        if isinstance(item, ReadFailure):
            failures += 1
        else:
            records += 1
    return records, failures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--out", type=Path, default=REPO / "evals" / "results" / "bench_readers.json"
    )
    args = parser.parse_args()
    load = [round(x, 2) for x in os.getloadavg()]
    texts = corpus_texts(SHARED)
    start = time.perf_counter()
    studies = build_ctgov_studies(args.records, texts)
    build_seconds = time.perf_counter() - start
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        files = {
            "jsonl": write_jsonl(folder / "studies.jsonl", studies),
            "zip": write_zip(folder / "studies.zip", studies),
            "aact": write_aact(folder / "eligibilities.txt", studies),
        }
        write_seconds = time.perf_counter() - start
        del studies
        for name, path in files.items():
            best = best_cpu = float("inf")
            counts = (0, 0)
            for _ in range(args.runs):
                t0, c0 = time.perf_counter(), time.process_time()
                counts = _read(path)
                best = min(best, time.perf_counter() - t0)
                best_cpu = min(best_cpu, time.process_time() - c0)
            tracemalloc.start()
            _read(path)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            results[name] = {
                "records": counts[0], "failures": counts[1], "bytes": path.stat().st_size,
                "seconds": round(best, 3), "cpu_seconds": round(best_cpu, 3),
                "records_per_second": round(counts[0] / best),
                "peak_traced_mb": round(peak / 1e6, 2),
            }
            print(f"{name:6} {counts[0]:>6} records {best:6.2f} s "
                  f"{counts[0] / best:>8,.0f} records/s  peak {peak / 1e6:6.2f} MB "
                  f"({path.stat().st_size / 1e6:.0f} MB file)", flush=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    report = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "records": args.records,
        "texts": len(texts),
        "runs": args.runs,
        "load_average_at_start": load,
        "build_seconds": round(build_seconds, 3),
        "write_seconds": round(write_seconds, 3),
        "peak_rss_mb_whole_process": round(rss, 1),
        "note": "reading only (read_records to the last record, no normalisation); best of "
        "runs; peak_traced_mb is tracemalloc's peak while reading one file; the process RSS "
        "includes the 10,000 built studies held while the files were written",
        "formats": results,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
