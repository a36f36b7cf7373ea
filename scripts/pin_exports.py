"""Regenerate the pinned exports of the seed records (tests/data/export/).

    .venv/bin/python scripts/pin_exports.py

Run it after a change that is meant to change the seed exports (rules, catalog,
export mapping), and review the diff: tests/test_export_pinned.py compares every
format against these files.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from normalizer.export import export  # noqa: E402
from tests.export_data import seed_documents  # noqa: E402

PINNED = REPO / "tests" / "data" / "export"


def render(fmt: str) -> str:
    """The export of the seed documents (with review rows) in ``fmt``, as text."""
    out = io.StringIO()
    export(seed_documents(), fmt, out, include_review=True)
    return out.getvalue()


def main() -> None:
    PINNED.mkdir(parents=True, exist_ok=True)
    for fmt, name in (
        ("csv", "seeds.csv"),
        ("fhir", "seeds.fhir.jsonl"),
        ("omop", "seeds.omop.jsonl"),
    ):
        (PINNED / name).write_text(render(fmt), encoding="utf-8", newline="")
        print(f"wrote {PINNED / name}")


if __name__ == "__main__":
    main()
