"""``normalizer eval``: score an extractor against gold cases or brat annotations.

Registered on the main app by :mod:`normalizer.cli`.  ``--gold`` scores curated
gold cases (with ``--suggestions``, the LLM's suggestions on what the rules leave
in review), ``--brat`` a Chia- or LCT-style corpus, ``--compare`` two JSON
reports.  Exit codes as there; 4 when ``--thresholds`` finds a figure below its
floor.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal, cast

import typer

from .cli_common import _err, _error
from .cli_llm import make_extractor, report_usage
from .cli_options import ExtractorArg, ExtractorOption, LLMOptions, with_llm_options
from .exits import EXIT_BELOW_THRESHOLD, EXIT_USAGE

__all__ = ["eval_command"]


class ReportFormat(StrEnum):
    """How ``eval`` prints its report."""

    table = "table"
    json = "json"


def _emit(payload: str, out: Path | None, output: ReportFormat, show: Callable[[], None]) -> None:
    """Write the JSON report to ``out`` when given; then JSON on stdout, or ``show`` it."""
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(payload + "\n", encoding="utf-8")
    if output is ReportFormat.json:
        sys.stdout.write(payload + "\n")
    else:
        show()


def _fail_below(failures: list[str]) -> None:
    """Name each figure below its floor; exit 4 when there is one."""
    for failure in failures:
        _error(failure)
    if failures:
        raise typer.Exit(EXIT_BELOW_THRESHOLD)


@with_llm_options()
def eval_command(
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
    split: Annotated[
        str | None, typer.Option(help="With --brat: score only 'dev' or 'test' documents.")
    ] = None,
    only: Annotated[
        str | None,
        typer.Option(help="With --gold: only cases whose id starts with this, or @FILE: "
                     "the ids listed in FILE (one per line)."),
    ] = None,
    sample: Annotated[
        int | None,
        typer.Option(min=1, help="With --gold: a fixed subset of N cases (by id hash)."),
    ] = None,
    output: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.table,
    out: Annotated[Path | None, typer.Option(help="Also write the JSON report here.")] = None,
    thresholds: Annotated[
        Path | None, typer.Option(help="TOML file of floors; exit 4 when a figure is below.")
    ] = None,
    gate: Annotated[
        str | None, typer.Option(help="Table of --thresholds to apply, e.g. 'rules.dev'.")
    ] = None,
    cassette: Annotated[
        Path | None,
        typer.Option(help="Replay recorded LLM responses from this cassette (no network)."),
    ] = None,
    record: Annotated[
        bool,
        typer.Option(
            help="With --cassette: add responses missing from it (developers, against a "
            "real endpoint; see scripts/llm/README.md).",
        ),
    ] = False,
    suggestions: Annotated[
        bool,
        typer.Option(
            "--suggestions",
            help="With --gold: score the LLM's suggestions on the criteria the rules leave "
            "in review (right, wrong, invalid; would taking them be correct), per variable.",
        ),
    ] = False,
    extractor: ExtractorArg = ExtractorOption.rules,
    *,
    llm_options: LLMOptions,
) -> None:
    """Score an extractor against gold cases or brat annotations, or compare two runs."""
    from .evaluation import report as rep
    from .pipeline import provenance_of
    from .recording import replaying

    if sum(x is not None for x in (gold, brat, compare)) != 1:
        _error("give exactly one of --gold, --brat or --compare")
        raise typer.Exit(EXIT_USAGE)
    if split not in (None, "dev", "test"):
        _error("--split is 'dev' or 'test'")
        raise typer.Exit(EXIT_USAGE)
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=False)
    if compare is not None:
        comparison = rep.compare_reports(rep.load_report(compare[0]), rep.load_report(compare[1]))
        _emit(comparison.model_dump_json(indent=2), None, output,
              lambda: console.print(rep.render_comparison(comparison)))
        return
    if record and cassette is None:
        _error("--record needs --cassette")
        raise typer.Exit(EXIT_USAGE)
    if cassette is not None:
        # a replay must reach the (recorded) endpoint, not a local cache
        llm_options = replace(llm_options, no_cache=True)
    if suggestions and gold is None:
        _error("--suggestions needs --gold")
        raise typer.Exit(EXIT_USAGE)
    reader, llm = make_extractor(
        ExtractorOption.llm if suggestions else extractor, llm_options, _err
    )
    if brat is not None:
        from .evaluation.brat_score import render as render_brat
        from .evaluation.brat_score import score_extractor

        with replaying(cassette, record):
            brat_report = score_extractor(
                brat, reader, split=cast(Literal["dev", "test"] | None, split)
            )
        _emit(brat_report.model_dump_json(indent=2), out, output,
              lambda: render_brat(brat_report, console))
        report_usage(llm, _err)
        return
    assert gold is not None
    if suggestions:
        from .evaluation.suggestions import evaluate_suggestions, render_suggestions
        from .extract.rules import RulesExtractor

        with replaying(cassette, record):
            scored = evaluate_suggestions(
                gold, RulesExtractor(), reader, provenance_of(reader).model_dump(),
                only=only, sample=sample,
            )
        _emit(scored.model_dump_json(indent=2), out, output,
              lambda: console.print(render_suggestions(scored)))
        report_usage(llm, _err)
        if thresholds is not None:
            _fail_below(rep.check_thresholds(scored, thresholds, gate or "suggestions"))
        return
    from .evaluation.gold import evaluate

    with replaying(cassette, record):
        report = evaluate(
            gold, reader, provenance_of(reader).model_dump(), only=only, sample=sample
        )
    if llm is not None:
        report.usage = llm.usage.as_dict()
    _emit(report.model_dump_json(indent=2), out, output,
          lambda: console.print(rep.render_report(report)))
    report_usage(llm, _err)
    if thresholds is not None:
        _fail_below(rep.check_thresholds(report, thresholds, gate or reader.name))
