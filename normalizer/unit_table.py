"""UCUM knowledge precomputed, so that a run does not build a pint registry.

Building ucumvert's UCUM registry and grammar costs about 1.5 s, and a run needs
only what it says about a few hundred codes: whether each is valid UCUM, its
dimension, and how a value in it converts to each variable's canonical unit.
``scripts/build_unit_table.py`` asks pint (through :mod:`normalizer.unit_table_build`)
about every code the data can produce (alias targets, catalog units, conversion
units, powers of ten in front of an alias) and writes ``data/unit_table.json``; this
module reads it and imports nothing of the package (:mod:`normalizer.units` asks it
first).  A code the table does not hold is first checked against UCUM's atoms (a
code with a word that no prefixed UCUM atom spells is not UCUM, so garbled text
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
from typing import Final, Literal

__all__ = [
    "MISSING",
    "CodeInfo",
    "Precomputed",
    "precomputed",
    "sources_digest",
    "words_of",
]

TABLE = "data/unit_table.json"
SOURCES = ("data/units.toml", "data/catalog.toml", "data/unit_codes.toml")


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
