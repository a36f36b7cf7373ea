r"""normalizer: structured, verified numeric constraints from eligibility criteria.

    >>> from normalizer import RulesExtractor, normalize_text
    >>> text = "Inclusion Criteria:\n* Age 18-75"
    >>> doc = normalize_text(text, name="x", extractor=RulesExtractor())
    >>> doc.criteria[0].constraints[0].variable
    'age'

The LLM extractor lives in :mod:`normalizer.llm` (the only package that talks to
an LLM); it is not imported here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import lazy_names
from .version import __version__

if TYPE_CHECKING:
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

# Exports are imported on first use (PEP 562): `import normalizer` or the CLI's
# `--help` does not pay for pydantic models, the catalog or the rules.
_EXPORTS = {
    "NormalizerError": ".errors",
    "CriterionInput": ".extract.base",
    "Extraction": ".extract.base",
    "Extractor": ".extract.base",
    "RulesExtractor": ".extract.rules",
    "SCHEMA_VERSION": ".models",
    "Bound": ".models",
    "Constraint": ".models",
    "Criterion": ".models",
    "Document": ".models",
    "Finding": ".models",
    "GoldCase": ".models",
    "normalize_text": ".pipeline",
    "read_criteria": ".pipeline",
}


__getattr__ = lazy_names(__name__, _EXPORTS, globals())


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


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
