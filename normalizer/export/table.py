"""One row per exported constraint: CSV and Parquet, typed by one pyarrow schema.

The schema (:data:`SCHEMA`) is the single statement of the columns and their
types: Parquet is written with it, CSV is written and read back by it.  Booleans
stay booleans, empty is null (an empty CSV cell; never ``""`` in Parquet), lists
are lists in Parquet and ``;``-joined in CSV.  A CSV text cell that a spreadsheet
would run as a formula (starting with ``= + - @``, a tab or a carriage return) is
prefixed with ``'``, as is a cell that starts with ``'`` itself, so that reading
back strips exactly one ``'`` and loses nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..catalog import load_catalog
from .selection import Reading, RecordExport

__all__ = [
    "SCHEMA",
    "read_csv",
    "read_parquet",
    "readings_of_rows",
    "rows_of",
    "write_csv",
    "write_parquet",
]

SCHEMA = pa.schema(
    [
        pa.field("record_id", pa.string(), nullable=False),
        pa.field("nct_id", pa.string()),
        pa.field("record_complete", pa.bool_(), nullable=False),
        pa.field("open_criteria", pa.int32(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("criterion_id", pa.string(), nullable=False),
        pa.field("section", pa.string(), nullable=False),
        pa.field("criterion_text", pa.string(), nullable=False),
        pa.field("criterion_status", pa.string(), nullable=False),
        pa.field("criterion_any_of", pa.bool_(), nullable=False),
        pa.field("criterion_alternative", pa.string()),
        pa.field("constraint_index", pa.int32(), nullable=False),
        pa.field("variable", pa.string(), nullable=False),
        pa.field("label", pa.string(), nullable=False),
        pa.field("loinc", pa.string()),
        pa.field("lower_value", pa.float64()),
        pa.field("lower_inclusive", pa.bool_()),
        pa.field("upper_value", pa.float64()),
        pa.field("upper_inclusive", pa.bool_()),
        pa.field("unit", pa.string()),
        pa.field("relative_to", pa.string()),
        pa.field("qualifier", pa.string()),
        pa.field("canonical_lower", pa.float64()),
        pa.field("canonical_upper", pa.float64()),
        pa.field("canonical_unit", pa.string()),
        pa.field("status", pa.string(), nullable=False),
        pa.field("finding_codes", pa.list_(pa.string()), nullable=False),
        pa.field("decision", pa.string()),
        pa.field("curator", pa.string()),
        pa.field("decided_at", pa.string()),
        pa.field("evidence_start", pa.int32(), nullable=False),
        pa.field("evidence_end", pa.int32(), nullable=False),
        pa.field("evidence_text", pa.string(), nullable=False),
        pa.field("extracted_by", pa.list_(pa.string()), nullable=False),
    ]
)
COLUMNS = SCHEMA.names
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def _tuples(exports: Iterable[RecordExport]) -> Iterator[tuple[Any, ...]]:
    """The rows as tuples in :data:`COLUMNS` order (what the writers use: no dict per row)."""
    loinc = {v.id: v.loinc for v in load_catalog().variables}
    for export in exports:
        record = (
            export.record_id,
            export.nct_id,
            export.complete,
            len(export.open_criteria),
            export.document.source,
        )
        for sel in export.constraints:
            c, crit, decision = sel.constraint, sel.criterion, sel.decision
            lo, hi, canon = c.lower, c.upper, c.canonical
            yield (
                *record,
                crit.id,
                crit.section,
                crit.text,
                crit.status,
                crit.any_of,
                crit.alternative,
                sel.index,
                c.variable,
                c.label,
                loinc.get(c.variable),
                lo.value if lo else None,
                lo.inclusive if lo else None,
                hi.value if hi else None,
                hi.inclusive if hi else None,
                c.unit,
                c.relative_to,
                c.qualifier,
                canon.lower if canon else None,
                canon.upper if canon else None,
                canon.unit if canon else None,
                sel.status,
                sel.finding_codes,
                decision.action if decision else None,
                decision.curator if decision else None,
                decision.at if decision else None,
                c.evidence[0],
                c.evidence[1],
                sel.evidence_text,
                list(c.extracted_by),
            )


def rows_of(exports: Iterable[RecordExport]) -> Iterator[dict[str, Any]]:
    """The rows of every exported constraint, as Python values typed as :data:`SCHEMA`."""
    for values in _tuples(exports):
        yield dict(zip(COLUMNS, values, strict=True))


# -- Parquet ------------------------------------------------------------------------------


def _table(rows: list[tuple[Any, ...]]) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in COLUMNS]
    return pa.Table.from_arrays(
        [pa.array(col, type=f.type) for col, f in zip(columns, SCHEMA, strict=True)], schema=SCHEMA
    )


def write_parquet(
    exports: Iterable[RecordExport], target: str | Path | IO[bytes], *, batch: int = 20_000
) -> int:
    """Write the rows to a Parquet file in batches (memory stays flat); return the row count."""
    count = 0
    with pq.ParquetWriter(target, SCHEMA) as writer:
        chunk: list[tuple[Any, ...]] = []
        for row in _tuples(exports):
            chunk.append(row)
            if len(chunk) >= batch:
                writer.write_table(_table(chunk))
                count += len(chunk)
                chunk = []
        if chunk or count == 0:
            writer.write_table(_table(chunk))
            count += len(chunk)
    return count


def read_parquet(source: str | Path | IO[bytes]) -> list[dict[str, Any]]:
    """The rows of a Parquet export, as Python values."""
    rows: list[dict[str, Any]] = pq.read_table(source).to_pylist()
    return rows


# -- CSV ----------------------------------------------------------------------------------


def _text(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _float(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _writer_for(kind: pa.DataType) -> Callable[[Any], str]:
    """How one column's non-null values become CSV cells."""
    if pa.types.is_boolean(kind):
        return lambda v: "true" if v else "false"
    if pa.types.is_floating(kind):
        return lambda v: _float(float(v))
    if pa.types.is_integer(kind):
        return lambda v: str(int(v))
    if pa.types.is_list(kind):
        return lambda v: _text(";".join(v))
    return lambda v: _text(str(v))


def write_csv(exports: Iterable[RecordExport], target: IO[str]) -> int:
    """Write the rows as CSV (header first); return the row count."""
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(COLUMNS)
    cells = [(f.name, _writer_for(f.type)) for f in SCHEMA]
    count = 0
    for row in _tuples(exports):
        writer.writerow(
            ["" if v is None else cell(v) for v, (_, cell) in zip(row, cells, strict=True)]
        )
        count += 1
    return count


def _value(text: str, kind: pa.DataType, nullable: bool) -> Any:
    if pa.types.is_list(kind):
        text = text[1:] if text.startswith("'") else text
        return text.split(";") if text else []
    if text == "" and nullable:
        return None
    if pa.types.is_boolean(kind):
        if text not in ("true", "false"):
            raise ValueError(f"not a boolean: {text!r}")
        return text == "true"
    if pa.types.is_floating(kind):
        return float(text)
    if pa.types.is_integer(kind):
        return int(text)
    return text[1:] if text.startswith("'") else text


def read_csv(source: IO[str] | str | Path) -> list[dict[str, Any]]:
    """The rows of a CSV export, typed by :data:`SCHEMA` (the inverse of :func:`write_csv`)."""
    if isinstance(source, str | Path):
        with open(source, encoding="utf-8", newline="") as handle:
            return read_csv(handle)
    reader = csv.reader(source)
    header = next(reader, None)
    if header != COLUMNS:
        raise ValueError("not a normalizer CSV export (the header differs)")
    fields = list(SCHEMA)
    return [
        {f.name: _value(text, f.type, f.nullable) for f, text in zip(fields, cells, strict=True)}
        for cells in reader
    ]


def readings_of_rows(rows: Iterable[dict[str, Any]]) -> list[Reading]:
    """The constraints rows state, for comparison with what was exported."""
    out: list[Reading] = []
    for row in rows:
        lower = None if row["lower_value"] is None else (row["lower_value"], row["lower_inclusive"])
        upper = None if row["upper_value"] is None else (row["upper_value"], row["upper_inclusive"])
        out.append(
            Reading(
                record_id=row["record_id"],
                criterion_id=row["criterion_id"],
                section=row["section"],
                variable=row["variable"],
                lower=lower,
                upper=upper,
                unit=row["unit"],
                relative_to=row["relative_to"],
                qualifier=row["qualifier"],
            )
        )
    return out


def csv_text(exports: Iterable[RecordExport]) -> str:
    """The CSV export as one string (tests, small exports)."""
    buffer = io.StringIO()
    write_csv(exports, buffer)
    return buffer.getvalue()
