"""The names a FHIR export uses: code systems, extension URLs, ids and full URLs.

The systems (LOINC, UCUM, the characteristic offset, the catalog's own variable
and qualifier systems, the record id), the extensions' URLs, :func:`fhir_id`
(a valid FHIR ``id`` for any text) and the ``urn:uuid:`` full URL of a record's
resources.  See :mod:`normalizer.export.fhir`.
"""

from __future__ import annotations

import hashlib
import re
import uuid

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


def _ref(kind: str, record_id: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_UUID_NS, f'{kind}/{record_id}')}"
