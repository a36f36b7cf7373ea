"""Reading input files: one clear :class:`InputError` per file that cannot be used.

Only regular files are read (a FIFO, a device such as ``/dev/zero`` or a socket is
refused before it is opened, so it can neither hang a run nor fill its memory),
and the size is checked on the open file before its bytes are read; at most
``max_bytes + 1`` bytes are ever read, whatever the file claims.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path
from typing import BinaryIO

from .errors import InputError

__all__ = ["MAX_BYTES", "decode_source", "open_regular", "read_source"]

MAX_BYTES = 1_000_000
"""Largest input accepted by default: a registry record's criteria are a few kB."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory, not a text file"
    if stat.S_ISFIFO(mode):
        return "is a FIFO (named pipe), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


def _utf16_like(data: bytes) -> str | None:
    """'UTF-16' or 'UTF-32' when the bytes look like that encoding (BOM or NUL pattern)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    sample = data[:4096]
    if len(sample) >= 4:
        odd = sample[1::2].count(0) / max(1, len(sample[1::2]))
        even = sample[0::2].count(0) / max(1, len(sample[0::2]))
        if (odd > 0.3 and even < 0.05) or (even > 0.3 and odd < 0.05):
            return "UTF-16"
    return None


def decode_source(data: bytes, name: str) -> str:
    """Decode ``data`` as UTF-8 eligibility text or raise :class:`InputError` naming ``name``."""
    if b"\x00" in data:
        encoding = _utf16_like(data)
        if encoding is not None:
            raise InputError(
                f"{name}: looks like {encoding} text; convert it to UTF-8 "
                f"(e.g. iconv -f {encoding} -t UTF-8)"
            )
        raise InputError(f"{name}: binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    if not text.strip():
        raise InputError(f"{name}: empty file")
    return text


def _cannot(path: Path, exc: OSError) -> InputError:
    """The one-line reason an OS error gives for ``path``."""
    if isinstance(exc, FileNotFoundError):
        return InputError(f"{path}: no such file")
    if isinstance(exc, PermissionError):
        return InputError(f"{path}: permission denied")
    return InputError(f"{path}: cannot be read ({exc.strerror or exc})")


def _open_checked(path: Path) -> tuple[int, os.stat_result]:
    """A read-only descriptor of ``path`` and its stat, only when it is a regular file.

    The kind is checked before the open (a FIFO is never opened) and again on the
    descriptor (O_NONBLOCK: should the file be swapped for a FIFO after the stat,
    open does not hang).
    """
    try:
        kind = _kind(os.stat(path).st_mode)
    except OSError as exc:
        raise _cannot(path, exc) from None
    if kind is not None:
        raise InputError(f"{path}: {kind}")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise _cannot(path, exc) from None
    try:
        info = os.fstat(fd)
    except OSError as exc:
        os.close(fd)
        raise _cannot(path, exc) from None
    kind = _kind(info.st_mode)
    if kind is not None:
        os.close(fd)
        raise InputError(f"{path}: {kind}")
    return fd, info


def read_source(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """Read ``path`` as UTF-8 eligibility text, exactly as stored (no newline rewriting).

    Raises :class:`InputError` with a one-line reason for a missing file, a
    directory or other non-regular file, an unreadable, empty, oversized, binary,
    UTF-16 or non-UTF-8 file.
    """
    fd, info = _open_checked(path)
    try:
        if info.st_size > max_bytes:
            raise InputError(
                f"{path}: {info.st_size:,} bytes is larger than the {max_bytes:,}-byte limit "
                "(eligibility text is a few kB; use --max-bytes to raise it)"
            )
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise _cannot(path, exc) from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise InputError(f"{path}: larger than the {max_bytes:,}-byte limit (it grew while read)")
    return decode_source(data, str(path))


def open_regular(path: Path) -> tuple[BinaryIO, int]:
    """Open ``path`` for streaming in binary, with its size; only a regular file is opened.

    Raises :class:`InputError` as :func:`read_source` does for a missing,
    unreadable or non-regular file (checked before and after the open).
    """
    fd, info = _open_checked(path)
    return os.fdopen(fd, "rb"), info.st_size
