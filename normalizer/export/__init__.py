"""Exports that downstream systems read: CSV/Parquet rows, FHIR R5 Bundles, OMOP Circe cohorts.

Every exporter is a pure function over documents: :func:`~.selection.select`
decides which constraints go out (accepted, or approved by a curator; the rest
only with ``include_review``) and whether each record is complete, and each
format writes that.  Documents come from a run store (:func:`documents_from_store`)
or from JSON Lines (:func:`documents_from_jsonl`).

    >>> from normalizer.export import FORMATS
    >>> FORMATS
    ('csv', 'parquet', 'fhir', 'omop')
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from pydantic import ValidationError

from ..models import Document
from .fhir import bundle_of, fhir_id
from .omop import cohort_of
from .selection import RecordExport, select
from .table import write_csv, write_parquet

if TYPE_CHECKING:
    from ..store import Store

__all__ = [
    "FORMATS",
    "DocumentFailure",
    "ExportSummary",
    "documents_from_jsonl",
    "documents_from_store",
    "export",
]

FORMATS = ("csv", "parquet", "fhir", "omop")


@dataclass(frozen=True)
class DocumentFailure:
    """A JSON Lines line that is not a document: where, and why in one line."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class ExportSummary:
    """What an export wrote."""

    records: int = 0
    incomplete: int = 0
    constraints: int = 0


def documents_from_store(store: Store) -> Iterator[Document]:
    """The documents an export reads from a run store, curators' decisions applied.

    The one place an export reads a store: stale decisions are attached, never applied.
    """
    from ..review.curate import curated_documents

    return curated_documents(store)


def documents_from_jsonl(
    lines: Iterable[str], name: str, on_failure: Callable[[DocumentFailure], None]
) -> Iterator[Document]:
    """Documents from JSON Lines (``normalize --format jsonl``); a bad line is reported, skipped."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield Document.model_validate_json(line)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "document"
            message = f"not a normalizer document ({where}: {first['msg']})"
            on_failure(DocumentFailure(f"{name}:{number}", message))


def _counted(exports: Iterable[RecordExport], summary: ExportSummary) -> Iterator[RecordExport]:
    for item in exports:
        summary.records += 1
        summary.incomplete += not item.complete
        summary.constraints += len(item.constraints)
        yield item


def _write_json(objects: Iterator[tuple[str, dict[str, Any]]], out: IO[str] | Path) -> None:
    if isinstance(out, Path):  # a folder: one pretty file per record
        for name, obj in objects:
            (out / f"{name}.json").write_text(
                json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
        return
    for _name, obj in objects:
        out.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")


def export(
    documents: Iterable[Document],
    fmt: str,
    out: IO[str] | IO[bytes] | Path,
    *,
    include_review: bool = False,
) -> ExportSummary:
    """Write ``documents`` in ``fmt`` to ``out`` and say what was written.

    ``out`` is a text stream (csv; fhir and omop as JSON Lines, one object per
    record), a binary stream or file path (parquet), or an existing folder (fhir
    and omop: one ``<record id>.json`` per record).
    """
    summary = ExportSummary()
    exports = _counted((select(d, include_review=include_review) for d in documents), summary)
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    if fmt == "parquet":
        write_parquet(exports, cast("IO[bytes] | Path", out))
    elif fmt == "csv":
        write_csv(exports, cast("IO[str]", out))
    else:
        build = bundle_of if fmt == "fhir" else cohort_of
        objects = ((fhir_id(e.record_id), build(e)) for e in exports)
        _write_json(objects, cast("IO[str] | Path", out))
    return summary
