"""The run store's tables (SQLAlchemy Core, portable between SQLite and PostgreSQL).

Every table belongs to a numbered migration in :mod:`normalizer.store.migrations`;
this module only declares them.  JSON is stored as text so that one schema
serves both databases.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = [
    "decision_history",
    "decisions",
    "failures",
    "metadata",
    "migrations_table",
    "records",
    "runs",
    "suggestions",
]

metadata = MetaData()

migrations_table = Table(
    "normalizer_migrations",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("applied_at", String(40), nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", String(40), nullable=False),
    Column("finished_at", String(40)),
    Column("command", Text, nullable=False),
    Column("versions", Text, nullable=False, doc="JSON: the versions the run read with."),
    Column("summary", Text, doc="JSON: counts at the end of the run."),
)

records = Table(
    "records",
    metadata,
    Column("record_id", String(400), primary_key=True),
    Column("nct_id", String(40)),
    Column("source", Text, nullable=False),
    Column("content_hash", String(64), nullable=False, doc="sha256 of the record as read."),
    Column("versions_key", String(64), nullable=False, doc="sha256 of the versions read with."),
    Column("document", Text, nullable=False, doc="The document JSON, as normalised."),
    Column("criteria", Integer, nullable=False),
    Column("accepted", Integer, nullable=False),
    Column("needs_review", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("seconds", Float, nullable=False, doc="Time spent normalising the record."),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("updated_at", String(40), nullable=False),
)
Index("records_nct_id", records.c.nct_id)

failures = Table(
    "failures",
    metadata,
    Column("where_", String(600), primary_key=True, key="where"),
    Column("record_id", String(400)),
    Column("message", Text, nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("at", String(40), nullable=False),
)

# -- migration 2: curator decisions ------------------------------------------------------

decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", String(400), nullable=False),
    Column("criterion_hash", String(64), nullable=False, doc="sha256 of the criterion text."),
    Column("slot", String(300), nullable=False, doc="What in the criterion is decided on."),
    Column("criterion_text", Text, nullable=False, doc="The criterion text when decided."),
    Column("evidence_text", Text, doc="The evidence text decided on (null: the criterion)."),
    Column("evidence_start", Integer, doc="Offset of the evidence in the criterion text."),
    Column("evidence_end", Integer),
    Column("action", String(20), nullable=False),
    Column("constraint_json", Text, doc="JSON: the corrected or added constraint."),
    Column("original_json", Text, doc="JSON: the constraint as read when decided."),
    Column("curator", String(200), nullable=False),
    Column("at", String(40), nullable=False),
    Column("note", Text),
    Column("suggested_by", String(40)),
    Column("version", Integer, nullable=False, doc="Optimistic lock: +1 on every change."),
    Column("undone", Boolean, nullable=False, doc="Withdrawn by undo (kept, never deleted)."),
    UniqueConstraint("record_id", "criterion_hash", "slot", name="decisions_key"),
)
Index("decisions_record_id", decisions.c.record_id)

decision_history = Table(
    "decision_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("decision_id", Integer, ForeignKey("decisions.id"), nullable=False),
    Column("record_id", String(400), nullable=False),
    Column("version", Integer, nullable=False, doc="The decision's version after the change."),
    Column("change", String(20), nullable=False, doc="decide or undo."),
    Column("curator", String(200), nullable=False),
    Column("at", String(40), nullable=False),
    Column("before_json", Text, doc="JSON: the decision before (null: there was none)."),
    Column("after_json", Text, nullable=False, doc="JSON: the decision after."),
)
Index("decision_history_record_id", decision_history.c.record_id)

# -- migration 3: LLM suggestions -------------------------------------------------------

suggestions = Table(
    "suggestions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", String(400), nullable=False),
    Column("criterion_hash", String(64), nullable=False, doc="sha256 of the criterion text."),
    Column("criterion_text", Text, nullable=False),
    Column("suggested_by", String(200), nullable=False, doc="llm:<model> that read it."),
    Column("prompt_id", String(200)),
    Column("status", String(20), nullable=False, doc="The suggestion's verification status."),
    Column("constraints_json", Text, nullable=False,
           doc="JSON: the constraints, evidence relative to criterion_text."),
    Column("findings_json", Text, nullable=False, doc="JSON: its verification findings."),
    Column("at", String(40), nullable=False),
    UniqueConstraint("record_id", "criterion_hash", name="suggestions_key"),
)
Index("suggestions_record_id", suggestions.c.record_id)
