"""Predicted criteria scored against their gold cases, and an extractor run over gold.

:func:`score_cases` gives the micro and per variable metrics, the per case
results and the status figures; :func:`per_tag` the figures per gold tag;
:func:`evaluate` reads the gold files, runs the extractor and stamps the report.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from ...errors import GoldError
from ...extract.base import CriterionInput, Extractor
from ...models import Bound, Constraint, Criterion, GoldCase, GoldConstraint
from .files import load_gold, select_cases
from .matching import _pairs
from .models import CaseResult, EvalReport, Metrics


def _describe(c: Constraint | GoldConstraint) -> str:
    def side(b: Bound | None, op_incl: str, op_excl: str) -> str:
        return "" if b is None else f"{op_incl if b.inclusive else op_excl}{b.value:g}"

    rel = f"x{c.relative_to}" if c.relative_to else (c.unit or "")
    parts = [p for p in (side(c.lower, ">=", ">"), side(c.upper, "<=", "<")) if p]
    qual = f" if {c.qualifier}" if c.qualifier else ""
    return f"{c.variable} {' '.join(parts)} {rel}{qual}".strip()


def score_cases(
    cases: Sequence[GoldCase], criteria: Sequence[Criterion]
) -> tuple[Metrics, dict[str, Metrics], list[CaseResult], dict[str, float | int], dict[str, int]]:
    """Score predicted criteria (one per case, same order) against gold."""
    micro = Metrics()
    per_var: dict[str, Metrics] = defaultdict(Metrics)
    results: list[CaseResult] = []
    accepted_constraints = accepted_matched = accepted_criteria = 0
    clean = clean_flagged = 0
    expect_total = expect_ok = 0
    alarm_codes: dict[str, int] = defaultdict(int)
    for case, crit in zip(cases, criteria, strict=True):
        preds, golds = crit.constraints, case.constraints
        pairs = _pairs(preds, golds)
        m = Metrics(
            gold=len(golds),
            predicted=len(preds),
            matched=sum(p.matched for p in pairs),
            aligned=len(pairs),
            unit_ok=sum(p.matched and p.unit_ok for p in pairs),
        )
        for field in ("gold", "predicted", "matched", "aligned", "unit_ok"):
            setattr(micro, field, getattr(micro, field) + getattr(m, field))
        for g in golds:
            per_var[g.variable].gold += 1
        for p in preds:
            per_var[p.variable].predicted += 1
        for pair in pairs:
            var = golds[pair.gold].variable
            per_var[var].aligned += 1
            if pair.matched:
                per_var[var].matched += 1
                per_var[var].unit_ok += pair.unit_ok
        matched_g = {p.gold for p in pairs if p.matched}
        matched_p = {p.pred for p in pairs if p.matched}
        if crit.status == "accepted":
            accepted_criteria += 1
            accepted_constraints += len(preds)
            accepted_matched += len(matched_p)
        exact = len(matched_g) == len(golds) and len(matched_p) == len(preds)
        alarm_findings = [f for f in crit.findings if f.severity != "info"]
        if exact and case.expect_status in (None, "accepted"):
            clean += 1
            if alarm_findings:
                clean_flagged += 1
                for f in alarm_findings:
                    alarm_codes[f.code] += 1
        if case.expect_status is not None:
            expect_total += 1
            expect_ok += crit.status == case.expect_status
        results.append(
            CaseResult(
                id=case.id,
                gold=len(golds),
                predicted=len(preds),
                matched=len(matched_g),
                status=crit.status,
                expect_status=case.expect_status,
                findings=[f.code for f in crit.findings],
                missed=[_describe(g) for i, g in enumerate(golds) if i not in matched_g],
                spurious=[_describe(p) for i, p in enumerate(preds) if i not in matched_p],
            )
        )
    n = len(results) or 1
    status: dict[str, float | int] = {
        "accepted_share": round(accepted_criteria / n, 4),
        "review_rate": round(sum(r.status == "needs_review" for r in results) / n, 4),
        "rejected_share": round(sum(r.status == "rejected" for r in results) / n, 4),
        "accepted_constraints": accepted_constraints,
        "accepted_precision": (
            round(accepted_matched / accepted_constraints, 4) if accepted_constraints else 1.0
        ),
        "clean_criteria": clean,
        "false_alarms": clean_flagged,
        "false_alarm_rate": round(clean_flagged / clean, 4) if clean else 0.0,
        "expect_status_cases": expect_total,
        "expect_status_accuracy": round(expect_ok / expect_total, 4) if expect_total else 1.0,
    }
    return micro, dict(per_var), results, status, dict(alarm_codes)


def per_tag(
    cases: Sequence[GoldCase], results: Sequence[CaseResult]
) -> dict[str, dict[str, float | int]]:
    """Figures per gold tag (the language classes of gold/README.md among them).

    For each tag: its cases, how many were read exactly (every gold constraint
    matched, nothing more), how many were accepted, and of those how many hold a
    constraint gold does not have (``accepted_wrong``) or miss one gold has
    (``accepted_missing``), with the constraint counts and ratios.
    """
    tagged: dict[str, list[CaseResult]] = defaultdict(list)
    for case, result in zip(cases, results, strict=True):
        for tag in case.tags:
            tagged[tag].append(result)
    figures: dict[str, dict[str, float | int]] = {}
    for tag, rows in sorted(tagged.items()):
        m = Metrics(
            gold=sum(r.gold for r in rows),
            predicted=sum(r.predicted for r in rows),
            matched=sum(r.matched for r in rows),
        )
        exact = [r for r in rows if not r.missed and not r.spurious]
        accepted = [r for r in rows if r.status == "accepted"]
        figures[tag] = {
            "cases": len(rows),
            "exact": len(exact),
            "exact_share": round(len(exact) / len(rows), 4),
            "accepted": len(accepted),
            "accepted_wrong": sum(1 for r in accepted if r.spurious),
            "accepted_missing": sum(1 for r in accepted if r.missed),
            "gold": m.gold,
            "predicted": m.predicted,
            "matched": m.matched,
            "precision": round(m.precision, 4),
            "recall": round(m.recall, 4),
            "f1": round(m.f1, 4),
        }
    return figures


def _digest(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def evaluate(
    paths: Sequence[Path],
    extractor: Extractor,
    stamp: dict[str, str | None],
    only: str | None = None,
    sample: int | None = None,
) -> EvalReport:
    """Run ``extractor`` over the gold files (or a selection) and score it."""
    from ...pipeline import read_criteria

    cases = select_cases(load_gold(paths), only, sample)
    if not cases:
        raise GoldError("no gold case left after --only/--sample")
    inputs = [CriterionInput(c.id, c.section, c.text, 0) for c in cases]
    criteria = read_criteria(inputs, [c.text for c in cases], extractor)
    micro, per_var, results, status, alarms = score_cases(cases, criteria)
    full_stamp = {
        **stamp,
        "gold": ", ".join(str(p) for p in paths),
        "gold_sha": _digest(paths),
        "selection": None if only is None and sample is None else f"only={only} sample={sample}",
    }
    return EvalReport(
        stamp=full_stamp,
        cases=len(cases),
        micro={**micro.model_dump(), **micro.ratios()},
        status=status,
        per_variable={k: {**v.model_dump(), **v.ratios()} for k, v in sorted(per_var.items())},
        false_alarm_codes=alarms,
        per_tag=per_tag(cases, results),
        results=results,
    )
