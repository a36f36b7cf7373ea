"""Phrases in criteria text: literal words and names compiled to regexes, and mentions.

The pieces the reader (:mod:`normalizer.reader`) is built from: a character trie of
phrases as one regex (longest first), the lookup key of a matched phrase, the
lookbehinds for a number glued to the word before it ("greater than100"), and the
finder of catalog variables named in the text (:class:`Mentions`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .regex_cache import remembered
from .regex_start import fast_start

if TYPE_CHECKING:
    from .catalog import Catalog

__all__ = [
    "GLUED_TO_WORD",
    "GLUED_WORDS",
    "UNIT_HYPHEN_WORDS",
    "Mention",
    "Mentions",
    "after_unit_hyphen",
    "glued_to_word",
    "phrase_key",
    "trie_regex",
    "words_regex",
]

_BLANK = "\0"  # a run of blanks (or hyphens, in names) inside a phrase
_BLANKS_HYPHENS = re.compile(r"[\s\-]+")  # what a lookup key leaves out
GLUED_WORDS = ("than", "least", "most", "or", "and", "to")


def glued_to_word(over: str = "") -> str:
    r"""Lookbehinds for a number glued to the comparator, list or range word before it.

    "greater than100", "ASA 1 or2", "18 to75 years": both the extractor's and
    verification's number patterns read such a number, so a list's glued last item is
    never lost from a reading that then looks whole ("ASA 1 or2" read as ASA 1).
    ``over`` is what the lookbehinds reach over: written after the number's first digit
    (``over=r"\d"``), a pattern can start with that digit, which ``re`` searches for
    far faster than a pattern that starts with lookbehinds.
    """
    return "|".join(rf"(?<=\b{word}{over})" for word in GLUED_WORDS)


GLUED_TO_WORD = glued_to_word()
"""The lookbehinds of :func:`glued_to_word` for a pattern that starts with them."""

UNIT_HYPHEN_WORDS = ("years", "year", "yrs", "yr", "months", "month", "weeks", "week", "days")


def after_unit_hyphen(over: str = "") -> str:
    r"""Lookbehinds for a number after a unit word and a hyphen: "18 years-65 years".

    A number right after a word and a hyphen is part of a name ("COVID-19", "IL-6");
    after a unit of time it is the other end of a range.  ``over`` as in
    :func:`glued_to_word`.
    """
    return "|".join(rf"(?<=\b{word}-{over})" for word in UNIT_HYPHEN_WORDS)

_Trie = dict[str, "_Trie"]


def trie_regex(phrases: Iterable[str], blank: str, end: Callable[[str], str]) -> str:
    """One regex matching any of ``phrases``, longest first, built as a character trie.

    A blank in a phrase matches the regex ``blank``; ``end(phrase)`` is appended
    where a phrase ends (a word-edge guard, or nothing).
    """
    stripped = tuple(phrase.strip() for phrase in phrases)
    return _trie(stripped, blank, tuple(end(phrase) for phrase in stripped))


@remembered
def _trie(phrases: tuple[str, ...], blank: str, ends: tuple[str, ...]) -> str:
    """:func:`trie_regex` of stripped phrases and their end guards.

    Kept between processes: the tries over every variable name cost 10 ms a start.
    """
    root: _Trie = {}
    for phrase, guard in zip(phrases, ends, strict=True):
        node = root
        for char in re.sub(r"\s+", _BLANK, phrase):
            node = node.setdefault(char, {})
        node[""] = {guard: {}}  # the phrase's end guard

    def emit(node: _Trie) -> str:
        branches = [
            (blank if char == _BLANK else re.escape(char)) + emit(child)
            for char, child in sorted(node.items())
            if char
        ]
        if "" in node:
            branches.append(next(iter(node[""])))
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return emit(root)


def phrase_key(text: str) -> str:
    """Lookup key of a matched phrase: lower case, no blanks or hyphens."""
    return _BLANKS_HYPHENS.sub("", text.lower())


def words_regex(words: Iterable[str]) -> str:
    """Literal words or phrases as one alternation, longest first, blanks flexible.

    Built as a character trie (:func:`trie_regex`): where the words share a start, one
    try of it instead of one per word.  Of literal words, those that match at one place
    all start the longest of them, and the trie tries them longest first too.
    """
    # in a fixed order: the pattern string, and so its cached compilation, is the same
    # in every process whatever the hash seed
    return trie_regex(sorted({" ".join(w.split()) for w in words}), r"\s+", _no_guard)


def _no_guard(_: str) -> str:
    return ""


_BEFORE_REACH = 40  # characters before a mention where a blocker-before may start
_BEFORE_LINKS = frozenset(
    {
        *("to", "for", "by", "on", "in", "of", "the", "his", "her", "their"),
        *("body", "serum", "blood", "plasma"),
    }
)
"""The words every ``mention_blocked_after`` phrase ends on (patterns.toml)."""


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
    wins.  A name followed by a blocker word ("weight loss") is not a mention, nor one
    that ``before`` finds ending right before it ("adjusted to age", "weight-for-age").
    """

    def __init__(
        self,
        catalog: Catalog,
        blocker: re.Pattern[str],
        before: re.Pattern[str] | None = None,
    ) -> None:
        self._names: dict[str, str] = {}
        self._abbreviations: dict[str, str] = {}
        for var in catalog.variables:
            for name in var.names:
                self._names.setdefault(phrase_key(name), var.id)
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
        self._pattern = fast_start(
            rf"(?<![\w])(?:(?P<name>(?i:{names})(?i:e?s)?)|(?P<abbr>{abbreviations}))(?![A-Za-z])"
        )
        self._blocker = blocker
        self._before = before

    def _blocked_before(self, view: str, start: int) -> bool:
        """Whether ``before`` ends right at ``start`` ("adjusted to age", "weight-for-age").

        Its phrases all end on a word of ``_BEFORE_LINKS`` ("to", "in", "the", "body"):
        only then is the regex searched (a search at every mention cost 5% of all the time).
        """
        k = start
        while k > 0 and view[k - 1] in " -":
            k -= 1
        j = k
        while j > 0 and view[j - 1].isalpha():
            j -= 1
        if k == start or view[j:k].lower() not in _BEFORE_LINKS:
            return False
        assert self._before is not None
        return self._before.search(view, max(0, start - _BEFORE_REACH), start) is not None

    @property
    def pattern(self) -> re.Pattern[str]:
        """The pattern of every name and abbreviation (no blocker, no lookup)."""
        return self._pattern

    def find(self, view: str, start: int = 0, end: int | None = None) -> list[Mention]:
        """Every mention in ``view[start:end]``, left to right."""
        found: list[Mention] = []
        stop = len(view) if end is None else end
        for match in self._pattern.finditer(view, start, stop):
            if self._blocker.match(view, match.end()):
                continue
            if self._before is not None and self._blocked_before(view, match.start()):
                continue
            var = self.lookup(match.group(), match.lastgroup == "abbr")
            if var is not None:
                found.append(Mention(match.start(), match.end(), var))
        return found

    def lookup(self, text: str, abbreviation: bool) -> str | None:
        """The variable id of a matched form."""
        if abbreviation:
            return self._abbreviations.get(_key_case(text))
        key = phrase_key(text)
        for candidate in (key, key[:-1], key[:-2]):
            if candidate in self._names:
                return self._names[candidate]
        return None


def _key_case(text: str) -> str:
    return _BLANKS_HYPHENS.sub("", text)
