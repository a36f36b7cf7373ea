"""A Bundle read back: the constraints its EvidenceVariable states, as readings.

:func:`readings_of_bundle` walks the characteristics (the qualifier of each
branch, each constraint's bounds, unit, variable and ULN/LLN offset), so that the
tests can compare an export with what was selected.  See
:mod:`normalizer.export.fhir`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .fhir_codes import _OFFSET_BACK, RECORD_SYSTEM, STATUS_URL, VARIABLE_SYSTEM
from .selection import Reading


def _bound(q: dict[str, Any]) -> tuple[str | None, float]:
    return q.get("comparator"), float(q["value"])


def _leaf_bounds(
    tv: dict[str, Any],
) -> tuple[tuple[float, bool] | None, tuple[float, bool] | None, str | None]:
    if "valueBoolean" in tv:
        return None, None, None
    if "valueRange" in tv:
        rng = tv["valueRange"]
        return (
            (float(rng["low"]["value"]), True),
            (float(rng["high"]["value"]), True),
            rng["low"].get("code"),
        )
    q = tv["valueQuantity"]
    comparator, value = _bound(q)
    unit = q.get("code")
    if comparator is None:
        return (value, True), (value, True), unit
    if comparator in (">=", ">"):
        return (value, comparator == ">="), None, unit
    return None, (value, comparator == "<="), unit


def _reading_of_constraint(
    node: dict[str, Any], record_id: str, criterion_id: str, section: str, qualifier: str | None
) -> Reading:
    if "definitionByTypeAndValue" in node:
        parts = [node["definitionByTypeAndValue"]]
    else:
        parts = [
            c["definitionByTypeAndValue"] for c in node["definitionByCombination"]["characteristic"]
        ]
    lower = upper = None
    unit = None
    for tv in parts:
        lo, hi, u = _leaf_bounds(tv)
        lower, upper, unit = lo or lower, hi or upper, u or unit
    tv = parts[0]
    variable = next(c["code"] for c in tv["type"]["coding"] if c["system"] == VARIABLE_SYSTEM)
    offset = tv.get("offset")
    relative = _OFFSET_BACK[offset["coding"][0]["code"]] if offset else None
    return Reading(
        record_id, criterion_id, section, variable, lower, upper, unit, relative, qualifier
    )


def _is_constraint(node: dict[str, Any]) -> bool:
    return any(e.get("url") == STATUS_URL for e in node.get("extension", []))


def _walk(
    node: dict[str, Any], record_id: str, criterion_id: str, section: str, qualifier: str | None
) -> Iterator[Reading]:
    if _is_constraint(node):
        yield _reading_of_constraint(node, record_id, criterion_id, section, qualifier)
        return
    children = node.get("definitionByCombination", {}).get("characteristic", [])
    positive = [
        c["definitionCodeableConcept"]["text"]
        for c in children
        if "definitionCodeableConcept" in c
        and not c.get("exclude")
        and c["definitionCodeableConcept"]["coding"][0]["code"] == "qualifier"
    ]
    here = positive[0] if positive else qualifier
    for child in children:
        yield from _walk(child, record_id, criterion_id, section, here)


def readings_of_bundle(bundle: dict[str, Any]) -> list[Reading]:
    """The constraints a Bundle states, read from its EvidenceVariable characteristics."""
    resources = [e["resource"] for e in bundle["entry"]]
    study = next(r for r in resources if r["resourceType"] == "ResearchStudy")
    record_id = next(i["value"] for i in study["identifier"] if i["system"] == RECORD_SYSTEM)
    variable = next(r for r in resources if r["resourceType"] == "EvidenceVariable")
    out: list[Reading] = []
    for group in variable.get("characteristic", []):
        section = "exclusion" if group.get("exclude") else "inclusion"
        for crit in group["definitionByCombination"]["characteristic"]:
            out.extend(_walk(crit, record_id, crit["linkId"], section, None))
    return out
