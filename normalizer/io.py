"""Reading input files: one clear :class:`InputError` per file that cannot be used."""

from __future__ import annotations

from pathlib import Path

from .errors import InputError

__all__ = ["MAX_BYTES", "read_source"]

MAX_BYTES = 1_000_000
"""Largest input accepted by default: a registry record's criteria are a few kB."""


def read_source(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """Read ``path`` as UTF-8 eligibility text, exactly as stored (no newline rewriting).

    Raises :class:`InputError` with a one-line reason for a missing file, a
    directory, an unreadable, empty, oversized, binary or non-UTF-8 file.
    """
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a text file")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"{path}: {size:,} bytes is larger than the {max_bytes:,}-byte limit "
                "(eligibility text is a few kB; use --max-bytes to raise it)"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if b"\x00" in data:
        raise InputError(f"{path}: binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    if not text.strip():
        raise InputError(f"{path}: empty file")
    return text
