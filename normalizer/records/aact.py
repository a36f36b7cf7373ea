"""AACT's pipe-delimited ``eligibilities.txt``: one record per row, streamed.

The header names the columns; ``nct_id`` and ``criteria`` are needed,
``gender``, ``minimum_age``, ``maximum_age``, ``healthy_volunteers`` and the
``adult``/``child``/``older_adult`` flags are read when present.  Criteria are
quoted over many lines; the record's text is the field as the csv module
unquotes it, and its origin's line is where the row starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO, Literal

from ..models import RecordInfo, RecordOrigin, RegistryFields, Section
from .base import Limits, ReadFailure, Record, failure, where_of
from .delimited import BadRow, header_of, iter_rows

__all__ = ["read_aact"]

_SEX: dict[str, Literal["all", "female", "male"]] = {
    "all": "all", "both": "all", "female": "female", "male": "male",
}
_YES = {"t", "true", "yes", "y", "accepts healthy volunteers"}
_NO = {"f", "false", "no", "n"}
_AGE_FLAGS = (("child", "CHILD"), ("adult", "ADULT"), ("older_adult", "OLDER_ADULT"))


def _age(value: str) -> str | None:
    value = value.strip()
    return None if value.upper() in ("", "N/A", "NA") else value


def _flag(value: str) -> bool | None:
    value = value.strip().lower()
    return True if value in _YES else False if value in _NO else None


def read_aact(
    handle: BinaryIO, origin: RecordOrigin, limits: Limits, default_section: Section
) -> Iterator[Record | ReadFailure]:
    """Every row of an AACT eligibilities file as a record (or a failure for that row)."""
    rows = iter_rows(handle, delimiter="|", max_bytes=limits.max_bytes, row_start=_row_start)
    fields = header_of(rows, origin)
    if isinstance(fields, ReadFailure):
        yield fields
        return
    header = [f.strip().lower() for f in fields]
    missing = [c for c in ("nct_id", "criteria") if c not in header]
    if missing:
        yield failure(origin, (
            f"not an AACT eligibilities file: the header has no {' or '.join(missing)} column"))
        return
    col = {name: i for i, name in enumerate(header)}
    k = col["nct_id"]
    seen = False
    for row in rows:
        seen = True
        at = origin.model_copy(update={"line": row.line})
        if isinstance(row, BadRow):
            yield failure(at, row.message)
            continue
        if len(row.fields) != len(header):
            lead = row.fields[k] if len(row.fields) > k else ""
            who = f"{lead}: " if lead.startswith("NCT") else ""
            yield failure(at, (f"{who}row has {len(row.fields)} fields, the header "
                               f"{len(header)} (broken quoting?)"))
            continue
        yield _record(row.fields, col, at, default_section)
    if not seen:
        yield failure(origin, "no rows after the header")


def _row_start(header: list[str]) -> re.Pattern[str] | None:
    """A row starts with its simple leading fields, then an NCT id, then '|'."""
    names = [f.strip().lower() for f in header]
    if "nct_id" not in names:
        return None
    return re.compile("^" + r"[^|\"\r\n]*\|" * names.index("nct_id") + r"NCT\d{8}\|")


def _record(
    fields: list[str], col: dict[str, int], origin: RecordOrigin, default_section: Section
) -> Record | ReadFailure:
    def get(name: str) -> str:
        i = col.get(name)
        return fields[i] if i is not None else ""

    nct_id = get("nct_id").strip() or None
    text: str | None = get("criteria")
    note = None
    if not text or not text.strip():
        text, note = None, "no eligibility criteria text (the criteria column is empty)"
    gender = get("gender").strip().lower()
    std_ages = [label for name, label in _AGE_FLAGS if _flag(get(name))]
    registry = RegistryFields(
        minimum_age=_age(get("minimum_age")),
        maximum_age=_age(get("maximum_age")),
        sex=_SEX.get(gender),
        healthy_volunteers=_flag(get("healthy_volunteers")),
        std_ages=std_ages,
    )
    info = RecordInfo(id=nct_id or where_of(origin), nct_id=nct_id, origin=origin,
                      registry=registry, note=note)
    return Record(info=info, text=text, default_section=default_section)
