"""What every reader yields: a :class:`Record`, or a :class:`ReadFailure` keyed the same way."""

from __future__ import annotations

from dataclasses import dataclass

from ..io import MAX_BYTES
from ..models import RecordInfo, RecordOrigin, Section

__all__ = ["MAX_ZIP_BYTES", "Limits", "ReadFailure", "Record", "failure", "where_of"]

MAX_ZIP_BYTES = 4_000_000_000
"""Most uncompressed bytes read from one zip (the bulk download of every study is ~2 GB)."""


def where_of(origin: RecordOrigin) -> str:
    """``path[:member][:line][#index]``: how a record and a failure are both named."""
    where = origin.path
    if origin.member is not None:
        where += f":{origin.member}"
    if origin.line is not None:
        where += f":{origin.line}"
    if origin.index is not None:
        where += f"#{origin.index}"
    return where


@dataclass(frozen=True)
class Record:
    """One registry record: its eligibility text (None when it has none) and who it is."""

    info: RecordInfo
    text: str | None
    default_section: Section = "unknown"

    @property
    def source(self) -> str:
        """The document's ``source``: the file, with the line, member or index inside it."""
        return where_of(self.info.origin)


@dataclass(frozen=True)
class ReadFailure:
    """A record or file that could not be read: where, and why in one line."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def failure(origin: RecordOrigin, message: str) -> ReadFailure:
    """A failure named like the record at ``origin`` would be, its message on one line."""
    return ReadFailure(where_of(origin), " ".join(message.split()))


@dataclass(frozen=True)
class Limits:
    """What one read may cost: bytes per record (and per zip member), bytes per zip."""

    max_bytes: int = MAX_BYTES
    max_zip_bytes: int = MAX_ZIP_BYTES
