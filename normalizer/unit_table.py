"""UCUM knowledge precomputed, so that a run does not build a pint registry.

Building ucumvert's UCUM registry and grammar costs about 1.5 s, and a run needs
only what it says about a few hundred codes: whether each is valid UCUM, its
dimension, and how a value in it converts to each variable's canonical unit.
``scripts/build_unit_table.py`` asks pint (through :mod:`normalizer.units`) about
every code the data can produce (alias targets, catalog units, conversion units,
powers of ten in front of an alias) and writes ``data/unit_table.json``; this module
reads it.  A code the table does not hold is first checked against UCUM's atoms
(a code with a word that no prefixed UCUM atom spells is not UCUM, so garbled text
never builds the registry); only a code that may be UCUM goes to pint.

The table records a digest of ``units.toml`` and ``catalog.toml``: when either is
edited and the table not rebuilt, it is ignored (every answer then comes from pint,
slower but right), and ``tests/test_unit_table.py`` fails until it is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib import resources
from typing import Any, Final, Literal

__all__ = [
    "MISSING",
    "CodeInfo",
    "Precomputed",
    "build_table",
    "precomputed",
    "sources_digest",
    "table_text",
]

TABLE = "data/unit_table.json"
SOURCES = ("data/units.toml", "data/catalog.toml", "data/unit_codes.toml")
POWERS = range(1, 13)
"""Powers of ten the table composes with alias targets ('10*9/L', '10*3.[IU]/mL')."""


class _Missing(Enum):
    MISSING = "missing"


MISSING: Final = _Missing.MISSING
"""What :meth:`Precomputed.code` returns for a code the table does not hold."""


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """What the table knows of a valid UCUM code."""

    dimensionality: str


_BRACKETED = re.compile(r"\[[^\]]*\]|\{[^}]*\}")
_WORD = re.compile(r"[A-Za-z]+")
_NEVER = re.compile(r"[^!-~]|^[-~+]|[./]$")
"""Never in UCUM: a blank or a character outside printable ASCII; a leading sign or
tilde ('-10.0%', '~27kg/m2'); a trailing '.' or '/' (a sentence's full stop)."""


def words_of(code: str) -> set[str]:
    """The letter runs of a code outside brackets and braces (UCUM is case-sensitive)."""
    return set(_WORD.findall(_BRACKETED.sub(" ", code)))


@dataclass(frozen=True, slots=True)
class Precomputed:
    """The contents of ``data/unit_table.json`` (or an empty table: ask pint)."""

    codes: dict[str, CodeInfo | None]
    plans: dict[str, dict[str, tuple[float, float]]]
    words: frozenset[str] | None
    """Letter runs of every prefixed UCUM atom; None: unknown, every code may be UCUM."""

    def code(self, code: str) -> CodeInfo | Literal[_Missing.MISSING] | None:
        """The table's answer for ``code``: info, None (not valid UCUM), or MISSING."""
        return self.codes.get(code, MISSING)

    def plan(self, variable_id: str, code: str) -> tuple[float, float] | None:
        """The affine map of a held code to the variable's canonical unit, if any."""
        return self.plans.get(variable_id, {}).get(code)

    def could_be_ucum(self, code: str) -> bool:
        """False only when ``code`` cannot be UCUM: see ``_NEVER``, or a word no atom spells."""
        if _NEVER.search(code):
            return False
        return self.words is None or words_of(code) <= self.words


def sources_digest() -> str:
    """SHA-256 of the data files the table is built from."""
    digest = hashlib.sha256()
    for name in SOURCES:
        digest.update(resources.files("normalizer").joinpath(name).read_bytes())
    return digest.hexdigest()


@cache
def precomputed() -> Precomputed:
    """The packaged table, or an empty one when it is missing or stale (cached)."""
    try:
        raw = resources.files("normalizer").joinpath(TABLE).read_text("utf-8")
    except FileNotFoundError:
        return Precomputed({}, {}, None)
    data = json.loads(raw)
    if data.get("sources_sha256") != sources_digest():
        return Precomputed({}, {}, None)
    codes = {
        code: None if info is None else CodeInfo(info["dimensionality"])
        for code, info in data["codes"].items()
    }
    plans = {
        var: {code: (float(p[0]), float(p[1])) for code, p in by_code.items()}
        for var, by_code in data["plans"].items()
    }
    return Precomputed(codes, plans, frozenset(data["ucum_words"]))


# --------------------------------------------------------------------------
# Building the table (scripts/build_unit_table.py; the test compares)
# --------------------------------------------------------------------------


def _table_codes() -> list[str]:
    import tomllib

    from .catalog import load_catalog
    from .units import load_unit_table

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
        for n in POWERS:  # what units._from_key composes
            codes.add(f"10*{n}{rest}" if rest.startswith("/") else f"10*{n}.{rest}")
    return sorted(codes)


def build_table() -> dict[str, Any]:
    """Ask pint about every code the data can produce (about 10 s); JSON-ready."""
    from ucumvert.xml_util import get_base_units, get_prefixes, get_units

    from .catalog import load_catalog
    from .units import _parse, live_plan

    atoms = [*get_base_units(), *get_units()]
    words: set[str] = set()
    for prefix in ["", *get_prefixes()]:
        for atom in atoms:
            words |= words_of(prefix + atom)
    codes: dict[str, dict[str, str] | None] = {}
    for code in _table_codes():
        unit = _parse(code)
        codes[code] = None if unit is None else {"dimensionality": str(unit.dimensionality)}
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
