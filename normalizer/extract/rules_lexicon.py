"""The rules extractor's lexicon: ``data/patterns.toml`` validated and compiled once.

The data file documents its own schema; :class:`Patterns` enforces it (every regex
must compile) and :class:`Lexicon` holds the compiled forms the scanner uses.
Variable names come from the catalog, never from here: :class:`Mentions` compiles
them into one pattern.  Long alternations of literal phrases (comparator words,
catalog names) are compiled as a character trie, so that matching costs one pass
over the text whatever the number of phrases.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..catalog import Catalog
from ..models import RelativeTo
from .base import NumberReason

__all__ = [
    "Comparator",
    "Lexicon",
    "Mentions",
    "Op",
    "Patterns",
    "compile_patterns",
    "load_lexicon",
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


class RelativeForms(_Data):
    """Regexes naming a reference limit (ULN, LLN)."""

    to: RelativeTo
    patterns: list[str] = Field(min_length=1)
    with_multiplier: list[str] = Field(default_factory=list)


class Repair(_Data):
    """A one-character garble read as ``char`` where ``pattern`` matches."""

    pattern: str
    char: str = Field(min_length=1, max_length=1)


class Pair(_Data):
    """Names of a value pair written A/B, and the variables of A and of B."""

    names: list[str] = Field(min_length=1)
    variables: tuple[str, str]


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
    range_separators: list[str]
    range_openers: list[str]
    fillers: list[str]
    list_separators: str
    link: str
    qualifier_leads: list[str]
    mention_blockers: list[str]
    person_nouns: list[str]
    clause_break: str
    time_units: list[str]
    dose_units: list[str]
    other_heads: list[str]
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
        regexes += [self.link, self.clause_break, *self.multipliers, *self.range_separators]
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


_BLANK = "\0"  # a run of blanks (or hyphens, in names) inside a phrase


def trie_regex(phrases: Iterable[str], blank: str, end: Callable[[str], str]) -> str:
    """One regex matching any of ``phrases``, longest first, built as a character trie.

    A blank in a phrase matches the regex ``blank``; ``end(last_char)`` is appended
    where a phrase ends (a word-edge guard, or nothing).
    """
    root: dict[str, dict[str, object]] = {}
    for phrase in phrases:
        node = root
        for char in re.sub(r"\s+", _BLANK, phrase.strip()):
            node = node.setdefault(char, {})  # type: ignore[assignment]
        node[""] = {}

    def emit(node: dict[str, object], last: str) -> str:
        branches = [
            (blank if char == _BLANK else re.escape(char)) + emit(child, char)  # type: ignore[arg-type]
            for char, child in sorted(node.items())
            if char
        ]
        if "" in node:
            branches.append(end(last))
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return emit(root, "")


def _word_edge(last: str) -> str:
    return r"(?!\w)" if last.isalnum() or last == "." else ""


def _key(text: str) -> str:
    """Lookup key of a matched phrase: lower case, no blanks or hyphens."""
    return re.sub(r"[\s\-]+", "", text.lower())


def _words(words: Iterable[str]) -> str:
    return "|".join(r"\s+".join(map(re.escape, w.split())) for w in sorted(set(words), key=len)[::-1])


@dataclass(frozen=True, slots=True)
class Comparator:
    """What a comparator phrase means."""

    op: Op
    implies: str | None
    ambiguous: bool


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Compiled patterns (build with :func:`load_lexicon` or :func:`compile_patterns`)."""

    version: str
    table: dict[int, str]
    escape: re.Pattern[str]
    repair: re.Pattern[str]
    repair_chars: dict[str, str]
    before: re.Pattern[str]
    after: re.Pattern[str]
    comparators: dict[tuple[str, str], Comparator]
    relative: re.Pattern[str]
    power: re.Pattern[str]
    bare_power: re.Pattern[str]
    garbled_power: re.Pattern[str]
    garbled_exponents: frozenset[int]
    lost_power_units: frozenset[str]
    range_gap: re.Pattern[str]
    range_opener: re.Pattern[str]
    filler_gap: re.Pattern[str]
    list_gap: re.Pattern[str]
    link_gap: re.Pattern[str]
    qualifier_lead: re.Pattern[str]
    blocker: re.Pattern[str]
    person: re.Pattern[str]
    clause_break: re.Pattern[str]
    time_units: frozenset[str]
    dose_units: frozenset[str]
    other_head: re.Pattern[str]
    pair: re.Pattern[str]
    pair_variables: dict[str, tuple[str, str]]
    next_word_ok: frozenset[str]
    contexts_at: re.Pattern[str]
    contexts: re.Pattern[str]
    fallbacks: re.Pattern[str]
    reasons: dict[str, NumberReason]

    def view(self, text: str) -> str:
        """A same-length reading of ``text``: garbles repaired, one char for one char."""
        if self.repair_chars and self.repair.search(text):
            text = self.repair.sub(lambda m: self.repair_chars[m.lastgroup or ""], text)
        view = text.translate(self.table)
        if "\\" in view:
            view = self.escape.sub(" ", view)
        return view

    def comparator(self, position: str, text: str) -> Comparator:
        """The meaning of a comparator phrase matched at ``position``."""
        return self.comparators[(position, _key(text))]


_NUMBER_FIRST = re.compile(r"(?:\\b)?(?:\(\?:)*(?:\\d|\[0-9)")


def _contexts(data: Patterns, fallback: bool) -> tuple[str, str, dict[str, NumberReason]]:
    """Context patterns joined into one regex for those that start with their number
    (tried only where a number starts) and one for the others (scanned), grouped
    behind a single word-edge test where they start with ``\\b``."""
    first: list[str] = []
    words: list[str] = []
    others: list[str] = []
    reasons: dict[str, NumberReason] = {}
    for i, ctx in enumerate(data.contexts):
        if ctx.fallback != fallback:
            continue
        for j, pattern in enumerate(ctx.patterns):
            name = f"c{i}_{j}"
            reasons[name] = ctx.reason
            body = data.expand(pattern)
            flags, body = ("(?i:", body[4:]) if body.startswith("(?i)") else ("(?:", body)
            if _NUMBER_FIRST.match(body):
                first.append(f"(?P<{name}>{flags}{body}))")
            elif body.startswith("\\b"):
                words.append(f"(?P<{name}>{flags}{body[2:]}))")
            else:
                others.append(f"(?P<{name}>{flags}{body}))")
    scanned = [r"(?<!\w)(?=\w)(?:" + "|".join(words) + ")"] if words else []
    never = r"(?!)"
    return "|".join(first) or never, "|".join(scanned + others) or never, reasons


def _relative(data: Patterns) -> str:
    multiplier = "|".join(data.multipliers)
    parts = []
    for i, rel in enumerate(data.relative):
        plain = "|".join(rel.patterns)
        parts.append(rf"(?P<{rel.to}_{i}>(?:(?:{multiplier})\s*)?(?:{plain}))")
        if rel.with_multiplier:
            after = "|".join(rel.with_multiplier)
            parts.append(rf"(?P<{rel.to}_m{i}>(?:{multiplier})\s*(?:{after}))")
    return r"\s*(?:" + "|".join(parts) + ")"


def compile_patterns(data: Patterns) -> Lexicon:
    """Compile validated pattern data."""
    comparators: dict[tuple[str, str], Comparator] = {}
    forms: dict[str, list[str]] = {"before": [], "after": []}
    for entry in data.comparators:
        meaning = Comparator(entry.op, entry.implies, entry.ambiguous)
        for form in entry.forms:
            # a later entry refines an earlier one (e.g. adds `implies`)
            comparators[(entry.position, _key(form))] = meaning
            forms[entry.position].append(form.lower())
    before = trie_regex(forms["before"], r"\s*", _word_edge)
    after = trie_regex(forms["after"], r"\s*", _word_edge)
    contexts_at, contexts, reasons = _contexts(data, fallback=False)
    fallbacks_at, fallbacks, fallback_reasons = _contexts(data, fallback=True)
    return Lexicon(
        version=data.version,
        table=str.maketrans(data.translate),
        escape=re.compile(r"\\(?=[" + re.escape(data.escapes) + "])"),
        repair=re.compile("|".join(f"(?P<r{i}>{r.pattern})" for i, r in enumerate(data.repairs))),
        repair_chars={f"r{i}": r.char for i, r in enumerate(data.repairs)},
        before=re.compile(r"(?:(?<!\w)(?=\w)|(?!\w))" + before, re.IGNORECASE),
        after=re.compile(r"\s*" + after, re.IGNORECASE),
        comparators=comparators,
        relative=re.compile(_relative(data), re.IGNORECASE),
        power=re.compile(data.power),
        bare_power=re.compile(data.bare_power),
        garbled_power=re.compile(data.garbled_power),
        garbled_exponents=frozenset(data.garbled_exponents),
        lost_power_units=frozenset(data.lost_power_units),
        range_gap=re.compile(r"\s*(?:" + "|".join(data.range_separators) + r")\s*", re.I),
        range_opener=re.compile(
            r"(?:^|\W)(?:" + _words(data.range_openers) + r")\W*(?:\w+\W+){0,3}$", re.I
        ),
        filler_gap=re.compile(r"(?:[\s:,=()'\-]|\b(?:" + _words(data.fillers) + r")\b)*", re.I),
        list_gap=re.compile(data.list_separators, re.IGNORECASE),
        link_gap=re.compile(data.link, re.IGNORECASE),
        qualifier_lead=re.compile(r"[\s,;(]*(?:" + _words(data.qualifier_leads) + r")\b", re.I),
        blocker=re.compile(r"[\s-]*(?:" + _words(data.mention_blockers) + r")\b", re.I),
        person=re.compile(r"\b(?:" + _words(data.person_nouns) + r")\b", re.IGNORECASE),
        clause_break=re.compile(data.clause_break),
        time_units=frozenset(data.time_units),
        dose_units=frozenset(data.dose_units),
        other_head=re.compile(r"\b(?:" + _words(data.other_heads) + r")$", re.IGNORECASE),
        pair=re.compile(
            "|".join(
                rf"(?P<p{i}>(?<!\w)(?:{_words(pair.names)})(?!\w))"
                for i, pair in enumerate(data.pairs)
            )
            or r"(?!)",
            re.IGNORECASE,
        ),
        pair_variables={f"p{i}": pair.variables for i, pair in enumerate(data.pairs)},
        next_word_ok=frozenset(
            w.lower()
            for w in (*data.fillers, *data.qualifier_leads, *data.person_nouns)
            if " " not in w
        ),
        contexts_at=re.compile(contexts_at, re.MULTILINE),
        contexts=re.compile(contexts, re.MULTILINE),
        fallbacks=re.compile(f"{fallbacks_at}|{fallbacks}", re.MULTILINE),
        reasons=reasons | fallback_reasons,
    )


@cache
def load_lexicon() -> Lexicon:
    """Load, validate and compile the packaged ``data/patterns.toml`` (cached)."""
    raw = resources.files("normalizer").joinpath("data/patterns.toml").read_text("utf-8")
    return compile_patterns(Patterns.model_validate(tomllib.loads(raw)))


@dataclass(frozen=True, slots=True)
class Mention:
    """A variable named in the text: ``view[start:end]``."""

    start: int
    end: int
    variable: str


class Mentions:
    """Finds catalog variables in text with one compiled pattern.

    Names match case-insensitively (blanks and hyphens interchangeable, an optional
    plural ``s``), abbreviations case-sensitively as whole tokens; the longest form
    wins.  A name followed by a blocker word ("weight loss") is not a mention.
    """

    def __init__(self, catalog: Catalog, blocker: re.Pattern[str]) -> None:
        self._names: dict[str, str] = {}
        self._abbreviations: dict[str, str] = {}
        for var in catalog.variables:
            for name in var.names:
                self._names.setdefault(_key(name), var.id)
            for abbr in var.abbreviations:
                self._abbreviations.setdefault(_key_case(abbr), var.id)
        names = trie_regex(
            (" ".join(re.split(r"[\s\-]+", n.lower())) for v in catalog.variables for n in v.names),
            r"[\s\-]*",
            lambda _: "",
        )
        abbreviations = trie_regex(
            (a for v in catalog.variables for a in v.abbreviations), r"[\s\-]*", lambda _: ""
        )
        self._pattern = re.compile(
            rf"(?<![\w])(?:(?P<name>(?i:{names})(?i:e?s)?)|(?P<abbr>{abbreviations}))(?![A-Za-z])"
        )
        self._blocker = blocker

    def find(self, view: str) -> list[Mention]:
        """Every mention in ``view``, left to right."""
        found: list[Mention] = []
        for match in self._pattern.finditer(view):
            if self._blocker.match(view, match.end()):
                continue
            var = self.lookup(match.group(), match.lastgroup == "abbr")
            if var is not None:
                found.append(Mention(match.start(), match.end(), var))
        return found

    def lookup(self, text: str, abbreviation: bool) -> str | None:
        """The variable id of a matched form."""
        if abbreviation:
            return self._abbreviations.get(_key_case(text))
        key = _key(text)
        for candidate in (key, key[:-1], key[:-2]):
            if candidate in self._names:
                return self._names[candidate]
        return None


def _key_case(text: str) -> str:
    return re.sub(r"[\s\-]+", "", text)
