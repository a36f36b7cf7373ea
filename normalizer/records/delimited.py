"""Rows of a delimited file with quoted multi-line fields, streamed, with their first line.

The :mod:`csv` module parses (``strict``, so broken quoting is an error, not a
guess); this module feeds it one physical line at a time, decoding each line as
UTF-8 on its own, so that a bad byte or broken quoting costs one row, not the
file.  After a broken row, reading resumes at the next line that looks like the
start of a row (``resync``), so the row after a stray quote is not lost.  No
field may exceed ``max_bytes`` (the csv field limit), so an unclosed quote
cannot read a whole file into memory.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from ..models import RecordOrigin
from .base import ReadFailure, failure

__all__ = ["BadRow", "Row", "header_of", "iter_rows"]


@dataclass(frozen=True)
class Row:
    """A parsed row and the 1-based line it starts on."""

    line: int
    fields: list[str]


@dataclass(frozen=True)
class BadRow:
    """A row that could not be parsed, the line it starts on, and why."""

    line: int
    message: str


class _Lines:
    """Physical lines of a binary stream, decoded one by one, with a replay buffer."""

    def __init__(self, handle: BinaryIO, max_bytes: int) -> None:
        self._handle = handle
        self._max = max_bytes
        self.number = 0  # lines handed out so far (of the file)
        self.taken: list[tuple[int, str]] = []  # lines handed out for the current row
        self.problems: dict[int, str] = {}
        self._replay: list[tuple[int, str]] = []
        self._skip_to: re.Pattern[str] | None = None  # after a broken row: the next row start

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        while True:
            number, text = self._next_line()
            skip = self._skip_to
            if skip is None or skip.match(text):
                self._skip_to = None
                break
            self.problems.pop(number, None)
        self.taken.append((number, text))
        return text

    def _next_line(self) -> tuple[int, str]:
        if self._replay:
            number, text = self._replay.pop(0)
        else:
            raw = self._handle.readline(self._max + 1)
            if not raw:
                raise StopIteration
            self.number += 1
            number = self.number
            if len(raw) > self._max and not raw.endswith(b"\n"):
                self.problems[number] = f"line {number} is longer than the {self._max:,}-byte limit"
                while True:
                    rest = self._handle.readline(1 << 20)
                    if not rest or rest.endswith(b"\n"):
                        break
                raw = b"\n"
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.problems[number] = (
                    f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} on line {number})"
                )
                text = raw.decode("utf-8", "replace")
        return number, text

    def resync(self, row_start: re.Pattern[str] | None) -> None:
        """Replay the lines after the broken row's first from the next row start."""
        later = self.taken[1:]
        if row_start is not None:
            for i, (_, text) in enumerate(later):
                if row_start.match(text):
                    self._replay = later[i:] + self._replay
                    return
            self._skip_to = row_start  # the broken row goes on: skip to the next row start
            return
        self._replay = later + self._replay


def iter_rows(
    handle: BinaryIO, *, delimiter: str, max_bytes: int,
    row_start: Callable[[list[str]], re.Pattern[str] | None] | None = None,
) -> Iterator[Row | BadRow]:
    """Every row of ``handle`` (the header included), or a :class:`BadRow` for a broken one.

    ``row_start(header)`` gives a pattern matching the first line of a row; it
    is where reading resumes after a broken row (by default, at the line after
    the broken row's first).
    """
    pattern: re.Pattern[str] | None = None
    header = True
    lines = _Lines(handle, max_bytes)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    limit = csv.field_size_limit()
    csv.field_size_limit(max_bytes)
    try:
        while True:
            lines.taken = []
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                start = lines.taken[0][0] if lines.taken else lines.number
                yield BadRow(start, f"broken quoting ({exc})")
                lines.resync(pattern)
                continue
            if not lines.taken:
                return
            start = lines.taken[0][0]
            numbers = {n for n, _ in lines.taken}
            problem = next((lines.problems.pop(n) for n in sorted(numbers)
                            if n in lines.problems), None)
            for n in numbers:
                lines.problems.pop(n, None)
            if problem is not None:
                yield BadRow(start, problem)
                continue
            if header:
                header = False
                pattern = row_start(fields) if row_start is not None else None
            yield Row(start, fields)
    finally:
        csv.field_size_limit(limit)


def header_of(rows: Iterator[Row | BadRow], origin: RecordOrigin) -> list[str] | ReadFailure:
    """The first row's fields (the header), or the failure of an empty file or a broken row."""
    first = next(rows, None)
    if first is None:
        return failure(origin, "empty file")
    if isinstance(first, BadRow):
        return failure(origin.model_copy(update={"line": first.line}), first.message)
    return first.fields
