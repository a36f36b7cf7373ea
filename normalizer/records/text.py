"""Plain text: one record per file (or standard input), its whole text as stored."""

from __future__ import annotations

from typing import BinaryIO

from ..errors import InputError
from ..io import decode_source
from ..models import RecordInfo, RecordOrigin, Section
from .base import Limits, ReadFailure, Record, failure, where_of

__all__ = ["read_text"]


def read_text(
    handle: BinaryIO, size: int | None, origin: RecordOrigin, limits: Limits,
    default_section: Section,
) -> Record | ReadFailure:
    """The stream's UTF-8 text as one record whose id is where it came from."""
    name = origin.path
    if size is not None and size > limits.max_bytes:
        return failure(origin, (
            f"{size:,} bytes is larger than the {limits.max_bytes:,}-byte limit "
            "(eligibility text is a few kB; use --max-bytes to raise it)"))
    data = handle.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        return failure(origin, f"larger than the {limits.max_bytes:,}-byte limit")
    try:
        text = decode_source(data, name)
    except InputError as exc:
        message = str(exc)
        if message.startswith(name + ": "):
            message = message[len(name) + 2 :]
        return failure(origin, message)
    info = RecordInfo(id=where_of(origin), origin=origin)
    return Record(info=info, text=text, default_section=default_section)
