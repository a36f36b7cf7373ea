"""CSV with a column of eligibility text: one record per row, streamed.

``text_column`` and ``id_column`` name the columns (case and a leading ``#``
ignored); by default they are guessed from the header (``eligibility_criteria``,
``criteria``, ``text``...; ``nct_id``, ``id``...).  ``title`` and
``conditions`` (``|``-separated) are read when present.  A repeated header row
(two CSVs joined) is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from ..models import RecordInfo, RecordOrigin, Section
from .base import Limits, ReadFailure, Record, failure, where_of
from .delimited import BadRow, header_of, iter_rows

__all__ = ["ID_COLUMNS", "TEXT_COLUMNS", "read_csv"]

TEXT_COLUMNS = ("eligibility_criteria", "eligibilitycriteria", "criteria", "eligibility",
                "criteria_text", "text")
ID_COLUMNS = ("nct_id", "nctid", "nct", "record_id", "id")


def _name(field: str) -> str:
    return field.strip().lstrip("\ufeff").lstrip("#").strip().lower()


def _pick(header: list[str], wanted: str | None, guesses: tuple[str, ...]) -> int | None:
    names = [_name(f) for f in header]
    if wanted is not None:
        key = _name(wanted)
        return names.index(key) if key in names else None
    for guess in guesses:
        if guess in names:
            return names.index(guess)
    return None


def read_csv(
    handle: BinaryIO, origin: RecordOrigin, limits: Limits, default_section: Section,
    *, text_column: str | None = None, id_column: str | None = None,
) -> Iterator[Record | ReadFailure]:
    """Every row of a CSV file as a record of its text column (or a failure for that row)."""
    def row_start(header: list[str]) -> re.Pattern[str] | None:
        k = _pick(header, id_column, ID_COLUMNS)
        if k is None or "nct" not in _name(header[k]):
            return None
        return re.compile("^" + r'(?:"[^"\r\n]*"|[^,"\r\n]*),' * k + r'"?NCT\d{8}"?(,|$)')

    rows = iter_rows(handle, delimiter=",", max_bytes=limits.max_bytes, row_start=row_start)
    fields = header_of(rows, origin)
    if isinstance(fields, ReadFailure):
        yield fields
        return
    header = fields
    text_at = _pick(header, text_column, TEXT_COLUMNS)
    if text_at is None:
        asked = f"no column {text_column!r}" if text_column else (
            "no column of eligibility text (give --text-column)")
        yield failure(origin, f"{asked}; the header is {', '.join(map(_name, header))}")
        return
    id_at = _pick(header, id_column, ID_COLUMNS)
    if id_column is not None and id_at is None:
        yield failure(origin, f"no column {id_column!r}; the header is "
                              f"{', '.join(map(_name, header))}")
        return
    title_at = _pick(header, None, ("title", "brief_title"))
    cond_at = _pick(header, None, ("conditions", "condition"))
    seen = False
    for row in rows:
        at = origin.model_copy(update={"line": row.line})
        if isinstance(row, BadRow):
            seen = True
            yield failure(at, row.message)
            continue
        if row.fields == header or not any(f.strip() for f in row.fields):
            continue
        seen = True
        if len(row.fields) != len(header):
            yield failure(at, f"row has {len(row.fields)} fields, the header {len(header)}")
            continue
        record_id = row.fields[id_at].strip() if id_at is not None else ""
        nct_id = record_id if re.fullmatch(r"NCT\d{8}", record_id) else None
        text: str | None = row.fields[text_at]
        note = None
        if not text or not text.strip():
            column = _name(header[text_at])
            text, note = None, f"no eligibility criteria text (column {column!r} is empty)"
        conditions = (
            [c.strip() for c in row.fields[cond_at].split("|") if c.strip()]
            if cond_at is not None else []
        )
        info = RecordInfo(
            id=record_id or where_of(at), nct_id=nct_id,
            title=row.fields[title_at].strip() or None if title_at is not None else None,
            conditions=conditions, origin=at, note=note,
        )
        yield Record(info=info, text=text, default_section=default_section)
    if not seen:
        yield failure(origin, "no rows after the header")
