"""The ``normalizer`` command line: ``normalize``, ``review``, ``eval``, ``export``, ``schema``.

Exit codes (also in the README):

* 0: every input was read and normalised;
* 1: some inputs could not be read (each named on stderr); the others were processed;
* 2: usage error (bad option or value);
* 3: no input could be read at all, or a gold, prompt or setting is invalid;
* 4: ``eval --thresholds``: a figure fell below its floor;
* 5: internal error; 130 SIGINT; 141 stdout closed early; 143 SIGTERM
  (:mod:`normalizer.exits`).

This module holds the app, its callback and ``schema``, and ``main`` (the exit
codes); each family of commands lives in its own module and is registered here:
:mod:`.cli_normalize` (``normalize``, and :func:`document_json`),
:mod:`.cli_review` (``review``, ``suggest``), :mod:`.cli_eval`, :mod:`.cli_export`
and :mod:`.cli_run`; what ``normalize`` and ``review`` share is in
:mod:`.cli_common`, the shared options in :mod:`.cli_options` and
:mod:`.cli_llm`.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import Annotated

import typer

from .cli_common import _csv_cell as _csv_cell
from .cli_common import _error
from .cli_eval import eval_command
from .cli_export import export_command
from .cli_normalize import document_json as document_json
from .cli_normalize import normalize
from .cli_review import review, suggest
from .cli_run import run_command
from .errors import NormalizerError
from .exits import EXIT_INTERNAL, EXIT_NOTHING_READ, Interrupted, handle_signals, leave
from .regex_cache import kept_regexes
from .version import __version__

# What a command needs is imported when it runs: `--help` and the start of a run
# do not pay for pydantic models, the rules, verification or the exports.

__all__ = ["app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Turn free-text eligibility criteria into structured, verified numeric constraints.",
)

app.command()(normalize)
app.command()(review)
app.command()(suggest)
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
