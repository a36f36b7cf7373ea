"""The rules extractor: deterministic reading of numeric limits (see :mod:`.extractor`)."""

from .extractor import RulesExtractor

__all__ = ["RulesExtractor"]
