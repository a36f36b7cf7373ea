"""A criterion as EvidenceVariable characteristics: constraints, qualifiers, items.

Each constraint as a ``definitionByTypeAndValue`` (a quantity or range, with its
type, ULN/LLN offset and status and decision extensions; two halves when an end
is exclusive), a qualified item as its ``any-of`` branches, and a criterion as
the combination of its items.  See :mod:`normalizer.export.fhir` (the shape).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ..catalog import Variable, load_catalog
from ..models import Bound, Criterion
from .fhir_codes import (
    _OFFSET,
    DECISION_URL,
    LOINC,
    QUALIFIER_SYSTEM,
    STATUS_URL,
    UCUM,
    VARIABLE_SYSTEM,
    fhir_id,
)
from .selection import Item, Selected


def _quantity(bound: Bound | None, comparator: str | None, sel: Selected) -> dict[str, Any]:
    assert bound is not None
    q: dict[str, Any] = {"value": bound.value}
    if comparator is not None:
        q["comparator"] = comparator
    unit = sel.constraint.unit
    if unit is not None:
        q.update(unit=unit, system=UCUM, code=unit)
    return q


@cache
def _variables() -> dict[str, Variable]:
    """The catalog by id, as a plain dict (``Catalog.get`` is slow in a hot loop)."""
    return {v.id: v for v in load_catalog().variables}


def _type(sel: Selected) -> dict[str, Any]:
    c = sel.constraint
    var = _variables().get(c.variable)
    coding: list[dict[str, Any]] = []
    if var is not None and var.loinc:
        coding.append({"system": LOINC, "code": var.loinc, "display": var.label})
    coding.append({"system": VARIABLE_SYSTEM, "code": c.variable, "display": c.label})
    return {"coding": coding, "text": c.label}


def _by_type_and_value(sel: Selected, value: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": _type(sel), **value}
    if sel.constraint.relative_to is not None:
        out["offset"] = {"coding": [_OFFSET[sel.constraint.relative_to]]}
    return out


def _extensions(sel: Selected) -> list[dict[str, Any]]:
    ext: list[dict[str, Any]] = [{"url": STATUS_URL, "valueCode": sel.status}]
    if sel.decision is not None:
        ext.append(
            {
                "url": DECISION_URL,
                "extension": [
                    {"url": "action", "valueCode": sel.decision.action},
                    {"url": "curator", "valueString": sel.decision.curator},
                    {"url": "at", "valueString": sel.decision.at},
                ],
            }
        )
    return ext


def _constraint(sel: Selected) -> dict[str, Any]:
    c = sel.constraint
    node: dict[str, Any] = {
        "linkId": fhir_id(f"{sel.criterion.id}.{sel.index}"),
        "extension": _extensions(sel),
    }
    text = sel.evidence_text
    if text:
        node["description"] = text
    lo, hi = c.lower, c.upper
    value: dict[str, Any]
    if lo is not None and hi is not None:
        if lo.value == hi.value and lo.inclusive and hi.inclusive:
            value = {"valueQuantity": _quantity(lo, None, sel)}
        elif lo.inclusive and hi.inclusive:
            low, high = _quantity(lo, None, sel), _quantity(hi, None, sel)
            value = {"valueRange": {"low": low, "high": high}}
        else:  # a Range cannot say that an end is exclusive: two comparators, all of them
            halves = [
                {"definitionByTypeAndValue": _by_type_and_value(sel, {"valueQuantity": q})}
                for q in (
                    _quantity(lo, ">=" if lo.inclusive else ">", sel),
                    _quantity(hi, "<=" if hi.inclusive else "<", sel),
                )
            ]
            node["definitionByCombination"] = {"code": "all-of", "characteristic": halves}
            return node
    elif lo is not None:
        value = {"valueQuantity": _quantity(lo, ">=" if lo.inclusive else ">", sel)}
    elif hi is not None:
        value = {"valueQuantity": _quantity(hi, "<=" if hi.inclusive else "<", sel)}
    else:
        value = {"valueBoolean": True}
    node["definitionByTypeAndValue"] = _by_type_and_value(sel, value)
    return node


def _written(text: str, code: str, *, exclude: bool = False) -> dict[str, Any]:
    """A condition as the text writes it: a ``qualifier`` or an unread ``alternative``."""
    node: dict[str, Any] = {
        "description": text,
        "definitionCodeableConcept": {
            "coding": [{"system": QUALIFIER_SYSTEM, "code": code}],
            "text": text,
        },
    }
    if exclude:
        node["exclude"] = True
    return node


def _item(item: Item) -> dict[str, Any]:
    if item.main is not None and not item.alternatives:
        return _constraint(item.main)
    branches: list[dict[str, Any]] = []
    qualifiers = [alt.constraint.qualifier or "" for alt in item.alternatives]
    if item.main is not None:
        unless = [_written(q, "qualifier", exclude=True) for q in dict.fromkeys(qualifiers)]
        branches.append(
            {
                "definitionByCombination": {
                    "code": "all-of",
                    "characteristic": [*unless, _constraint(item.main)],
                }
            }
        )
    for alt, text in zip(item.alternatives, qualifiers, strict=True):
        branches.append(
            {
                "definitionByCombination": {
                    "code": "all-of",
                    "characteristic": [_written(text, "qualifier"), _constraint(alt)],
                }
            }
        )
    if len(branches) == 1:
        return branches[0]
    return {"definitionByCombination": {"code": "any-of", "characteristic": branches}}


def _criterion(crit: Criterion, items: list[Item], code: str) -> dict[str, Any]:
    characteristic = [_item(i) for i in items]
    if crit.alternative is not None and code == "any-of":
        characteristic.append(_written(crit.alternative, "alternative"))
    return {
        "linkId": fhir_id(crit.id),
        "description": crit.text,
        "definitionByCombination": {"code": code, "characteristic": characteristic},
    }
