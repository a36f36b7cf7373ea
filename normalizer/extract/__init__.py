"""Extractors: rules (deterministic, the default) and LLM, behind one interface."""

from .base import CriterionInput, Extraction, Extractor, NumberNote

__all__ = ["CriterionInput", "Extraction", "Extractor", "NumberNote"]
