"""Deterministic verification (placeholder until the verification layer lands)."""

from __future__ import annotations

from .extract.base import Extraction
from .models import Criterion, EligibilitySet, Finding, Status

__all__ = ["check_criterion", "check_document", "status_of"]


def check_criterion(criterion: Criterion, source: str, extraction: Extraction) -> list[Finding]:
    """Findings about one criterion's constraints."""
    return []


def check_document(criteria: list[Criterion]) -> tuple[dict[str, list[Finding]], list[EligibilitySet]]:
    """Findings across the criteria of one document, and the eligible sets."""
    return {}, []


def status_of(criterion: Criterion) -> Status:
    """``rejected`` on any error, ``needs_review`` on any warning, else ``accepted``."""
    severities = {f.severity for f in criterion.findings}
    if "error" in severities:
        return "rejected"
    if "warning" in severities:
        return "needs_review"
    return "accepted"
