"""Check gold JSONL files: schema, unique ids, text verbatim in its source, known variables.

    python evals/check_gold.py gold/dev.jsonl gold/test.jsonl [--shared ../shared]

Exits 1 and lists every problem; prints a summary when all is well.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import jsonschema

from normalizer.catalog import load_catalog
from normalizer.models import GoldCase
from normalizer.schema import gold_schema
from normalizer.units import is_valid_ucum

REPO = Path(__file__).resolve().parents[1]


def problems_in(paths: list[Path], shared: Path) -> tuple[list[str], list[GoldCase]]:
    schema = gold_schema()
    catalog = load_catalog()
    seen: dict[str, str] = {}
    problems: list[str] = []
    cases: list[GoldCase] = []
    texts: dict[str, str] = {}
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            raw = json.loads(line)
            raw.pop("split", None)
            raw.pop("hints", None)
            try:
                jsonschema.validate(raw, schema)
                case = GoldCase.model_validate(raw)
            except (jsonschema.ValidationError, ValueError) as exc:
                problems.append(f"{where}: schema: {str(exc).splitlines()[0]}")
                continue
            if case.id in seen:
                problems.append(f"{where}: duplicate id {case.id} (first at {seen[case.id]})")
            seen[case.id] = where
            source = shared / case.source
            if case.source not in texts:
                texts[case.source] = source.read_bytes().decode("utf-8") if source.is_file() else ""
            if case.text not in texts[case.source]:
                problems.append(f"{where}: text not found verbatim in {case.source}")
            for i, c in enumerate(case.constraints):
                if c.variable != "other" and c.variable not in catalog:
                    problems.append(f"{where}: constraint {i}: unknown variable {c.variable!r}")
                if c.variable == "other" and not c.label:
                    problems.append(f"{where}: constraint {i}: 'other' needs a label")
                if c.unit is not None and not is_valid_ucum(c.unit):
                    problems.append(f"{where}: constraint {i}: unit {c.unit!r} is not UCUM")
                if c.lower is None and c.upper is None:
                    problems.append(f"{where}: constraint {i}: no bound")
                if c.relative_to and c.unit:
                    problems.append(f"{where}: constraint {i}: relative limit with a unit")
            cases.append(case)
    return problems, cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args()
    problems, cases = problems_in(args.files, args.shared)
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
