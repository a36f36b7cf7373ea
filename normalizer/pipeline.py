"""From text to a verified :class:`~normalizer.models.Document`.

segment -> extract (any :class:`~normalizer.extract.Extractor`) -> canonical
units -> verification (per constraint, per criterion, across the document) ->
status.  Verification never depends on which extractor produced a constraint.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .catalog import load_catalog
from .errors import InputError
from .extract.base import CriterionInput, Extractor
from .guard import finite_only, too_long
from .models import (
    Canonical,
    Constraint,
    Criterion,
    Document,
    Provenance,
    RegistryFields,
    Section,
)
from .provenance import provenance_of

if TYPE_CHECKING:
    from .records import Record
from .segment import segment
from .units import convert
from .verify import check_criterion, check_document, status_of
from .verify.alternatives import combination
from .verify.registry import check_registry

__all__ = [
    "apply_registry",
    "canonical_of",
    "normalize_record",
    "normalize_text",
    "provenance_of",
    "read_criteria",
]


def canonical_of(constraint: Constraint) -> Canonical | None:
    """Bounds in the variable's canonical unit, or None when no conversion applies."""
    var = load_catalog().get(constraint.variable)
    if var is None or constraint.relative_to is not None:
        return None
    if var.canonical_unit is None:
        if constraint.unit is not None:
            return None
        return Canonical(
            lower=constraint.lower.value if constraint.lower else None,
            upper=constraint.upper.value if constraint.upper else None,
            unit=None,
        )
    unit = constraint.unit
    if unit is None:
        return None
    values: list[float | None] = []
    for bound in (constraint.lower, constraint.upper):
        if bound is None:
            values.append(None)
            continue
        converted = convert(bound.value, unit, var.id)
        if converted is None:
            return None
        values.append(round(converted, 6))
    return Canonical(lower=values[0], upper=values[1], unit=var.canonical_unit)


def _finish(constraints: list[Constraint]) -> list[Constraint]:
    return [c.model_copy(update={"canonical": canonical_of(c)}) for c in constraints]


def read_criteria(
    inputs: Sequence[CriterionInput], sources: Sequence[str], extractor: Extractor
) -> list[Criterion]:
    """Extract and verify criteria; ``sources[i]`` is the document text of ``inputs[i]``.

    Returns one :class:`Criterion` per input with per-criterion findings; the
    cross-criterion checks of a document are :func:`normalize_text`'s.
    """
    skipped = [too_long(item.text) for item in inputs]
    readable = [item for item, skip in zip(inputs, skipped, strict=True) if skip is None]
    read = iter(extractor.extract(readable) if readable else [])
    extractions = [skip if skip is not None else next(read) for skip in skipped]
    criteria: list[Criterion] = []
    for item, source, extraction, skip in zip(inputs, sources, extractions, skipped, strict=True):
        constraints, findings = finite_only(
            _finish(extraction.constraints), list(extraction.findings)
        )
        crit = Criterion(
            id=item.id,
            section=item.section,
            text=item.text,
            span=(item.start, item.start + len(item.text)),
            constraints=constraints,
            findings=findings,
        )
        if skip is None:  # a criterion too long to read is not scanned either
            crit.findings.extend(check_criterion(crit, source, extraction))
        crit.status = status_of(crit)
        criteria.append(crit)
    return criteria


def _check_text(source: object, name: str) -> None:
    if not isinstance(source, str):
        raise InputError(f"{name}: text must be a str, not {type(source).__name__}")
    try:
        source.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"{name}: the text cannot be encoded as UTF-8 (lone surrogate "
            f"U+{ord(source[exc.start]):04X} at offset {exc.start})"
        ) from None


def normalize_text(
    source: str,
    *,
    name: str,
    extractor: Extractor,
    default_section: Section = "unknown",
    provenance: Provenance | None = None,
) -> Document:
    """Normalise one registry record's eligibility text into a verified document.

    Raises :class:`~normalizer.errors.InputError` for text that is not a ``str``
    or cannot be encoded as UTF-8 (a lone surrogate): its output could not be written.
    """
    _check_text(source, name)
    segments = segment(source, default_section)
    inputs = [CriterionInput(s.id, s.section, s.text, s.start) for s in segments]
    criteria = read_criteria(inputs, [source] * len(inputs), extractor)
    for crit in criteria:
        crit.any_of, crit.alternative = combination(crit)
    extra, eligibility = check_document(criteria)
    for crit in criteria:
        crit.findings.extend(extra.get(crit.id, []))
        crit.status = status_of(crit)
    return Document(
        source=name,
        provenance=provenance or provenance_of(extractor),
        criteria=criteria,
        eligibility=eligibility,
    )


def normalize_record(
    record: Record, *, extractor: Extractor, provenance: Provenance | None = None
) -> Document:
    """Normalise one registry record: its text as :func:`normalize_text`, plus who it is."""
    if record.text is None:
        doc = Document(source=record.source, provenance=provenance or provenance_of(extractor))
    else:
        doc = normalize_text(
            record.text,
            name=record.source,
            extractor=extractor,
            default_section=record.default_section,
            provenance=provenance,
        )
    doc.record = record.info
    if record.info.registry is not None:
        apply_registry(doc, record.info.registry)
    return doc


def apply_registry(doc: Document, registry: RegistryFields) -> None:
    """Compare the registry's fields with the document's criteria, in place.

    Findings from an earlier comparison are replaced (a curated document is
    compared again after its decisions); statuses are recomputed.
    """
    for crit in doc.criteria:
        crit.findings = [f for f in crit.findings if not f.code.startswith("registry-")]
    doc.eligibility = [s for s in doc.eligibility if s.origin != "registry"]
    found = check_registry(doc.criteria, doc.eligibility, registry)
    for crit in doc.criteria:
        crit.findings.extend(found.by_criterion.get(crit.id, []))
        crit.status = status_of(crit)
    doc.findings = [f for f in doc.findings if not f.code.startswith("registry-")]
    doc.findings.extend(found.document)
    doc.eligibility = found.eligibility
