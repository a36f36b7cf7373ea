"""LLM suggestions: the LLM's reading of a criterion in review, beside the rules' reading.

A suggestion is what an LLM reads in one criterion, verified exactly like any
reading (its own status and findings), stored in the run store's ``suggestions``
table (migration 3), keyed by the record id and the sha256 of the criterion's text.
A suggestion is never applied to a document: it becomes part of the curated result
only when a curator takes it (:func:`take`), which saves an ordinary decision
(``correct`` of the rules' constraint on the same words, else ``add``) with
``suggested_by`` recorded.

    >>> from normalizer.store import Store
    >>> store = Store.open(":memory:")
    >>> suggestions_for(store, "NCT00000001")
    {}

``suggest_store(store, reader)`` (``normalizer suggest --store S``) reads, in advance,
every criterion the queue holds that has no suggestion for its current text; the
review page asks for one on demand when it has an endpoint.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select

from ..extract.base import CriterionInput, Extractor
from ..models import Constraint, Criterion, Finding, Status
from ..store import Store, now, tables
from .decisions import DecisionRow, criterion_hash, decide

__all__ = [
    "SuggestCounts",
    "Suggestion",
    "read_suggestion",
    "save_suggestion",
    "suggest_store",
    "suggestions_for",
    "take",
]

MAX_BY = 40
"""Characters kept of ``suggested_by`` (the decisions table holds 40)."""


@dataclass(frozen=True)
class Suggestion:
    """A stored suggestion.  Its constraints' evidence is relative to ``criterion_text``."""

    record_id: str
    criterion_hash: str
    criterion_text: str
    suggested_by: str
    prompt_id: str | None
    status: Status
    constraints: list[Constraint]
    findings: list[Finding]
    at: str


def read_suggestion(reader: Extractor, crit: Criterion) -> Criterion:
    """The reader's verified reading of ``crit`` alone (offsets into its text)."""
    from ..pipeline import read_criteria

    [read] = read_criteria(
        [CriterionInput(crit.id, crit.section, crit.text, 0)], [crit.text], reader
    )
    return read


def save_suggestion(
    store: Store, record_id: str, read: Criterion, *, suggested_by: str,
    prompt_id: str | None = None,
) -> Suggestion:
    """Store ``read`` (a :func:`read_suggestion`) as the suggestion for its criterion."""
    chash = criterion_hash(read.text)
    row = {
        "record_id": record_id,
        "criterion_hash": chash,
        "criterion_text": read.text,
        "suggested_by": suggested_by[:MAX_BY],
        "prompt_id": prompt_id,
        "status": read.status,
        "constraints_json": json.dumps([c.model_dump(mode="json") for c in read.constraints]),
        "findings_json": json.dumps([f.model_dump(mode="json") for f in read.findings]),
        "at": now(),
    }
    t = tables.suggestions
    with store.engine.begin() as conn:
        conn.execute(delete(t).where(t.c.record_id == record_id, t.c.criterion_hash == chash))
        conn.execute(insert(t).values(**row))
    return _suggestion(row)


def _suggestion(m: Mapping[Any, Any]) -> Suggestion:
    return Suggestion(
        record_id=str(m["record_id"]),
        criterion_hash=str(m["criterion_hash"]),
        criterion_text=str(m["criterion_text"]),
        suggested_by=str(m["suggested_by"]),
        prompt_id=m["prompt_id"],
        status=m["status"],
        constraints=[Constraint.model_validate(c) for c in json.loads(m["constraints_json"])],
        findings=[Finding.model_validate(f) for f in json.loads(m["findings_json"])],
        at=str(m["at"]),
    )


def suggestions_for(store: Store, record_id: str) -> dict[str, Suggestion]:
    """The record's suggestions by criterion hash (only texts still in a document matter)."""
    t = tables.suggestions
    with store.engine.connect() as conn:
        rows = conn.execute(select(t).where(t.c.record_id == record_id)).all()
    return {r._mapping["criterion_hash"]: _suggestion(r._mapping) for r in rows}


def _shifted(c: Constraint, base: int) -> Constraint:
    start, end = c.evidence
    return c.model_copy(update={"evidence": (start + base, end + base), "decided_by": None})


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def take(
    store: Store, record_id: str, crit: Criterion, suggestion: Suggestion, index: int, *,
    curator: str, note: str | None = None,
) -> DecisionRow:
    """Take constraint ``index`` of ``suggestion`` for ``crit`` (as shown): a decision.

    Where the rules read a constraint on the same variable over the same words, the
    decision corrects it to the suggestion; otherwise the suggestion is added.
    """
    from .decisions import DecisionError

    if suggestion.criterion_hash != criterion_hash(crit.text):
        raise DecisionError(
            f"the suggestion for {crit.id} was read from another text: ask for a new one"
        )
    if not 0 <= index < len(suggestion.constraints):
        raise DecisionError(f"{crit.id}: the suggestion has no constraint {index}")
    wanted = _shifted(suggestion.constraints[index], crit.span[0])
    target = next(
        (
            n for n, c in enumerate(crit.constraints)
            if c.variable == wanted.variable and _overlaps(c.evidence, wanted.evidence)
            and (c.decided_by is None or c.decided_by.action != "add")
        ),
        None,
    )
    current = crit.constraints[target].decided_by if target is not None else None
    return decide(
        store, record_id, crit, action="correct" if target is not None else "add",
        curator=curator, target=target, constraint=wanted, note=note,
        suggested_by=suggestion.suggested_by,
        expected_version=current.version if current is not None else None,
    )


@dataclass
class SuggestCounts:
    """What :func:`suggest_store` did."""

    records: int = 0
    criteria: int = 0
    """Criteria in review (not accepted by verification)."""
    read: int = 0
    kept: int = 0
    """Criteria that already had a suggestion for their current text."""
    statuses: dict[str, int] = field(default_factory=dict)


def suggest_store(
    store: Store, reader: Extractor, *, suggested_by: str, prompt_id: str | None = None,
    again: bool = False, progress: Callable[[SuggestCounts], None] | None = None,
) -> SuggestCounts:
    """Read a suggestion for every criterion in review that has none for its text."""
    counts = SuggestCounts()
    for record_id in sorted(store.stored()):
        doc = store.get_document(record_id)
        if doc is None:  # removed meanwhile
            continue
        have = suggestions_for(store, record_id)
        counts.records += 1
        for crit in doc.criteria:
            if crit.status == "accepted":
                continue
            counts.criteria += 1
            if not again and criterion_hash(crit.text) in have:
                counts.kept += 1
                continue
            read = read_suggestion(reader, crit)
            save_suggestion(store, record_id, read, suggested_by=suggested_by,
                            prompt_id=prompt_id)
            counts.read += 1
            counts.statuses[read.status] = counts.statuses.get(read.status, 0) + 1
            if progress is not None:
                progress(counts)
    return counts
