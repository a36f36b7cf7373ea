"""Scaling of reading time per pathological family (issue 12): 10x the input, <= 12x the time.

    python evals/bench_scaling.py [--out evals/results/bench_scaling.json]

For each family of tests/pathological.py: ``normalize_text`` (rules) on the input
at size n and at 10n, best of several runs in one process after a warm-up, and
the ratio of the two times (a ratio within one run: the machine is shared and
noisy).  Within-criterion families are sized so that 10n stays under the
criterion length cap (guard.MAX_CRITERION_CHARS): the reading itself is measured,
not the cap.  Then each input at the size the issue reported, whose time must be
<= 1 s.  Exit 1 when a ratio is over 12 or an issue input over 1 s.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from normalizer import RulesExtractor, __version__, normalize_text  # noqa: E402
from normalizer.catalog import load_catalog  # noqa: E402
from normalizer.guard import MAX_CRITERION_CHARS  # noqa: E402
from tests.pathological import FAMILIES, ISSUE_SIZES  # noqa: E402

# n for each family (the bench runs n and 10n)
BASE = {
    "header-words": 100,
    "dot-runs": 100,
    "dash-runs": 100,
    "comma-runs": 100,
    "and-chain": 20,
    "person-gap": 250,
    "comparator-run": 250,
    "bullets": 100,
    "bullets-both": 50,
}
MAX_RATIO = 12.0
MAX_SECONDS = 1.0


def best(text: str, extractor: RulesExtractor, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        normalize_text(text, name="bench", extractor=extractor)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path,
                        default=REPO / "evals" / "results" / "bench_scaling.json")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    extractor = RulesExtractor()
    for text in ("Age >= 18 years", "Platelets > 100 x 10^9/L; creatinine < 1.5 mg/dL"):
        normalize_text(text, name="warm", extractor=extractor)
    families = []
    failed = False
    print(f"{'family':16} {'n':>6} {'chars':>7} {'t(n) ms':>9} {'t(10n) ms':>10} {'ratio':>6}")
    for name, n in BASE.items():
        small, large = FAMILIES[name](n), FAMILIES[name](10 * n)
        t1 = best(small, extractor, args.runs)
        t10 = best(large, extractor, max(2, args.runs // 2))
        ratio = t10 / t1 if t1 > 0 else float("inf")
        ok = ratio <= MAX_RATIO
        failed |= not ok
        longest = max(len(line) for line in large.splitlines())
        families.append({
            "family": name, "n": n, "chars_n": len(small), "chars_10n": len(large),
            "longest_line_10n": longest, "under_cap": longest <= MAX_CRITERION_CHARS,
            "seconds_n": round(t1, 5), "seconds_10n": round(t10, 5),
            "ratio": round(ratio, 2), "ok": ok,
        })
        print(f"{name:16} {n:>6} {len(large):>7} {t1 * 1000:>9.2f} {t10 * 1000:>10.2f} "
              f"{ratio:>6.2f}{'' if ok else '  OVER'}")
    issue = []
    print(f"\n{'issue input':16} {'size':>6} {'chars':>7} {'seconds':>9}")
    for name, size in ISSUE_SIZES.items():
        text = FAMILIES[name](size)
        seconds = best(text, extractor, 2)
        ok = seconds <= MAX_SECONDS
        failed |= not ok
        issue.append({"family": name, "size": size, "chars": len(text),
                      "seconds": round(seconds, 4), "ok": ok})
        print(f"{name:16} {size:>6} {len(text):>7} {seconds:>9.3f}{'' if ok else '  OVER'}")
    result = {
        "stamp": {"normalizer_version": __version__, "catalog_version": load_catalog().version,
                  "python": platform.python_version(), "runs": args.runs},
        "max_ratio": MAX_RATIO,
        "max_seconds": MAX_SECONDS,
        "criterion_cap": MAX_CRITERION_CHARS,
        "families": families,
        "issue_inputs": issue,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
