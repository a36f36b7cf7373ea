"""Review noise on the corpora: how many criteria the rules send to review, and why.

    python evals/review_noise.py [--shared ../shared] [--tree DIR]
                                 [--out evals/results/review_noise.json]

Runs the rules (the whole pipeline, as ``normalizer normalize`` does) over every
Chia and LCT record text and counts, per corpus and per split (the fixed split by
NCT id, :mod:`normalizer.evaluation.split`): criteria, their status, the review
rate, and the review rows whose only finding code is ``unparsed-number`` (a number
the rules saw and could not place: the noise a curator clears by hand when the
number is a name, a count or a date).  Issue 15 asks that these rows fall by at
least half and that the review rate does not rise.  Only aggregates are printed:
the test split's figures are read, never its criteria.

``--tree DIR`` measures another source tree of the package (``git archive REV |
tar -x -C DIR``) instead of the one this interpreter imports, for a before/after.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPORA = {
    "chia": ("chia/chia_without_scope", "NCT*.txt"),
    "lct": ("lct/leaf_clinical_trials", "**/NCT*.txt"),
}


def _use_tree(tree: Path) -> None:
    """Import the package from ``tree``, ahead of the editable install's finder."""
    sys.meta_path[:] = [f for f in sys.meta_path
                        if not type(f).__module__.startswith("__editable__")]
    sys.path.insert(0, str(tree.resolve()))


def measure(shared: Path) -> dict[str, Any]:
    from normalizer.evaluation.split import split_of
    from normalizer.extract.rules import RulesExtractor
    from normalizer.pipeline import normalize_text

    extractor = RulesExtractor()
    counts: dict[str, Counter[str]] = {}
    for corpus, (folder, pattern) in CORPORA.items():
        files = sorted((shared / "corpus" / folder).glob(pattern))
        if not files:
            raise SystemExit(f"no {corpus} texts under {shared / 'corpus' / folder}")
        for path in files:
            doc = normalize_text(path.read_text("utf-8"), name=path.name, extractor=extractor)
            row = counts.setdefault(f"{corpus}/{split_of(path.name)}", Counter())
            row["records"] += 1
            for crit in doc.criteria:
                row["criteria"] += 1
                row[crit.status] += 1
                codes = {f.code for f in crit.findings}
                if crit.status == "needs_review" and codes == {"unparsed-number"}:
                    row["unparsed_only"] += 1
                if "unparsed-number" in codes:
                    row["with_unparsed"] += 1
    table: dict[str, Any] = {}
    for key in sorted(counts):
        row = counts[key]
        table[key] = {
            "records": row["records"],
            "criteria": row["criteria"],
            "accepted": row["accepted"],
            "needs_review": row["needs_review"],
            "rejected": row["rejected"],
            "review_rate": round(row["needs_review"] / row["criteria"], 4),
            "unparsed_only_review": row["unparsed_only"],
            "with_unparsed_number": row["with_unparsed"],
        }
    return table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--tree", type=Path, help="measure this source tree of the package")
    ap.add_argument("--out", type=Path, help="also write the figures as JSON")
    args = ap.parse_args()
    if args.tree is not None:
        _use_tree(args.tree)
    else:
        sys.path.insert(0, str(REPO))
    import normalizer

    table = measure(args.shared)
    result = {"tree": str(Path(normalizer.__file__).resolve().parents[1]), "corpora": table}
    print(f"{'corpus/split':<12} {'criteria':>8} {'review':>7} {'rate':>6} "
          f"{'unparsed-only':>13} {'with unparsed':>13}")
    for key, row in table.items():
        print(f"{key:<12} {row['criteria']:>8} {row['needs_review']:>7} "
              f"{row['review_rate']:>6.1%} {row['unparsed_only_review']:>13} "
              f"{row['with_unparsed_number']:>13}")
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
