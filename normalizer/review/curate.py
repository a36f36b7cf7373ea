"""Curated documents: a normalised document with its curators' decisions applied.

A decision applies where its key still finds what it was made on: a criterion
whose text hashes the same (wherever segmentation put it, whatever its id) and,
for a constraint, one read from the same evidence with the same reading.  What
it finds:

* ``accept`` / ``reject``: the constraint gets ``decided_by`` (a rejected one
  is kept, so both the reading and the verdict stay visible);
* ``correct``: the corrected constraint takes the read one's place, with
  ``decided_by.was`` the reading it replaces; its findings are the corrected
  constraint's, verified again (:func:`verify_correction`);
* ``add``: the constraint is appended with ``decided_by`` (or, when the
  extractor now reads it itself, that constraint gets the decision);
* ``not_a_constraint``: a :class:`~normalizer.models.Decision` on
  ``Criterion.decisions`` with the number's ``evidence`` span.

A decision that finds nothing is **stale**, never dropped and never applied
elsewhere: it is listed with ``stale=True`` on ``Criterion.decisions`` of the
criterion it was made on when that criterion is still there (the reading
changed or is gone; ``was`` shows what was decided on), else on the most
similar criterion (its text changed; ``criterion_text`` shows the old one), else
on ``Document.decisions``.

Statuses are recomputed from the findings the curators have not settled.  A
finding on a constraint is settled by a decision on that constraint; a finding
on the whole criterion (no constraint index) once every constraint of the
criterion is decided and, for ``unparsed-number``, every number it names is
covered by an added constraint or marked not a constraint.  Findings across
criteria (``eligibility-*``), the eligible sets and the comparison with the
registry's fields (``registry-*``) are computed again over the curated
constraints (rejected ones left out).  All findings stay listed;
:func:`settled` says which ones a decision covers.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import select

from ..extract.base import Extraction
from ..models import Constraint, Criterion, Decision, Document, Finding, RegistryFields, Span
from ..pipeline import canonical_of
from ..store import Store, tables
from ..verify import check_document, load_findings, status_of
from ..verify.alternatives import combination
from ..verify.constraint import check_constraint
from ..verify.criterion import unparsed_spans
from ..verify.registry import check_registry
from ..verify.scan import scan
from .decisions import DecisionRow, criterion_hash, decisions_by_record

__all__ = [
    "curate",
    "curated_document",
    "curated_documents",
    "kept",
    "same_reading",
    "settled",
    "verify_correction",
]

_SIMILAR = 0.6
"""How alike (difflib ratio) a changed criterion must be to carry a stale decision."""


def same_reading(a: Constraint, b: Constraint) -> bool:
    """Two constraints say the same thing (variable, bounds, unit, ULN/LLN, qualifier)."""
    fields = {"variable", "lower", "upper", "unit", "relative_to", "qualifier"}
    return a.model_dump(include=fields) == b.model_dump(include=fields)


def verify_correction(
    constraint: Constraint, criterion: Criterion, index: int | None = None
) -> list[Finding]:
    """The findings a corrected or added constraint gets when verified again.

    ``constraint`` has document offsets (like ``criterion.span``); ``index`` is
    its place among the criterion's constraints (default: after the last one),
    which the findings' ``constraint`` field refers to.  Nothing is stored: the
    page shows these before the curator saves.
    """
    k = len(criterion.constraints) if index is None else index
    fixed = constraint.model_copy(update={"canonical": canonical_of(constraint)})
    return check_constraint(fixed, k, criterion, scan(criterion.text), Extraction())


def _decision(row: DecisionRow, **extra: object) -> Decision:
    return Decision.model_validate(
        {
            "action": row.action,
            "curator": row.curator,
            "at": row.at,
            "note": row.note,
            "suggested_by": row.suggested_by,
            "id": row.id,
            "version": row.version,
            "evidence_text": row.evidence_text,
            **extra,
        }
    )


def _placed(c: Constraint | None, base: int) -> Constraint | None:
    """A stored constraint (criterion offsets) placed at document offset ``base``."""
    if c is None:
        return None
    start, end = c.evidence
    placed = c.model_copy(update={"evidence": (start + base, end + base)})
    return placed.model_copy(update={"canonical": canonical_of(placed)})


def _relative_span(c: Constraint, crit: Criterion) -> Span:
    return (c.evidence[0] - crit.span[0], c.evidence[1] - crit.span[0])


@dataclass
class _Work:
    """A criterion being curated: which constraints are decided, what was added."""

    crit: Criterion
    decided: set[int]
    replaced: dict[int, list[Finding]]


def _apply(row: DecisionRow, work: _Work) -> bool:
    """Apply ``row`` to a criterion with its text; False when it finds nothing (stale)."""
    crit = work.crit
    base = crit.span[0]
    if row.action == "not_a_constraint":
        assert row.evidence_span is not None
        start, end = row.evidence_span
        crit.decisions.append(_decision(row, evidence=(start + base, end + base)))
        return True
    made = _placed(row.constraint, base)
    if row.action == "add":
        assert made is not None
        for k, c in enumerate(crit.constraints):
            if k not in work.decided and c.evidence == made.evidence and same_reading(c, made):
                crit.constraints[k] = c.model_copy(update={"decided_by": _decision(row)})
                work.decided.add(k)
                return True
        k = len(crit.constraints)
        crit.constraints.append(made.model_copy(update={"decided_by": _decision(row)}))
        work.decided.add(k)
        work.replaced[k] = verify_correction(made, crit, k)
        return True
    original = _placed(row.original, base)
    assert original is not None
    for k, c in enumerate(crit.constraints):
        if k in work.decided or c.evidence != original.evidence:
            continue
        if c.variable != original.variable:
            continue
        if same_reading(c, original):
            if row.action == "correct":
                assert made is not None
                crit.constraints[k] = made.model_copy(
                    update={"decided_by": _decision(row, was=c), "extracted_by": []}
                )
                work.replaced[k] = verify_correction(made, crit, k)
            else:
                crit.constraints[k] = c.model_copy(update={"decided_by": _decision(row)})
            work.decided.add(k)
            return True
        if row.action == "correct" and made is not None and same_reading(c, made):
            # the extractor now reads what the curator wrote
            crit.constraints[k] = c.model_copy(update={"decided_by": _decision(row, was=original)})
            work.decided.add(k)
            return True
    return False


def _stale(row: DecisionRow, base: int, *, changed: bool) -> Decision:
    start_end = row.evidence_span
    return _decision(
        row,
        stale=True,
        was=_placed(row.original, base) if not changed else row.original,
        constraint=_placed(row.constraint, base) if not changed else row.constraint,
        evidence=(
            (start_end[0] + base, start_end[1] + base)
            if start_end is not None and not changed
            else None
        ),
        criterion_text=row.criterion_text if changed else None,
    )


def _most_similar(text: str, criteria: list[Criterion]) -> Criterion | None:
    best, score = None, _SIMILAR
    for crit in criteria:
        ratio = difflib.SequenceMatcher(None, text, crit.text, autojunk=False).ratio()
        if ratio >= score:
            best, score = crit, ratio
    return best


def settled(criterion: Criterion) -> list[bool]:
    """For each finding of a curated criterion, whether a curator's decision covers it."""
    decided = {
        k
        for k, c in enumerate(criterion.constraints)
        if c.decided_by is not None and not c.decided_by.stale
    }
    every = len(decided) == len(criterion.constraints) and (
        bool(decided) or any(not d.stale for d in criterion.decisions)
    )
    base = criterion.span[0]
    covered: list[Span] = [
        (d.evidence[0] - base, d.evidence[1] - base)
        for d in criterion.decisions
        if d.action == "not_a_constraint" and not d.stale and d.evidence is not None
    ]
    covered += [
        _relative_span(c, criterion)
        for c in criterion.constraints
        if c.decided_by is not None and c.decided_by.action in ("add", "correct")
    ]
    out: list[bool] = []
    for f in criterion.findings:
        if f.constraint is not None:
            out.append(f.constraint in decided)
        elif f.code == "unparsed-number":
            numbers = unparsed_spans(criterion.text, f.message)
            out.append(
                every
                and all(any(s < e2 and e > s2 for s2, e2 in covered) for s, e in numbers)
            )
        else:
            out.append(every)
    return out


def kept(criterion: Criterion) -> list[Constraint]:
    """The constraints a curated criterion keeps: every one but those a curator rejected.

    What an export writes; rejected constraints stay in ``constraints`` (with
    ``decided_by.action == 'reject'``) only so that people see what was read.
    """
    return [
        c
        for c in criterion.constraints
        if c.decided_by is None or c.decided_by.stale or c.decided_by.action != "reject"
    ]


def _open_findings(crit: Criterion) -> list[Finding]:
    return [f for f, done in zip(crit.findings, settled(crit), strict=True) if not done]


def _view(crit: Criterion) -> Criterion:
    """What the checks across criteria read: kept constraints, findings not settled."""
    kept_ids = {id(c) for c in kept(crit)}
    keep = [k for k, c in enumerate(crit.constraints) if id(c) in kept_ids]
    where = {k: i for i, k in enumerate(keep)}
    findings = [
        f.model_copy(update={"constraint": where[f.constraint]}) if f.constraint is not None else f
        for f in _open_findings(crit)
        if f.constraint is None or f.constraint in where
    ]
    return crit.model_copy(
        update={"constraints": [crit.constraints[k] for k in keep], "findings": findings}
    )


def curate(document: Document, decisions: Iterable[DecisionRow]) -> Document:
    """The document with ``decisions`` applied (see the module docstring).

    A new object; ``document`` itself when there is no decision (undone ones
    do not count).  ``decisions`` are the record's rows
    (:func:`~normalizer.review.decisions.decisions_for`).
    """
    rows = [d for d in decisions if not d.undone]
    if not rows:
        return document
    doc = document.model_copy(deep=True)
    by_hash: dict[str, list[_Work]] = {}
    for crit in doc.criteria:
        by_hash.setdefault(criterion_hash(crit.text), []).append(_Work(crit, set(), {}))
    for row in sorted(rows, key=lambda r: r.id):
        works = by_hash.get(row.criterion_hash)
        if works:
            applied = [_apply(row, w) for w in works]
            if not any(applied):
                first = works[0].crit
                first.decisions.append(_stale(row, first.span[0], changed=False))
            continue
        near = _most_similar(row.criterion_text, doc.criteria)
        stale = _stale(row, 0, changed=True)
        (near.decisions if near is not None else doc.decisions).append(stale)
    # computed again below: across criteria, and the registry's fields against them
    across = {s.code for s in load_findings().findings if s.scope in ("document", "record")}
    for works in by_hash.values():
        for w in works:
            findings: list[Finding] = []
            for f in w.crit.findings:
                if f.code in across:
                    continue
                if f.constraint is not None and f.constraint in w.replaced:
                    continue
                findings.append(f)
            for k in sorted(w.replaced):
                findings += w.replaced[k]
            w.crit.findings = findings
    views = [_view(crit) for crit in doc.criteria]
    for crit, view in zip(doc.criteria, views, strict=True):
        # on the constraints the curators kept
        crit.any_of, crit.alternative = view.any_of, view.alternative = combination(view)
    extra, doc.eligibility = check_document(views)
    for crit in doc.criteria:
        crit.findings.extend(extra.get(crit.id, []))
    if doc.record is not None and doc.record.registry is not None:
        _registry(doc, views, doc.record.registry)
    for crit in doc.criteria:
        crit.status = status_of(crit.model_copy(update={"findings": _open_findings(crit)}))
    return doc


def _registry(doc: Document, views: list[Criterion], registry: RegistryFields) -> None:
    """The registry's fields against the curated constraints (indices back to the criteria)."""
    found = check_registry(views, doc.eligibility, registry)
    doc.eligibility = found.eligibility
    doc.findings = [f for f in doc.findings if not f.code.startswith("registry-")]
    doc.findings.extend(found.document)
    for crit, view in zip(doc.criteria, views, strict=True):
        back = [
            next(j for j, c in enumerate(crit.constraints) if c is seen)
            for seen in view.constraints
        ]
        for f in found.by_criterion.get(crit.id, []):
            if f.constraint is not None:
                f = f.model_copy(update={"constraint": back[f.constraint]})
            crit.findings.append(f)


def _with_decisions(store: Store, raws: list[tuple[str, str]]) -> Iterator[Document]:
    found = decisions_by_record(store, [record_id for record_id, _ in raws])
    for record_id, raw in raws:
        yield curate(Document.model_validate_json(raw), found.get(record_id, []))


def curated_documents(
    store: Store, record_ids: Iterable[str] | None = None, *, batch: int = 500
) -> Iterator[Document]:
    """Stored documents with their decisions applied, by record id, ``batch`` at a time."""
    c = tables.records.c
    wanted = None if record_ids is None else sorted(set(record_ids))
    last: str | None = None
    start = 0
    while True:
        query = select(c.record_id, c.document).order_by(c.record_id)
        if wanted is not None:
            chunk = wanted[start : start + batch]
            if not chunk:
                return
            query = query.where(c.record_id.in_(chunk))
            start += batch
        else:
            query = query.limit(batch)
            if last is not None:
                query = query.where(c.record_id > last)
        with store.engine.connect() as conn:
            raws = [(r[0], r[1]) for r in conn.execute(query)]
        if not raws and wanted is None:
            return
        yield from _with_decisions(store, raws)
        last = raws[-1][0] if raws else last


def curated_document(store: Store, record_id: str) -> Document | None:
    """One stored document with its decisions applied (None: no such record)."""
    return next(iter(curated_documents(store, [record_id])), None)
