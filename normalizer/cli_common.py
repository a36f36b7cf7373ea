"""What ``normalize`` and ``review`` share: the consoles, the error line, the records read.

The stderr console and how an error is printed, the console tables are printed
on, the records of the inputs normalised one by one (each unreadable one named)
and the exit code for what was read (:mod:`normalizer.exits`); and a CSV cell a
spreadsheet shows as text.  Registered commands live in :mod:`normalizer.cli`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

from .cli_options import InputFormatOption
from .exits import EXIT_NOTHING_READ, EXIT_PARTIAL

# What a command needs is imported when it runs: `--help` and the start of a run
# do not pay for pydantic models, the rules, verification or the exports.
if TYPE_CHECKING:
    from rich.console import Console

    from .extract.base import Extractor
    from .models import Document, Section


class Stderr:
    """The commands' stderr.

    rich's console (and rich itself, 20 ms of every start) is made when something
    needs it: markup, a live line, a table; a plain line is written without it.
    """

    def __init__(self) -> None:
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        """The console of rich on stderr, made at first use."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=True, highlight=False, soft_wrap=True)
        return self._console

    def line(self, text: str) -> None:
        """``text`` as one plain line, as it is (no markup)."""
        sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def error(self, message: str) -> None:
        """The one-line error a command prints before its exit code."""
        self.console.print(f"[bold red]error:[/] {message}", markup=True, highlight=False)


_err = Stderr()


def _table_console() -> Console:
    """A console for tables: the terminal's width, or 140 columns into a pipe or a file."""
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)
    return console if console.is_terminal else Console(highlight=False, width=140)


def _error(message: str) -> None:
    _err.error(message)


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
    from .pipeline import normalize_record
    from .records import ReadFailure, read_records

    items = read_records(
        inputs, input_format=input_format.value, glob=glob, max_bytes=max_bytes,
        default_section=default, text_column=text_column, id_column=id_column,
    )
    with _spinner() as advance:
        for item in items:
            advance()
            if isinstance(item, ReadFailure):
                seen.failures += 1
                _error(str(item))
                continue
            seen.records += 1
            yield normalize_record(item, extractor=reader)


@contextmanager
def _spinner() -> Iterator[Callable[[], None]]:
    """A transient spinner on a terminal; elsewhere a step that does nothing.

    rich's progress is imported only for the terminal: 8 ms of a start.
    """
    if not sys.stderr.isatty() or not _err.console.is_terminal:
        yield lambda: None
        return
    from rich.progress import Progress

    with Progress(console=_err.console, transient=True) as progress:
        task = progress.add_task("normalising", total=None)
        yield lambda: progress.advance(task)


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
