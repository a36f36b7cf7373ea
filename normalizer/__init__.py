r"""normalizer: structured, verified numeric constraints from eligibility criteria.

    >>> from normalizer import RulesExtractor, normalize_text
    >>> text = "Inclusion Criteria:\n* Age 18-75"
    >>> doc = normalize_text(text, name="x", extractor=RulesExtractor())
    >>> doc.criteria[0].constraints[0].variable
    'age'

The LLM extractor lives in :mod:`normalizer.llm` (the only module that talks to
an LLM); it is not imported here.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import NormalizerError
from .extract.base import CriterionInput, Extraction, Extractor
from .extract.rules import RulesExtractor
from .models import (
    SCHEMA_VERSION,
    Bound,
    Constraint,
    Criterion,
    Document,
    Finding,
    GoldCase,
)
from .pipeline import normalize_text, read_criteria

__all__ = [
    "SCHEMA_VERSION",
    "Bound",
    "Constraint",
    "Criterion",
    "CriterionInput",
    "Document",
    "Extraction",
    "Extractor",
    "Finding",
    "GoldCase",
    "NormalizerError",
    "RulesExtractor",
    "__version__",
    "normalize_text",
    "read_criteria",
]
