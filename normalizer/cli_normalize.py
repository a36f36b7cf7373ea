"""``normalizer normalize``: registry records normalised and printed as contract JSON.

The command (``--format json``, ``jsonl`` or ``table``), how a document is
written as JSON (:func:`document_json`, also what ``run`` and the benchmarks
write) and when a single input prints one object rather than an array.
Registered on the main app by :mod:`normalizer.cli`.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic_core import PydanticSerializationError

from .cli_common import _documents, _err, _exit_for, _Reading, _table_console
from .cli_llm import make_extractor, report_usage
from .cli_options import (
    ExtractorArg,
    ExtractorOption,
    GlobArg,
    IdColumnArg,
    InputFormatArg,
    InputFormatOption,
    LLMOptions,
    SectionOption,
    TextColumnArg,
    with_llm_options,
)
from .errors import InputError
from .exits import Interrupted, atomic_write, hold_signals, interrupted_by
from .io import MAX_BYTES

# What a command needs is imported when it runs: `--help` and the start of a run
# do not pay for pydantic models, the rules, verification or the exports.
if TYPE_CHECKING:
    from .models import Document, Section


class OutputFormat(StrEnum):
    """How ``normalize`` prints documents."""

    json = "json"
    jsonl = "jsonl"
    table = "table"



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
    try:
        with hold_signals():  # SIGINT, SIGTERM wait; pydantic would wrap their exception
            if indent is None:
                return _strict_json(doc.model_dump(mode="json"))
            body = doc.model_dump_json(indent=indent)
            if '"NaN"' in body or 'Infinity"' in body:  # a real NaN, or text that says so
                return _strict_json(doc.model_dump(mode="json"), indent=indent)
            return body
    except PydanticSerializationError as error:
        signum = interrupted_by()
        if signum is not None and "Interrupted" in str(error):
            raise Interrupted(signum) from error  # a signal another thread took
        raise



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
    out = _table_console() if output is OutputFormat.table else None
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
            elif out is not None:
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
