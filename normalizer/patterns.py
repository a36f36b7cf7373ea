"""The schema of ``data/patterns.toml``: comparator words, ULN forms, garbles, contexts.

One data file, one schema.  :mod:`normalizer.reader` compiles what the rules
extractor and verification both read into one reader handed to both;
``normalizer.extract.rules.lexicon`` compiles the rest, which only the extractor
reads.  The file documents its own fields; :class:`Patterns` enforces them (every
regex must compile).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .data_files import data_toml
from .models import NumberReason, RelativeTo

__all__ = [
    "Comparator",
    "ComparatorForms",
    "ContextRule",
    "Op",
    "Pair",
    "Patterns",
    "RelativeForms",
    "Repair",
    "load_patterns",
]

Op = Literal["ge", "gt", "le", "lt", "eq"]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ComparatorForms(_Data):
    """Phrases for one comparator, written before (or after) the value."""

    op: Op
    position: Literal["before", "after"] = "before"
    forms: list[str] = Field(min_length=1)
    implies: str | None = None
    ambiguous: bool = False
    examples: list[str] = Field(default_factory=list)
    """Real criteria text that must read with this comparator (tests/test_comparators.py)."""


class RelativeForms(_Data):
    """Regexes naming a reference limit (ULN, LLN)."""

    to: RelativeTo
    patterns: list[str] = Field(min_length=1)
    with_multiplier: list[str] = Field(default_factory=list)


class Repair(_Data):
    """A garble or a word read as ``char`` where ``pattern`` matches.

    ``char`` is padded with blanks to the length of the match (offsets never move);
    a match shorter than ``char`` is left as written.
    """

    pattern: str
    char: str = Field(min_length=1, max_length=4)


class Pair(_Data):
    """Names of a value pair written A/B, and the variables of A and of B."""

    names: list[str] = Field(min_length=1)
    variables: tuple[str, str]
    unit: str | None = None
    """A pair in this UCUM unit names these variables with no name written ("140/90 mmHg")."""


class ContextRule(_Data):
    """Regexes for numbers that are not constraints, with the reason why."""

    reason: NumberReason
    patterns: list[str] = Field(min_length=1)
    fallback: bool = False


class Patterns(_Data):
    """The schema of ``data/patterns.toml`` (documented in the file's header)."""

    version: str
    translate: dict[str, str]
    escapes: str
    repairs: list[Repair]
    macros: dict[str, str]
    comparators: list[ComparatorForms]
    relative: list[RelativeForms]
    multipliers: list[str]
    power: str
    bare_power: str
    garbled_power: str
    garbled_exponents: list[int]
    lost_power_units: list[str]
    week_fraction: str
    week_days: str
    range_separators: list[str]
    range_openers: list[str]
    fillers: list[str]
    list_separators: str
    link: str
    qualifier_leads: list[str]
    mention_blockers: list[str]
    mention_blocked_after: str
    reference_difference: str
    conditions: list[str]
    person_nouns: list[str]
    clause_break: str
    stripped_comparator: str
    unread_comparison: str
    normal_range: str
    time_units: list[str]
    dose_units: list[str]
    volume_units: list[str]
    other_heads: list[str]
    counted_heads: list[str]
    time_heads: list[str]
    time_heads_alone: list[str]
    label_stop: list[str]
    number_words: dict[str, float]
    pairs: list[Pair]
    contexts: list[ContextRule]

    @field_validator("translate")
    @classmethod
    def _one_char_each(cls, table: dict[str, str]) -> dict[str, str]:
        for src, dst in table.items():
            if len(src) != 1 or len(dst) != 1:
                raise ValueError(f"translate {src!r} = {dst!r}: both sides must be one character")
        return table

    @model_validator(mode="after")
    def _regexes_compile(self) -> Patterns:
        regexes = [self.power, self.bare_power, self.garbled_power, self.list_separators]
        regexes += [self.link, self.clause_break, self.stripped_comparator, self.unread_comparison]
        regexes += [self.normal_range, self.week_fraction, self.week_days]
        regexes += [self.mention_blocked_after, self.reference_difference, *self.conditions]
        regexes += self.multipliers
        regexes += self.range_separators
        regexes += [p for rel in self.relative for p in (*rel.patterns, *rel.with_multiplier)]
        regexes += [p for ctx in self.contexts for p in ctx.patterns]
        regexes += [r.pattern for r in self.repairs]
        for pattern in regexes:
            try:
                re.compile(self.expand(pattern))
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} does not compile: {exc}") from exc
        for repair in self.repairs:
            if re.compile(repair.pattern).groups:
                raise ValueError(f"repair {repair.pattern!r} must not hold groups")
        return self

    def expand(self, pattern: str) -> str:
        """Replace ``<NAME>`` macros in ``pattern``."""
        for name, body in self.macros.items():
            pattern = pattern.replace(f"<{name}>", body)
        return pattern


@dataclass(frozen=True, slots=True)
class Comparator:
    """What a comparator phrase means (compiled from :class:`ComparatorForms`)."""

    op: Op
    implies: str | None
    ambiguous: bool


@cache
def load_patterns() -> Patterns:
    """Load and validate the packaged ``data/patterns.toml`` (cached)."""
    return Patterns.model_validate(data_toml("patterns.toml"))
