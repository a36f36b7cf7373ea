"""``normalizer run``: a batch run of registry records into a run store, resumable.

Registered on the main app by :mod:`normalizer.cli`; its input and LLM options
are the shared ones (:mod:`normalizer.cli_options`).  Exit codes as the README's table: 0 every
record stored or unchanged; 1 some records or files failed (each named on
stderr, and kept in the store's failures); 3 nothing could be read, or the
store or a setting is invalid; 130/143 interrupted (what was written is whole).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .cli_common import _err
from .cli_llm import make_extractor
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
from .exits import EXIT_NOTHING_READ, EXIT_PARTIAL
from .io import MAX_BYTES

# The batch machinery (the store and SQLAlchemy, the pool, the pipeline) is imported
# when a run starts: `normalizer --help` and `normalize` do not pay for it.
if TYPE_CHECKING:
    from .models import Section

__all__ = ["DEFAULT_STORE", "run_command"]

DEFAULT_STORE = "runs.sqlite"
"""The store ``run`` writes when ``--store`` is not given: a SQLite file in the current folder."""

_INLINE_BYTES = 128 * 1024
"""Inputs smaller than this in all are likely done in this process, without workers
(:attr:`~normalizer.batch.RunOptions.inline_max` records of a few KB each)."""


def _more_than_inline(inputs: list[str]) -> bool:
    """Whether ``inputs`` likely hold more records than a run does without workers.

    A guess from sizes alone, before anything is read: stdin, a list file, a folder
    or more than ``_INLINE_BYTES`` of files.  A wrong guess costs a forkserver
    started for nothing, or started later, never a different result.
    """
    total = 0
    for name in inputs:
        path = Path(name)
        if name == "-" or name.startswith("@") or not path.is_file():
            return True
        total += path.stat().st_size
    return total > _INLINE_BYTES


@with_llm_options(
    "base_url", "api_key", "model", "mode", "batch_size", "concurrency", "cache", "no_cache",
    "route", "timeout",
)
def run_command(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Registry records: text files, ClinicalTrials.gov JSON / JSON Lines / zip, "
            "AACT, CSV, directories, @list, - (see --input-format)."
        ),
    ],
    store: Annotated[
        str,
        typer.Option(
            "--store", envvar="NORMALIZER_STORE",
            help="Run store: a SQLite file (created) or postgresql://user@host/db.",
        ),
    ] = DEFAULT_STORE,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", min=1, help="Worker processes (default: the usable cores)."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Redo every record, even those stored unchanged.")
    ] = False,
    record_timeout: Annotated[
        float | None,
        typer.Option(
            min=0.1, help="Seconds a record may take before it is a failure (default: 120 for "
            "rules, 1800 with an LLM).",
        ),
    ] = None,
    chunksize: Annotated[
        int, typer.Option(min=1, max=1000, help="Records sent to a worker at once.")
    ] = 16,
    input_format: InputFormatArg = InputFormatOption.auto,
    glob: GlobArg = "*",
    text_column: TextColumnArg = None,
    id_column: IdColumnArg = None,
    section: Annotated[
        SectionOption | None,
        typer.Option(help="Section of criteria before any header (else 'unknown')."),
    ] = None,
    max_bytes: Annotated[
        int, typer.Option(help="Refuse files larger than this many bytes.", min=1)
    ] = MAX_BYTES,
    summary_json: Annotated[
        Path | None, typer.Option("--summary-json", help="Also write the summary here (JSON).")
    ] = None,
    extractor: ExtractorArg = ExtractorOption.rules,
    *,
    llm_options: LLMOptions,
) -> None:
    """Normalise every record into a run store, in parallel; a rerun skips what is unchanged."""
    if extractor is not ExtractorOption.rules or _more_than_inline(inputs):
        from .forkserver import start_early

        start_early()  # the workers' preload runs while this process starts up
    from .batch import ExtractorSpec, RunOptions, run_batch
    from .batch.pool import cpu_count
    from .store import Store

    if summary_json is not None and not summary_json.parent.is_dir():
        _err.error(f"--summary-json: folder {summary_json.parent} does not exist")
        raise typer.Exit(2)
    choice = "rules"
    if extractor is not ExtractorOption.rules:  # check the LLM settings once, before any worker
        _reader, llm = make_extractor(extractor, llm_options, _err)
        if llm is not None:
            choice = "llm" if extractor is ExtractorOption.llm else "hybrid"
    spec = ExtractorSpec(choice=choice, **llm_options.plain())
    default: Section = section.value if section else "unknown"
    options = RunOptions(
        jobs=jobs or cpu_count(),
        chunksize=chunksize,
        record_timeout=record_timeout or (120.0 if choice == "rules" else 1800.0),
        force=force,
        input_format=input_format.value,
        glob=glob,
        text_column=text_column,
        id_column=id_column,
        max_bytes=max_bytes,
        default_section=default,
        command="run " + " ".join(inputs[:3]) + (" ..." if len(inputs) > 3 else ""),
        inline_max=RunOptions.inline_max if choice == "rules" else 0,
    )
    opened = Store.open(store)
    try:
        summary = run_batch(inputs, opened, spec, options, console=_err.console)
    finally:
        opened.close()
    summary.render(_err.console)
    if summary_json is not None:
        summary_json.write_text(json.dumps(summary.as_dict(), indent=2) + "\n", encoding="utf-8")
    if summary.failed:
        raise typer.Exit(EXIT_NOTHING_READ if summary.done + summary.skipped == 0 else EXIT_PARTIAL)
