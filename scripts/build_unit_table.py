"""Rebuild normalizer/data/unit_table.json from units.toml and catalog.toml (through pint).

    .venv/bin/python scripts/build_unit_table.py [--check]

Run it after editing either data file; tests/test_unit_table.py fails until the
committed table equals a fresh build.  --check: exit 1 if the table is stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from normalizer.unit_table import TABLE
from normalizer.unit_table_build import build_table, table_text

OUT = Path(__file__).resolve().parents[1] / "normalizer" / TABLE


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only compare")
    args = parser.parse_args()
    text = table_text(build_table())
    if args.check:
        same = OUT.is_file() and OUT.read_text("utf-8") == text
        print(f"{OUT}: {'up to date' if same else 'stale (run scripts/build_unit_table.py)'}")
        return 0 if same else 1
    OUT.write_text(text, "utf-8")
    print(f"wrote {OUT} ({len(text)} characters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
