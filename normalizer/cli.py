"""The ``normalizer`` command line.

Exit codes (also in the README):

* 0: every input was read and normalised;
* 1: some inputs could not be read (each named on stderr); the others were processed;
* 2: usage error (bad option or value);
* 3: no input could be read at all (or a gold/config file is invalid);
* 4: ``eval --thresholds``: a figure fell below its floor.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
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
EXIT_BELOW_THRESHOLD = 4

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Turn free-text eligibility criteria into structured, verified numeric constraints.",
)
_err = Console(stderr=True, highlight=False, soft_wrap=True)


class OutputFormat(StrEnum):
    """How ``normalize`` prints documents."""

    json = "json"
    jsonl = "jsonl"
    table = "table"


class SectionOption(StrEnum):
    """Section of criteria that come before any header."""

    inclusion = "inclusion"
    exclusion = "exclusion"


class ExtractorOption(StrEnum):
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


class ReportFormat(StrEnum):
    """How ``eval`` prints its report."""

    table = "table"
    json = "json"


def _stamp(reader: Extractor) -> dict[str, str | None]:
    from .catalog import load_catalog

    return {
        "normalizer_version": __version__,
        "extractor": reader.name,
        "catalog_version": load_catalog().version,
        "prompt_id": getattr(reader, "prompt_id", None),
        "model": getattr(reader, "model", None),
    }


@app.command("eval")
def eval_(
    gold: Annotated[
        list[Path] | None, typer.Option("--gold", help="Gold JSONL file(s) to score against.")
    ] = None,
    brat: Annotated[
        Path | None,
        typer.Option(help="A Chia- or LCT-style brat directory to score against instead."),
    ] = None,
    compare: Annotated[
        tuple[Path, Path] | None,
        typer.Option(help="Two JSON reports (A B): which cases got better or worse."),
    ] = None,
    extractor: Annotated[
        ExtractorOption, typer.Option(help="Which extractor reads the criteria.")
    ] = ExtractorOption.rules,
    split: Annotated[
        str | None, typer.Option(help="With --brat: score only 'dev' or 'test' documents.")
    ] = None,
    output: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.table,
    out: Annotated[Path | None, typer.Option(help="Also write the JSON report here.")] = None,
    thresholds: Annotated[
        Path | None, typer.Option(help="TOML file of floors; exit 4 when a figure is below.")
    ] = None,
    gate: Annotated[
        str | None, typer.Option(help="Table of --thresholds to apply, e.g. 'rules.dev'.")
    ] = None,
) -> None:
    """Score an extractor against gold cases or brat annotations, or compare two runs."""
    from .evaluation import report as rep

    modes = sum(x is not None for x in (gold, brat, compare))
    if modes != 1:
        _error("give exactly one of --gold, --brat or --compare")
        raise typer.Exit(EXIT_USAGE)
    console = Console(highlight=False, soft_wrap=False)
    if compare is not None:
        comparison = rep.compare_reports(rep.load_report(compare[0]), rep.load_report(compare[1]))
        if output is ReportFormat.json:
            sys.stdout.write(comparison.model_dump_json(indent=2) + "\n")
        else:
            console.print(rep.render_comparison(comparison))
        return
    reader = _make_extractor(extractor)
    if brat is not None:
        from .evaluation.brat_score import render as render_brat
        from .evaluation.brat_score import score_extractor

        brat_report = score_extractor(brat, reader, split=split)
        payload = brat_report.model_dump_json(indent=2)
        if out is not None:
            out.write_text(payload + "\n", encoding="utf-8")
        if output is ReportFormat.json:
            sys.stdout.write(payload + "\n")
        else:
            render_brat(brat_report, console)
        return
    from .evaluation.gold import evaluate

    assert gold is not None
    report = evaluate(gold, reader, _stamp(reader))
    payload = report.model_dump_json(indent=2)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(payload + "\n", encoding="utf-8")
    if output is ReportFormat.json:
        sys.stdout.write(payload + "\n")
    else:
        console.print(rep.render_report(report))
    if thresholds is not None:
        failures = rep.check_thresholds(report, thresholds, gate or extractor.value)
        for failure in failures:
            _error(failure)
        if failures:
            raise typer.Exit(EXIT_BELOW_THRESHOLD)


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
