"""The ``normalizer`` command line: ``normalize``, ``review``, ``eval``, ``export``, ``schema``.

Exit codes (also in the README):

* 0: every input was read and normalised;
* 1: some inputs could not be read (each named on stderr); the others were processed;
* 2: usage error (bad option or value);
* 3: no input could be read at all, or a gold, prompt or setting is invalid;
* 4: ``eval --thresholds``: a figure fell below its floor;
* 5: internal error; 130 SIGINT; 141 stdout closed early; 143 SIGTERM
  (:mod:`normalizer.exits`).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from .cli_eval import eval_command
from .cli_export import export_command
from .cli_llm import make_extractor, report_usage
from .cli_options import (
    ExtractorArg,
    ExtractorOption,
    GlobArg,
    IdColumnArg,
    InputFormatArg,
    InputFormatOption,
    LLMOptions,
    RouteOption,
    SectionOption,
    TextColumnArg,
    with_llm_options,
)
from .cli_run import run_command
from .errors import ConfigError, InputError, NormalizerError
from .exits import (
    EXIT_INTERNAL,
    EXIT_NOTHING_READ,
    EXIT_PARTIAL,
    EXIT_USAGE,
    Interrupted,
    atomic_write,
    handle_signals,
    leave,
)
from .io import MAX_BYTES
from .regex_cache import kept_regexes
from .version import __version__

# What a command needs is imported when it runs: `--help` and the start of a run
# do not pay for pydantic models, the rules, verification or the exports.
if TYPE_CHECKING:
    from .extract.base import Extractor
    from .models import Document, Section
    from .review.queue import QueueRow

__all__ = ["app", "main"]

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


class ReviewFormat(StrEnum):
    """How ``review`` prints its queue."""

    table = "table"
    jsonl = "jsonl"
    csv = "csv"


def _table_console() -> Console:
    """A console for tables: the terminal's width, or 140 columns into a pipe or a file."""
    console = Console(highlight=False, soft_wrap=True)
    return console if console.is_terminal else Console(highlight=False, width=140)


def _error(message: str) -> None:
    _err.print(f"[bold red]error:[/] {message}", markup=True, highlight=False)


@dataclass
class _Reading:
    """What the inputs gave: records read and failures named (for the exit code)."""

    records: int = 0
    failures: int = 0


def _documents(
    inputs: list[str], reader: Extractor, default: Section, max_bytes: int, seen: _Reading,
    *, input_format: InputFormatOption = InputFormatOption.auto, glob: str = "*",
    text_column: str | None = None, id_column: str | None = None,
) -> Iterator[Document]:
    """Normalise each readable record in order; name each unreadable one on stderr."""
    from rich.progress import Progress

    from .pipeline import normalize_record
    from .records import ReadFailure, read_records

    show = _err.is_terminal
    with Progress(console=_err, transient=True, disable=not show) as progress:
        task = progress.add_task("normalising", total=None)
        for item in read_records(
            inputs, input_format=input_format.value, glob=glob, max_bytes=max_bytes,
            default_section=default, text_column=text_column, id_column=id_column,
        ):
            progress.advance(task)
            if isinstance(item, ReadFailure):
                seen.failures += 1
                _error(str(item))
                continue
            seen.records += 1
            yield normalize_record(item, extractor=reader)


def _strict_json(payload: object, indent: int | None = None) -> str:
    """JSON as RFC 8259 has it: a NaN or infinity is a bug, never written."""
    return json.dumps(payload, ensure_ascii=False, indent=indent, allow_nan=False)


def document_json(doc: Document, indent: int | None = None) -> str:
    """The contract JSON of a document, as ``normalize`` prints it.

    ``indent`` (``--format json``) is written by pydantic's Rust serializer: with an
    indent, :func:`json.dumps` falls back to its pure-Python encoder, 15% of a warm
    run.  Same keys, order and values as ``json.dumps(doc.model_dump(mode="json"),
    indent=2)``; a float written with an exponent loses the exponent's leading zero
    (``3e-6``, not ``3e-06``: 2 documents in 2,161 of the seeds, Chia and LCT).  The
    models write a non-finite float as a string (``ser_json_inf_nan``), so a NaN
    that got past :func:`~normalizer.guard.finite_only` still fails in
    :func:`_strict_json` instead of being written as ``null``.  Without an indent
    (``jsonl``) the C encoder writes the line as before, byte for byte.
    """
    if indent is None:
        return _strict_json(doc.model_dump(mode="json"))
    body = doc.model_dump_json(indent=indent)
    if '"NaN"' in body or 'Infinity"' in body:  # a real NaN, or text that says so
        return _strict_json(doc.model_dump(mode="json"), indent=indent)
    return body


_FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: object) -> object:
    """A cell a spreadsheet shows as text: a leading = + - @ (a formula) gets a quote mark."""
    if isinstance(value, str) and value.startswith(_FORMULA_LEAD):
        return "'" + value
    return value


def _exit_for(seen: _Reading) -> None:
    if seen.failures and not seen.records:
        raise typer.Exit(EXIT_NOTHING_READ)
    if seen.failures:
        raise typer.Exit(EXIT_PARTIAL)


@app.command()
@with_llm_options()
def normalize(
    files: Annotated[
        list[str],
        typer.Argument(
            help="Registry records: text files, ClinicalTrials.gov JSON / JSON Lines / zip, "
            "AACT eligibilities.txt, CSV, directories, '-' (stdin), @list.txt (one path a line).",
            show_default=False,
        ),
    ],
    section: Annotated[
        SectionOption | None,
        typer.Option(help="Section of criteria before any header (else 'unknown')."),
    ] = None,
    output: Annotated[
        OutputFormat,
        typer.Option(
            "--format", "-f",
            help="json: the document (an array for several files); jsonl: one document "
            "per line; table: for people.",
        ),
    ] = OutputFormat.json,
    max_bytes: Annotated[
        int, typer.Option(help="Refuse files larger than this many bytes.", min=1)
    ] = MAX_BYTES,
    input_format: InputFormatArg = InputFormatOption.auto,
    glob: GlobArg = "*",
    text_column: TextColumnArg = None,
    id_column: IdColumnArg = None,
    extractor: ExtractorArg = ExtractorOption.auto,
    *,
    llm_options: LLMOptions,
) -> None:
    """Normalise registry records and print contract JSON (or a table)."""
    reader, llm = make_extractor(extractor, llm_options, _err)
    default: Section = section.value if section else "unknown"
    out = _table_console()
    seen = _Reading()
    single = len(files) == 1 and _one_record(files[0], input_format)
    opened = False  # --format json with several records: the array is open
    try:
        for doc in _documents(
            files, reader, default, max_bytes, seen, input_format=input_format, glob=glob,
            text_column=text_column, id_column=id_column,
        ):
            if output is OutputFormat.jsonl:
                atomic_write(document_json(doc) + "\n")
            elif output is OutputFormat.table:
                from .render import document_table  # rich's tables: only for this format

                out.print(document_table(doc, width=out.width))
            elif single:
                atomic_write(document_json(doc, indent=2) + "\n")
            else:  # streamed: an array that is valid JSON however the run ends
                body = document_json(doc, indent=2)
                atomic_write(("[\n" if not opened else ",\n") + body)
                opened = True
    finally:
        if opened:
            atomic_write("\n]\n")
    report_usage(llm, _err)
    _exit_for(seen)


def _one_record(name: str, input_format: InputFormatOption) -> bool:
    """``--format json`` prints one object (not an array) for a single plain text file."""
    if name == "-" or name.startswith("@") or Path(name).is_dir():
        return name == "-" and input_format is InputFormatOption.text
    if input_format is InputFormatOption.text:
        return True
    if input_format is not InputFormatOption.auto:
        return False
    return not name.lower().endswith((".json", ".jsonl", ".ndjson", ".zip", ".csv")) and (
        _sniff(name) == "text")


def _sniff(name: str) -> str:
    """What a file holds, from its first bytes (special files are not opened: 'text')."""
    from .io import open_regular
    from .records.detect import detect

    try:
        handle, _ = open_regular(Path(name))
    except InputError:
        return "text"
    with handle:
        return detect(name, handle.read(1 << 16))


@app.command()
@with_llm_options()
def review(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Registry text files (UTF-8).", readable=False)
    ] = None,
    serve: Annotated[
        bool, typer.Option("--serve", help="Start the review page over --store (a web app).")
    ] = False,
    store: Annotated[
        str | None,
        typer.Option(
            "--store", envvar="NORMALIZER_STORE",
            help="Run store: a SQLite file, or postgresql://... for a team.",
        ),
    ] = None,
    host: Annotated[
        str, typer.Option(help="--serve: address to listen on (not loopback: needs --token).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="--serve: TCP port.", min=0, max=65535)] = 8765,
    token: Annotated[
        str | None,
        typer.Option(envvar="NORMALIZER_REVIEW_TOKEN", show_default=False,
                     help="--serve: a secret every request must carry."),
    ] = None,
    section: Annotated[
        SectionOption | None,
        typer.Option(help="Section of criteria before any header (else 'unknown')."),
    ] = None,
    output: Annotated[ReviewFormat, typer.Option("--format", "-f")] = ReviewFormat.table,
    include_accepted: Annotated[
        bool, typer.Option(help="List accepted criteria too.")
    ] = False,
    max_bytes: Annotated[int, typer.Option(min=1)] = MAX_BYTES,
    extractor: ExtractorArg = ExtractorOption.auto,
    *,
    llm_options: LLMOptions,
) -> None:
    """The curator's queue: a row per constraint that needs a look, grouped by record.

    Each row: what was read (in words), the criterion's status, the findings and
    the curators' decision.  FILES are read now; with --store and no files, the
    queue is the run store's documents with the curators' decisions applied.
    With --serve, the review page instead: a local web app over the run store.
    """
    if serve:
        from .review.web.server import check_binding, serve_store

        if store is None:
            _error("--serve needs --store (the run store to review)")
            raise typer.Exit(EXIT_USAGE)
        try:
            check_binding(host, port, token)
        except ConfigError as exc:
            _error(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
        suggester = None
        if llm_options.base_url or llm_options.api_key:
            # an endpoint: the page reads suggestions on demand
            from .review.web.app import Suggester

            one_at_a_time = replace(
                llm_options, batch_size=1, concurrency=1, route=RouteOption.incomplete
            )
            reader, llm = make_extractor(ExtractorOption.llm, one_at_a_time, _err)
            assert llm is not None
            llm.progress = None
            suggester = Suggester(reader, f"llm:{llm.model}", llm.prompt_id)
        serve_store(store, host=host, port=port, token=token, suggester=suggester)
        return
    if store is not None and not files:
        _review_store(store, output, include_accepted)
        return
    from .review.queue import queue_rows

    if not files:
        _error("give the registry files to review (or --store S, or --serve --store S)")
        raise typer.Exit(EXIT_USAGE)
    reader, llm = make_extractor(extractor, llm_options, _err)
    default: Section = section.value if section else "unknown"
    seen = _Reading()
    docs = list(_documents([str(f) for f in files], reader, default, max_bytes, seen))
    _print_queue(queue_rows(docs, include_accepted=include_accepted), output)
    report_usage(llm, _err)
    _exit_for(seen)


@app.command()
@with_llm_options(
    "base_url", "api_key", "model", "mode", "concurrency", "max_tokens", "cache", "no_cache",
    "timeout",
)
def suggest(
    store: Annotated[
        str,
        typer.Option("--store", envvar="NORMALIZER_STORE", show_default=False,
                     help="Run store: a SQLite file, or postgresql://..."),
    ],
    again: Annotated[
        bool, typer.Option("--again", help="Read criteria that already have a suggestion too.")
    ] = False,
    cassette: Annotated[
        Path | None,
        typer.Option(help="Replay recorded LLM responses from this cassette (no network)."),
    ] = None,
    record: Annotated[
        bool, typer.Option(help="With --cassette: add responses missing from it.")
    ] = False,
    *,
    llm_options: LLMOptions,
) -> None:
    """Ask the LLM, in advance, for a suggestion on every criterion in the review queue.

    Each criterion the store holds that verification did not accept, and that has no
    suggestion for its current text, is read by the LLM and verified; the reading is
    stored beside the rules' (never applied: the review page shows it, and a curator
    takes it with one key, which records "suggested by").
    """
    from .recording import replaying
    from .review.suggest import SuggestCounts, suggest_store
    from .store import Store

    if record and cassette is None:
        _error("--record needs --cassette")
        raise typer.Exit(EXIT_USAGE)
    no_cache = llm_options.no_cache or cassette is not None
    reader, llm = make_extractor(
        ExtractorOption.llm, replace(llm_options, no_cache=no_cache), _err
    )
    assert llm is not None
    opened = Store.open(store)

    def shown(counts: SuggestCounts) -> None:
        if _err.is_terminal:
            _err.file.write(f"\r\x1b[2Ksuggest: {counts.read} read, {counts.kept} kept, "
                            f"{counts.criteria} in review so far")
            _err.file.flush()

    try:
        with replaying(cassette, record):
            counts = suggest_store(opened, reader, suggested_by=f"llm:{llm.model}",
                                   prompt_id=llm.prompt_id, again=again, progress=shown)
    finally:
        opened.close()
    if _err.is_terminal:
        _err.file.write("\r\x1b[2K")
    statuses = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in sorted(counts.statuses.items()))
    _err.print(
        f"suggest: {counts.records} records, {counts.criteria} criteria in review: "
        f"{counts.read} read by the LLM ({statuses or 'none'}), {counts.kept} already had one",
        highlight=False, soft_wrap=True,
    )
    report_usage(llm, _err)


def _print_queue(rows: list[QueueRow], output: ReviewFormat) -> None:
    from .render import queue_table
    from .review.queue import write_csv, write_jsonl

    if output is ReviewFormat.jsonl:
        write_jsonl(rows, sys.stdout)
    elif output is ReviewFormat.csv:
        write_csv(rows, sys.stdout)
    else:
        console = _table_console()
        console.print(queue_table(rows, width=console.width))


def _review_store(target: str, output: ReviewFormat, include_accepted: bool) -> None:
    """The queue over a run store's curated documents (decisions applied)."""
    from .review.curate import curated_documents
    from .review.queue import queue_rows
    from .store import Store

    opened = Store.open(target)
    try:
        docs = curated_documents(opened)
        _print_queue(queue_rows(docs, include_accepted=include_accepted), output)
    finally:
        opened.close()


app.command("eval")(eval_command)
app.command("export")(export_command)
app.command("run")(run_command)


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
    """Entry point of the console script: every way the run ends has its exit code."""
    # instructor logs every failed attempt at ERROR; the findings and the usage line
    # already say what failed, once, where a curator reads it
    logging.getLogger("instructor").setLevel(logging.CRITICAL)
    handle_signals()
    try:
        with kept_regexes():  # the reader's, rules' and verification's patterns, kept compiled
            app()
    except NormalizerError as exc:
        _error(str(exc))
        sys.exit(EXIT_NOTHING_READ)
    except Interrupted as exc:
        _error(f"interrupted ({exc}): output so far is complete, the rest was not run")
        leave(exc.code)
    except Exception as exc:
        if os.environ.get("NORMALIZER_DEBUG"):
            raise
        _error(
            f"internal error ({type(exc).__name__}: {' '.join(str(exc).split())[:300]}); "
            "this is a bug: rerun with NORMALIZER_DEBUG=1 for the traceback and report it"
        )
        sys.exit(EXIT_INTERNAL)
