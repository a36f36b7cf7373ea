"""Fuzz the reader: >= 10,000 hostile inputs through the API and the file reader.

    python evals/fuzz.py [--count 10000] [--seed 12] [--out evals/results/fuzz.json]

Inputs come from evals/fuzz_inputs.py (pathological families at random sizes,
token soup, Unicode, mutations of the seeds' and the dev gold's lines, byte blobs).
Text goes through ``normalize_text`` (rules); bytes through the file reader
(``decode_source``, then ``normalize_text`` when it is text).  Counted:

* tracebacks: any exception but the package's own ``NormalizerError`` on bytes;
* invalid JSON: the document does not serialise as strict JSON (no NaN/Infinity);
* schema violations: the committed JSON Schema rejects the document;
* span mismatches: ``text != input[start:end]`` for a criterion, or evidence
  outside its criterion;
* the slowest inputs (time per input, one process, after a warm-up; ``n`` regenerates
  one: ``list(inputs(seed, n + 1))[n]``), and how many took more than one second.

Writes the figures, stamped, as JSON; prints a summary.  Exit 1 when any count is
not zero.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
from fuzz_inputs import REPO, inputs  # type: ignore[import-not-found]

from normalizer import NormalizerError, RulesExtractor, __version__, normalize_text
from normalizer.catalog import load_catalog
from normalizer.io import decode_source
from normalizer.schema import committed_schema


def check(source: str, extractor: RulesExtractor, validator: Any) -> list[str]:
    """The problems of one text input (empty: none)."""
    doc = normalize_text(source, name="fuzz", extractor=extractor)
    problems: list[str] = []
    try:
        text = json.dumps(doc.model_dump(mode="json"), allow_nan=False)
    except ValueError as exc:
        return [f"invalid-json: {exc}"]
    errors = list(validator.iter_errors(json.loads(text)))
    if errors:
        problems.append(f"schema: {errors[0].message[:200]}")
    for crit in doc.criteria:
        start, end = crit.span
        if source[start:end] != crit.text:
            problems.append(f"span: {crit.id} {crit.span}")
        for c in crit.constraints:
            if not start <= c.evidence[0] <= c.evidence[1] <= end:
                problems.append(f"span: evidence {c.evidence} outside {crit.id}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--out", type=Path, default=REPO / "evals" / "results" / "fuzz.json")
    args = parser.parse_args()

    extractor = RulesExtractor()
    validator = jsonschema.Draft202012Validator(committed_schema())
    normalize_text("Age >= 18 years", name="warm", extractor=extractor)
    counts: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    timings: list[tuple[float, str, int, int, str]] = []
    examples: dict[str, list[dict[str, Any]]] = {}
    started = time.perf_counter()
    for n, (category, item) in enumerate(inputs(args.seed, args.count)):
        kind = category.split(":")[0]
        categories[category] += 1
        t0 = time.perf_counter()
        problems: list[str] = []
        try:
            if isinstance(item, bytes):
                try:
                    source = decode_source(item, "fuzz")
                except NormalizerError:
                    source = None  # refused with one clear line: the expected outcome
                if source is not None:
                    problems = check(source, extractor, validator)
            else:
                try:
                    problems = check(item, extractor, validator)
                except NormalizerError as exc:
                    if "UTF-8" not in str(exc):  # lone surrogates are refused on purpose
                        problems = [f"error: {exc}"]
        except Exception:
            problems = ["traceback: " + traceback.format_exc(limit=3)[-600:]]
        elapsed = time.perf_counter() - t0
        length = len(item)
        timings.append((elapsed, category, length, n, repr(item[:80])))
        for problem in problems:
            key = problem.split(":")[0]
            counts[key] += 1
            examples.setdefault(key, [])
            if len(examples[key]) < 5:
                examples[key].append({"n": n, "category": kind, "input": repr(item[:300]),
                                      "problem": problem})
    total = time.perf_counter() - started
    timings.sort(reverse=True)
    result = {
        "stamp": {
            "normalizer_version": __version__,
            "catalog_version": load_catalog().version,
            "python": platform.python_version(),
            "seed": args.seed,
        },
        "inputs": args.count,
        "categories": dict(sorted(categories.items())),
        "tracebacks": counts["traceback"],
        "invalid_json": counts["invalid-json"],
        "schema_violations": counts["schema"],
        "span_mismatches": counts["span"],
        "other_errors": counts["error"],
        "seconds_total": round(total, 2),
        "over_one_second": sum(1 for t in timings if t[0] > 1.0),
        "slowest": [
            {"seconds": round(t, 4), "category": c, "length": length, "n": k, "input": head}
            for t, c, length, k, head in timings[:10]
        ],
        "examples": examples,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(f"{args.count} inputs in {total:.1f} s: {result['tracebacks']} tracebacks, "
          f"{result['invalid_json']} invalid JSON, {result['schema_violations']} schema "
          f"violations, {result['span_mismatches']} span mismatches, "
          f"{result['other_errors']} other errors; {result['over_one_second']} over 1 s")
    slow = result["slowest"][0]
    print(f"slowest: {slow['seconds']} s, {slow['category']}, {slow['length']} characters: "
          f"{slow['input']}")
    bad = sum(result[k] for k in ("tracebacks", "invalid_json", "schema_violations",
                                  "span_mismatches", "other_errors"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
