"""Benchmark saving a curator decision with 10,000 records in the run store.

    python evals/bench_review.py [--records 10000] [--distinct 200] [--rounds 7]
        [--saves 20] [--store sqlite|postgresql|both] [--shared ../shared]
        [--out evals/results/bench_review.json]

The store: ``--distinct`` dev-split Chia trials (inclusion and exclusion text as
one record) normalised once by the rules extractor, each document saved again
under other NCT ids until the store holds ``--records`` records (as
``normalizer run`` saves them), and one decision already on every tenth record
(so the decisions table is not empty).  Timed in this process, through the
library the review page calls (:func:`normalizer.review.decisions.decide`):

* a first decision on a constraint (an insert and its history row);
* changing that decision (``expected_version`` given: the optimistic-lock update);
* reading a record's curated document (``curated_document``: the document, its
  decisions, :func:`~normalizer.review.curate.curate`), what the page does after
  a save.

Each of ``--rounds`` rounds times ``--saves`` operations of each kind on other
records; the figure is the median over all of them, with the median of the round
medians and the slowest round beside it.  SQLite is a file in a temporary folder;
PostgreSQL a fresh database on the test server (127.0.0.1:5432, trust auth),
dropped afterwards.  Budget (issue 13): a decision saves in <= 100 ms.  Exits 1
when a median is over budget.  The machine is shared: figures are as measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from normalizer.evaluation.split import split_of
from normalizer.extract.rules import RulesExtractor
from normalizer.models import Criterion, Document, RecordInfo, RecordOrigin
from normalizer.pipeline import normalize_record
from normalizer.records import Record
from normalizer.review.curate import curated_document
from normalizer.review.decisions import decide
from normalizer.store import Store

REPO = Path(__file__).resolve().parents[1]
SAVE_BUDGET_MS = 100.0
POSTGRES = os.environ.get("NORMALIZER_TEST_POSTGRES", "postgresql://127.0.0.1:5432/test")


def chia_documents(shared: Path, distinct: int) -> list[Document]:
    """``distinct`` dev-split Chia trials, normalised once (never the test split).

    Also the review page's benchmark (``bench_review_page.py``) reads these documents.
    """
    chia = shared / "corpus" / "chia" / "chia_without_scope"
    ids = sorted({p.name.split("_")[0] for p in chia.glob("NCT*_inc.txt")})
    ids = [i for i in ids if split_of(i) == "dev"][:distinct]
    extractor = RulesExtractor()
    docs = []
    for nct in ids:
        inc = (chia / f"{nct}_inc.txt").read_text("utf-8").strip()
        exc_file = chia / f"{nct}_exc.txt"
        exc = exc_file.read_text("utf-8").strip() if exc_file.exists() else ""
        text = f"Inclusion Criteria:\n{inc}\n\nExclusion Criteria:\n{exc}\n"
        info = RecordInfo(id=nct, nct_id=nct, origin=RecordOrigin(path=f"chia/{nct}.txt"))
        docs.append(normalize_record(Record(info=info, text=text), extractor=extractor))
    return docs


def _targets(doc: Document) -> list[Criterion]:
    return [c for c in doc.criteria if c.constraints]


def build(store: Store, docs: list[Document], records: int) -> list[tuple[str, Document]]:
    """Fill the store; return (record id, document) of every record."""
    run = store.begin_run("bench_review", {})
    saved: list[tuple[str, Document]] = []
    for n in range(records):
        base = docs[n % len(docs)]
        assert base.record is not None
        nct = f"NCT{80000000 + n:08d}"
        doc = base.model_copy(update={"record": base.record.model_copy(
            update={"id": nct, "nct_id": nct})})
        store.save_document(doc, record_id=nct, content_hash=f"{n:064x}", versions_key="bench",
                            seconds=0.0, run_id=run)
        saved.append((nct, doc))
        if n % 10 == 0:  # decisions already there, as in a store being curated
            crit = _targets(doc)[-1]
            decide(store, nct, crit, action="accept", target=len(crit.constraints) - 1,
                   curator="earlier")
    store.finish_run(run, {"records": records})
    return saved


def measure(store: Store, saved: list[tuple[str, Document]], rounds: int, saves: int,
            seed: int = 13) -> dict[str, Any]:
    """Time first saves, changed saves and curated reads on records not yet decided."""
    rng = random.Random(seed)
    fresh = [(rid, doc) for n, (rid, doc) in enumerate(saved) if n % 10 != 0]
    rng.shuffle(fresh)
    picks = iter(fresh)
    kinds: dict[str, list[list[float]]] = {"first save": [], "changed save": [],
                                            "curated read": []}
    for _ in range(rounds):
        times: dict[str, list[float]] = {k: [] for k in kinds}
        for _ in range(saves):
            rid, doc = next(picks)
            crit = _targets(doc)[0]
            start = time.perf_counter()
            first = decide(store, rid, crit, action="accept", target=0, curator="ana")
            times["first save"].append((time.perf_counter() - start) * 1000.0)
            start = time.perf_counter()
            decide(store, rid, crit, action="reject", target=0, curator="bo",
                   expected_version=first.version)
            times["changed save"].append((time.perf_counter() - start) * 1000.0)
            start = time.perf_counter()
            curated_document(store, rid)
            times["curated read"].append((time.perf_counter() - start) * 1000.0)
        for k, found in times.items():
            kinds[k].append(found)
    out: dict[str, Any] = {}
    for k, per_round in kinds.items():
        every = [t for r in per_round for t in r]
        medians = [statistics.median(r) for r in per_round]
        out[k] = {
            "median_ms": round(statistics.median(every), 2),
            "median_of_round_medians_ms": round(statistics.median(medians), 2),
            "slowest_round_median_ms": round(max(medians), 2),
            "p90_ms": round(sorted(every)[int(0.9 * (len(every) - 1))], 2),
            "n": len(every),
        }
    return out


@contextmanager
def opened(kind: str) -> Iterator[Store]:
    """A fresh, empty store of ``kind`` (sqlite file or PostgreSQL database), removed after."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            store = Store.open(Path(folder) / "bench.sqlite")
            try:
                yield store
            finally:
                store.close()
        return
    import psycopg

    name = f"normalizer_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            store = Store.open(POSTGRES.rsplit("/", 1)[0] + f"/{name}")
            try:
                yield store
            finally:
                store.close()
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print a table and write the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--distinct", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--store", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--out", type=Path, default=REPO / "evals/results/bench_review.json")
    args = parser.parse_args(argv)
    docs = [d for d in chia_documents(args.shared, args.distinct)
            if any(c.constraints for c in d.criteria)]
    if not docs:
        print(f"no Chia dev documents under {args.shared}", file=sys.stderr)
        return 2
    report: dict[str, Any] = {
        "benchmark": "bench_review", "records": args.records, "distinct_documents": len(docs),
        "rounds": args.rounds, "saves_per_round": args.saves,
        "budget_save_ms": SAVE_BUDGET_MS, "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus (shared)", "stores": {},
    }
    kinds = ["sqlite", "postgresql"] if args.store == "both" else [args.store]
    over = False
    for kind in kinds:
        with opened(kind) as store:
            started = time.perf_counter()
            saved = build(store, docs, args.records)
            built = round(time.perf_counter() - started, 1)
            assert store.count() == args.records
            found = measure(store, saved, args.rounds, args.saves)
        found["build_seconds"] = built
        report["stores"][kind] = found
        print(f"{kind}: {args.records} records (built in {built} s)")
        for what in ("first save", "changed save", "curated read"):
            f = found[what]
            print(f"  {what:13} median {f['median_ms']:7.2f} ms  p90 {f['p90_ms']:7.2f} ms  "
                  f"slowest round {f['slowest_round_median_ms']:7.2f} ms  (n={f['n']})")
        over |= any(found[w]["median_ms"] > SAVE_BUDGET_MS for w in ("first save",
                                                                        "changed save"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"budget {SAVE_BUDGET_MS:g} ms per save: {'OVER' if over else 'met'}; "
          f"report: {args.out}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
