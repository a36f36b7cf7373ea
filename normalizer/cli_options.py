"""The options several commands share, declared once: how inputs are read, the LLM.

``normalize`` and ``run`` read inputs the same way (:data:`InputFormatArg`,
:data:`GlobArg`, ...); ``normalize``, ``review``, ``suggest``, ``eval`` and ``run``
take the LLM settings.  Those are the fields of :class:`LLMOptions`, each typed
with its typer option; :func:`with_llm_options` gives a command the ones it
names, in that order, and hands them to it as one ``llm_options`` argument.

Only typer and the standard library are imported: ``--help`` stays light.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, get_type_hints

import typer

__all__ = [
    "ExtractorArg",
    "ExtractorOption",
    "GlobArg",
    "IdColumnArg",
    "InputFormatArg",
    "InputFormatOption",
    "LLMOptions",
    "ModeOption",
    "RouteOption",
    "SectionOption",
    "TextColumnArg",
    "with_llm_options",
]


class SectionOption(StrEnum):
    """Section of criteria that come before any header."""

    inclusion = "inclusion"
    exclusion = "exclusion"


class InputFormatOption(StrEnum):
    """How inputs are read (``auto``: by extension and content)."""

    auto = "auto"
    text = "text"
    ctgov = "ctgov"
    aact = "aact"
    csv = "csv"


InputFormatArg = Annotated[
    InputFormatOption,
    typer.Option(
        "--input-format",
        help="auto (by extension and content), text, ctgov (API v2 JSON, JSON Lines or a "
        "zip of them), aact (eligibilities.txt) or csv.",
    ),
]
GlobArg = Annotated[
    str,
    typer.Option(
        "--glob",
        help="Directories: read the files (recursing) matching this; the default takes "
        "files named like records (.txt .json .jsonl .ndjson .zip .csv .tsv).",
    ),
]
TextColumnArg = Annotated[
    str | None,
    typer.Option("--text-column", help="CSV: the column of eligibility text (else guessed)."),
]
IdColumnArg = Annotated[
    str | None,
    typer.Option("--id-column", help="CSV: the column of record ids (else guessed)."),
]


class ExtractorOption(StrEnum):
    """Which extractor reads the criteria."""

    auto = "auto"
    rules = "rules"
    llm = "llm"
    hybrid = "hybrid"


class ModeOption(StrEnum):
    """Instructor mode: tools for llama.cpp's server, json_schema for OpenAI."""

    tools = "tools"
    json_schema = "json_schema"
    json = "json"
    md_json = "md_json"


class RouteOption(StrEnum):
    """Which criteria ``hybrid`` sends to the LLM."""

    incomplete = "incomplete"
    all = "all"


ExtractorArg = Annotated[
    ExtractorOption,
    typer.Option(
        "--extractor", "-x",
        help="rules (offline), llm, hybrid (rules first, LLM for the rest); auto = hybrid "
        "when an endpoint is configured, else rules.",
    ),
]
BaseUrlArg = Annotated[
    str | None,
    typer.Option("--base-url", envvar="OPENAI_BASE_URL", help="OpenAI-compatible endpoint."),
]
ApiKeyArg = Annotated[
    str | None,
    typer.Option("--api-key", envvar="OPENAI_API_KEY", show_default=False, help="API key."),
]
ModelArg = Annotated[
    str | None, typer.Option("--model", envvar="NORMALIZER_MODEL", help="Model name.")
]
ModeArg = Annotated[ModeOption, typer.Option("--mode", help="Instructor mode.")]
BatchArg = Annotated[
    int, typer.Option("--batch-size", min=1, max=32, help="Criteria per LLM request.")
]
ConcurrencyArg = Annotated[
    int | None,
    typer.Option(
        "--concurrency", min=1, max=32, show_default=False,
        help="LLM requests in flight. Default: 1 for a server on this machine (a loopback "
        "--base-url such as llama.cpp's, which answers one request at a time), 4 for any "
        "other endpoint. Each request's --timeout runs from when it is sent.",
    ),
]
MaxTokensArg = Annotated[
    int | None,
    typer.Option(
        "--max-tokens", min=64, show_default=False,
        help="Cap on one LLM answer's tokens (default 2048). The budget of a request is "
        "120 + 25 per number or list item of each criterion (at least 200 each); an answer "
        "cut off at it is asked once more with twice the budget, up to this cap.",
    ),
]
CacheArg = Annotated[
    Path | None,
    typer.Option("--cache", envvar="NORMALIZER_CACHE", help="SQLite response cache file."),
]
NoCacheArg = Annotated[bool, typer.Option("--no-cache", help="Do not read or write the cache.")]
RouteArg = Annotated[RouteOption, typer.Option("--route", help="hybrid: what goes to the LLM.")]
TimeoutArg = Annotated[
    float | None,
    typer.Option("--timeout", envvar="NORMALIZER_TIMEOUT", min=0.1,
                 help="Seconds per LLM request (default 300), before its retries."),
]


@dataclass(frozen=True)
class LLMOptions:
    """The LLM settings of a command line; a field the command does not take keeps its default.

    The fields' order is the order of the options in every command's ``--help``.
    """

    base_url: BaseUrlArg = None
    api_key: ApiKeyArg = None
    model: ModelArg = None
    mode: ModeArg = ModeOption.tools
    batch_size: BatchArg = 1
    concurrency: ConcurrencyArg = None
    max_tokens: MaxTokensArg = None
    cache: CacheArg = None
    no_cache: NoCacheArg = False
    route: RouteArg = RouteOption.incomplete
    timeout: TimeoutArg = None

    def plain(self) -> dict[str, Any]:
        """The settings as plain values (the modes' and routes' names), by field name."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["mode"] = self.mode.value
        values["route"] = self.route.value
        return values


Command = Callable[..., None]


def with_llm_options(*names: str) -> Callable[[Command], Command]:
    """Give a command the LLM options ``names`` (every one when none are named).

    The command ends with a keyword-only ``llm_options: LLMOptions``; typer sees
    the options in its place, in :class:`LLMOptions`' order, and the command gets
    them back as one :class:`LLMOptions`.
    """
    known = [f.name for f in fields(LLMOptions)]
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise ValueError(f"not LLM options: {', '.join(unknown)}")
    chosen = [name for name in known if not names or name in names]
    hints = get_type_hints(LLMOptions, include_extras=True)
    defaults = {f.name: f.default for f in fields(LLMOptions)}
    added = [
        inspect.Parameter(
            name, inspect.Parameter.KEYWORD_ONLY, annotation=hints[name], default=defaults[name]
        )
        for name in chosen
    ]

    def decorate(command: Command) -> Command:
        signature = inspect.signature(command, eval_str=True)
        *kept, last = signature.parameters.values()
        if last.name != "llm_options" or last.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise TypeError(f"{command.__name__} must end with '*, llm_options: LLMOptions'")

        @functools.wraps(command)
        def with_options(*args: Any, **kwargs: Any) -> None:
            given = {name: kwargs.pop(name) for name in chosen if name in kwargs}
            command(*args, llm_options=LLMOptions(**given), **kwargs)

        parameters = [*kept, *added]
        setattr(with_options, "__signature__", signature.replace(parameters=parameters))  # noqa: B010
        with_options.__annotations__ = {
            **{p.name: p.annotation for p in parameters},
            "return": signature.return_annotation,
        }
        return with_options

    return decorate
