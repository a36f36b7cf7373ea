"""Extractors: rules (deterministic, the default) and LLM, behind one interface.

Their compositions (LLM with the rules' notes, hybrid) are :mod:`normalizer.hybrid`:
they merge readings with verification's :func:`~normalizer.verify.merge_extractions`,
and extraction does not import verification.
"""

from .base import CriterionInput, Extraction, Extractor, NumberNote

__all__ = ["CriterionInput", "Extraction", "Extractor", "NumberNote"]
