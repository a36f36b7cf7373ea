"""The interface every extractor implements.

An extractor reads criteria and returns, per criterion, the constraints it
found (evidence offsets into the *document*), findings about its own reading
(e.g. ``comparator-ambiguous``) and notes on numbers it recognised as not being
constraints (temporal windows, staging, editions...).  It does not decide a
status: verification does, the same way for every extractor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..models import Constraint, Finding, NumberReason, Section

__all__ = ["CriterionInput", "Extraction", "Extractor", "NumberNote", "NumberReason"]


@dataclass(frozen=True, slots=True)
class CriterionInput:
    """A criterion to read: ``text`` starts at offset ``start`` of the document."""

    id: str
    section: Section
    text: str
    start: int = 0


@dataclass(frozen=True, slots=True)
class NumberNote:
    """A number the extractor read and knowingly did not turn into a constraint."""

    span: tuple[int, int]
    reason: NumberReason


@dataclass(slots=True)
class Extraction:
    """What one extractor read in one criterion."""

    constraints: list[Constraint] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[NumberNote] = field(default_factory=list)
    complete: bool = True
    """False when the extractor knows it could not read everything (hybrid sends it on)."""


class Extractor(Protocol):
    """Reads criteria into constraints."""

    name: str

    def extract(self, criteria: Sequence[CriterionInput]) -> list[Extraction]:
        """Return one :class:`Extraction` per input criterion, in order."""
        ...
