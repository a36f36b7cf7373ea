"""``normalizer review`` and ``normalizer suggest``: the curator's queue and the LLM's suggestions.

``review`` prints the queue (of files read now, or of a run store with the
curators' decisions applied) as a table, JSON Lines or CSV, or serves the
review page; ``suggest`` asks the LLM in advance for a suggestion on every
criterion in review.  Registered on the main app by :mod:`normalizer.cli`.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .cli_common import _documents, _err, _error, _exit_for, _Reading, _table_console
from .cli_llm import make_extractor, report_usage
from .cli_options import (
    ExtractorArg,
    ExtractorOption,
    LLMOptions,
    RouteOption,
    SectionOption,
    with_llm_options,
)
from .errors import ConfigError
from .exits import EXIT_USAGE
from .io import MAX_BYTES

# What a command needs is imported when it runs: `--help` and the start of a run
# do not pay for pydantic models, the rules, verification or the exports.
if TYPE_CHECKING:
    from .models import Section
    from .review.queue import QueueRow


class ReviewFormat(StrEnum):
    """How ``review`` prints its queue."""

    table = "table"
    jsonl = "jsonl"
    csv = "csv"



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
        if _err.console.is_terminal:
            _err.console.file.write(f"\r\x1b[2Ksuggest: {counts.read} read, {counts.kept} kept, "
                            f"{counts.criteria} in review so far")
            _err.console.file.flush()

    try:
        with replaying(cassette, record):
            counts = suggest_store(opened, reader, suggested_by=f"llm:{llm.model}",
                                   prompt_id=llm.prompt_id, again=again, progress=shown)
    finally:
        opened.close()
    if _err.console.is_terminal:
        _err.console.file.write("\r\x1b[2K")
    statuses = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in sorted(counts.statuses.items()))
    _err.console.print(
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
