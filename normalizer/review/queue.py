"""The review queue of ``normalizer review``: one row per constraint, grouped by record.

Each row says what was read in words a clinician reads (``age ≥ 18 years``),
the criterion's status, the findings on that constraint and what a curator
decided.  Rows come grouped by record, worst record first, so a record is
never split between the "rejected" and "needs review" parts; inside a record:

0. **the record's own findings** (``Document.findings``: the registry's
   structured fields against the text where no criterion holds them, such as a
   registry age the text does not state) in one row, when the record has other
   rows or one of them is a warning or error (info alone is like an accepted
   criterion: shown with ``include_accepted``);
1. **root causes** next: a finding across criteria (``eligibility-*``) that
   every criterion involved repeats is one row naming those criteria;
2. the criteria in document order, one row per constraint, then one row for
   the criterion's own findings (no constraint index) when it has any;
3. **numbers nobody read**: the criteria whose only finding is
   ``unparsed-number`` (mostly trial codes, dates, doses) merged into one row.

The same rows print as a table, CSV (cells a spreadsheet would run as a
formula are neutralised) or JSON Lines.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from ..models import Constraint, Criterion, Decision, Document
from ..verify import load_findings
from ..words import constraint_words, interval_words

__all__ = [
    "COLUMNS",
    "QueueRow",
    "csv_cell",
    "queue_rows",
    "rows_of",
    "write_csv",
    "write_jsonl",
]

_WORST = {"rejected": 0, "needs_review": 1, "accepted": 2}
_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
_SEVERITY_STATUS = {"error": "rejected", "warning": "needs_review", "info": "accepted"}
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class QueueRow:
    """One line of the queue."""

    record: str
    nct_id: str | None
    source: str
    kind: str
    """record (the document's own findings), constraint, criterion (its own findings),
    root-cause or unread-numbers."""
    criteria: tuple[str, ...]
    section: str
    status: str
    constraint: int | None
    reading: str
    canonical: str
    evidence: str
    findings: tuple[tuple[str, str, str], ...]
    """(code, severity, message) of each finding."""
    decision: str
    text: str
    constraint_json: dict[str, Any] | None = field(default=None, compare=False)

    def codes(self) -> str:
        """The finding codes, space separated."""
        return " ".join(dict.fromkeys(code for code, _, _ in self.findings))

    def why(self) -> str:
        """The findings as text: 'code: message | code: message'."""
        return " | ".join(f"{code}: {message}" for code, _, message in self.findings)


COLUMNS = (
    "record", "nct_id", "criteria", "section", "status", "kind", "constraint", "reading",
    "canonical", "evidence", "codes", "findings", "decision", "text", "source",
)
"""The CSV header."""


def _decision_words(d: Decision | None) -> str:
    if d is None:
        return ""
    said = f"{d.action.replace('_', ' ')} by {d.curator}"
    if d.note:
        said += f" ({d.note})"
    return f"stale: {said}" if d.stale else said


def _canonical(c: Constraint) -> str:
    """The limits in the canonical unit, when they read differently from the stated ones."""
    if c.canonical is None or c.canonical.unit == c.unit:
        return ""
    lower = None if c.canonical.lower is None else c.lower
    upper = None if c.canonical.upper is None else c.upper
    if lower is not None and c.canonical.lower is not None:
        lower = lower.model_copy(update={"value": c.canonical.lower})
    if upper is not None and c.canonical.upper is not None:
        upper = upper.model_copy(update={"value": c.canonical.upper})
    return interval_words(lower, upper, c.canonical.unit)


def _triples(findings: Iterable[Any]) -> tuple[tuple[str, str, str], ...]:
    return tuple((f.code, f.severity, f.message) for f in findings)


def _open(crit: Criterion, include_accepted: bool) -> bool:
    return include_accepted or crit.status != "accepted" or any(d.stale for d in crit.decisions)


def rows_of(doc: Document, *, include_accepted: bool = False) -> list[QueueRow]:
    """The queue rows of one document (curated or not), in the order described above."""
    across = {s.code for s in load_findings().findings if s.scope == "document"}
    record = doc.record.id if doc.record else doc.source
    nct = doc.record.nct_id if doc.record else None

    def row(crit: Criterion | None, **kw: Any) -> QueueRow:
        base: dict[str, Any] = {
            "record": record, "nct_id": nct, "source": doc.source, "constraint": None,
            "reading": "", "canonical": "", "evidence": "", "decision": "",
            "criteria": (crit.id,) if crit else (), "section": crit.section if crit else "",
            "status": crit.status if crit else "", "text": crit.text if crit else "",
        }
        base.update(kw)
        return QueueRow(**base)

    shown = [c for c in doc.criteria if _open(c, include_accepted)]
    roots: dict[tuple[str, str], list[Criterion]] = {}
    for crit in shown:
        for f in crit.findings:
            if f.code in across and f.constraint is None:
                roots.setdefault((f.code, f.message), []).append(crit)
    out: list[QueueRow] = []
    for (code, message), crits in roots.items():
        severity = load_findings().get(code).severity
        worst = min((c.status for c in crits), key=_WORST.__getitem__)
        out.append(row(
            None, kind="root-cause", criteria=tuple(c.id for c in crits),
            section=", ".join(dict.fromkeys(c.section for c in crits)), status=worst,
            findings=((code, severity, message),),
            text=" | ".join(c.text for c in crits),
        ))
    unread: list[Criterion] = []
    for crit in shown:
        own = [f for f in crit.findings if f.code not in across or f.constraint is not None]
        if own and all(f.code == "unparsed-number" for f in own) and not crit.decisions:
            unread.append(crit)
            continue
        for k, c in enumerate(crit.constraints):
            start, end = c.evidence
            base = crit.span[0]
            out.append(row(
                crit, kind="constraint", constraint=k, reading=constraint_words(c),
                canonical=_canonical(c), evidence=crit.text[start - base : end - base],
                findings=_triples(f for f in crit.findings if f.constraint == k),
                decision=_decision_words(c.decided_by),
                constraint_json=c.model_dump(mode="json"),
            ))
        rest = [f for f in own if f.constraint is None]
        marks = [d for d in crit.decisions if not (d.action == "not_a_constraint" and not d.stale)]
        numbers = [d for d in crit.decisions if d.action == "not_a_constraint" and not d.stale]
        if rest or marks or numbers or not crit.constraints:
            said = [_decision_words(d) for d in marks]
            if numbers:
                quoted = ", ".join(repr(d.evidence_text) for d in numbers)
                said.append(f"not a constraint: {quoted}")
            out.append(row(
                crit, kind="criterion", findings=_triples(rest), decision="; ".join(said),
            ))
    if unread:
        messages = [f for c in unread for f in c.findings if f.code == "unparsed-number"]
        ids = ", ".join(c.id for c in unread)
        summary = (
            f"{len(unread)} criteria ({ids}) have numbers no constraint covers and no other "
            "finding; most are trial codes, dates or doses"
            if len(unread) > 1
            else messages[0].message
        )
        out.append(row(
            None, kind="unread-numbers", criteria=tuple(c.id for c in unread),
            section=", ".join(dict.fromkeys(c.section for c in unread)),
            status=min((c.status for c in unread), key=_WORST.__getitem__),
            findings=(("unparsed-number", "warning", summary),),
            text=" | ".join(f"{c.id}: {c.text}" for c in unread),
        ))
    if doc.findings:
        gravest = min(doc.findings, key=lambda f: _SEVERITY_RANK[f.severity]).severity
        if out or include_accepted or gravest != "info":  # info alone: like an accepted criterion
            out.insert(0, row(
                None, kind="record", status=_SEVERITY_STATUS[gravest],
                findings=_triples(doc.findings),
            ))
    return out


def queue_rows(docs: Iterable[Document], *, include_accepted: bool = False) -> list[QueueRow]:
    """Every document's rows, worst record first (a record's rows stay together)."""
    groups = [rows_of(d, include_accepted=include_accepted) for d in docs]
    groups = [g for g in groups if g]
    groups.sort(key=lambda g: min(_WORST.get(r.status, 2) for r in g))
    return [r for g in groups for r in g]


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ (a formula) gets a quote mark."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _flat(r: QueueRow) -> list[str]:
    values: dict[str, object] = {
        "record": r.record, "nct_id": r.nct_id, "criteria": " ".join(r.criteria),
        "section": r.section, "status": r.status, "kind": r.kind,
        "constraint": "" if r.constraint is None else r.constraint, "reading": r.reading,
        "canonical": r.canonical, "evidence": r.evidence, "codes": r.codes(),
        "findings": r.why(), "decision": r.decision, "text": r.text, "source": r.source,
    }
    return [csv_cell(values[c]) for c in COLUMNS]


def write_csv(rows: Iterable[QueueRow], out: io.TextIOBase | Any) -> None:
    """The queue as CSV with a header (RFC 4180 quoting, formulas neutralised)."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow(_flat(r))


def _json(r: QueueRow) -> dict[str, Any]:
    data = asdict(r)
    data["criteria"] = list(r.criteria)
    data["findings"] = [
        {"code": code, "severity": severity, "message": message}
        for code, severity, message in r.findings
    ]
    data["constraint_object"] = data.pop("constraint_json")
    return data


def write_jsonl(rows: Iterable[QueueRow], out: io.TextIOBase | Any) -> None:
    """The queue as JSON Lines: one object per row, with the constraint itself."""
    import json

    for r in rows:
        out.write(json.dumps(_json(r), ensure_ascii=False) + "\n")

