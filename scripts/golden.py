"""Write (or check) the golden outputs of the rules: tests/data/golden/*.json.

    .venv/bin/python scripts/golden.py [--check]

Runs the rules extractor through the whole pipeline over every seed
(../shared/seeds, or tests/data/golden/seeds/*.txt when copied) and every gold case's
text (gold/*.jsonl, read as `normalizer eval` reads them), and writes what came out
without the version stamps.  tests/test_golden.py fails when the code's outputs
differ from the committed ones: a refactor that changes an output is seen.  Rerun
this script only when the change is intended, and say why in the commit message.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "data" / "golden"


def seeds() -> list[Path]:
    return sorted((GOLDEN / "seeds").glob("*.txt"))


def outputs() -> dict[str, Any]:
    """File name under tests/data/golden -> its JSON content."""
    from normalizer.evaluation.gold import load_gold
    from normalizer.extract.base import CriterionInput
    from normalizer.extract.rules import RulesExtractor
    from normalizer.pipeline import normalize_text, read_criteria

    rules = RulesExtractor()
    found: dict[str, Any] = {}
    for path in seeds():
        doc = normalize_text(path.read_text("utf-8"), name=path.name, extractor=rules)
        found[f"seed-{path.stem}.json"] = doc.model_dump(mode="json", exclude={"provenance"})
    for split in ("dev", "test"):
        cases = load_gold([REPO / "gold" / f"{split}.jsonl"])
        inputs = [CriterionInput(c.id, c.section, c.text, 0) for c in cases]
        criteria = read_criteria(inputs, [c.text for c in cases], rules)
        found[f"gold-{split}.json"] = [c.model_dump(mode="json") for c in criteria]
    return found


def text_of(content: Any) -> str:
    return json.dumps(content, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only compare")
    args = parser.parse_args()
    stale = []
    for name, content in outputs().items():
        path = GOLDEN / name
        text = text_of(content)
        if args.check:
            if not path.is_file() or path.read_text("utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, "utf-8")
    if stale:
        print("differ:", ", ".join(stale))
        return 1
    print("golden outputs " + ("match" if args.check else f"written to {GOLDEN}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
