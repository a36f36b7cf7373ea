"""How good the LLM's suggestions are where curators see them (criteria left in review).

For every gold case whose rules reading is not ``accepted``, the suggestion (the
LLM's reading, verified on its own, exactly what the review page shows) is scored
against the gold constraints:

* ``right``: the suggestion reads exactly the gold constraints (all matched, nothing
  more; no constraint where gold has none);
* ``wrong``: it has an answer, but not exactly the gold one;
* ``invalid``: no answer passed validation (``llm-invalid-output``,
  ``llm-answer-truncated``) or its own verification rejected it;
* ``unavailable``: the endpoint gave no answer (``llm-unavailable``; in a replay, a
  request that was never recorded).

"Taking it would have been correct" is per suggested constraint: taking it (one key
on the review page) stores a constraint that matches a gold constraint.  ``gains``
counts those that match a gold constraint the rules' reading did not match.

Per variable: by the gold variable for gold constraints (matched by the rules or by
the suggestion) and by the suggested variable for what a curator would take.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..extract.base import CriterionInput, Extractor
from ..models import Criterion, GoldCase
from .gold import load_gold, select_cases
from .gold.matching import _pairs

__all__ = ["SuggestionCase", "SuggestionReport", "evaluate_suggestions", "render_suggestions"]

Verdict = Literal["right", "wrong", "invalid", "unavailable"]
_INVALID = {"llm-invalid-output", "llm-answer-truncated"}


class VariableCounts(BaseModel):
    """One variable's counts."""

    model_config = ConfigDict(extra="forbid")

    gold: int = 0
    rules_matched: int = 0
    suggestion_matched: int = 0
    suggested: int = 0
    take_correct: int = 0
    """Suggested constraints on this variable that match a gold constraint."""


class SuggestionCase(BaseModel):
    """One criterion in review, and how its suggestion fared."""

    model_config = ConfigDict(extra="forbid")

    id: str
    rules_status: str
    verdict: Verdict
    suggestion_status: str
    gold: int
    suggested: int
    take_correct: int
    gains: int
    findings: list[str] = Field(default_factory=list)


class SuggestionReport(BaseModel):
    """The suggestion eval: counts for people (a table) and machines (this JSON)."""

    model_config = ConfigDict(extra="forbid")

    stamp: dict[str, str | None]
    cases: int
    rules_in_review: int
    """Gold cases the rules leave in review (before any sample)."""
    in_review: int
    """Of those, the ones scored (the sample)."""
    verdicts: dict[str, int]
    rates: dict[str, float]
    suggested: int
    take_correct: int
    take_precision: float
    gains: int
    per_variable: dict[str, VariableCounts]
    results: list[SuggestionCase]


def _verdict(case: GoldCase, read: Criterion, exact: bool) -> Verdict:
    codes = {f.code for f in read.findings}
    if "llm-unavailable" in codes:
        return "unavailable"
    if codes & _INVALID or read.status == "rejected":
        return "invalid"
    return "right" if exact else "wrong"


def evaluate_suggestions(
    paths: Sequence[Path],
    rules: Extractor,
    suggester: Extractor,
    stamp: dict[str, str | None],
    *,
    only: str | None = None,
    sample: int | None = None,
) -> SuggestionReport:
    """Score the suggestions on the gold cases (or a selection) that ``rules`` leave in review.

    ``sample`` picks N of the criteria in review (by id hash, as ``eval --sample``).
    """
    from ..pipeline import read_criteria

    cases = select_cases(load_gold(paths), only)
    inputs = [CriterionInput(c.id, c.section, c.text, 0) for c in cases]
    by_rules = read_criteria(inputs, [c.text for c in cases], rules)
    review = [(c, r) for c, r in zip(cases, by_rules, strict=True) if r.status != "accepted"]
    rules_in_review = len(review)
    if sample is not None:
        keep = {c.id for c in select_cases([c for c, _ in review], sample=sample)}
        review = [(c, r) for c, r in review if c.id in keep]
    suggested = read_criteria(
        [CriterionInput(c.id, c.section, c.text, 0) for c, _ in review],
        [c.text for c, _ in review], suggester,
    )
    verdicts: dict[str, int] = {"right": 0, "wrong": 0, "invalid": 0, "unavailable": 0}
    per_var: dict[str, VariableCounts] = defaultdict(VariableCounts)
    results: list[SuggestionCase] = []
    total_suggested = total_correct = total_gains = 0
    for (case, by_rule), read in zip(review, suggested, strict=True):
        golds = case.constraints
        rule_pairs = _pairs(by_rule.constraints, golds)
        pairs = _pairs(read.constraints, golds)
        matched_g = {p.gold for p in pairs if p.matched}
        matched_p = {p.pred for p in pairs if p.matched}
        rules_g = {p.gold for p in rule_pairs if p.matched}
        exact = len(matched_g) == len(golds) and len(matched_p) == len(read.constraints)
        verdict = _verdict(case, read, exact)
        verdicts[verdict] += 1
        for gi, g in enumerate(golds):
            per_var[g.variable].gold += 1
            per_var[g.variable].rules_matched += gi in rules_g
            per_var[g.variable].suggestion_matched += gi in matched_g
        for pi, c in enumerate(read.constraints):
            per_var[c.variable].suggested += 1
            per_var[c.variable].take_correct += pi in matched_p
        gains = len(matched_g - rules_g)
        total_suggested += len(read.constraints)
        total_correct += len(matched_p)
        total_gains += gains
        results.append(SuggestionCase(
            id=case.id, rules_status=by_rule.status, verdict=verdict,
            suggestion_status=read.status, gold=len(golds), suggested=len(read.constraints),
            take_correct=len(matched_p), gains=gains, findings=[f.code for f in read.findings],
        ))
    n = len(review) or 1
    return SuggestionReport(
        stamp={**stamp, "gold": ", ".join(str(p) for p in paths),
               "selection": None if only is None and sample is None
               else f"only={only} sample={sample}"},
        cases=len(cases),
        rules_in_review=rules_in_review,
        in_review=len(review),
        verdicts=verdicts,
        rates={k: round(v / n, 4) for k, v in verdicts.items()},
        suggested=total_suggested,
        take_correct=total_correct,
        take_precision=round(total_correct / total_suggested, 4) if total_suggested else 1.0,
        gains=total_gains,
        per_variable=dict(sorted(per_var.items())),
        results=results,
    )


def render_suggestions(report: SuggestionReport) -> object:
    """A rich renderable: the verdicts, then the table per variable."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    head = Text(
        f"suggestions on {report.in_review} of the {report.rules_in_review} gold criteria "
        f"(of {report.cases}) the rules leave in review ({report.stamp.get('model')}, "
        f"{report.stamp.get('prompt_id')}): "
        + ", ".join(f"{v} {k} ({report.rates[k]:.0%})" for k, v in report.verdicts.items())
        + f"; taking a suggested constraint would have been correct for {report.take_correct} "
        f"of {report.suggested} ({report.take_precision:.0%}), {report.gains} of them a gold "
        "constraint the rules missed"
    )
    table = Table("variable", "gold", "rules matched", "suggestion matched", "suggested",
                  "taking it correct", title="per variable")
    for var, c in report.per_variable.items():
        share = f"{c.take_correct}/{c.suggested}" if c.suggested else "-"
        table.add_row(var, str(c.gold), str(c.rules_matched), str(c.suggestion_matched),
                      str(c.suggested), share)
    return Group(head, table)
