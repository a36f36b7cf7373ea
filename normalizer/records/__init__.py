"""Registry records in: every input format yields :class:`Record` or :class:`ReadFailure`.

A reader turns what a curator has (plain text files, ClinicalTrials.gov API v2
JSON, AACT's ``eligibilities.txt``, CSV) into records: the eligibility text
exactly as the registry stores it (spans index into it) and a
:class:`~normalizer.models.RecordInfo` that says which record it is.  A record
that cannot be read is a :class:`ReadFailure` with a one-line message naming
it, keyed like a record (``path[:member][:line][#index]``); the stream goes on
with the next record.  Readers stream: nothing is loaded whole that could be
large.

Modules: :mod:`.inputs` (``-``, ``@list``, directories), :mod:`.detect` (which
reader), :mod:`.text`, :mod:`.ctgov` (+ :mod:`.jsonstream` for large pages),
:mod:`.zipped`, :mod:`.aact`, :mod:`.table` (CSV, on :mod:`.delimited`), and
:mod:`.synth` (synthetic studies for benchmarks).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, cast

from ..errors import InputError
from ..io import MAX_BYTES, open_regular
from ..models import RecordOrigin, Section
from .aact import read_aact
from .base import MAX_ZIP_BYTES, Limits, ReadFailure, Record, failure
from .ctgov import read_json, read_jsonl
from .detect import FORMATS, InputFormat, detect
from .inputs import STDIN, expand
from .stream import prefixed
from .table import read_csv
from .text import read_text
from .zipped import read_zip

__all__ = ["FORMATS", "MAX_ZIP_BYTES", "InputFormat", "ReadFailure", "Record", "read_records"]

_SNIFF = 1 << 16


def _strip_name(message: str, name: str) -> str:
    return message[len(name) + 2 :] if message.startswith(name + ": ") else message


def _read_one(
    name: str, input_format: InputFormat, limits: Limits, default_section: Section,
    text_column: str | None, id_column: str | None, stdin: BinaryIO | None,
) -> Iterator[Record | ReadFailure]:
    origin = RecordOrigin(path=name)
    size: int | None
    if name == STDIN:
        raw = stdin if stdin is not None else sys.stdin.buffer
        size = None
    else:
        try:
            raw, size = open_regular(Path(name))
        except InputError as exc:
            yield failure(origin, _strip_name(str(exc), name))
            return
    try:
        try:
            head = raw.read(_SNIFF)
        except OSError as exc:
            yield failure(origin, f"cannot be read ({exc.strerror or exc})")
            return
        kind = detect("" if name == STDIN else name, head, input_format)
        if kind == "zip":
            if name == STDIN:
                yield failure(origin, "a zip cannot be read from standard input: give its path")
                return
            yield from read_zip(Path(name), name, limits, default_section)
            return
        handle = prefixed(head, raw)
        if kind == "text":
            yield read_text(handle, size, origin, limits, default_section)
        elif kind == "json":
            yield from read_json(handle, size, origin, limits, default_section)
        elif kind == "jsonl":
            yield from read_jsonl(handle, origin, limits, default_section)
        elif kind == "aact":
            yield from read_aact(handle, origin, limits, default_section)
        else:
            yield from read_csv(handle, origin, limits, default_section,
                                text_column=text_column, id_column=id_column)
    except OSError as exc:
        yield failure(origin, f"cannot be read ({exc.strerror or exc})")
    finally:
        if name != STDIN:
            raw.close()


def read_records(
    inputs: Sequence[str],
    *,
    input_format: str = "auto",
    glob: str = "*",
    max_bytes: int = MAX_BYTES,
    default_section: Section = "unknown",
    text_column: str | None = None,
    id_column: str | None = None,
    max_zip_bytes: int = MAX_ZIP_BYTES,
    stdin: BinaryIO | None = None,
) -> Iterator[Record | ReadFailure]:
    """Yield the records of every input, in order, or a failure for each unreadable one.

    ``inputs`` are as a user gives them: files, directories (every file under it
    matching ``glob``, sorted), ``-`` (standard input, or ``stdin``), ``@list``.
    ``input_format`` is ``auto`` (by extension and content), ``text``,
    ``ctgov`` (API v2 JSON, JSON Lines or a zip of them), ``aact`` or ``csv``.
    ``max_bytes`` bounds one record (a text file, a JSON study or line, a zip
    member, a CSV field); ``max_zip_bytes`` what one zip may decompress to.
    """
    if input_format not in FORMATS:
        raise ValueError(f"input_format must be one of {', '.join(FORMATS)}, not {input_format!r}")
    fmt = cast(InputFormat, input_format)
    limits = Limits(max_bytes=max_bytes, max_zip_bytes=max_zip_bytes)
    for item in expand(inputs, glob):
        if isinstance(item, ReadFailure):
            yield item
            continue
        yield from _read_one(item, fmt, limits, default_section, text_column, id_column, stdin)
