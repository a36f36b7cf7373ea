"""Instructions per criterion of the warm end-to-end path, counted, not timed.

    python evals/bench_instructions.py [--shared ../shared] [--baseline DIR] [--every 8]
                                       [--out evals/results/bench_instructions.json]

Wall-clock rates on a shared machine move by 20% from one run to the next (the
other tenants), so a change of a few percent cannot be seen in them.  This counts
the machine instructions the interpreter executes, under valgrind's callgrind
(``apt-get install valgrind``; no hardware counters needed): the same code path
gives the same count whatever else the host does.  What is counted is bench_e2e's
warm pass (read, segment, extract, canonical units, verification, eligible sets,
JSON text) over every ``--every``-th input text: a process that imports the tree
and makes one pass, and one that makes two; the difference is one warm pass, with
imports and first-use caches left out.  ``--baseline DIR`` (a source tree of the
package, ``git archive REV | tar -x -C DIR``) is counted the same way, and the
report gives the ratio (baseline / this tree: above 1 is fewer instructions).
Callgrind runs the interpreter about 50 times slower: with the default ``--every 8``
each tree takes two to three minutes.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

_PASSES = """
import sys
tree = sys.argv[1]
if tree != "-":
    sys.meta_path[:] = [f for f in sys.meta_path
                        if not type(f).__module__.startswith("__editable__")]
    sys.path.insert(0, tree)
sys.path.insert(0, {evals!r})
from pathlib import Path
import bench_e2e
texts = [(str(p), p.read_text("utf-8")) for p in bench_e2e.inputs(Path({shared!r}))]
texts = texts[::int(sys.argv[2])]
criteria = 0
for _ in range(int(sys.argv[3])):
    criteria, _written = bench_e2e._run_path(texts)
print(criteria)
"""


def _count(script: Path, tree: str, every: int, passes: int) -> tuple[int, int]:
    """(instructions, criteria of one pass) of a process making ``passes`` passes."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
             sys.executable, str(script), tree, str(every), str(passes)],
            capture_output=True, text=True, check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"callgrind failed ({done.returncode}): {done.stderr[-500:]}")
        match = re.search(r"Collected : (\d+)", done.stderr)
        if match is None:
            raise SystemExit("callgrind printed no instruction count")
        return int(match.group(1)), int(done.stdout.split()[-1])


def measure(script: Path, tree: str, every: int) -> dict[str, Any]:
    one, criteria = _count(script, tree, every, 1)
    two, _ = _count(script, tree, every, 2)
    warm = two - one
    return {
        "criteria_per_pass": criteria,
        "instructions_one_pass_process": one,
        "instructions_two_pass_process": two,
        "instructions_warm_pass": warm,
        "instructions_per_criterion": round(warm / criteria),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--baseline", type=Path, help="another source tree of the package")
    ap.add_argument("--every", type=int, default=8, help="count every N-th input text")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "bench_instructions.json")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "passes.py"
        script.write_text(
            _PASSES.format(evals=str(HERE), shared=str(args.shared.resolve())), "utf-8"
        )
        report: dict[str, Any] = {"every": args.every, "this": measure(script, "-", args.every)}
        if args.baseline is not None:
            report["baseline"] = measure(script, str(args.baseline.resolve()), args.every)
            report["baseline_over_this"] = round(
                report["baseline"]["instructions_warm_pass"]
                / report["this"]["instructions_warm_pass"], 3
            )
    for name in ("this", "baseline"):
        if name in report:
            r = report[name]
            print(f"{name:9} {r['instructions_per_criterion']:,} instructions a criterion "
                  f"(warm pass over {r['criteria_per_pass']:,} criteria)")
    if "baseline_over_this" in report:
        print(f"baseline / this: {report['baseline_over_this']} (above 1: this tree does less)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
