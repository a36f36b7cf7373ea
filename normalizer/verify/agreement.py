"""Agreement between two extractors' readings of one criterion (the hybrid mode).

Two constraints are *the same* when variable, relative_to and the presence of a
qualifier agree, both have the same bounds present with the same inclusiveness,
and the values agree within 0.5 % in the canonical unit (as stated when either
cannot be converted, then the units must match too).

:func:`merge_extractions` gives the constraints in one fixed order: the rules
extractor's, in its order (those the LLM agrees with marked as read by both),
then the LLM's that the rules did not produce.  :func:`compare_extractions`'s
findings index that order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..catalog import load_catalog
from ..extract.base import Extraction
from ..models import Bound, Constraint, ExtractorName, Finding
from ..units import convert
from .codes import finding
from .describe import reading

__all__ = ["compare_extractions", "merge_extractions", "same_constraint"]

_TOLERANCE = 0.005


def _value(c: Constraint, bound: Bound) -> tuple[float, str | None]:
    var = load_catalog().get(c.variable)
    if c.relative_to is None and var is not None and var.canonical_unit and c.unit:
        converted = convert(bound.value, c.unit, var.id)
        if converted is not None:
            return converted, var.canonical_unit
    return bound.value, c.unit


def _bounds_agree(a: Constraint, b: Constraint, x: Bound | None, y: Bound | None) -> bool:
    if x is None or y is None:
        return x is None and y is None
    if x.inclusive != y.inclusive:
        return False
    (va, ua), (vb, ub) = _value(a, x), _value(b, y)
    return ua == ub and math.isclose(va, vb, rel_tol=_TOLERANCE, abs_tol=1e-9)


def same_constraint(a: Constraint, b: Constraint) -> bool:
    """True when two constraints say the same thing (see the module docstring)."""
    return (
        a.variable == b.variable
        and a.relative_to == b.relative_to
        and (a.qualifier is None) == (b.qualifier is None)
        and _bounds_agree(a, b, a.lower, b.lower)
        and _bounds_agree(a, b, a.upper, b.upper)
    )


@dataclass(slots=True)
class _Plan:
    merged: list[Constraint]
    llm_index: dict[int, int]
    """LLM constraint index -> merged index."""
    findings: list[Finding]


def _by(c: Constraint, *names: ExtractorName) -> Constraint:
    seen = list(dict.fromkeys([*c.extracted_by, *names]))
    return c.model_copy(update={"extracted_by": seen})


def _plan(rules: Extraction, llm: Extraction, keep_rivals: bool = True) -> _Plan:
    merged = [_by(c, "rules") for c in rules.constraints]
    llm_index: dict[int, int] = {}
    paired_rules: set[int] = set()
    for j, lc in enumerate(llm.constraints):
        for i, rc in enumerate(rules.constraints):
            if i not in paired_rules and same_constraint(rc, lc):
                paired_rules.add(i)
                llm_index[j] = i
                merged[i] = _by(merged[i], "llm")
                break
    lonely_rules = [i for i in range(len(rules.constraints)) if i not in paired_rules]
    dropped: list[Constraint] = []
    for j, lc in enumerate(llm.constraints):
        if j in llm_index:
            continue
        rival_rules = [i for i in lonely_rules if _rivals(rules.constraints[i], lc)]
        rereads = [c for c in rules.constraints if _overlaps(c, lc)]
        if (rival_rules or rereads) and not keep_rivals:
            # the rules' reading of that text stands; a disagreement is reported on it
            dropped.append(lc)
            continue
        llm_index[j] = len(merged)
        merged.append(_by(lc, "llm"))
    findings: list[Finding] = []
    lonely_llm = [
        j for j in range(len(llm.constraints))
        if j in llm_index and llm_index[j] >= len(rules.constraints)
    ]
    for i in lonely_rules:
        rc = rules.constraints[i]
        rivals = [llm.constraints[j] for j in lonely_llm if _rivals(rc, llm.constraints[j])]
        rivals += [c for c in dropped if _rivals(rc, c) or _overlaps(rc, c)]
        if rivals:
            theirs = "; ".join(reading(c) for c in rivals)
            findings.append(
                finding("extractors-disagree", f"rules read {reading(rc)}; llm read {theirs}", i)
            )
        elif llm.complete:
            findings.append(
                finding(
                    "extractors-disagree",
                    f"rules read {reading(rc)}; llm found no such constraint on {rc.variable}",
                    i,
                )
            )
    for j in lonely_llm:
        lc = llm.constraints[j]
        rivals = [rules.constraints[i] for i in lonely_rules if _rivals(rules.constraints[i], lc)]
        if rivals:
            theirs = "; ".join(reading(c) for c in rivals)
            findings.append(
                finding(
                    "extractors-disagree",
                    f"llm read {reading(lc)}; rules read {theirs}",
                    llm_index[j],
                )
            )
        elif rules.complete:
            findings.append(
                finding(
                    "extractors-disagree",
                    f"llm read {reading(lc)}; rules found no such constraint on {lc.variable}",
                    llm_index[j],
                )
            )
        elif not keep_rivals:
            findings.append(
                finding(
                    "llm-only",
                    f"only the LLM read {reading(lc)}: the rules could not read this part of "
                    "the criterion",
                    llm_index[j],
                )
            )
    return _Plan(merged, llm_index, findings)


def _overlaps(a: Constraint, b: Constraint) -> bool:
    """The two evidence spans share text: two readings of the same words."""
    return a.evidence[0] < b.evidence[1] and b.evidence[0] < a.evidence[1]


def _rivals(a: Constraint, b: Constraint) -> bool:
    return a.variable == b.variable and (a.qualifier is None) == (b.qualifier is None)


def compare_extractions(
    rules: Extraction, llm: Extraction, keep_rivals: bool = True
) -> list[Finding]:
    """``extractors-disagree`` warnings, indexed as :func:`merge_extractions` orders them.

    A constraint only one extractor produced counts as a disagreement only when
    the other extractor says it read the whole criterion (``complete``).
    """
    return _plan(rules, llm, keep_rivals).findings


def merge_extractions(
    rules: Extraction, llm: Extraction, keep_rivals: bool = True
) -> Extraction:
    """One extraction from two: agreeing constraints once, the others side by side.

    With ``keep_rivals=False`` (hybrid mode) the LLM only fills the rules' gaps: an
    LLM constraint that contradicts a rules constraint on the same variable, or
    re-reads text a rules constraint already read, is not added (the rules' reading
    stands and the ``extractors-disagree`` warning on it names both readings), and
    one only the LLM read carries ``llm-only`` so that a person confirms it.

    Findings of both extractors are kept (re-indexed, duplicates dropped) with
    the disagreements added; notes are pooled.  The merge is complete when
    either extractor read the whole criterion.
    """
    plan = _plan(rules, llm, keep_rivals)
    findings: list[Finding] = []
    seen: set[tuple[str, int | None, str]] = set()

    def keep(f: Finding) -> None:
        key = (f.code, f.constraint, f.message)
        if key not in seen:
            seen.add(key)
            findings.append(f)

    for f in rules.findings:
        keep(f)
    for f in llm.findings:
        if f.constraint is not None and f.constraint not in plan.llm_index:
            continue  # about an LLM constraint that was not kept
        index = None if f.constraint is None else plan.llm_index[f.constraint]
        keep(f.model_copy(update={"constraint": index}))
    for f in plan.findings:
        keep(f)
    notes = list(dict.fromkeys([*rules.notes, *llm.notes]))
    return Extraction(
        constraints=plan.merged,
        findings=findings,
        notes=notes,
        complete=rules.complete or llm.complete,
    )
