"""Registry records in: every input format yields :class:`Record` or :class:`ReadFailure`.

A reader turns what a curator has (plain text files, ClinicalTrials.gov API v2
JSON, AACT's ``eligibilities.txt``, CSV) into records: the eligibility text
exactly as the registry stores it (spans index into it) and a
:class:`~normalizer.models.RecordInfo` that says which record it is.  A record
that cannot be read is a :class:`ReadFailure` with a one-line message naming
it; the stream goes on with the next record.  Readers stream: nothing is
loaded whole that could be large.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..io import MAX_BYTES, read_source
from ..models import RecordInfo, RecordOrigin, Section

__all__ = ["ReadFailure", "Record", "read_records"]


@dataclass(frozen=True)
class Record:
    """One registry record: its eligibility text (None when it has none) and who it is."""

    info: RecordInfo
    text: str | None
    default_section: Section = "unknown"

    @property
    def source(self) -> str:
        """The document's ``source``: the file, with the line, member or index inside it."""
        origin = self.info.origin
        where = origin.path
        if origin.member is not None:
            where += f":{origin.member}"
        if origin.line is not None:
            where += f":{origin.line}"
        if origin.index is not None:
            where += f"#{origin.index}"
        return where


@dataclass(frozen=True)
class ReadFailure:
    """A record or file that could not be read: where, and why in one line."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def _text_record(path: Path, max_bytes: int, default_section: Section) -> Record | ReadFailure:
    try:
        text = read_source(path, max_bytes)
    except InputError as exc:
        where = str(path)
        message = str(exc)
        if message.startswith(where + ": "):
            message = message[len(where) + 2 :]
        return ReadFailure(where, message)
    info = RecordInfo(id=str(path), origin=RecordOrigin(path=str(path)))
    return Record(info=info, text=text, default_section=default_section)


def read_records(
    inputs: Sequence[str],
    *,
    input_format: str = "auto",
    glob: str = "*",
    max_bytes: int = MAX_BYTES,
    default_section: Section = "unknown",
) -> Iterator[Record | ReadFailure]:
    """Yield the records of every input, in order, or a failure for each unreadable one.

    ``inputs`` are paths as a user gives them.  Plain text files are read as one
    record each.
    """
    del input_format, glob  # the other readers come with the records-in work
    for name in inputs:
        yield _text_record(Path(name), max_bytes, default_section)
