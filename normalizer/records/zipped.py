"""A zip of studies (ClinicalTrials.gov's bulk download: one JSON per study), read safely.

Members are read in archive order, streaming, and never extracted.  Limits hold
whatever the headers claim: a ``.json`` or ``.txt`` member is at most
``max_bytes`` (checked in its header, then on the bytes actually decompressed);
a ``.jsonl`` member is streamed line by line; all members together decompress
to at most ``max_zip_bytes``, after which the rest of the archive is not read.
A corrupt member fails alone; a truncated or corrupt archive is one failure.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from ..models import RecordOrigin, Section
from .base import Limits, ReadFailure, Record, failure
from .ctgov import read_json, read_jsonl
from .text import read_text

__all__ = ["read_zip"]

_MEMBER_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError,
                  RuntimeError, ValueError, OSError)


class _Exceeded(Exception):
    """The archive decompressed to more than its limit."""


class _Counted(io.RawIOBase):
    """A member's stream that counts decompressed bytes against the archive's budget."""

    def __init__(self, member: IO[bytes], budget: list[int]) -> None:
        self._member = member
        self._budget = budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._member.read(len(buffer))
        self._budget[0] -= len(data)
        if self._budget[0] < 0:
            raise _Exceeded
        buffer[: len(data)] = data
        return len(data)


def _member_records(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, origin: RecordOrigin, limits: Limits,
    budget: list[int], default_section: Section,
) -> Iterator[Record | ReadFailure]:
    name = info.filename.lower()
    streamed = name.endswith((".jsonl", ".ndjson"))
    if not streamed and not name.endswith((".json", ".txt")):
        yield failure(origin, "not a .json, .jsonl or .txt member (not read)")
        return
    if info.flag_bits & 0x1:
        yield failure(origin, "encrypted member (not read)")
        return
    if not streamed and info.file_size > limits.max_bytes:
        yield failure(origin, (
            f"member of {info.file_size:,} bytes (uncompressed) is larger than the "
            f"{limits.max_bytes:,}-byte limit"))
        return
    with archive.open(info) as raw:
        stream = io.BufferedReader(_Counted(raw, budget), buffer_size=1 << 16)
        if streamed:
            yield from read_jsonl(stream, origin, limits, default_section)
            return
        data = stream.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        yield failure(origin, (
            f"member decompresses to more than the {limits.max_bytes:,}-byte limit "
            f"(its header says {info.file_size:,})"))
        return
    if name.endswith(".txt"):
        yield read_text(io.BytesIO(data), len(data), origin, limits, default_section)
    else:
        yield from read_json(io.BytesIO(data), len(data), origin, limits, default_section)


def read_zip(
    path: Path, given: str, limits: Limits, default_section: Section
) -> Iterator[Record | ReadFailure]:
    """Every study in the zip at ``path`` (named ``given``), member by member."""
    top = RecordOrigin(path=given)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        yield failure(top, f"not a readable zip (truncated or corrupt: {exc})")
        return
    budget = [limits.max_zip_bytes]
    read = 0
    with archive:
        try:
            members = [i for i in archive.infolist() if not i.is_dir()]
        except _MEMBER_ERRORS as exc:  # pragma: no cover - infolist is read at open
            yield failure(top, f"not a readable zip ({exc})")
            return
        for info in members:
            origin = RecordOrigin(path=given, member=info.filename)
            read += 1
            try:
                yield from _member_records(
                    archive, info, origin, limits, budget, default_section
                )
            except _Exceeded:
                yield failure(origin, (
                    f"the archive decompresses to more than {limits.max_zip_bytes:,} bytes "
                    "(a zip bomb?): this member and the rest were not read"))
                return
            except _MEMBER_ERRORS as exc:
                yield failure(origin, f"corrupt member ({type(exc).__name__}: {exc})")
    if not read:
        yield failure(top, "a zip with no files")
