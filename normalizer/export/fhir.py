"""FHIR R5: per record a Bundle with a ResearchStudy and the EvidenceVariable of its eligibility.

The mapping, and what FHIR cannot say, is in ``docs/fhir.md``.  Resources are
built as plain JSON-ready dicts (fast enough for tens of thousands of records);
:func:`validate_bundle` parses one with the ``fhir.resources`` R5 models, as the
tests do for every export.

Shape of ``EvidenceVariable.characteristic``::

    [ {Inclusion criteria, definitionByCombination all-of: [criterion...]},
      {Exclusion criteria, exclude: true, definitionByCombination any-of: [criterion...]} ]
    criterion  = {linkId: criterion id, description: its text,
                  definitionByCombination (all-of for inclusion, any-of for exclusion): [item...]}
    item       = constraint
               | any-of [ all-of [NOT qualifier..., main], all-of [qualifier, qualified]... ]
    constraint = {linkId, definitionByTypeAndValue {type, valueQuantity | valueRange, offset}}
               | {linkId, definitionByCombination all-of [lower half, upper half]}
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from ..catalog import Variable, load_catalog
from ..models import Bound, Criterion
from .selection import Item, Reading, RecordExport, Selected, items_of

__all__ = [
    "COMPLETE_URL",
    "DECISION_URL",
    "OFFSET_SYSTEM",
    "QUALIFIER_SYSTEM",
    "STATUS_URL",
    "UCUM",
    "VARIABLE_SYSTEM",
    "bundle_of",
    "bundles_of",
    "fhir_id",
    "readings_of_bundle",
    "validate_bundle",
]

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OFFSET_SYSTEM = "http://hl7.org/fhir/characteristic-offset"
NCT_SYSTEM = "https://clinicaltrials.gov"
_BASE = "urn:criteria-normalizer:fhir"
VARIABLE_SYSTEM = f"{_BASE}:variable"
"""The catalog's own code system: every variable id (age, scores, ``other``...)."""
QUALIFIER_SYSTEM = f"{_BASE}:qualifier"
RECORD_SYSTEM = f"{_BASE}:record-id"
STATUS_URL = f"{_BASE}:constraint-status"
DECISION_URL = f"{_BASE}:curator-decision"
COMPLETE_URL = f"{_BASE}:record-complete"

_OFFSET = {
    "ULN": {"system": OFFSET_SYSTEM, "code": "UNL", "display": "Upper Normal Limit"},
    "LLN": {"system": OFFSET_SYSTEM, "code": "LNL", "display": "Lower Normal Limit"},
}
_OFFSET_BACK = {"UNL": "ULN", "LNL": "LLN"}
_NOT_ID = re.compile(r"[^A-Za-z0-9.\-]")
_UUID_NS = uuid.UUID("5f0c3c1e-1b1a-4a8e-9a55-6d1e2f0b7c21")


def fhir_id(text: str) -> str:
    """A FHIR ``id`` for ``text``: itself when valid, else a cleaned, hash-suffixed form."""
    if len(text) <= 64 and not _NOT_ID.search(text) and text:
        return text
    cleaned = _NOT_ID.sub("-", text).strip("-.")[-40:] or "id"
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
    return f"{cleaned}-{digest}"


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


def _qualifier(text: str, *, exclude: bool) -> dict[str, Any]:
    node: dict[str, Any] = {
        "description": text,
        "definitionCodeableConcept": {
            "coding": [{"system": QUALIFIER_SYSTEM, "code": "qualifier"}],
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
        unless = [_qualifier(q, exclude=True) for q in dict.fromkeys(qualifiers)]
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
                    "characteristic": [_qualifier(text, exclude=False), _constraint(alt)],
                }
            }
        )
    if len(branches) == 1:
        return branches[0]
    return {"definitionByCombination": {"code": "any-of", "characteristic": branches}}


def _criterion(crit: Criterion, items: list[Item], code: str) -> dict[str, Any]:
    return {
        "linkId": fhir_id(crit.id),
        "description": crit.text,
        "definitionByCombination": {"code": code, "characteristic": [_item(i) for i in items]},
    }


def _ref(kind: str, record_id: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_UUID_NS, f'{kind}/{record_id}')}"


def bundle_of(export: RecordExport) -> dict[str, Any]:
    """The Bundle (type ``collection``) of one record: its ResearchStudy and EvidenceVariable."""
    rid = export.record_id
    record = export.document.record
    grouped = items_of(export.constraints)
    inclusion = [_criterion(c, i, "all-of") for c, i in grouped if c.section == "inclusion"]
    exclusion = [_criterion(c, i, "any-of") for c, i in grouped if c.section == "exclusion"]
    unknown = sorted({c.id for c, _ in grouped if c.section == "unknown"})
    characteristic: list[dict[str, Any]] = []
    if inclusion:
        characteristic.append(
            {
                "description": "Inclusion criteria",
                "definitionByCombination": {"code": "all-of", "characteristic": inclusion},
            }
        )
    if exclusion:
        characteristic.append(
            {
                "description": "Exclusion criteria",
                "exclude": True,
                "definitionByCombination": {"code": "any-of", "characteristic": exclusion},
            }
        )
    notes: list[dict[str, str]] = []
    if not export.complete:
        notes.append(
            {
                "text": f"Incomplete: {len(export.open_criteria)} criteria are neither accepted "
                f"nor decided by a curator ({', '.join(export.open_criteria)})."
            }
        )
    if unknown:
        notes.append(
            {
                "text": f"Left out, section unknown (neither inclusion nor exclusion): "
                f"{', '.join(unknown)}."
            }
        )
    name = (record.nct_id if record else None) or rid
    variable: dict[str, Any] = {
        "resourceType": "EvidenceVariable",
        "id": fhir_id(f"{rid}-eligibility"),
        "extension": [{"url": COMPLETE_URL, "valueBoolean": export.complete}],
        "status": "active" if export.complete else "draft",
        "title": f"Eligibility criteria of {name}",
        "actual": False,
    }
    if notes:
        variable["note"] = notes
    if characteristic:
        variable["characteristic"] = characteristic
    identifiers = [{"system": RECORD_SYSTEM, "value": rid}]
    if record and record.nct_id:
        identifiers.insert(0, {"system": NCT_SYSTEM, "value": record.nct_id})
    study: dict[str, Any] = {
        "resourceType": "ResearchStudy",
        "id": fhir_id(rid),
        "identifier": identifiers,
        "status": "active",
        "recruitment": {
            "eligibility": {
                "reference": _ref("EvidenceVariable", rid),
                "display": variable["title"],
            }
        },
    }
    if record and record.title:
        study["title"] = record.title
    if record and record.conditions:
        study["condition"] = [{"text": c} for c in record.conditions]
    return {
        "resourceType": "Bundle",
        "id": fhir_id(f"{rid}-bundle"),
        "type": "collection",
        "entry": [
            {"fullUrl": _ref("ResearchStudy", rid), "resource": study},
            {"fullUrl": _ref("EvidenceVariable", rid), "resource": variable},
        ],
    }


def bundles_of(exports: Iterable[RecordExport]) -> Iterator[dict[str, Any]]:
    """One Bundle per record."""
    for export in exports:
        yield bundle_of(export)


_REQUIRED_CODES = {
    # elements with a *required* binding that fhir.resources does not check
    "comparator": {"<", "<=", ">=", ">", "ad"},  # Quantity.comparator
    "status": {"draft", "active", "retired", "unknown"},  # publication-status
    "code": {  # definitionByCombination.code: characteristic-combination
        "all-of",
        "any-of",
        "at-least",
        "at-most",
        "statistical",
        "net-effect",
        "dataset",
    },
}


def _check_codes(node: Any, parent: str = "") -> None:
    if isinstance(node, list):
        for item in node:
            _check_codes(item, parent)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        allowed = _REQUIRED_CODES.get(key)
        applies = allowed is not None and (key != "code" or parent == "definitionByCombination")
        if applies and value not in (allowed or ()):
            raise ValueError(f"{parent}.{key}: {value!r} is not in the required value set")
        _check_codes(value, key)


def validate_bundle(bundle: dict[str, Any]) -> Any:
    """Parse ``bundle`` with the ``fhir.resources`` R5 models and check the required codes.

    ``fhir.resources`` checks structure and types; the codes of required bindings
    the export uses (comparator, publication status, combination) are checked here.
    Raises when the Bundle is not valid R5; returns the parsed Bundle.
    """
    from fhir.resources.bundle import Bundle

    parsed = Bundle.model_validate(bundle)
    _check_codes(bundle)
    return parsed


# -- reading back -------------------------------------------------------------------------


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
        if "definitionCodeableConcept" in c and not c.get("exclude")
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
