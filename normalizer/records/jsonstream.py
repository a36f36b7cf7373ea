"""The studies of a search page too large to decode whole, one at a time.

A byte scanner walks the page in chunks, tracking strings and nesting only: it
finds the top-level ``"studies"`` array and hands back each element's bytes
(at most ``max_item`` of them; a larger one is skipped and named), so memory
stays at about a chunk plus one study however large the page is.  Whether an
element is valid JSON is for :func:`json.loads` to say, element by element: a
malformed study fails alone.  Everything outside ``studies`` is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

__all__ = ["CHUNK", "StreamError", "iter_studies"]

CHUNK = 1 << 20

_STRUCT = re.compile(rb'[\\"{}\[\],]')
_IN_STRING = re.compile(rb'[\\"]')
_SPACE = b" \t\r\n"


class StreamError(str):
    """Why a streamed page (or one element of it) could not be read: a message."""

    __slots__ = ()


def iter_studies(
    head: bytes, handle: BinaryIO, max_item: int
) -> Iterator[tuple[int | None, bytes | StreamError]]:
    """Yield ``(index, element bytes)`` for each item of the top-level ``studies`` array.

    ``head`` is what was already read of ``handle``.  Problems come as
    ``(index or None, StreamError)``: an element over ``max_item`` bytes, a page
    that ends early, a document that is not an object or has no ``studies``.
    """
    chunk = head
    base = 0  # global offset of chunk[0]
    depth = 0
    in_string = False
    skip_to = 0  # a backslash escapes the next byte: resume scanning there (global)
    expect_key = False  # at depth 1, after '{' or ','
    key_start: int | None = None
    key_parts: list[bytes] = []
    key: bytes | None = None
    found = False
    in_array = False  # inside the top-level studies array (depth 2)
    index = 0
    item_start: int | None = None  # global offset of the current element's '{'
    item_parts: list[bytes] = []
    item_size = 0
    oversized = False
    slot_dirty = False  # a non-object value sits in the current array slot
    started = False
    while True:
        if not chunk:
            chunk = handle.read(CHUNK)
            if not chunk:
                break
        pos = 0
        if not started:
            stripped = chunk.lstrip(_SPACE)
            if not stripped:
                base += len(chunk)
                chunk = b""
                continue
            if stripped[:1] != b"{":
                yield None, StreamError("not a JSON object")
                return
            started = True
        if skip_to > base:
            pos = min(skip_to - base, len(chunk))
        while pos < len(chunk):
            match = (_IN_STRING if in_string else _STRUCT).search(chunk, pos)
            if match is None:
                if in_array and item_start is None and not slot_dirty:
                    slot_dirty = bool(chunk[pos:].strip(_SPACE))
                break
            at = match.start()
            byte = chunk[at]
            if (in_array and item_start is None and depth == 2 and not in_string
                    and chunk[pos:at].strip(_SPACE)):
                slot_dirty = True
            pos = at + 1
            if byte == 0x5C:  # backslash: skip the escaped byte
                pos = at + 2
                skip_to = base + pos
                continue
            if byte == 0x22:  # quote
                if in_string:
                    in_string = False
                    if key_start is not None:
                        key_parts.append(chunk[max(0, key_start - base) : at])
                        key = b"".join(key_parts)
                        key_start, key_parts = None, []
                else:
                    in_string = True
                    if depth == 1 and expect_key:
                        expect_key = False
                        key_start, key_parts = base + at + 1, []
                    elif in_array and depth == 2 and item_start is None:
                        slot_dirty = True
                continue
            if byte in (0x7B, 0x5B):  # { [
                depth += 1
                if depth == 1:
                    expect_key = byte == 0x7B
                elif depth == 2 and byte == 0x5B and key == b"studies" and not found:
                    found = in_array = True
                elif depth == 3 and in_array and item_start is None:
                    if byte == 0x5B:
                        slot_dirty = True
                    else:
                        item_start, item_parts, item_size = base + at, [], 0
                        oversized = False
                continue
            if byte in (0x7D, 0x5D):  # } ]
                depth -= 1
                if depth == 2 and item_start is not None:
                    if not oversized:
                        piece = chunk[max(0, item_start - base) : at + 1]
                        item_size += len(piece)
                        if item_size <= max_item:
                            yield index, b"".join([*item_parts, piece])
                        else:
                            oversized = True
                    if oversized:
                        yield index, StreamError(
                            f"study larger than the {max_item:,}-byte limit"
                        )
                    item_start, item_parts = None, []
                    index += 1
                    slot_dirty = False
                elif depth == 1 and in_array:
                    if slot_dirty:
                        yield index, StreamError("not a study object")
                        index += 1
                    in_array = slot_dirty = False
                elif depth == 0:
                    if not found:
                        yield None, StreamError("no 'studies' array")
                    elif index == 0:
                        yield None, StreamError("a search page with no studies")
                    return
                continue
            if byte == 0x2C:  # comma
                if depth == 1:
                    expect_key = True
                elif depth == 2 and in_array:
                    if slot_dirty:
                        yield index, StreamError("not a study object")
                        index += 1
                    slot_dirty = False
        # the chunk is spent: keep what the current element or key still needs
        if item_start is not None and not oversized:
            piece = chunk[max(0, item_start - base) :]
            item_size += len(piece)
            if item_size > max_item:
                oversized, item_parts = True, []
            else:
                item_parts.append(piece)
        if key_start is not None:
            key_parts.append(chunk[max(0, key_start - base) :][:64])
        base += len(chunk)
        chunk = b""
    where = f"inside study #{index}" if item_start is not None else "before its end"
    yield (index if item_start is not None else None), StreamError(
        f"truncated JSON: the document ends {where}"
    )
