"""The exceptions of ``normalizer``: one tree, rooted at :class:`NormalizerError`.

Findings about the *content* of a criterion are data (see
:class:`normalizer.models.Finding`); these exceptions are for inputs and
services that cannot be used at all::

    NormalizerError
    ├── InputError          a file that cannot be read as UTF-8 eligibility text
    ├── GoldError           a gold file that is not valid gold
    ├── ConfigError         an option or environment variable that cannot work
    └── ExtractorError      an extractor that could not run
        └── LLMError        the LLM endpoint failed after its retries

The CLI maps them to one-line messages and exit codes; nothing else is caught.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "ExtractorError",
    "GoldError",
    "InputError",
    "LLMError",
    "NormalizerError",
]


class NormalizerError(Exception):
    """Root of every error this package raises on purpose."""


class InputError(NormalizerError):
    """An input file is missing, a directory, binary, not UTF-8, empty or too large."""


class GoldError(NormalizerError):
    """A gold file fails its schema or its consistency checks."""


class ConfigError(NormalizerError):
    """A setting (option or environment variable) cannot work as given."""


class ExtractorError(NormalizerError):
    """An extractor could not run at all."""


class LLMError(ExtractorError):
    """The LLM endpoint kept failing after the bounded retries."""
