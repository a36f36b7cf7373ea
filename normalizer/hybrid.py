"""Composed extractors: LLM-only with the rules' notes, and hybrid (rules first).

``hybrid`` runs the rules on every criterion and sends to the LLM only the ones
the rules could not fully read (``Extraction.complete`` is False: a number left
unexplained, a low-confidence pattern) or, with ``route="all"``, every one.
Where both read a criterion, agreeing constraints are kept once (``extracted_by``
both); an LLM constraint that contradicts the rules is not added, and the
``extractors-disagree`` warning on the rules' constraint names both readings;
constraints only the LLM found fill the rules' gaps.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from .extract.base import CriterionInput, Extraction, Extractor
from .verify import merge_extractions

__all__ = ["HybridExtractor", "LLMWithNotes"]


class LLMWithNotes:
    """The LLM's constraints, with the rules' notes on non-constraint numbers.

    The LLM lists constraints only; which numbers are time windows, stages or
    list numbers is the rules' deterministic reading, so that verification can
    tell an explained number from an unparsed one the same way in every mode.
    """

    name = "llm"

    def __init__(self, rules: Extractor, llm: Extractor) -> None:
        """Compose ``rules`` (for notes) and ``llm`` (for constraints)."""
        self.rules = rules
        self.llm = llm
        self.prompt_id: str | None = getattr(llm, "prompt_id", None)
        self.model: str | None = getattr(llm, "model", None)

    def extract(self, criteria: Sequence[CriterionInput]) -> list[Extraction]:
        """LLM constraints and findings; the rules' notes."""
        notes = self.rules.extract(criteria)
        read = self.llm.extract(criteria)
        return [
            Extraction(
                constraints=r.constraints,
                findings=r.findings,
                notes=n.notes,
                complete=r.complete,
            )
            for r, n in zip(read, notes, strict=True)
        ]


class HybridExtractor:
    """Rules first; the LLM for what the rules could not fully read."""

    name = "hybrid"

    def __init__(
        self,
        rules: Extractor,
        llm: Extractor,
        route: Literal["incomplete", "all"] = "incomplete",
    ) -> None:
        """Compose ``rules`` and ``llm``; ``route`` says which criteria go to the LLM."""
        self.rules = rules
        self.llm = llm
        self.route = route
        self.prompt_id: str | None = getattr(llm, "prompt_id", None)
        self.model: str | None = getattr(llm, "model", None)
        self.routed = 0

    def extract(self, criteria: Sequence[CriterionInput]) -> list[Extraction]:
        """Rules on all criteria, the LLM on the routed ones, merged."""
        results = self.rules.extract(criteria)
        routed = [
            i for i, e in enumerate(results) if self.route == "all" or not e.complete
        ]
        self.routed += len(routed)
        if not routed:
            return results
        read = self.llm.extract([criteria[i] for i in routed])
        for i, llm_reading in zip(routed, read, strict=True):
            results[i] = merge_extractions(results[i], llm_reading, keep_rivals=False)
        return results
