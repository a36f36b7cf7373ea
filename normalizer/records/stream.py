"""A binary stream that first gives back bytes already read (what format sniffing peeked)."""

from __future__ import annotations

import io
from typing import BinaryIO

__all__ = ["CHUNK", "prefixed"]

CHUNK = 1 << 20


class _Chain(io.RawIOBase):
    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def prefixed(head: bytes, rest: BinaryIO) -> BinaryIO:
    """``head`` then the rest of ``rest``, buffered (``read``, ``readline(limit)``)."""
    return io.BufferedReader(_Chain(head, rest), buffer_size=CHUNK)
