"""What the parent of ``normalizer run`` spends per record on the work it could hand to workers.

    python evals/bench_batch_parent.py [--records 3000] [--repeat 3]
                                       [--out evals/results/bench_batch_parent.json]

Builds the inputs of ``evals/bench_batch.py`` (API v2 studies as one JSON Lines
file and as a zip of one JSON per study) and times, in this one process (CPU
seconds per record, the best of ``--repeat``), the steps the parent runs for
every record before a worker sees it, and the one the worker runs to get it:

* ``read``: :func:`normalizer.records.read_records` (zip member inflation, JSON
  decoding, the study's fields into a :class:`~normalizer.records.Record`);
* ``hash``: :func:`normalizer.store.fingerprint.content_hash` (the rerun's skip key);
* ``pickle``: the chunks of 16 ``(record id, record)`` the pool sends;
* ``unpickle``: the same chunks read back, as a worker does.

Moving reading and hashing into the workers takes ``read + hash + pickle`` off the
parent and adds ``read + hash - unpickle`` to each worker; ``evals/bench_batch.py``
gives the parent's and the workers' whole CPU per record to set these against.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "evals"))

CHUNK = 16


def _best(step: Callable[[], object], repeat: int) -> float:
    """The least CPU seconds of ``repeat`` runs of ``step``."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        step()
        best = min(best, time.process_time() - started)
    return best


def measure(path: str, repeat: int) -> dict[str, Any]:
    """CPU milliseconds per record of each step, for one input file."""
    from normalizer.records import Record, read_records
    from normalizer.store.fingerprint import content_hash

    records = [r for r in read_records([path]) if isinstance(r, Record)]
    tasks = [(r.info.id, r) for r in records]
    chunks = [tasks[i : i + CHUNK] for i in range(0, len(tasks), CHUNK)]
    sent = [pickle.dumps(c, protocol=pickle.HIGHEST_PROTOCOL) for c in chunks]
    seconds = {
        "read": _best(lambda: sum(1 for _ in read_records([path])), repeat),
        "hash": _best(lambda: [content_hash(r) for r in records], repeat),
        "pickle": _best(
            lambda: [pickle.dumps(c, protocol=pickle.HIGHEST_PROTOCOL) for c in chunks], repeat
        ),
        "unpickle": _best(lambda: [pickle.loads(s) for s in sent], repeat),
    }
    per = {k: round(v / len(records) * 1000, 4) for k, v in seconds.items()}
    return {
        "records": len(records),
        "cpu_ms_per_record": per,
        "off_the_parent_ms": round(per["read"] + per["hash"] + per["pickle"], 4),
        "onto_each_worker_ms": round(per["read"] + per["hash"] - per["unpickle"], 4),
        "bytes_sent_per_record": round(sum(map(len, sent)) / len(records)),
    }


def main() -> None:
    from bench_batch import build_ctgov_jsonl, build_ctgov_zip

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--out", type=Path, default=REPO / "evals/results/bench_batch_parent.json"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-parent-") as tmp:
        work = Path(tmp)
        inputs = {
            "ctgov-jsonl": build_ctgov_jsonl(work, args.records)[0],
            "ctgov-zip": build_ctgov_zip(work, args.records)[0],
        }
        report = {
            "bench": "bench_batch_parent",
            "command": "python evals/bench_batch_parent.py " + " ".join(sys.argv[1:]),
            "inputs": {name: measure(path, args.repeat) for name, path in inputs.items()},
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
