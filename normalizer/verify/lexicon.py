"""The words verification reads evidence with.

Comparator words, ULN/LLN phrases, powers of ten, range words, number words,
mentions and the same-length text view are the :class:`~normalizer.reader.Reader`'s:
the one object, compiled once from ``data/patterns.toml`` and the catalog, that
the rules extractor reads with too, and which verification uses as it is.  What
only verification needs (words that make a number word a quantity, plausible ULN
multipliers) is in ``data/evidence.toml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from ..data_files import data_toml
from ..patterns import Comparator
from ..reader import Reader, load_reader

__all__ = [
    "Comparator",
    "Evidence",
    "EvidenceData",
    "Shared",
    "load_evidence",
    "load_shared",
]


class RelativeRange(BaseModel):
    """Plausible multipliers of a ULN/LLN limit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    possible: tuple[float, float]
    usual: tuple[float, float]


class EvidenceData(BaseModel):
    """The schema of ``evidence.toml`` (documented in the file's header)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    counted_words: list[str] = Field(min_length=1)
    label_distinguishes: list[str] = Field(default_factory=list)
    relative: RelativeRange


@dataclass(frozen=True, slots=True)
class Evidence:
    """Compiled :class:`EvidenceData`, with the reader's number words."""

    version: str
    reader: Reader
    words: dict[str, float]
    word_number: re.Pattern[str]
    counted: re.Pattern[str]
    relative: RelativeRange
    label_distinguishes: frozenset[str]

    def value_of(self, text: str) -> float | None:
        """The value of a number word or a tens-units compound ('twenty-five')."""
        return self.reader.value_of(text)


@cache
def load_evidence() -> Evidence:
    """Load, validate and compile the packaged ``evidence.toml`` (cached)."""
    data = EvidenceData.model_validate(data_toml("evidence.toml"))
    reader = load_reader()
    counted = re.compile(
        r"[\s-]*(?:" + "|".join(re.escape(w) for w in data.counted_words) + r")\b",
        re.IGNORECASE,
    )
    return Evidence(
        version=data.version,
        reader=reader,
        words=reader.number_values,
        word_number=reader.number_word,
        counted=counted,
        relative=data.relative,
        label_distinguishes=frozenset(data.label_distinguishes),
    )


# --------------------------------------------------------------------------
# The shared data of patterns.toml
# --------------------------------------------------------------------------

Shared = Reader
"""What verification reads with is the :class:`~normalizer.reader.Reader` itself."""


def load_shared() -> Reader:
    """The packaged reader, which the rules extractor reads with too."""
    return load_reader()
