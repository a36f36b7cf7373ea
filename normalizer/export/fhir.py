"""FHIR R5: per record a Bundle with a ResearchStudy and the EvidenceVariable of its eligibility.

The mapping, and what FHIR cannot say, is in ``docs/fhir.md``.  Resources are
built as plain JSON-ready dicts (fast enough for tens of thousands of records);
:func:`validate_bundle` parses one with the ``fhir.resources`` R5 models, as the
tests do for every export.

Shape of ``EvidenceVariable.characteristic``::

    [ {Inclusion criteria, definitionByCombination all-of: [criterion...]},
      {Exclusion criteria, exclude: true, definitionByCombination any-of: [criterion...]} ]
    criterion  = {linkId: criterion id, description: its text,
                  definitionByCombination (all-of for inclusion, any-of for exclusion
                  and for an inclusion criterion met by any one of its limits): [item...]}
    item       = constraint
               | any-of [ all-of [NOT qualifier..., main], all-of [qualifier, qualified]... ]
    constraint = {linkId, definitionByTypeAndValue {type, valueQuantity | valueRange, offset}}
               | {linkId, definitionByCombination all-of [lower half, upper half]}

The systems, URLs and ids live in :mod:`.fhir_codes`, the characteristics of a
criterion in :mod:`.fhir_characteristics`, validation in :mod:`.fhir_validate`,
reading a Bundle back in :mod:`.fhir_read`; this module builds the Bundles
(:func:`bundle_of`, :func:`bundles_of`) and re-exports their public names.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .fhir_characteristics import _criterion
from .fhir_codes import (
    COMPLETE_URL,
    DECISION_URL,
    NCT_SYSTEM,
    OFFSET_SYSTEM,
    QUALIFIER_SYSTEM,
    RECORD_SYSTEM,
    STATUS_URL,
    UCUM,
    VARIABLE_SYSTEM,
    _ref,
    fhir_id,
)
from .fhir_codes import LOINC as LOINC
from .fhir_read import readings_of_bundle
from .fhir_validate import validate_bundle
from .selection import RecordExport, items_of

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


def bundle_of(export: RecordExport) -> dict[str, Any]:
    """The Bundle (type ``collection``) of one record: its ResearchStudy and EvidenceVariable."""
    rid = export.record_id
    record = export.document.record
    grouped = items_of(export.constraints)
    inclusion = [
        _criterion(c, i, "any-of" if c.any_of else "all-of")
        for c, i in grouped
        if c.section == "inclusion"
    ]
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
