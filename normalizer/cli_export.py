"""``normalizer export``: constraints out of a run store or JSON Lines documents.

Registered on the main app by :mod:`normalizer.cli`; exit codes as there
(0 all read, 1 some document lines unreadable, 2 usage, 3 nothing readable).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer

from .cli_common import _err, _error
from .errors import ConfigError

if TYPE_CHECKING:  # imported when the command runs (pyarrow, fhir.resources, ...)
    from .export import DocumentFailure
    from .models import Document

__all__ = ["export_command"]


class ExportFormat(StrEnum):
    """What ``export`` writes."""

    csv = "csv"
    parquet = "parquet"
    fhir = "fhir"
    omop = "omop"


def export_command(
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="What to write.")],
    store: Annotated[
        str | None,
        typer.Option("--store", help="Run store: a SQLite file or database URL."),
    ] = None,
    documents: Annotated[
        str | None,
        typer.Option(help="JSON Lines documents (normalize --format jsonl); '-' for stdin."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Output file (stdout if absent; required for parquet). "
            "fhir/omop: an existing folder gets one file per record."
        ),
    ] = None,
    include_review: Annotated[
        bool, typer.Option(help="Also export constraints not accepted or approved (status says).")
    ] = False,
) -> None:
    """Export constraints as CSV, Parquet, FHIR R5 Bundles or OMOP (ATLAS/Circe) cohorts."""
    from .export import documents_from_jsonl, documents_from_store, export

    if (store is None) == (documents is None):
        _error("give exactly one of --store and --documents")
        raise typer.Exit(2)
    if fmt is ExportFormat.parquet and (out is None or out.is_dir()):
        _error("--format parquet needs --out FILE")
        raise typer.Exit(2)
    if out is not None and out.is_dir() and fmt not in (ExportFormat.fhir, ExportFormat.omop):
        _error(f"--out {out} is a folder; only fhir and omop write one file per record")
        raise typer.Exit(2)
    if out is not None and not out.is_dir() and not out.parent.is_dir():
        _error(f"--out {out}: folder {out.parent} does not exist")
        raise typer.Exit(2)
    failures: list[DocumentFailure] = []

    def failed(failure: DocumentFailure) -> None:
        failures.append(failure)
        _error(str(failure))

    with ExitStack() as stack:
        docs: Iterator[Document]
        if store is not None:
            from .store import Store

            if "://" not in store and not Path(store).expanduser().is_file():
                raise ConfigError(f"store {store} does not exist")
            opened = Store.open(store)
            stack.callback(opened.close)
            docs = documents_from_store(opened)
        else:
            assert documents is not None
            if documents == "-":
                lines: IO[str] = sys.stdin
            else:
                try:
                    lines = stack.enter_context(open(documents, encoding="utf-8"))
                except OSError as exc:
                    raise ConfigError(f"{documents}: cannot be read ({exc.strerror})") from None
            docs = documents_from_jsonl(lines, documents, failed)
        target: IO[str] | IO[bytes] | Path
        if out is None:
            target = sys.stdout
        elif out.is_dir():
            target = out
        elif fmt is ExportFormat.parquet:
            target = stack.enter_context(open(out, "wb"))
        else:
            target = stack.enter_context(open(out, "w", encoding="utf-8", newline=""))
        try:
            summary = export(docs, fmt.value, target, include_review=include_review)
        except UnicodeDecodeError:
            raise ConfigError(f"{documents}: not UTF-8 text") from None
    where = f" to {out}" if out is not None else ""
    _err.console.print(
        f"exported {summary.constraints} constraints of {summary.records} records "
        f"({summary.incomplete} incomplete){where}",
        highlight=False,
    )
    if failures:
        raise typer.Exit(3 if summary.records == 0 else 1)
