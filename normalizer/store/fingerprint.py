"""What makes a stored result still valid: the record's content and the versions read with.

A rerun skips a record whose content hash and versions key are both unchanged;
anything else (new text, new registry fields, new rules, catalog, patterns, findings,
units, prompt or model) reads it again.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from ..data_files import data_toml
from ..models import Provenance

if TYPE_CHECKING:
    from ..records import Record

__all__ = ["DATA_FILES", "content_hash", "data_versions", "patterns_version", "versions_key",
           "versions_of"]

DATA_FILES = ("patterns", "findings", "units", "evidence", "scope", "sex", "words",
              "registry_ages", "combination")
"""The data files whose ``version`` changes what a result says (the catalog's is in the
provenance): a finding added to ``findings.toml`` redoes what was stored before it."""


def _sha256(payload: object) -> str:
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def content_hash(record: Record) -> str:
    """sha256 of what the record says: its text, section default and record fields."""
    info = record.info.model_dump(mode="json", exclude={"origin"})
    return _sha256({"text": record.text, "section": record.default_section, "info": info})


def versions_of(provenance: Provenance) -> dict[str, str | None]:
    """The versions a result depends on: tool, extractor, catalog, patterns, prompt, model."""
    stamped = provenance.model_dump(mode="json")
    stamped.update(data_versions())
    return stamped


def data_versions() -> dict[str, str]:
    """``<name>_version`` of each of :data:`DATA_FILES`, read without validating them."""
    return {f"{name}_version": _version_of(name) for name in DATA_FILES}


def patterns_version() -> str:
    """``data/patterns.toml``'s version, read without validating and compiling its patterns.

    The parent of a run needs only this (a rerun with nothing to do never reads a
    criterion); :func:`~normalizer.patterns.load_patterns` costs 0.2 s more.
    """
    return _version_of("patterns")


def _version_of(name: str) -> str:
    return str(data_toml(f"{name}.toml")["version"])


def versions_key(versions: dict[str, str | None]) -> str:
    """sha256 of the versions: one value to compare with the stored one."""
    return _sha256(versions)
