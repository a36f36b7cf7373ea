"""Naming: where the text names the variable of a limit.

Catalog variables are found as mentions (one compiled pattern, shared with
verification).  A quantity the catalog does not know gets a compact *label* from
the words around its limit: the last words of the clause before it, up to the
nearest measurement word ("The ETDRS letter score in the study eye must be ..."),
or a name written after the value ("≥ 80% diary compliance").  A person noun
before a limit ("women above 18") is told apart from a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...phrases import Mention, Mentions
from .lexicon import Lexicon
from .limits import Limit
from .quantities import NEXT_WORD, Quantities

__all__ = ["NOWHERE", "Names", "Reading", "Target"]

_LABEL_WORD = re.compile(r"[A-Za-z][\w'/\-]*")
_GLUED_COMPARATOR = re.compile(r"[<>≤≥]")
"""A comparator symbol glued to the name before it, "Beck>10": the notation of a named
quantity (written apart, "anxiety > 10" may be anything)."""
_ABBREVIATION = re.compile(r"(?=.)(?![A-Z][a-z]+$)(?=.*[A-Z0-9])(?=.*[A-Za-z])[A-Za-z0-9/\-]{2,12}")
_PAREN_WORD = re.compile(r"\s*\([^()]{1,15}\)")
_SEGMENT = re.compile(r"[^()\[\],:;=]+")
_AFTER_LABEL = re.compile(
    r"\s*((?:[A-Za-z][\w'\-]*\s+){0,2}?[A-Za-z][\w'\-]*\s+(?:per|a|each)\s+"
    r"(?:day|week|month|year|night)s?\b|(?:[A-Za-z][\w'\-]*\s+){0,2}[A-Za-z][\w'\-]*)"
)
_RATE = re.compile(r"\s(?:per|a|each)\s+\w+$")
_MAX_HEAD_DISTANCE = 5  # words back from a limit to the measurement word naming it
_MAX_LABEL_WORDS = 4
_LETTER = re.compile(r"[A-Za-z]")
_CLAUSE_LINK = re.compile(r",\s*(?:or|and)\b", re.IGNORECASE)
_MIN_NAME_WORDS = 2
# a person noun right before a limit, "women above 18", "the patient is less than 28 days"
# (searched in a bounded window before the limit, from a word's start: linear time)
_PERSON_GAP = re.compile(
    r"(?<!\w)(\w+)[\s,:(]*(?:(?:is|are|be|must|should|aged?)\s+)*$", re.IGNORECASE
)
_PERSON_REACH = 80  # characters before a limit where its person noun may start

NOWHERE = -1
"""The span of a variable no mention names ("older than 18": age)."""


@dataclass(frozen=True, slots=True)
class Target:
    """A variable a limit applies to, with the span of its name in the text."""

    variable: str
    start: int
    end: int
    label: str | None = None  # when the name is not the text of the span


@dataclass(slots=True)
class Reading:
    """A limit bound to its variables."""

    limit: Limit
    targets: list[Target]
    qualifier: str | None = None


class Names:
    """Finds the names of variables in one criterion view."""

    def __init__(self, lexicon: Lexicon, mentions: Mentions, quantities: Quantities) -> None:
        self._lex = lexicon
        self._mentions = mentions
        self._quantities = quantities

    def find(self, view: str) -> list[Mention]:
        """Every catalog variable the view names, left to right."""
        return self._mentions.find(view)

    def person_before(self, view: str, floor: int, start: int) -> bool:
        """Whether a person noun stands right before a limit at ``start``: "women above 18"."""
        return self.person_word(view, floor, start) is not None

    def person_word(self, view: str, floor: int, start: int) -> str | None:
        """The person noun right before a limit at ``start`` ("women above 18"), if any."""
        reach = max(floor, 0, start - _PERSON_REACH)
        person = _PERSON_GAP.search(view, reach, start)
        if person is None or self._lex.person.fullmatch(person.group(1)) is None:
            return None
        return person.group(1)

    def label(self, view: str, start: int, end: int) -> tuple[int, int] | None:
        """The span of the compact name of an uncatalogued quantity, before its limit.

        The last words of the clause, or the words up to the nearest measurement word
        ("The ETDRS letter score in the study eye must be between ...").
        """
        text = view[start:end].rstrip(" \t([:=-")
        text = _PAREN_WORD.sub(lambda m: " " * len(m.group()), text)
        segments = [m for m in _SEGMENT.finditer(text) if _LABEL_WORD.search(m.group())]
        if not segments:
            return None
        segment = segments[-1]
        words = list(_LABEL_WORD.finditer(text, segment.start(), segment.end()))
        for k in range(len(words) - 1, max(-1, len(words) - 1 - _MAX_HEAD_DISTANCE), -1):
            word = words[k].group()
            if self._lex.other_head.search(word) or _ABBREVIATION.fullmatch(word):
                words = words[: k + 1]
                break
        return self._span(start, words)

    def label_after(self, view: str, limit: Limit) -> tuple[int, int] | None:
        """A name written after the value: "≥ 80% diary compliance", "> 5 cigarettes per day"."""
        match = _AFTER_LABEL.match(view, limit.end)
        if match is None:
            return None
        words = list(_LABEL_WORD.finditer(view, match.start(1), match.end(1)))
        rate = _RATE.search(match.group(1)) is not None  # "10 cigarettes a day"
        for k, word in enumerate([] if rate else words[1:], 1):
            if word.group().lower() in self._lex.label_stop:
                words = words[:k]  # "30 pack-years in lifetime"
                break
        return self._span(0, words)

    def _span(self, start: int, words: list[re.Match[str]]) -> tuple[int, int] | None:
        while words and words[-1].group().lower() in self._lex.label_stop:
            words.pop()
        words = words[-_MAX_LABEL_WORDS:]
        while words and words[0].group().lower() in self._lex.label_stop:
            words.pop(0)
        if not words or all(self._lex.person.fullmatch(w.group()) for w in words):
            return None  # "for women = 470 ms": a condition, not a name
        return start + words[0].start(), start + words[-1].end()

    def measured(
        self, view: str, limit: Limit, label: tuple[int, int], after: bool = False
    ) -> bool:
        """Whether an uncatalogued limit clearly is a measurement, not a window, dose or count.

        A name written after the value must say what is measured ("80% diary
        compliance") or be a rate ("5 cigarettes per day"); "at least 1 prior
        chemotherapy" is a count.
        """
        name = view[label[0] : label[1]]
        if limit.unit in self._lex.time_units:
            if len(name.split()) == 1:
                return self._lex.time_head_alone.fullmatch(name) is not None
            return self._lex.time_head.search(name) is not None
        headed = self._lex.other_head.search(name) is not None
        if limit.unit in self._lex.dose_units:
            return headed
        unitless = limit.unit is None and limit.relative is None and limit.pair is None
        if unitless and not self._glued_unit(view, limit):
            if after:
                rate = _RATE.search(name) is not None
                counted = self._lex.counted_head.search(name) is not None  # "3 oocytes"
                return (headed or rate or counted) and not self._lex.person.search(name)
            one = limit.quantities[0].value if len(limit.quantities) == 1 else None
            if self._quantities.counted(view, limit.end, one):
                return False
            return (
                headed
                or any(_ABBREVIATION.fullmatch(w) for w in name.split())
                or _GLUED_COMPARATOR.match(view, label[1]) is not None
            )
        return True

    def _glued_unit(self, view: str, limit: Limit) -> bool:
        """A unit we cannot read, glued to the value or with a slash: "100cc", "8.00D"."""
        end = limit.quantities[-1].number_end
        match = NEXT_WORD.match(view, end)
        return match is not None and (match.start(1) == end or "/" in match.group(1))

    def named_between(self, view: str, start: int, end: int, alone: bool = False) -> bool:
        """Whether another, uncatalogued quantity is named right before a limit.

        After a clause link (", or", ", and") in ``view[start:end]``, a name ending in a
        measurement word ("a serum lactate level of"); with ``alone``, such a name is all
        that stands between ``start`` and the limit.
        """
        at = start
        if not alone:
            links = list(_CLAUSE_LINK.finditer(view, start, end))
            if not links:
                return False
            at = links[-1].end()
        label = self.label(view, max(at, 0), end)
        if label is None:
            return False
        tail = view[label[1] : end]
        words = view[label[0] : label[1]].split()
        return (
            len(words) >= _MIN_NAME_WORDS
            and self._lex.other_head.search(view, *label) is not None
            and self._lex.filler_gap.fullmatch(tail) is not None
        )

    def aside(self, view: str, mention: Mention, end: int) -> bool:
        """Whether ``mention`` closes a parenthesis that opened on other words."""
        close = view.find(")", mention.end, end)
        if close < 0:
            return False
        opened = view.rfind("(", 0, mention.start)
        return opened >= 0 and _LETTER.search(view, opened + 1, mention.start) is not None

    def targets(self, chosen: list[Mention]) -> list[Target]:
        """The variables of ``chosen`` mentions, each once, in order."""
        targets: list[Target] = []
        for m in chosen:
            if all(t.variable != m.variable for t in targets):
                targets.append(Target(m.variable, m.start, m.end))
        return targets
