"""The words verification reads evidence with.

Comparator words, ULN/LLN phrases, powers of ten, range words, number words,
mentions and the same-length text view are the :class:`~normalizer.reader.Reader`'s:
the one object, compiled once from ``data/patterns.toml`` and the catalog, that
the rules extractor reads with too.  :class:`Shared` names its parts as
verification uses them.  What only verification needs (words that make a number
word a quantity, plausible ULN multipliers) is in ``data/evidence.toml``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

from ..patterns import Comparator
from ..reader import Reader, load_reader

__all__ = [
    "Comparator",
    "Evidence",
    "EvidenceData",
    "Shared",
    "load_evidence",
    "load_shared",
    "shared_of",
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
    raw = resources.files("normalizer").joinpath("data/evidence.toml").read_text("utf-8")
    data = EvidenceData.model_validate(tomllib.loads(raw))
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

@dataclass(frozen=True, slots=True)
class Shared:
    """The parts of :class:`~normalizer.patterns.Patterns` verification reads.

    They are the :class:`~normalizer.reader.Reader`'s (the objects the rules
    extractor reads with), named as verification uses them.
    """

    reader: Reader
    version: str
    before: re.Pattern[str]
    after: re.Pattern[str]
    comparators: dict[tuple[str, str], Comparator]
    relative: re.Pattern[str]
    """A ULN/LLN limit right after a number (optional multiplier word first)."""
    limit: re.Pattern[str]
    """A ULN/LLN limit anywhere (for limits written with no number: '<= ULN')."""
    power: re.Pattern[str]
    garbled_power: re.Pattern[str]
    garbled_exponents: frozenset[int]
    bare_power: re.Pattern[str]
    lost_power_units: frozenset[str]
    range_gap: re.Pattern[str]
    range_opener: re.Pattern[str]
    filler_gap: re.Pattern[str]
    clause_break: re.Pattern[str]
    blocker: re.Pattern[str]
    time_units: frozenset[str]
    dose_units: frozenset[str]

    def view(self, text: str) -> str:
        """A same-length reading of ``text``: garbles repaired, one char for one char."""
        return self.reader.view(text)

    def comparator(self, position: str, text: str) -> Comparator | None:
        """The meaning of a comparator phrase matched at ``position``, if it is one."""
        return self.reader.comparator(position, text)


def shared_of(reader: Reader) -> Shared:
    """Verification's names for the reader's compiled parts."""
    return Shared(
        reader=reader,
        version=reader.version,
        before=reader.before,
        after=reader.after,
        comparators=reader.comparators,
        relative=reader.relative,
        limit=reader.limit,
        power=reader.power,
        garbled_power=reader.garbled_power,
        garbled_exponents=reader.garbled_exponents,
        bare_power=reader.bare_power,
        lost_power_units=reader.lost_power_units,
        range_gap=reader.range_gap,
        range_opener=reader.range_opener,
        filler_gap=reader.filler_gap,
        clause_break=reader.clause_break,
        blocker=reader.blocker,
        time_units=reader.time_units,
        dose_units=reader.dose_units,
    )


@cache
def load_shared() -> Shared:
    """The packaged reader's parts, as verification names them (cached)."""
    return shared_of(load_reader())
