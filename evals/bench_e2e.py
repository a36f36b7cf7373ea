"""End-to-end benchmark: the whole path a user runs, cold and warm, beside quantulum3.

    python evals/bench_e2e.py [--shared ../shared] [--baseline DIR] [--rounds 3]
                              [--out evals/results/bench_e2e.json] [--profile docs/profile.txt]

What is timed is what ``normalizer normalize FILE --format json`` does: read the
file, segment, extract (rules), canonical units, verification (per constraint, per
criterion, across the document), eligible sets, and the JSON text written.

- **cold**: fresh processes (each tree's modules compiled to bytecode first, as an
  installed wheel has them), wall time of ``normalizer --help``, of
  ``normalizer normalize SEED --format json`` (one record), of ``normalizer run SEED``
  into a new store and of the same run again (nothing to do), median of ``--cold-runs``;
- **warm**: criteria per second over the seeds and the Chia and LCT texts in one
  process, after one pass that fills the caches (as in a long run);
- **quantulum3** (optional, ``pip install quantulum3``) parses the same criteria in
  the same run: its criteria per second.

``--baseline DIR`` names another source tree of the package (``git archive main |
tar -x -C DIR``): every figure is then measured for both trees in the same run,
interleaved round by round (the machine is shared and noisy), and the report gives
the ratios (this tree / baseline; for times, baseline / this tree, so > 1 is faster).
Each tree runs in its own process with the tree first on ``sys.path``.

``--profile FILE`` writes cProfile's top 25 functions by cumulative time over one
warm pass of the ``normalizer`` this interpreter imports (run the script from the
tree under test).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# The tree under test comes first on sys.path, ahead of the editable install's finder.
BOOT = (
    "import os, sys; "
    "sys.meta_path[:] = [f for f in sys.meta_path "
    "if not type(f).__module__.startswith('__editable__')]; "
    "sys.path.insert(0, os.environ['BENCH_TREE']); "
)
RUN = "import runpy; sys.argv[:] = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
ENTRY = BOOT + "from normalizer.cli import main; sys.argv[0] = 'normalizer'; main()"


def inputs(shared: Path) -> list[Path]:
    """The record texts of the warm run: seeds, then Chia and LCT."""
    corpus = shared / "corpus"
    files = sorted((shared / "seeds").glob("*.txt"))
    files += sorted((corpus / "chia" / "chia_without_scope").glob("NCT*.txt"))
    files += sorted((corpus / "lct" / "leaf_clinical_trials").rglob("NCT*.txt"))
    return files


_CACHES = Path(tempfile.mkdtemp(prefix="bench-e2e-cache-"))


def _env(tree: Path) -> dict[str, str]:
    """The environment of a process running ``tree``'s code.

    Each tree keeps its compiled patterns in a folder of its own (filled by the untimed
    first runs), as one installed version does: two trees sharing one cache file would
    each find the other's patterns there and, past its size cap, evict their own.
    """
    env = dict(os.environ)
    env["BENCH_TREE"] = str(tree)
    folder = hashlib.sha256(str(tree).encode()).hexdigest()[:12]
    env["NORMALIZER_REGEX_CACHE"] = str(_CACHES / folder)
    env.pop("OPENAI_BASE_URL", None)
    return env


def bytecode(tree: Path) -> None:
    """Compile ``tree``'s modules to bytecode, as ``pip install`` does for the wheel.

    Where ``PYTHONDONTWRITEBYTECODE`` is set (these machines set it), a source tree
    would otherwise compile each of its modules again in every fresh process (about
    0.05 s of a one-record run), which an installed package never does.
    """
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "-j", "0", str(tree / "normalizer")],
        stdout=subprocess.DEVNULL, check=True,
    )


def cold_once(tree: Path, args: list[str]) -> float:
    """Wall time of one fresh ``normalizer ARGS`` process running ``tree``'s code.

    ``{store}`` in ``args`` is a run store: a new one for ``run``'s first run, the one
    that run wrote for ``rerun`` (nothing to do).
    """
    if "{store}" in args:
        store = Path(tempfile.gettempdir()) / f"bench-e2e-{os.getpid()}-{abs(hash(tree))}.sqlite"
        if args[0] == "run":
            store.unlink(missing_ok=True)
        args = [str(store) if a == "{store}" else a for a in args]
        args = ["run" if a == "rerun" else a for a in args]
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", ENTRY, *args],
        env=_env(tree), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"normalizer {' '.join(args)} failed in {tree}: {done.returncode}")
    return seconds


def warm_once(tree: Path, shared: Path) -> dict[str, Any]:
    """One worker process over every input (see :func:`worker`)."""
    done = subprocess.run(
        [sys.executable, "-c", BOOT + RUN, __file__, "--worker", "--shared", str(shared)],
        env=_env(tree), capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"warm worker failed in {tree}:\n{done.stderr}")
    return dict(json.loads(done.stdout))


def _run_path(texts: list[tuple[str, str]]) -> tuple[int, int]:
    """normalize_text + the CLI's JSON for each text; returns (criteria, bytes)."""
    from normalizer.extract.rules import RulesExtractor
    from normalizer.pipeline import normalize_text

    try:  # the CLI's own writer of --format json, where the tree has one
        from normalizer.cli import document_json
    except ImportError:  # older trees: what their CLI did
        document_json = None
    extractor = RulesExtractor()
    criteria = written = 0
    for name, text in texts:
        doc = normalize_text(text, name=name, extractor=extractor)
        if document_json is not None:
            body = document_json(doc, indent=2)
        else:
            body = json.dumps(doc.model_dump(mode="json"), ensure_ascii=False, allow_nan=False,
                              indent=2)
        criteria += len(doc.criteria)
        written += len(body)
    return criteria, written


def worker(shared: Path) -> dict[str, Any]:
    """Warm criteria/s of the tree on sys.path: a first pass, then a timed one."""
    texts = [(str(p), p.read_text("utf-8")) for p in inputs(shared)]
    start = time.perf_counter()
    _run_path(texts)
    first = time.perf_counter() - start
    start = time.perf_counter()
    criteria, written = _run_path(texts)
    seconds = time.perf_counter() - start
    return {
        "records": len(texts),
        "criteria": criteria,
        "json_chars": written,
        "first_pass_seconds": round(first, 3),
        "seconds": round(seconds, 3),
        "per_second": round(criteria / seconds),
    }


def profile(shared: Path, out: Path) -> list[str]:
    """cProfile of one warm pass of this tree: top 25 by cumulative time."""
    import cProfile
    import io
    import pstats

    texts = [(str(p), p.read_text("utf-8")) for p in inputs(shared)]
    _run_path(texts)  # warm, as the timed pass is
    prof = cProfile.Profile()
    prof.enable()
    _run_path(texts)
    prof.disable()
    buffer = io.StringIO()
    stats = pstats.Stats(prof, stream=buffer)
    stats.sort_stats("cumulative").print_stats(25)
    text = buffer.getvalue().replace(str(REPO) + "/", "").replace(sys.prefix + "/", "")
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", "utf-8")
    return lines


def quantulum(shared: Path) -> dict[str, Any]:
    """quantulum3 over the same criteria (segmented as ours are): criteria/s."""
    try:
        import warnings

        from quantulum3 import parser
    except ImportError:
        return {"installed": False}
    from normalizer.segment import segment

    warnings.filterwarnings("ignore")
    criteria = [s.text for p in inputs(shared) for s in segment(p.read_text("utf-8"))]
    parser.parse("Hb >= 9 g/dL")
    start = time.perf_counter()
    for text in criteria:
        parser.parse(text)
    seconds = time.perf_counter() - start
    return {
        "installed": True,
        "criteria": len(criteria),
        "seconds": round(seconds, 3),
        "per_second": round(len(criteria) / seconds),
    }


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def measure(trees: dict[str, Path], shared: Path, rounds: int, cold_runs: int) -> dict[str, Any]:
    seed = sorted((shared / "seeds").glob("*.txt"))[0]
    cold_args = {
        "help": ["--help"],
        "normalize_one": ["normalize", str(seed), "--format", "json"],
        "run_one": ["run", str(seed), "--store", "{store}"],
        "rerun_noop": ["rerun", str(seed), "--store", "{store}"],
    }
    cold: dict[str, dict[str, list[float]]] = {t: {k: [] for k in cold_args} for t in trees}
    warm: dict[str, list[dict[str, Any]]] = {t: [] for t in trees}
    for tree in trees.values():  # compile bytecode, page in the venv
        for args in cold_args.values():
            cold_once(tree, args)
    for _ in range(cold_runs):
        for name, tree in trees.items():
            for key, args in cold_args.items():
                cold[name][key].append(cold_once(tree, args))
    for _ in range(rounds):
        for name, tree in trees.items():
            warm[name].append(warm_once(tree, shared))
    result: dict[str, Any] = {}
    for name in trees:
        runs = warm[name]
        rates = [r["per_second"] for r in runs]
        result[name] = {
            "tree": str(trees[name]),
            "cold_seconds": {k: median(v) for k, v in cold[name].items()},
            "cold_runs": {k: [round(x, 3) for x in v] for k, v in cold[name].items()},
            "warm": {
                "records": runs[0]["records"],
                "criteria": runs[0]["criteria"],
                "per_second": round(statistics.median(rates)),
                "per_second_runs": rates,
                "first_pass_seconds": median([r["first_pass_seconds"] for r in runs]),
            },
        }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--baseline", type=Path, help="another source tree to compare with")
    parser.add_argument("--rounds", type=int, default=3, help="warm runs per tree")
    parser.add_argument("--cold-runs", type=int, default=7, help="cold runs per tree")
    parser.add_argument("--out", type=Path, default=REPO / "evals/results/bench_e2e.json")
    parser.add_argument("--profile", type=Path, default=REPO / "docs/profile.txt")
    parser.add_argument("--no-quantulum", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.shared)))
        return 0
    if not (args.shared / "seeds").is_dir():
        print(f"no seeds at {args.shared / 'seeds'} (use --shared)", file=sys.stderr)
        return 2
    trees = {"this": REPO}
    if args.baseline is not None:
        trees["baseline"] = args.baseline.resolve()
    for tree in trees.values():
        bytecode(tree)
    figures = measure(trees, args.shared, args.rounds, args.cold_runs)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
        check=False,
    ).stdout.strip()
    result: dict[str, Any] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "commit": commit,
        "path": "read -> segment -> extract (rules) -> canonical -> verify -> eligible sets -> "
        "JSON (indent 2), as `normalizer normalize FILE --format json`",
        **figures,
    }
    if "baseline" in figures:
        this, base = figures["this"], figures["baseline"]
        result["ratios"] = {
            "warm_per_second": round(this["warm"]["per_second"] / base["warm"]["per_second"], 2),
            **{
                f"cold_{k}_speedup": round(base["cold_seconds"][k] / v, 2)
                for k, v in this["cold_seconds"].items()
            },
        }
    if not args.no_quantulum:
        q = quantulum(args.shared)
        result["quantulum3"] = q
        if q.get("installed"):
            result["ratios_vs_quantulum3"] = round(
                figures["this"]["warm"]["per_second"] / q["per_second"], 1
            )
    result["profile_top25_cumulative"] = profile(args.shared, args.profile)[:40]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    for name in trees:
        f = figures[name]
        print(
            f"{name:9} cold --help {f['cold_seconds']['help']:.3f} s, "
            f"normalize one {f['cold_seconds']['normalize_one']:.3f} s, "
            f"run one {f['cold_seconds']['run_one']:.3f} s, "
            f"no-op rerun {f['cold_seconds']['rerun_noop']:.3f} s; "
            f"warm {f['warm']['per_second']} criteria/s ({f['warm']['criteria']} criteria)"
        )
    if "ratios" in result:
        print("ratios:", json.dumps(result["ratios"]))
    if "quantulum3" in result and result["quantulum3"].get("installed"):
        print(f"quantulum3 {result['quantulum3']['per_second']} criteria/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
