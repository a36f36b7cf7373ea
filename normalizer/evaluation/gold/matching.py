"""When a predicted constraint matches a gold one, and the one-to-one pairs.

Values compare within :data:`TOLERANCE` after converting both to the variable's
canonical unit; pairs that share the variable and ``relative_to`` are aligned,
and matched when their bounds agree (:func:`bounds_agree`).

A gold ``other`` aligns with a predicted catalog id only when the id was added to
the catalog after the contract (``added_in``) and the gold label names it: the gold
case is older than the id ("other", label "PEEP" against ``peep``).  A predicted
``other`` never stands for a gold catalog id, nor a contract id for a gold ``other``
("age-adjusted Charlson comorbidity index" is no ``age``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from pydantic import BaseModel, ConfigDict

from ...catalog import load_catalog
from ...models import Bound, Constraint, GoldConstraint
from ...reader import load_reader
from ...units import convert

TOLERANCE = 0.005


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


@cache
def _later_id_named(label: str, variable: str) -> bool:
    """Whether ``variable`` joined the catalog after the contract and ``label`` names it."""
    entry = load_catalog().get(variable)
    if entry is None or entry.added_in is None:
        return False
    return any(m.variable == variable for m in load_reader().mentions.find(label))


def _aligned(pred: Constraint, gold: GoldConstraint) -> bool:
    if pred.relative_to != gold.relative_to:
        return False
    if pred.variable == gold.variable:
        return True
    return gold.variable == "other" and _later_id_named(gold.label or "", pred.variable)


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
