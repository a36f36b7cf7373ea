"""The run store: every record's document, keyed by record id, in SQLite or PostgreSQL.

``normalizer run`` writes each record's document here in one transaction, with
the record's content hash and the versions it was read with, so that a rerun
skips what is unchanged and a crash loses at most the records in flight.  The
review page and ``normalizer export`` read from the same store.

    >>> store = Store.open(":memory:")
    >>> store.schema_version()
    3

A target is a file path (SQLite, the default) or a database URL
(``postgresql://user@host/db`` for a team; ``sqlite:///path``).  The schema is
created and migrated on open (:mod:`normalizer.store.migrations`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, func, insert, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from ..errors import ConfigError
from ..models import Document
from . import tables
from .migrations import MIGRATIONS

__all__ = ["DocumentRow", "RunRow", "Store", "StoredRecord", "now", "store_url"]


def now() -> str:
    """The current time, ISO 8601 UTC to the microsecond."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def store_url(target: str | Path) -> str:
    """The SQLAlchemy URL of a store target: a path for SQLite, or a database URL."""
    text = str(target)
    if text == ":memory:":
        return "sqlite://"
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser()}"


@dataclass(frozen=True)
class StoredRecord:
    """A record's row without its document: what a rerun compares and a summary counts."""

    record_id: str
    nct_id: str | None
    content_hash: str
    versions_key: str
    criteria: int
    accepted: int
    needs_review: int
    rejected: int


@dataclass(frozen=True)
class DocumentRow:
    """A record's document already serialised (by a worker), with what the store keeps beside it.

    ``document`` is the document's JSON exactly as :meth:`Store.get_document` reads it
    back; the counts are its criteria by status.
    """

    record_id: str
    nct_id: str | None
    source: str
    content_hash: str
    versions_key: str
    document: str
    criteria: int
    accepted: int
    needs_review: int
    rejected: int
    seconds: float


@dataclass(frozen=True)
class RunRow:
    """One run as the store recorded it: when, which command, and its summary (if it ended)."""

    id: int
    started_at: str
    finished_at: str | None
    command: str
    versions: dict[str, Any]
    summary: dict[str, Any] | None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Store:
    """A run store on one database; open it with :meth:`open`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, target: str | Path) -> Store:
        """Open (creating and migrating when needed) the store at ``target``."""
        url = store_url(target)
        try:
            if url == "sqlite://":
                engine = create_engine(
                    url, poolclass=StaticPool, connect_args={"check_same_thread": False}
                )
            elif url.startswith("sqlite:"):
                path = Path(url.removeprefix("sqlite:///"))
                if not path.parent.is_dir():
                    raise ConfigError(f"store {target}: folder {path.parent} does not exist")
                engine = create_engine(url, connect_args={"timeout": 30})
            else:
                engine = create_engine(url, pool_pre_ping=True)
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
            store = cls(engine)
            store.migrate()
        except SQLAlchemyError as exc:
            reason = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["?"])[0]
            raise ConfigError(f"store {target}: cannot be opened ({reason})") from None
        return store

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # -- schema -------------------------------------------------------------------------

    def schema_version(self) -> int:
        """The highest migration applied to this store."""
        with self.engine.connect() as conn:
            value = conn.execute(select(func.max(tables.migrations_table.c.version))).scalar()
        return int(value or 0)

    def migrate(self) -> list[int]:
        """Apply every migration newer than the store's schema; return their numbers."""
        with self.engine.begin() as conn:
            tables.migrations_table.create(conn, checkfirst=True)
        applied: list[int] = []
        current = self.schema_version()
        for migration in MIGRATIONS:
            if migration.version <= current:
                continue
            with self.engine.begin() as conn:
                migration.apply(conn)
                conn.execute(
                    insert(tables.migrations_table).values(
                        version=migration.version, name=migration.name, applied_at=now()
                    )
                )
            applied.append(migration.version)
        return applied

    # -- runs ---------------------------------------------------------------------------

    def begin_run(self, command: str, versions: dict[str, Any]) -> int:
        """Record the start of a run; return its id."""
        with self.engine.begin() as conn:
            result = conn.execute(
                insert(tables.runs).values(
                    started_at=now(), command=command, versions=json.dumps(versions)
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def finish_run(self, run_id: int, summary: dict[str, Any]) -> None:
        """Record the end of a run and its summary counts."""
        with self.engine.begin() as conn:
            conn.execute(
                update(tables.runs)
                .where(tables.runs.c.id == run_id)
                .values(finished_at=now(), summary=json.dumps(summary))
            )

    def runs(self) -> list[RunRow]:
        """Every run, oldest first; ``finished_at`` is None for one that never ended (killed)."""
        c = tables.runs.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(c.id, c.started_at, c.finished_at, c.command, c.versions, c.summary)
                .order_by(c.id)
            ).all()
        return [
            RunRow(
                id=r[0], started_at=r[1], finished_at=r[2], command=r[3],
                versions=json.loads(r[4]), summary=None if r[5] is None else json.loads(r[5]),
            )
            for r in rows
        ]

    # -- records ------------------------------------------------------------------------

    def save_document(
        self,
        document: Document,
        *,
        record_id: str,
        content_hash: str,
        versions_key: str,
        seconds: float,
        run_id: int,
    ) -> None:
        """Store a record's document (replacing any earlier one) in one transaction."""
        counts = {"accepted": 0, "needs_review": 0, "rejected": 0}
        for crit in document.criteria:
            counts[crit.status] += 1
        row = {
            "record_id": record_id,
            "nct_id": document.record.nct_id if document.record else None,
            "source": document.source,
            "content_hash": content_hash,
            "versions_key": versions_key,
            "document": document.model_dump_json(),
            "criteria": len(document.criteria),
            "seconds": seconds,
            "run_id": run_id,
            "updated_at": now(),
            **counts,
        }
        with self.engine.begin() as conn:
            conn.execute(delete(tables.records).where(tables.records.c.record_id == record_id))
            conn.execute(insert(tables.records).values(**row))
            conn.execute(delete(tables.failures).where(tables.failures.c.record_id == record_id))

    def save_documents_json(self, rows: Iterable[DocumentRow], *, run_id: int) -> int:
        """Store documents serialised elsewhere (replacing earlier ones) in one transaction.

        Each record's document, hash and versions are written together, and any
        failure stored for the record (by id or by source) is cleared, so a
        record is either as before or wholly replaced.  Returns how many were written.
        """
        batch = list(rows)
        if not batch:
            return 0
        stamp = now()
        values = [
            {
                "record_id": r.record_id, "nct_id": r.nct_id, "source": r.source,
                "content_hash": r.content_hash, "versions_key": r.versions_key,
                "document": r.document, "criteria": r.criteria, "accepted": r.accepted,
                "needs_review": r.needs_review, "rejected": r.rejected, "seconds": r.seconds,
                "run_id": run_id, "updated_at": stamp,
            }
            for r in batch
        ]
        # one row per record id: the last one given wins
        values = list({v["record_id"]: v for v in values}.values())
        ids = [v["record_id"] for v in values]
        sources = [v["source"] for v in values]
        f = tables.failures.c
        with self.engine.begin() as conn:
            for start in range(0, len(ids), 500):
                part = ids[start : start + 500]
                conn.execute(delete(tables.records).where(tables.records.c.record_id.in_(part)))
                conn.execute(
                    delete(tables.failures).where(
                        or_(f.record_id.in_(part), f.where.in_(sources[start : start + 500]))
                    )
                )
            conn.execute(insert(tables.records), values)
        return len(values)

    def save_failure(
        self, where: str, message: str, *, run_id: int, record_id: str | None = None
    ) -> None:
        """Store why a record (or a file) could not be read or normalised."""
        with self.engine.begin() as conn:
            conn.execute(delete(tables.failures).where(tables.failures.c.where == where))
            conn.execute(
                insert(tables.failures).values(
                    where=where, record_id=record_id, message=message, run_id=run_id, at=now()
                )
            )

    def clear_failure(self, where: str) -> None:
        """Forget a failure (the record or file has since been read)."""
        with self.engine.begin() as conn:
            conn.execute(delete(tables.failures).where(tables.failures.c.where == where))

    def failures(self) -> list[tuple[str, str | None, str]]:
        """Every stored failure: where, record id (if known), message."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    tables.failures.c.where, tables.failures.c.record_id, tables.failures.c.message
                ).order_by(tables.failures.c.where)
            ).all()
        return [(r[0], r[1], r[2]) for r in rows]

    def stored(self, record_ids: Iterable[str] | None = None) -> dict[str, StoredRecord]:
        """Stored records' rows (no documents), by record id: all, or those of ``record_ids``.

        A batch run asks for one chunk of ids at a time, so that its memory does not
        grow with the store.
        """
        c = tables.records.c
        query = select(
            c.record_id, c.nct_id, c.content_hash, c.versions_key,
            c.criteria, c.accepted, c.needs_review, c.rejected,
        )
        with self.engine.connect() as conn:
            if record_ids is None:
                rows = list(conn.execute(query).all())
            else:
                wanted = sorted(set(record_ids))
                rows = []
                for start in range(0, len(wanted), 500):
                    part = wanted[start : start + 500]
                    rows.extend(conn.execute(query.where(c.record_id.in_(part))).all())
        return {r[0]: StoredRecord(*r) for r in rows}

    def get_document(self, record_id: str) -> Document | None:
        """The stored document of one record, as normalised (no curation applied)."""
        with self.engine.connect() as conn:
            raw = conn.execute(
                select(tables.records.c.document).where(tables.records.c.record_id == record_id)
            ).scalar()
        return None if raw is None else Document.model_validate_json(raw)

    def iter_documents(
        self, record_ids: Iterable[str] | None = None, *, batch: int = 500
    ) -> Iterator[Document]:
        """Stored documents ordered by record id, read ``batch`` at a time (memory stays flat)."""
        c = tables.records.c
        wanted = None if record_ids is None else sorted(set(record_ids))
        if wanted is not None:
            for start in range(0, len(wanted), batch):
                chunk = wanted[start : start + batch]
                with self.engine.connect() as conn:
                    rows = conn.execute(
                        select(c.document).where(c.record_id.in_(chunk)).order_by(c.record_id)
                    ).all()
                for (raw,) in rows:
                    yield Document.model_validate_json(raw)
            return
        last: str | None = None
        while True:
            query = select(c.record_id, c.document).order_by(c.record_id).limit(batch)
            if last is not None:
                query = query.where(c.record_id > last)
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
            if not rows:
                return
            for _record_id, raw in rows:
                yield Document.model_validate_json(raw)
            last = rows[-1][0]

    def count(self) -> int:
        """How many records the store holds."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(tables.records)).scalar() or 0)
