"""Scoring extractions against gold cases, exactly as the contract's section 2 says.

A predicted constraint *matches* a gold one when the variable is equal (or either
is ``other``), ``relative_to`` is equal, and both bounds agree: same presence, same
inclusiveness, values equal within 0.5 % after converting both to the variable's
canonical unit (as stated when either cannot be converted).  Pairs that share the
variable and ``relative_to`` but not the bounds are *aligned*: they measure bound
accuracy.  Matching is one-to-one, best pairs first.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import GoldError
from ..extract.base import CriterionInput, Extractor
from ..models import Bound, Constraint, Criterion, GoldCase, GoldConstraint, Status
from ..units import convert

__all__ = [
    "CaseResult",
    "EvalReport",
    "Metrics",
    "bounds_agree",
    "evaluate",
    "gold_problems",
    "load_gold",
    "score_cases",
    "select_cases",
]

TOLERANCE = 0.005


def _gold_lines(path: Path) -> list[str]:
    """The lines of a gold file; :class:`GoldError` when it cannot be read as UTF-8 text."""
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{path}: cannot be read as UTF-8 text ({exc})") from None


def load_gold(paths: Sequence[Path]) -> list[GoldCase]:
    """Read JSONL gold files; raise :class:`GoldError` naming file and line on any fault."""
    cases: list[GoldCase] = []
    seen: dict[str, str] = {}
    for path in paths:
        for number, line in enumerate(_gold_lines(path), 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                raw = json.loads(line)
                raw.pop("split", None)
                case = GoldCase.model_validate(raw)
            except json.JSONDecodeError as exc:
                raise GoldError(f"{where}: not JSON ({exc.msg})") from None
            except ValidationError as exc:
                first = exc.errors()[0]
                loc = ".".join(str(p) for p in first["loc"])
                raise GoldError(f"{where}: {loc}: {first['msg']}") from None
            if case.id in seen:
                raise GoldError(f"{where}: duplicate id {case.id!r} (first in {seen[case.id]})")
            seen[case.id] = where
            cases.append(case)
    if not cases:
        raise GoldError(f"no gold cases in {', '.join(str(p) for p in paths)}")
    return cases


def gold_problems(paths: Sequence[Path], shared: Path) -> tuple[list[str], list[GoldCase]]:
    """List every problem in gold files, and the cases read.

    Checks: schema, duplicate ids, text not verbatim in its source, unknown variables,
    invalid UCUM units, constraints without bounds.  ``source`` is relative to ``shared``.
    """
    import jsonschema

    from ..catalog import load_catalog
    from ..schema import gold_schema
    from ..units import is_valid_ucum

    validator = jsonschema.Draft202012Validator(gold_schema())
    catalog = load_catalog()
    seen: dict[str, str] = {}
    problems: list[str] = []
    cases: list[GoldCase] = []
    texts: dict[str, str] = {}
    for path in paths:
        try:
            lines = _gold_lines(path)
        except GoldError as exc:
            problems.append(str(exc))
            continue
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{where}: not JSON ({exc.msg})")
                continue
            if not isinstance(raw, dict):
                problems.append(f"{where}: a gold case is a JSON object, not {type(raw).__name__}")
                continue
            raw.pop("split", None)
            raw.pop("hints", None)
            try:
                validator.validate(raw)
                case = GoldCase.model_validate(raw)
            except (jsonschema.ValidationError, ValueError) as exc:
                problems.append(f"{where}: schema: {str(exc).splitlines()[0]}")
                continue
            if case.id in seen:
                problems.append(f"{where}: duplicate id {case.id} (first at {seen[case.id]})")
            seen[case.id] = where
            source = shared / case.source
            if case.source not in texts:
                texts[case.source] = source.read_bytes().decode("utf-8") if source.is_file() else ""
            if case.text not in texts[case.source]:
                problems.append(f"{where}: text not found verbatim in {case.source}")
            for i, c in enumerate(case.constraints):
                if c.variable != "other" and c.variable not in catalog:
                    problems.append(f"{where}: constraint {i}: unknown variable {c.variable!r}")
                if c.variable == "other" and not c.label:
                    problems.append(f"{where}: constraint {i}: 'other' needs a label")
                if c.unit is not None and not is_valid_ucum(c.unit):
                    problems.append(f"{where}: constraint {i}: unit {c.unit!r} is not UCUM")
                if c.lower is None and c.upper is None:
                    problems.append(f"{where}: constraint {i}: no bound")
                if c.relative_to and c.unit:
                    problems.append(f"{where}: constraint {i}: relative limit with a unit")
            cases.append(case)
    return problems, cases


def _value(value: float, unit: str | None, variable: str) -> tuple[float, bool]:
    if unit is not None:
        converted = convert(value, unit, variable)
        if converted is not None:
            return converted, True
    return value, False


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE * max(abs(a), abs(b)) or a == b


def _bound_agrees(
    pred: Bound | None,
    pred_unit: str | None,
    gold: Bound | None,
    gold_unit: str | None,
    variable: str,
) -> bool:
    if pred is None or gold is None:
        return pred is None and gold is None
    if pred.inclusive != gold.inclusive:
        return False
    pv, p_ok = _value(pred.value, pred_unit, variable)
    gv, g_ok = _value(gold.value, gold_unit, variable)
    if p_ok and g_ok:
        return _close(pv, gv)
    return _close(pred.value, gold.value)


def _aligned(pred: Constraint, gold: GoldConstraint) -> bool:
    same_var = pred.variable == gold.variable or "other" in (pred.variable, gold.variable)
    return same_var and pred.relative_to == gold.relative_to


def bounds_agree(pred: Constraint, gold: GoldConstraint) -> bool:
    """Both bounds agree in presence, inclusiveness and value (0.5 %, canonical units)."""
    variable = gold.variable if gold.variable != "other" else pred.variable
    return _bound_agrees(pred.lower, pred.unit, gold.lower, gold.unit, variable) and (
        _bound_agrees(pred.upper, pred.unit, gold.upper, gold.unit, variable)
    )


def _same_unit(pred: Constraint, gold: GoldConstraint) -> bool:
    return (pred.unit or None) == (gold.unit or None)


class Pair(BaseModel):
    """A gold constraint and the prediction aligned with it (if any)."""

    model_config = ConfigDict(extra="forbid")

    gold: int
    pred: int
    matched: bool
    unit_ok: bool


def _pairs(preds: Sequence[Constraint], golds: Sequence[GoldConstraint]) -> list[Pair]:
    candidates: list[tuple[int, int, int, bool]] = []
    for gi, g in enumerate(golds):
        for pi, p in enumerate(preds):
            if not _aligned(p, g):
                continue
            matched = bounds_agree(p, g)
            rank = (0 if matched else 2) + (0 if p.variable == g.variable else 1)
            candidates.append((rank, gi, pi, matched))
    candidates.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs: list[Pair] = []
    for _, gi, pi, matched in candidates:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        unit_ok = _same_unit(preds[pi], golds[gi])
        pairs.append(Pair(gold=gi, pred=pi, matched=matched, unit_ok=unit_ok))
    return pairs


class CaseResult(BaseModel):
    """How one gold case was read: kept in the JSON report for ``--compare``."""

    model_config = ConfigDict(extra="forbid")

    id: str
    gold: int
    predicted: int
    matched: int
    status: Status
    expect_status: Status | None
    findings: list[str]
    missed: list[str] = Field(default_factory=list)
    spurious: list[str] = Field(default_factory=list)


class Metrics(BaseModel):
    """Counts and ratios for a slice (all cases, or one variable)."""

    model_config = ConfigDict(extra="forbid")

    gold: int = 0
    predicted: int = 0
    matched: int = 0
    aligned: int = 0
    unit_ok: int = 0

    @property
    def precision(self) -> float:
        """Matched / predicted (1.0 when nothing was predicted)."""
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        """Matched / gold (1.0 when gold is empty)."""
        return self.matched / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def ratios(self) -> dict[str, float]:
        """Precision, recall, F1, bound and unit accuracy."""
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "bound_accuracy": round(self.matched / self.aligned, 4) if self.aligned else 1.0,
            "unit_accuracy": round(self.unit_ok / self.matched, 4) if self.matched else 1.0,
        }


class EvalReport(BaseModel):
    """A scored run: stamped, with micro metrics, per variable figures and per case results."""

    model_config = ConfigDict(extra="forbid")

    stamp: dict[str, str | None]
    cases: int
    micro: dict[str, float | int]
    status: dict[str, float | int]
    per_variable: dict[str, dict[str, float | int]]
    false_alarm_codes: dict[str, int]
    per_tag: dict[str, dict[str, float | int]] = Field(default_factory=dict)
    usage: dict[str, int] = Field(default_factory=dict)
    results: list[CaseResult]


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


def _listed_ids(path: Path) -> set[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GoldError(f"{path}: cannot read the id list ({exc.strerror or exc})") from None
    return {line.split("#", 1)[0].strip() for line in lines} - {""}


def select_cases(
    cases: Sequence[GoldCase], only: str | None = None, sample: int | None = None
) -> list[GoldCase]:
    """Cases whose id starts with ``only`` (or listed in FILE, for ``@FILE``), then a sample.

    With ``sample``, a fixed pseudo-random subset: the ``sample`` cases with the
    smallest sha256 of their id, stable across runs and machines, independent of file
    order, for costly (LLM) runs.  A list file holds one id per line (``#`` comments);
    an id it names that no case has is an error, so a list cannot silently shrink
    what is measured.
    """
    if only is not None and only.startswith("@"):
        listed = _listed_ids(Path(only[1:]))
        unknown = sorted(listed - {c.id for c in cases})
        if unknown:
            raise GoldError(
                f"{only[1:]}: {len(unknown)} listed id(s) in no gold case, e.g. {unknown[0]}"
            )
        chosen = [c for c in cases if c.id in listed]
    else:
        chosen = [c for c in cases if only is None or c.id.startswith(only)]
    if sample is not None:
        keep = set(
            sorted((hashlib.sha256(c.id.encode()).hexdigest(), c.id) for c in chosen)[:sample]
        )
        ids = {case_id for _, case_id in keep}
        chosen = [c for c in chosen if c.id in ids]
    return chosen


def evaluate(
    paths: Sequence[Path],
    extractor: Extractor,
    stamp: dict[str, str | None],
    only: str | None = None,
    sample: int | None = None,
) -> EvalReport:
    """Run ``extractor`` over the gold files (or a selection) and score it."""
    from ..pipeline import read_criteria

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
