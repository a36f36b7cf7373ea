r"""Where a regex's matches can start, and what they must contain, read off its parse tree.

``re`` searches a pattern that starts with a literal or a plain character class by a
quick scan for that character; a pattern that starts with a lookbehind ("not inside a
word": ``(?<![\w-])``), or with a case-insensitive alternation, is instead tried at
every position of the text, each try running the lookbehind and the first branch of
every alternative.  :func:`fast_start` puts a lookahead for the characters every match
starts with in front of such a pattern: it fails in one step where no match can start
and changes nothing else (the matches, their groups and names are the same).
:func:`start_class` gives that class alone, to look for before trying patterns whose
matches are rare (the view's garble repairs).  :func:`required_words` lists words one of
which every match contains; :func:`can_match` tells in a few substring tests that a text
holds none of them, so that a pattern whose matches are rare need not be run at all.

Only what the parse tree says for certain is used: literals, classes of literals, digits
and blanks; a pattern whose first character cannot be listed so (one that may start
with any word character, a range, a negated class, or may match nothing) is compiled
as it is.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from .regex_cache import remembered

__all__ = ["can_match", "fast_start", "required_words", "start_class"]

# The regex parser of the standard library (re._parser, re._constants), as the rules
# lexicon reads its context patterns.
_parser: Any = importlib.import_module("re._parser")
_C: Any = importlib.import_module("re._constants")

_Start = set[tuple[str, bool]]  # (a character or a class escape, matched ignoring case)
_CATEGORIES = {_C.CATEGORY_DIGIT: r"\d", _C.CATEGORY_SPACE: r"\s"}
_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


def _item(item: tuple[Any, Any], ignorecase: bool) -> tuple[_Start, bool] | None:
    """What one parsed item can start with, and whether it can match nothing."""
    op, av = item
    if op in (_C.AT, _C.ASSERT, _C.ASSERT_NOT):
        return set(), True
    if op is _C.LITERAL:
        return {(re.escape(chr(av)), ignorecase)}, False
    if op is _C.IN:
        members: _Start = set()
        for kind, arg in av:
            if kind is _C.LITERAL:
                members.add((re.escape(chr(arg)), ignorecase))
            elif kind is _C.CATEGORY and arg in _CATEGORIES:
                members.add((_CATEGORIES[arg], ignorecase))
            else:
                return None  # a negated class, a range, a word character...
        return members, False
    if op is _C.SUBPATTERN:
        _group, add, remove, body = av
        inner = (ignorecase or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE
        return _sequence(body, inner)
    if op is _C.BRANCH:
        found: _Start = set()
        empty = False
        for alternative in av[1]:
            first = _sequence(alternative, ignorecase)
            if first is None:
                return None
            found |= first[0]
            empty = empty or first[1]
        return found, empty
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT):
        body = _sequence(av[2], ignorecase)
        return None if body is None else (body[0], body[1] or av[0] == 0)
    return None  # any character, a category (\w, \s), a back-reference...


def _sequence(items: Any, ignorecase: bool) -> tuple[_Start, bool] | None:
    """What ``items`` in a row can start with, and whether they can match nothing."""
    found: _Start = set()
    for item in items:
        first = _item(item, ignorecase)
        if first is None:
            return None
        found |= first[0]
        if not first[1]:
            return found, False
    return found, True


def _class(starts: _Start) -> str:
    def chars(ignorecase: bool) -> str:
        return "".join(sorted(c for c, i in starts if i == ignorecase))

    parts = []
    if plain := chars(False):
        parts.append(f"[{plain}]")
    if folded := chars(True):
        parts.append(f"(?i:[{folded}])")
    return "|".join(parts)


@remembered
def start_class(pattern: str, flags: int = 0) -> str | None:
    """A regex for one character that starts every match of ``pattern``, or None."""
    parsed = _parser.parse(pattern, flags)
    starts = _sequence(parsed, bool(parsed.state.flags & re.IGNORECASE))
    if starts is None or starts[1] or not starts[0]:
        return None  # unknown, or a match may be empty
    return _class(starts[0])


def fast_start(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, with a lookahead for its first character in front."""
    if _GLOBAL_FLAGS.match(pattern):  # "(?i)..." must stay first
        return re.compile(pattern, flags)
    first = start_class(pattern, flags)
    if first is None:
        return re.compile(pattern, flags)
    return re.compile(f"(?={first})(?:{pattern})", flags)


# --------------------------------------------------------------------------
# Words every match contains
# --------------------------------------------------------------------------

_MIN_WORD = 3  # a shorter required literal filters too little to be worth a look


def _required_item(item: tuple[Any, Any]) -> set[str] | None:
    op, av = item
    if op is _C.SUBPATTERN:
        return _required(av[3])
    if op is _C.BRANCH:
        found: set[str] = set()
        for alternative in av[1]:
            words = _required(alternative)
            if words is None:
                return None
            found |= words
        return found
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT) and av[0] >= 1:
        return _required(av[2])
    return None


def _required(items: Any) -> set[str] | None:
    """Lower-case words one of which every match of ``items`` contains, or None."""
    options: list[set[str]] = []
    run = ""
    for op, av in [*items, (None, None)]:
        if op is _C.LITERAL:
            run += chr(av)
            continue
        if run and run.isascii():  # a non-ASCII literal may match ASCII text ignoring case
            options.append({run.lower()})
        run = ""
        if op is not None:
            words = _required_item((op, av))
            if words is not None:
                options.append(words)
    usable = [o for o in options if min(map(len, o)) >= _MIN_WORD]
    if not usable:
        return None
    return max(usable, key=lambda o: (min(map(len, o)), -len(o)))


@remembered
def required_words(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Lower-case words one of which every match of ``pattern`` contains, if the tree says.

    A text that is ASCII and holds none of them in lower case cannot match (a
    non-ASCII text may: under ``re.IGNORECASE`` 'K', the Kelvin sign, matches 'k').
    """
    words = _required(_parser.parse(pattern, flags))
    return None if words is None else frozenset(words)


def can_match(text: str, words: frozenset[str] | None) -> bool:
    """False only when ``text`` is ASCII and holds none of ``words`` (:func:`required_words`)."""
    if words is None or not text.isascii():
        return True
    low = text.lower()
    return any(word in low for word in words)
