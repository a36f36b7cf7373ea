"""The ``normalizer`` command line.

Exit codes (also in the README):

* 0: every input was read and normalised;
* 1: some inputs could not be read (each named on stderr); the others were processed;
* 2: usage error (bad option or value);
* 3: no input could be read at all.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from . import __version__
from .errors import InputError, NormalizerError
from .extract.base import Extractor
from .io import MAX_BYTES, read_source
from .models import Document, Section
from .pipeline import normalize_text
from .render import document_table

__all__ = ["app", "main"]

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_NOTHING_READ = 3

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Turn free-text eligibility criteria into structured, verified numeric constraints.",
)
_err = Console(stderr=True, highlight=False, soft_wrap=True)


class OutputFormat(str, Enum):
    """How ``normalize`` prints documents."""

    json = "json"
    jsonl = "jsonl"
    table = "table"


class SectionOption(str, Enum):
    """Section of criteria that come before any header."""

    inclusion = "inclusion"
    exclusion = "exclusion"


class ExtractorOption(str, Enum):
    """Which extractor reads the criteria."""

    rules = "rules"


def _error(message: str) -> None:
    _err.print(f"[bold red]error:[/] {message}", markup=True, highlight=False)


def _make_extractor(choice: ExtractorOption) -> Extractor:
    from .extract.rules import RulesExtractor

    return RulesExtractor()


@app.command()
def normalize(
    files: Annotated[
        list[Path], typer.Argument(help="Registry text files (UTF-8), one record each.")
    ],
    section: Annotated[
        SectionOption | None,
        typer.Option(help="Section of criteria before any header (else 'unknown')."),
    ] = None,
    output: Annotated[
        OutputFormat,
        typer.Option("--format", "-f", help="json: one object (an array for many files); "
                     "jsonl: one document per line; table: for people."),
    ] = OutputFormat.json,
    extractor: Annotated[
        ExtractorOption, typer.Option(help="Which extractor reads the criteria.")
    ] = ExtractorOption.rules,
    max_bytes: Annotated[
        int, typer.Option(help="Refuse files larger than this many bytes.", min=1)
    ] = MAX_BYTES,
) -> None:
    """Normalise registry records and print contract JSON (or a table)."""
    reader = _make_extractor(extractor)
    default: Section = section.value if section else "unknown"
    out = Console(highlight=False, soft_wrap=True) if output is OutputFormat.table else None
    failed = 0
    documents: list[Document] = []
    for path in files:
        try:
            text = read_source(path, max_bytes)
        except InputError as exc:
            failed += 1
            _error(str(exc))
            continue
        doc = normalize_text(text, name=str(path), extractor=reader, default_section=default)
        if output is OutputFormat.jsonl:
            sys.stdout.write(json.dumps(doc.model_dump(mode="json"), ensure_ascii=False) + "\n")
        elif out is not None:
            out.print(document_table(doc))
        else:
            documents.append(doc)
    if output is OutputFormat.json and documents:
        dumped = [d.model_dump(mode="json") for d in documents]
        payload = dumped[0] if len(files) == 1 else dumped
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    if failed == len(files):
        raise typer.Exit(EXIT_NOTHING_READ)
    if failed:
        raise typer.Exit(EXIT_PARTIAL)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the output document."""
    from .schema import document_schema

    sys.stdout.write(json.dumps(document_schema(), indent=2) + "\n")


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"normalizer {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Turn free-text eligibility criteria into structured, verified numeric constraints."""


def main() -> None:
    """Entry point of the console script: map package errors to one-line messages."""
    try:
        app()
    except NormalizerError as exc:
        _error(str(exc))
        sys.exit(EXIT_NOTHING_READ)
