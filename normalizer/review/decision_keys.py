"""How a curator decision is keyed so that it outlives reruns.

The criterion's hash (:func:`criterion_hash`) and the decision's slot in it: where
its evidence sits in the criterion's text (and, for a constraint, the variable as
read), checked against the criterion shown, with the constraints moved to offsets
in the criterion (:func:`relative`).  See :mod:`normalizer.review.decisions`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..models import Constraint, Criterion, DecisionAction, Span
from .decision_rows import ACTIONS, DecisionError

_ON_CONSTRAINT = ("accept", "correct", "reject")


def criterion_hash(text: str) -> str:
    """sha256 (hex) of a criterion's text, exactly as written."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def relative(constraint: Constraint, offset: int) -> Constraint:
    """The constraint with its evidence moved by ``-offset`` and no decision on it."""
    start, end = constraint.evidence
    return constraint.model_copy(
        update={"evidence": (start - offset, end - offset), "decided_by": None}
    )


@dataclass(frozen=True)
class _Key:
    slot: str
    span: Span
    evidence_text: str
    constraint: Constraint | None
    original: Constraint | None
    action: DecisionAction | None = None
    """The action stored when it differs from the one asked (correcting an added one)."""


def _relative(span: Span, base: int) -> Span:
    return (span[0] - base, span[1] - base)


def _inside(criterion: Criterion, span: Span, what: str) -> Span:
    base, end = criterion.span
    start, stop = span
    if not base <= start < stop <= end:
        raise DecisionError(
            f"{what} [{start}, {stop}) is not inside criterion {criterion.id} [{base}, {end})"
        )
    return (start - base, stop - base)


def _original(criterion: Criterion, target: int | None, action: str) -> Constraint:
    if target is None or not 0 <= target < len(criterion.constraints):
        raise DecisionError(
            f"{action}: criterion {criterion.id} has no constraint {target} "
            f"(it has {len(criterion.constraints)})"
        )
    shown = criterion.constraints[target]
    # a constraint corrected earlier: the decision stays about what the extractor read
    if shown.decided_by is not None and shown.decided_by.was is not None:
        return shown.decided_by.was
    return shown


def _key(
    criterion: Criterion,
    action: DecisionAction,
    target: int | None,
    constraint: Constraint | None,
    evidence: Span | None,
) -> _Key:
    base = criterion.span[0]
    if action in _ON_CONSTRAINT and target is not None and 0 <= target < len(criterion.constraints):
        shown = criterion.constraints[target].decided_by
        if shown is not None and shown.action == "add" and not shown.stale:
            # a curator's own constraint: correcting it is adding it again, in its slot
            if action != "correct":
                raise DecisionError(
                    f"{action}: constraint {target} of {criterion.id} was added by "
                    f"{shown.curator}; undo the addition instead"
                )
            if constraint is None:
                raise DecisionError("correct: give the corrected constraint")
            added = criterion.constraints[target]
            span = _inside(criterion, added.evidence, "the added constraint's evidence")
            _inside(criterion, constraint.evidence, "the corrected constraint's evidence")
            return _Key(
                f"add:{span[0]}:{span[1]}:{added.variable}",
                _relative(constraint.evidence, base),
                criterion.text[constraint.evidence[0] - base : constraint.evidence[1] - base],
                relative(constraint, base),
                None,
                "add",
            )
    if action in _ON_CONSTRAINT:
        original = _original(criterion, target, action)
        span = _inside(criterion, original.evidence, "the constraint's evidence")
        if action == "correct":
            if constraint is None:
                raise DecisionError("correct: give the corrected constraint")
            _inside(criterion, constraint.evidence, "the corrected constraint's evidence")
        elif constraint is not None:
            raise DecisionError(f"{action}: takes no constraint (only correct and add do)")
        slot = f"constraint:{span[0]}:{span[1]}:{original.variable}"
        assert target is not None
        twins = sum(  # earlier constraints read from the same evidence as the same variable
            1
            for k in range(target)
            if (o := _original(criterion, k, action)).evidence == original.evidence
            and o.variable == original.variable
        )
        slot += f"#{twins}" if twins else ""
        return _Key(
            slot,
            span,
            criterion.text[span[0] : span[1]],
            None if constraint is None else relative(constraint, base),
            relative(original, base),
        )
    if action == "add":
        if constraint is None:
            raise DecisionError("add: give the constraint to add")
        span = _inside(criterion, constraint.evidence, "the added constraint's evidence")
        slot = f"add:{span[0]}:{span[1]}:{constraint.variable}"
        return _Key(slot, span, criterion.text[span[0] : span[1]], relative(constraint, base), None)
    if action == "not_a_constraint":
        if evidence is None:
            raise DecisionError("not_a_constraint: give the number's span")
        span = _inside(criterion, evidence, "the number")
        slot = f"number:{span[0]}:{span[1]}"
        return _Key(slot, span, criterion.text[span[0] : span[1]], None, None)
    raise DecisionError(f"unknown action {action!r} (one of {', '.join(ACTIONS)})")
