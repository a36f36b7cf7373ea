"""Building the precomputed UCUM table (``scripts/build_unit_table.py``; a test compares).

It asks pint, through :mod:`normalizer.units` (:func:`~normalizer.units.live_dimensionality`,
:func:`~normalizer.units.live_plan`), about every code the data can produce: alias
targets, the codes of ``unit_codes.toml``, conversion units, catalog units, and powers
of ten in front of an alias.  :mod:`normalizer.unit_table` reads what it writes.
"""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from typing import Any

from ucumvert.xml_util import get_base_units, get_prefixes, get_units

from .catalog import load_catalog
from .unit_table import sources_digest, words_of
from .units import live_dimensionality, live_plan, load_unit_table

__all__ = ["POWERS", "build_table", "table_text"]

POWERS = range(1, 13)
"""Powers of ten the table composes with alias targets ('10*9/L', '10*3.[IU]/mL')."""


def _table_codes() -> list[str]:
    table = load_unit_table()
    codes = set(table.aliases.values()) | set(table.exact.values())
    seen = resources.files("normalizer").joinpath("data/unit_codes.toml").read_text("utf-8")
    codes.update(str(code) for code in tomllib.loads(seen)["codes"])
    for rule in table.conversions:
        codes.update(rule.from_)
        codes.add(rule.to)
    for var in load_catalog().variables:
        codes.update(var.units)
        if var.canonical_unit is not None:
            codes.add(var.canonical_unit)
    for rest in set(table.aliases.values()) | set(table.exact.values()):
        for n in POWERS:  # what units.spelling._from_key composes
            codes.add(f"10*{n}{rest}" if rest.startswith("/") else f"10*{n}.{rest}")
    return sorted(codes)


def build_table() -> dict[str, Any]:
    """Ask pint about every code the data can produce (about 10 s); JSON-ready."""
    atoms = [*get_base_units(), *get_units()]
    words: set[str] = set()
    for prefix in ["", *get_prefixes()]:
        for atom in atoms:
            words |= words_of(prefix + atom)
    codes: dict[str, dict[str, str] | None] = {}
    for code in _table_codes():
        dimension = live_dimensionality(code)
        codes[code] = None if dimension is None else {"dimensionality": dimension}
    plans: dict[str, dict[str, list[float]]] = {}
    for var in load_catalog().variables:
        if var.canonical_unit is None:
            continue
        for code, info in codes.items():
            if info is None:
                continue
            plan = live_plan(var.id, code)
            if plan is not None:
                plans.setdefault(var.id, {})[code] = [plan[0], plan[1]]
    return {
        "about": "Built by scripts/build_unit_table.py from units.toml and catalog.toml "
        "through ucumvert and pint; read by normalizer/unit_table.py. Do not edit.",
        "sources_sha256": sources_digest(),
        "codes": codes,
        "plans": plans,
        "ucum_words": sorted(words),
    }


def table_text(table: dict[str, Any]) -> str:
    """The committed form of a built table (stable, one code per line)."""
    return json.dumps(table, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
