"""Draw gold candidate criteria from Chia, LCT and the seed records.

Writes, under ``gold/candidates/``:

* ``chia.jsonl`` / ``lct.jsonl``: criteria drawn at random (seeded) from each
  corpus, about ``--per-corpus`` each, ``--digit-share`` of them holding a digit
  and the rest not, at most ``--max-per-trial`` per trial;
* ``seeds.jsonl``: every criterion of the seed records in ``shared/seeds/``.

Each line: ``id``, ``source`` (relative to the shared dir), ``section``, ``text``
(verbatim in the source), ``split`` (``split_of`` on the NCT id; seeds are dev)
and ``hints`` (the corpus's numeric items of that criterion, for the curator).
Run ``python evals/sample_gold.py``; the same seed gives the same files.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from normalizer.evaluation.brat import BratDoc, Corpus, iter_documents  # noqa: E402
from normalizer.evaluation.split import split_of  # noqa: E402
from normalizer.segment import Segment, segment  # noqa: E402

DEFAULT_SEED = 20261121
CORPORA: dict[Corpus, str] = {
    "chia": "corpus/chia/chia_without_scope",
    "lct": "corpus/lct/leaf_clinical_trials",
}
DIGIT = re.compile(r"\d")


def _record(
    case_id: str, source: str, criterion: Segment, split: str, hints: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "id": case_id,
        "source": source,
        "section": criterion.section,
        "text": criterion.text,
        "split": split,
        "hints": hints,
    }


def _candidates(docs: Sequence[BratDoc]) -> Iterator[tuple[BratDoc, Segment]]:
    for doc in docs:
        for criterion in doc.criteria:
            yield doc, criterion


def sample_corpus(
    docs: Sequence[BratDoc],
    shared: Path,
    rng: random.Random,
    *,
    n: int,
    digit_share: float,
    max_per_trial: int,
) -> list[dict[str, Any]]:
    """Draw ``n`` criteria: ``digit_share`` of them with a digit, at most ``max_per_trial`` each."""
    pool = list(_candidates(docs))
    rng.shuffle(pool)
    want = {True: round(n * digit_share), False: n - round(n * digit_share)}
    per_trial: Counter[str] = Counter()
    chosen: list[tuple[BratDoc, Segment]] = []
    for doc, criterion in pool:
        has_digit = bool(DIGIT.search(criterion.text))
        if want[has_digit] == 0 or per_trial[doc.nct_id] >= max_per_trial:
            continue
        want[has_digit] -= 1
        per_trial[doc.nct_id] += 1
        chosen.append((doc, criterion))
        if not any(want.values()):
            break
    chosen.sort(key=lambda pair: (pair[0].doc_id, pair[1].start))
    records = []
    for doc, criterion in chosen:
        assert doc.text[criterion.start : criterion.end] == criterion.text
        hints = [
            {
                "entity_text": item.entity_text,
                "value_text": item.value_text,
                "values": list(item.values),
                "comparator": item.comparator,
                "unit_text": item.unit_text,
            }
            for item in doc.items
            if item.criterion_id == criterion.id
        ]
        records.append(
            _record(
                f"{doc.corpus}-{doc.nct_id}-{criterion.id}",
                doc.source_path.relative_to(shared).as_posix(),
                criterion,
                split_of(doc.doc_id),
                hints,
            )
        )
    return records


def seed_records(shared: Path) -> list[dict[str, Any]]:
    """Every criterion of every seed record, ids ``seed-000-inc-1``."""
    records = []
    for path in sorted((shared / "seeds").glob("*.txt")):
        with path.open(encoding="utf-8", newline="") as handle:
            text = handle.read()
        for criterion in segment(text):
            assert text[criterion.start : criterion.end] == criterion.text
            records.append(
                _record(
                    f"seed-{path.name[:3]}-{criterion.id}",
                    path.relative_to(shared).as_posix(),
                    criterion,
                    "dev",
                    [],
                )
            )
    return records


def _write(path: Path, records: list[dict[str, Any]]) -> None:
    ids = [r["id"] for r in records]
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    if duplicates:
        raise SystemExit(f"duplicate ids in {path.name}: {duplicates[:5]}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _summary(name: str, records: list[dict[str, Any]]) -> str:
    n = len(records) or 1
    digits = sum(bool(DIGIT.search(r["text"])) for r in records)
    test = sum(r["split"] == "test" for r in records)
    trials = Counter(r["id"].split("-")[1] for r in records)
    hinted = sum(bool(r["hints"]) for r in records)
    return (
        f"{name}: {len(records)} criteria, {digits} with a digit ({100 * digits / n:.0f}%), "
        f"{hinted} with corpus items, {test} test ({100 * test / n:.0f}%), "
        f"{len(trials)} trials (max {max(trials.values(), default=0)} per trial)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--out", type=Path, default=REPO / "gold" / "candidates")
    parser.add_argument("--per-corpus", type=int, default=170)
    parser.add_argument("--digit-share", type=float, default=0.6)
    parser.add_argument("--max-per-trial", type=int, default=3)
    args = parser.parse_args(argv)
    shared: Path = args.shared.resolve()

    for corpus, rel in CORPORA.items():
        rng = random.Random(f"{args.seed}-{corpus}")  # one stream per corpus
        docs = list(iter_documents(shared / rel, corpus))
        records = sample_corpus(
            docs,
            shared,
            rng,
            n=args.per_corpus,
            digit_share=args.digit_share,
            max_per_trial=args.max_per_trial,
        )
        _write(args.out / f"{corpus}.jsonl", records)
        print(_summary(corpus, records))
    seeds = seed_records(shared)
    _write(args.out / "seeds.jsonl", seeds)
    print(_summary("seeds", seeds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
