"""Test cases as data: the TOML files under ``tests/cases/<folder>/``.

Each file is checked against ``tests/cases/schema.json`` when it is loaded (a file
that does not fit stops the collection with one line naming the file and the
field); ids are unique within a folder, and each case becomes a ``pytest.param``
whose id is the case's id.  ``tests/test_case_files.py`` checks every file and the
schema itself; the runners are in the tests that own each folder.
"""

from __future__ import annotations

import json
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from normalizer.models import Bound, Constraint

CASES = Path(__file__).resolve().parent / "cases"
SCHEMA_PATH = CASES / "schema.json"


class CaseFileError(ValueError):
    """A case file that does not fit the schema, or repeats an id."""


@cache
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class CaseFile:
    path: Path
    kind: str
    cases: list[dict[str, Any]]


def read_case_file(path: Path) -> CaseFile:
    """One file, parsed and checked against the schema."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CaseFileError(f"{path}: not TOML: {exc}") from None
    error = jsonschema.exceptions.best_match(validator().iter_errors(data))
    if error is not None:
        raise CaseFileError(f"{path}: {error.json_path}: {error.message}")
    return CaseFile(path, data["kind"], data["case"])


def case_files(folder: str) -> list[CaseFile]:
    """Every file of ``tests/cases/<folder>``, sorted, ids unique across them."""
    files = [read_case_file(p) for p in sorted((CASES / folder).glob("*.toml"))]
    if not files:
        raise CaseFileError(f"{CASES / folder}: no case files")
    ids = Counter(c["id"] for f in files for c in f.cases)
    repeated = sorted(i for i, n in ids.items() if n > 1)
    if repeated:
        raise CaseFileError(f"{CASES / folder}: repeated case ids: {', '.join(repeated)}")
    return files


def cases(folder: str, name: str) -> list[dict[str, Any]]:
    """The cases of ``tests/cases/<folder>/<name>.toml``."""
    for f in case_files(folder):
        if f.path.stem == name:
            return f.cases
    raise CaseFileError(f"{CASES / folder / name}.toml: no such case file")


def params(folder: str, name: str) -> list[Any]:
    """The cases of one file as pytest parameters, each named by its id."""
    return [pytest.param(c, id=c["id"]) for c in cases(folder, name)]


def bound(data: dict[str, Any] | None) -> Bound | None:
    return None if data is None else Bound(value=data["value"], inclusive=data["inclusive"])


Key = tuple[object, ...]


def expected_key(data: dict[str, Any]) -> Key:
    """An expected constraint (schema ``constraint``) as a comparable tuple."""
    lower, upper = bound(data.get("lower")), bound(data.get("upper"))
    return (
        data["variable"],
        (float(lower.value), lower.inclusive) if lower else None,
        (float(upper.value), upper.inclusive) if upper else None,
        data.get("unit"),
        data.get("relative_to"),
        data.get("qualifier"),
    )


def got_key(c: Constraint) -> Key:
    """What an extractor read, as the same tuple."""
    return (
        c.variable,
        (float(c.lower.value), c.lower.inclusive) if c.lower else None,
        (float(c.upper.value), c.upper.inclusive) if c.upper else None,
        c.unit,
        c.relative_to,
        c.qualifier,
    )


def read_keys(got: list[Constraint]) -> list[str]:
    """What was read, sorted: compare with ``expected_keys`` (order does not matter)."""
    return sorted(repr(got_key(c)) for c in got)


def expected_keys(expect: list[dict[str, Any]]) -> list[str]:
    return sorted(repr(expected_key(e)) for e in expect)
