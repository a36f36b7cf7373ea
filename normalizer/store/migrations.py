"""Versioned schema migrations of the run store.

A migration is a numbered function that creates or alters tables; the store
applies, in order, every migration newer than the highest version recorded in
``normalizer_migrations``, each in its own transaction.  Migrations are never
edited once released: a change to the schema is a new migration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection

from . import tables

__all__ = ["MIGRATIONS", "Migration"]


@dataclass(frozen=True)
class Migration:
    """One step of the schema: its number, a name, and what it does."""

    version: int
    name: str
    apply: Callable[[Connection], None]


def _runs_records_failures(conn: Connection) -> None:
    for table in (tables.runs, tables.records, tables.failures):
        table.create(conn, checkfirst=True)
    for index in tables.records.indexes:
        index.create(conn, checkfirst=True)


def _decisions(conn: Connection) -> None:
    for table in (tables.decisions, tables.decision_history):
        table.create(conn, checkfirst=True)
        for index in table.indexes:
            index.create(conn, checkfirst=True)


def _suggestions(conn: Connection) -> None:
    tables.suggestions.create(conn, checkfirst=True)
    for index in tables.suggestions.indexes:
        index.create(conn, checkfirst=True)


MIGRATIONS: list[Migration] = [
    Migration(1, "runs, records and failures", _runs_records_failures),
    Migration(2, "curator decisions and their history", _decisions),
    Migration(3, "LLM suggestions for criteria in review", _suggestions),
]
