"""Benchmark the rules extractor, with quantulum3 side by side.

    python evals/bench_rules.py [--shared ../shared] [--out evals/results/bench_rules.json]

Throughput: segment() + RulesExtractor over every Chia and LCT .txt file, best of
three runs in one process (units.py warmed up first, as in a long run).  Quality:
value recall, comparator recall and precision against the brat gold (precision also
"any value": a prediction matching a Chia Value hung on any entity type counts)
(normalizer.evaluation.brat_score), per corpus and split.  quantulum3 (optional
dependency group "bench") reads the same Chia criteria: its speed, and its value
recall and precision under the same scorer (each quantity it finds counts as a
``= value`` constraint).  Prints a table; writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from normalizer.evaluation.brat import BratDoc, iter_documents
from normalizer.evaluation.brat_score import (
    Bounded,
    BratReport,
    Rate,
    precision_on,
    score_documents,
)
from normalizer.evaluation.gold import load_gold
from normalizer.evaluation.split import split_of
from normalizer.extract.base import CriterionInput
from normalizer.extract.rules import RulesExtractor
from normalizer.extract.rules.lexicon import load_lexicon
from normalizer.models import Bound, Constraint, GoldCase, Section
from normalizer.segment import segment

REPO = Path(__file__).resolve().parents[1]
RUNS = 3
Batch = list[tuple[str, Section]]


def corpus_dirs(shared: Path) -> dict[str, Path]:
    corpus = shared / "corpus"
    return {
        "chia": corpus / "chia" / "chia_without_scope",
        "lct": corpus / "lct" / "leaf_clinical_trials",
    }


def throughput(texts: list[str], extractor: RulesExtractor) -> dict[str, float]:
    """Criteria per second of segment() + extract over ``texts`` (best of RUNS)."""
    best = float("inf")
    criteria = 0
    for _ in range(RUNS):
        start = time.perf_counter()
        criteria = 0
        for text in texts:
            segments = segment(text)
            extractor.extract([CriterionInput(s.id, s.section, s.text, s.start) for s in segments])
            criteria += len(segments)
        best = min(best, time.perf_counter() - start)
    return {"criteria": criteria, "seconds": round(best, 3), "per_second": round(criteria / best)}


def rules_scorer(extractor: RulesExtractor) -> Callable[[Batch], list[list[Constraint]]]:
    def extract(batch: Batch) -> list[list[Constraint]]:
        inputs = [CriterionInput(f"c{i}", sec, text) for i, (text, sec) in enumerate(batch)]
        return [e.constraints for e in extractor.extract(inputs)]

    return extract


def quantulum_scorer(
    parse: Callable[[str], list[Any]],
) -> Callable[[Batch], list[list[Constraint]]]:
    """quantulum3 as an extractor: every quantity is a ``= value`` constraint."""

    def extract(batch: Batch) -> list[list[Constraint]]:
        out: list[list[Constraint]] = []
        for text, _ in batch:
            found = []
            for q in parse(text):
                bound = Bound(value=float(q.value), inclusive=True)
                span = (q.span[0], q.span[1])
                found.append(
                    Constraint(
                        variable="other", label=q.surface, lower=bound, upper=bound, evidence=span
                    )
                )
            out.append(found)
        return out

    return extract


def figures(report: BratReport) -> dict[str, Any]:
    return {
        "value_recall": report.value_recall.rate,
        "comparator_recall": report.comparator_recall.rate,
        "precision": report.precision.rate,
        "precision_any_value": report.precision_any_value.rate,
        "gold_items": report.counts.gold_items,
        "predictions": report.counts.predictions,
        "documents": report.counts.documents,
    }


def quantulum(docs: list[BratDoc]) -> dict[str, Any]:
    try:
        from quantulum3 import parser
    except ImportError:
        return {"installed": False}
    warnings.filterwarnings("ignore")
    lines = [c.text for doc in docs for c in doc.criteria]
    start = time.perf_counter()
    for line in lines:
        parser.parse(line)
    seconds = time.perf_counter() - start
    result: dict[str, Any] = {
        "installed": True,
        "criteria": len(lines),
        "seconds": round(seconds, 3),
        "per_second": round(len(lines) / seconds),
    }
    for split in ("dev", "test"):
        report = score_documents(quantulum_scorer(parser.parse), docs, split=split)
        result[split] = figures(report)
    return result


def gold_ceiling(docs: list[BratDoc], extractor: RulesExtractor) -> dict[str, Any]:
    """Chia precision of the curated gold itself, beside the rules, on the same criteria.

    The Chia criteria that ``gold/*.jsonl`` annotates (case id ``chia-<NCT>-<inc|exc>-<n>``)
    are scored as if the gold were an extractor: what a curator following
    gold/README.md scores under the same scorer, i.e. how far the annotation's scope
    (not the extractor) bounds precision.
    """
    cases: dict[tuple[str, str], GoldCase] = {}
    for case in load_gold(sorted((REPO / "gold").glob("*.jsonl"))):
        parts = case.id.split("-")
        if parts[0] == "chia" and len(parts) == 4:
            cases[(f"{parts[1]}_{parts[2]}", f"{parts[2]}-{parts[3]}")] = case

    def gold(doc: BratDoc, criterion: Any) -> Sequence[Bounded] | None:
        case = cases.get((doc.doc_id, criterion.id))
        return None if case is None or case.text != criterion.text else case.constraints

    def rules(doc: BratDoc, criterion: Any) -> Sequence[Bounded] | None:
        if gold(doc, criterion) is None:
            return None
        return extractor.read(criterion.text).constraints

    def rates(pair: tuple[Rate, Rate]) -> dict[str, Any]:
        strict, lenient = pair
        return {
            "precision": strict.rate,
            "precision_any_value": lenient.rate,
            "predictions": strict.total,
        }

    result: dict[str, Any] = {}
    for split in ("dev", "test"):
        chosen = [d for d in docs if split_of(d.doc_id) == split]
        criteria = sum(1 for d in chosen for c in d.criteria if gold(d, c) is not None)
        result[split] = {
            "criteria": criteria,
            "gold": rates(precision_on(chosen, gold)),
            "rules": rates(precision_on(chosen, rules)),
        }
    return result


def pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:5.1f}%"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--out", type=Path, default=REPO / "evals/results/bench_rules.json")
    args = parser.parse_args()
    dirs = corpus_dirs(args.shared)
    for path in dirs.values():
        if not path.is_dir():
            print(f"no corpus at {path} (use --shared)", file=sys.stderr)
            return 2
    extractor = RulesExtractor()
    extractor.extract([CriterionInput("warm-up", "unknown", "Hb ≥ 9 g/dL, ALT ≤ 2.5 x ULN")])
    result: dict[str, Any] = {
        "python": platform.python_version(),
        "patterns_version": load_lexicon().version,
        "throughput": {},
        "rules": {},
    }
    all_texts: list[str] = []
    for name, path in dirs.items():
        texts = [p.read_text("utf-8") for p in sorted(path.rglob("NCT*.txt"))]
        all_texts += texts
        result["throughput"][name] = throughput(texts, extractor)
    result["throughput"]["all"] = throughput(all_texts, extractor)
    docs: dict[str, list[BratDoc]] = {name: list(iter_documents(p)) for name, p in dirs.items()}
    for name, corpus_docs in docs.items():
        for split in ("dev", "test"):
            chosen = [d for d in corpus_docs if split_of(d.doc_id) == split]
            if chosen:
                report = score_documents(rules_scorer(extractor), chosen, split=split)
                result["rules"][f"{name}/{split}"] = figures(report)
    result["quantulum3_chia"] = quantulum(docs["chia"])
    result["gold_ceiling_chia"] = gold_ceiling(docs["chia"], extractor)

    print(f"{'throughput (segment + extract, best of 3)':44} {'criteria':>9} {'per s':>8}")
    for name, t in result["throughput"].items():
        print(f"  rules {name:36} {t['criteria']:9} {t['per_second']:8}")
    q = result["quantulum3_chia"]
    if q.get("installed"):
        print(f"  quantulum3 chia{'':31} {q['criteria']:9} {q['per_second']:8}")
    header = f"{'value rec.':>10} {'cmp rec.':>9} {'precision':>10} {'(any value)':>12} {'gold':>6}"
    print(f"\n{'quality (brat gold)':22} {header}")
    rows = [(f"rules {k}", v) for k, v in result["rules"].items()]
    if q.get("installed"):
        rows += [(f"quantulum3 chia/{s}", q[s]) for s in ("dev", "test")]
    for label, f in rows:
        print(
            f"  {label:20} {pct(f['value_recall']):>10} {pct(f['comparator_recall']):>9}"
            f" {pct(f['precision']):>10} {pct(f['precision_any_value']):>12} {f['gold_items']:6}"
        )
    print(
        "\nChia precision of the curated gold itself (gold/*.jsonl cases from Chia),"
        " beside the rules on the same criteria"
    )
    for split, row in result["gold_ceiling_chia"].items():
        for who in ("gold", "rules"):
            f = row[who]
            print(
                f"  {who:5} chia/{split:4} {row['criteria']:4} criteria {f['predictions']:4}"
                f" constraints  precision {pct(f['precision'])}"
                f"  (any value) {pct(f['precision_any_value'])}"
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
