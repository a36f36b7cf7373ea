"""What a numeric gold item of a brat corpus is, and the document that holds it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ...models import Section
from ...segment import Segment
from .values import Comparator, Span, other_readings

__all__ = ["BratDoc", "BratNumeric", "Corpus", "locate", "make_item", "nct_id"]

Corpus = Literal["chia", "lct"]
_NCT = re.compile(r"NCT\d{8}")


@dataclass(frozen=True, slots=True)
class BratNumeric:
    """One numeric gold item: a thing (entity) bounded by a value, in one criterion.

    Offsets (``criterion_start``, ``value_span``) are into the document's file;
    ``criterion_text == text[criterion_start:criterion_start + len(criterion_text)]``
    and ``value_text == text[value_span[0]:value_span[1]]``.
    """

    corpus: Corpus
    doc_id: str
    source_path: Path
    section: Section
    criterion_id: str
    criterion_text: str
    criterion_start: int
    entity_type: str
    entity_text: str
    value_text: str
    value_span: Span
    values: tuple[float, ...]
    comparator: Comparator | None
    unit_text: str | None

    @property
    def nct_id(self) -> str:
        """The trial's NCT id."""
        return nct_id(self.doc_id)


@dataclass(frozen=True, slots=True)
class BratDoc:
    """A brat document: its text, its criteria and its numeric gold items."""

    corpus: Corpus
    doc_id: str
    source_path: Path
    text: str
    criteria: list[Segment]
    items: list[BratNumeric] = field(default_factory=list)
    other_values: dict[str, list[float]] = field(default_factory=dict)
    """Chia only: by criterion id, the numbers of the Value entities that are not gold
    items: hung on another entity type (Observation, Drug...) or on no entity at all (the
    annotator marked the Value but drew no relation).  A lenient precision counts them."""

    @property
    def nct_id(self) -> str:
        """The trial's NCT id."""
        return nct_id(self.doc_id)


def nct_id(doc_id: str) -> str:
    """Return the NCT id inside a document id (``"NCT00094861_inc"`` -> ``"NCT00094861"``)."""
    match = _NCT.search(doc_id)
    return match.group(0) if match else doc_id



def locate(criteria: Sequence[Segment], start: int) -> Segment | None:
    """The criterion that holds offset ``start`` of the document, if any."""
    return next((c for c in criteria if c.start <= start < c.end), None)


def make_item(
    doc: BratDoc,
    criterion: Segment,
    entity_type: str,
    entity_text: str,
    value_span: Span,
    numbers: list[tuple[float, Span]],
    comparator: Comparator | None,
    unit_text: str | None,
) -> BratNumeric:
    """The gold item of ``value_span`` (its values: the numbers, then the other readings)."""
    start, end = value_span
    written = doc.text[start:end]
    return BratNumeric(
        corpus=doc.corpus,
        doc_id=doc.doc_id,
        source_path=doc.source_path,
        section=criterion.section,
        criterion_id=criterion.id,
        criterion_text=criterion.text,
        criterion_start=criterion.start,
        entity_type=entity_type,
        entity_text=entity_text,
        value_text=written,
        value_span=value_span,
        values=tuple(value for value, _ in numbers) + other_readings(written),
        comparator=comparator,
        unit_text=unit_text,
    )
