"""Check gold JSONL files: schema, unique ids, text verbatim in its source, known variables.

    python evals/check_gold.py gold/dev.jsonl gold/test.jsonl [--shared ../shared]

Exits 1 and lists every problem; prints a summary when all is well.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from normalizer.evaluation.gold import gold_problems

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args()
    problems, cases = gold_problems(args.files, args.shared)
    for p in problems:
        print(p)
    if problems:
        return 1
    counts = Counter(c.variable for case in cases for c in case.constraints)
    with_c = sum(bool(c.constraints) for c in cases)
    print(f"{len(cases)} cases, {with_c} with constraints, {sum(counts.values())} constraints")
    print("variables:", ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
