"""Eval reports for people (rich tables), comparisons between runs, and CI thresholds."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from rich.console import Group
from rich.table import Table

from ..errors import ConfigError
from .gold import CaseResult, EvalReport

__all__ = [
    "Comparison",
    "check_thresholds",
    "compare_reports",
    "load_report",
    "render_comparison",
    "render_report",
]


def _pct(x: float | int) -> str:
    return f"{100 * float(x):.1f}%"


def render_report(report: EvalReport, top_variables: int = 25) -> Group:
    """Micro metrics, status figures and the largest variables as tables."""
    stamp = ", ".join(f"{k}={v}" for k, v in report.stamp.items() if v)
    head = Table(title=f"gold eval: {report.cases} criteria", caption=stamp)
    for col in ("gold", "pred", "matched", "P", "R", "F1", "bound acc", "unit acc"):
        head.add_column(col, justify="right")
    m = report.micro
    head.add_row(
        str(m["gold"]),
        str(m["predicted"]),
        str(m["matched"]),
        _pct(m["precision"]),
        _pct(m["recall"]),
        _pct(m["f1"]),
        _pct(m["bound_accuracy"]),
        _pct(m["unit_accuracy"]),
    )
    st = report.status
    status = Table(title="status")
    for col in (
        "accepted",
        "review",
        "rejected",
        "accepted precision",
        "false alarms",
        "expect_status acc",
    ):
        status.add_column(col, justify="right")
    status.add_row(
        _pct(st["accepted_share"]),
        _pct(st["review_rate"]),
        _pct(st["rejected_share"]),
        _pct(st["accepted_precision"]),
        f"{_pct(st['false_alarm_rate'])} ({st['false_alarms']}/{st['clean_criteria']})",
        _pct(st["expect_status_accuracy"]),
    )
    per = Table(title="per variable (by gold count)")
    for col in ("variable", "gold", "pred", "matched", "P", "R", "F1"):
        per.add_column(col, justify="right" if col != "variable" else "left")
    ranked = sorted(report.per_variable.items(), key=lambda kv: (-kv[1]["gold"], kv[0]))
    for name, v in ranked[:top_variables]:
        per.add_row(
            name,
            str(v["gold"]),
            str(v["predicted"]),
            str(v["matched"]),
            _pct(v["precision"]),
            _pct(v["recall"]),
            _pct(v["f1"]),
        )
    tags = Table(title="per tag (language classes: gold/README.md)")
    for col in ("tag", "cases", "exact", "acc", "acc wrong", "acc missing", "P", "R", "F1"):
        tags.add_column(col, justify="right" if col != "tag" else "left")
    for name, v in report.per_tag.items():
        tags.add_row(
            name, str(v["cases"]), str(v["exact"]), str(v["accepted"]), str(v["accepted_wrong"]),
            str(v["accepted_missing"]), _pct(v["precision"]), _pct(v["recall"]), _pct(v["f1"]),
        )
    return Group(head, status, per, tags) if report.per_tag else Group(head, status, per)


def load_report(path: Path) -> EvalReport:
    """Read a JSON report written by ``normalizer eval --out``."""
    try:
        return EvalReport.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not an eval report ({exc})") from None


class Change(BaseModel):
    """One case whose result differs between two runs."""

    model_config = ConfigDict(extra="forbid")

    id: str
    before: str
    after: str
    detail: str


class Comparison(BaseModel):
    """Cases that got better or worse from run A to run B."""

    model_config = ConfigDict(extra="forbid")

    a: dict[str, str | None]
    b: dict[str, str | None]
    micro_delta: dict[str, float]
    better: list[Change]
    worse: list[Change]
    only_in_a: list[str]
    only_in_b: list[str]


def _errors(r: CaseResult) -> int:
    return len(r.missed) + len(r.spurious)


def _summary(r: CaseResult) -> str:
    return f"{r.matched}/{r.gold} matched, {len(r.spurious)} spurious, {r.status}"


def compare_reports(a: EvalReport, b: EvalReport) -> Comparison:
    """Per case, which got better (fewer misses + spurious) or worse from ``a`` to ``b``."""
    by_a = {r.id: r for r in a.results}
    by_b = {r.id: r for r in b.results}
    better: list[Change] = []
    worse: list[Change] = []
    for case_id in by_a.keys() & by_b.keys():
        ra, rb = by_a[case_id], by_b[case_id]
        ea, eb = _errors(ra), _errors(rb)
        if ea == eb:
            continue
        detail = "; ".join(
            [f"now missed: {m}" for m in rb.missed if m not in ra.missed]
            + [f"now found: {m}" for m in ra.missed if m not in rb.missed]
            + [f"now spurious: {s}" for s in rb.spurious if s not in ra.spurious]
            + [f"no longer spurious: {s}" for s in ra.spurious if s not in rb.spurious]
        )
        change = Change(id=case_id, before=_summary(ra), after=_summary(rb), detail=detail)
        (better if eb < ea else worse).append(change)
    keys = ("precision", "recall", "f1")
    return Comparison(
        a=a.stamp,
        b=b.stamp,
        micro_delta={k: round(float(b.micro[k]) - float(a.micro[k]), 4) for k in keys},
        better=sorted(better, key=lambda c: c.id),
        worse=sorted(worse, key=lambda c: c.id),
        only_in_a=sorted(by_a.keys() - by_b.keys()),
        only_in_b=sorted(by_b.keys() - by_a.keys()),
    )


def render_comparison(c: Comparison) -> Group:
    """Render the comparison as tables: deltas, then worse and better cases."""
    delta = Table(title="B - A (micro)")
    for k in c.micro_delta:
        delta.add_column(k, justify="right")
    delta.add_row(*(f"{v:+.4f}" for v in c.micro_delta.values()))
    parts: list[Table] = [delta]
    for title, rows in (("worse in B", c.worse), ("better in B", c.better)):
        t = Table(title=f"{title}: {len(rows)}")
        for col in ("id", "A", "B", "what changed"):
            t.add_column(col)
        for ch in rows:
            t.add_row(ch.id, ch.before, ch.after, ch.detail)
        parts.append(t)
    return Group(*parts)


def check_thresholds(report: BaseModel, path: Path, key: str) -> list[str]:
    """Compare ``report`` with the floors under ``[key]`` in a TOML file; return failures.

    Floors are named like the report's figures: ``micro.f1``, ``status.accepted_precision``;
    a ``max_`` prefix makes a ceiling (``max_status.false_alarm_rate``).
    """
    try:
        table: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read thresholds ({exc})") from None
    floors: Any = table
    for part in key.split("."):
        if not isinstance(floors, dict) or part not in floors:
            raise ConfigError(f"{path}: no [{key}] table of thresholds")
        floors = floors[part]
    data = json.loads(report.model_dump_json())
    failures: list[str] = []
    for name, limit in floors.items():
        if isinstance(limit, dict):
            continue  # a nested table (e.g. [rules.dev] under [rules]) is another gate
        ceiling = name.startswith("max_")
        group, _, figure = name.removeprefix("max_").partition(".")
        try:
            value = float(data[group][figure])
        except (KeyError, TypeError, ValueError):
            raise ConfigError(f"{path}: [{key}] {name}: no such figure in the report") from None
        if (value > float(limit)) if ceiling else (value < float(limit)):
            op = "above the ceiling" if ceiling else "below the floor"
            failures.append(f"{key}: {name} = {value:.4f} is {op} {float(limit):.4f}")
    return failures
