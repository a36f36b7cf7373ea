"""The words verification reads evidence with.

Comparator words, ULN/LLN phrases, powers of ten, range words and the
same-length text view come from ``data/patterns.toml`` through its one schema
(:mod:`normalizer.patterns`), so the project keeps one word list; this module
compiles the parts verification reads, so verification does not depend on the
rules extractor's code.  What only verification needs (number
words, plausible ULN multipliers) is in ``data/evidence.toml``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..patterns import Comparator, Patterns, load_patterns

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
    written_numbers: dict[str, float] = Field(min_length=1)
    relative: RelativeRange

    @model_validator(mode="after")
    def _lowercase(self) -> EvidenceData:
        for word in self.written_numbers:
            if word != word.lower() or not word.isalpha():
                raise ValueError(f"written number {word!r} must be one lower-case word")
        return self


@dataclass(frozen=True, slots=True)
class Evidence:
    """Compiled :class:`EvidenceData`."""

    version: str
    words: dict[str, float]
    word_number: re.Pattern[str]
    counted: re.Pattern[str]
    relative: RelativeRange
    label_distinguishes: frozenset[str]

    def value_of(self, text: str) -> float | None:
        """The value of a number word or a tens-units compound ('twenty-five')."""
        parts = re.split(r"[\s-]+", text.lower().strip())
        total = 0.0
        for part in parts:
            value = self.words.get(part)
            if value is None:
                return None
            total += value
        return total


@cache
def load_evidence() -> Evidence:
    """Load, validate and compile the packaged ``evidence.toml`` (cached)."""
    raw = resources.files("normalizer").joinpath("data/evidence.toml").read_text("utf-8")
    data = EvidenceData.model_validate(tomllib.loads(raw))
    units = [w for w, v in data.written_numbers.items() if 0 < v < 10]
    tens = [w for w, v in data.written_numbers.items() if v >= 20 and v % 10 == 0 and v < 100]
    others = sorted(data.written_numbers, key=len, reverse=True)
    compound = rf"(?:{'|'.join(tens)})[\s-](?:{'|'.join(units)})"
    word_number = re.compile(
        rf"(?<![\w-])(?:{compound}|{'|'.join(others)})(?![\w-])", re.IGNORECASE
    )
    counted = re.compile(
        r"[\s-]*(?:" + "|".join(re.escape(w) for w in data.counted_words) + r")\b",
        re.IGNORECASE,
    )
    return Evidence(
        version=data.version,
        words=dict(data.written_numbers),
        word_number=word_number,
        counted=counted,
        relative=data.relative,
        label_distinguishes=frozenset(data.label_distinguishes),
    )


# --------------------------------------------------------------------------
# The shared data of patterns.toml
# --------------------------------------------------------------------------

def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _phrase(form: str) -> str:
    """A literal phrase as a regex: blanks flexible, word edges guarded."""
    body = r"\s*".join(re.escape(word) for word in form.split())
    if form[:1].isalnum():
        body = r"(?<![\w])" + body
    if form[-1:].isalnum() or form.endswith("."):
        body += r"(?![\w])"
    return body


def _alternation(forms: list[str]) -> str:
    return "|".join(_phrase(f) for f in sorted(set(forms), key=len, reverse=True))


def _words(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True, slots=True)
class Shared:
    """The parts of :class:`~normalizer.patterns.Patterns` verification reads, compiled."""

    version: str
    table: dict[int, str]
    repairs: tuple[tuple[re.Pattern[str], str], ...]
    escape: re.Pattern[str]
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
    bare_power: re.Pattern[str] | None
    lost_power_units: frozenset[str]
    range_gap: re.Pattern[str]
    range_opener: re.Pattern[str]
    filler_gap: re.Pattern[str]
    clause_break: re.Pattern[str]
    blocker: re.Pattern[str] | None
    time_units: frozenset[str]
    dose_units: frozenset[str]

    def view(self, text: str) -> str:
        """A same-length reading of ``text``: garbles repaired, one char for one char."""
        for pattern, char in self.repairs:
            text = pattern.sub(char, text)
        view = text.translate(self.table)
        if "\\" in view:
            view = self.escape.sub(" ", view)
        return view

    def comparator(self, position: str, text: str) -> Comparator | None:
        """The meaning of a comparator phrase matched at ``position``, if it is one."""
        return self.comparators.get((position, _key(text)))


def compile_shared(data: Patterns) -> Shared:
    """Compile the shared pattern data."""
    comparators: dict[tuple[str, str], Comparator] = {}
    forms: dict[str, list[str]] = {"before": [], "after": []}
    for entry in data.comparators:
        for form in entry.forms:
            key = (entry.position, _key(form))
            old = comparators.get(key)
            implies = entry.implies or (old.implies if old else None)
            comparators[key] = Comparator(entry.op, implies, entry.ambiguous)
            forms[entry.position].append(form)
    multiplier = "|".join(data.multipliers)
    plain = "|".join(
        f"(?P<{rel.to}{i}>{'|'.join(rel.patterns)})" for i, rel in enumerate(data.relative)
    )
    multiplied = "|".join(
        f"(?P<{rel.to}m{i}>{'|'.join(rel.with_multiplier)})"
        for i, rel in enumerate(data.relative)
        if rel.with_multiplier
    )
    relative = rf"\s*(?:(?:{multiplier})\s*)?(?:the\s+)?(?:{plain})"
    if multiplied:
        relative = rf"(?:{relative}|\s*(?:{multiplier})\s*(?:the\s+)?(?:{multiplied}))"
    return Shared(
        version=data.version,
        table=str.maketrans(data.translate),
        repairs=tuple((re.compile(r.pattern), r.char) for r in data.repairs),
        escape=re.compile(r"\\(?=[" + re.escape(data.escapes) + "])"),
        before=re.compile(_alternation(forms["before"]), re.IGNORECASE),
        after=re.compile(r"\s*(?:" + _alternation(forms["after"]) + ")", re.IGNORECASE),
        comparators=comparators,
        relative=re.compile(relative, re.IGNORECASE),
        limit=re.compile(rf"(?<![\w])(?:{plain})(?![\w])", re.IGNORECASE),
        power=re.compile(data.power),
        garbled_power=re.compile(data.garbled_power),
        garbled_exponents=frozenset(data.garbled_exponents),
        bare_power=re.compile(data.bare_power) if data.bare_power else None,
        lost_power_units=frozenset(data.lost_power_units),
        range_gap=re.compile(r"\s*(?:" + "|".join(data.range_separators) + r")\s*", re.IGNORECASE),
        range_opener=re.compile(
            r"(?:^|\W)(?:" + _words(data.range_openers) + r")\W*$", re.IGNORECASE
        ),
        filler_gap=re.compile(
            r"(?:[\s:,=()'\-]|\b(?:" + _words(data.fillers) + r")\b)*", re.IGNORECASE
        ),
        clause_break=re.compile(data.clause_break),
        blocker=(
            re.compile(r"[\s-]*(?:" + _words(data.mention_blockers) + r")\b", re.IGNORECASE)
            if data.mention_blockers
            else None
        ),
        time_units=frozenset(data.time_units),
        dose_units=frozenset(data.dose_units),
    )


@cache
def load_shared() -> Shared:
    """Load and compile the shared fields of the packaged ``patterns.toml`` (cached)."""
    return compile_shared(load_patterns())
