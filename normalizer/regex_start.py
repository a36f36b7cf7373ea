r"""Where a regex's matches can start, read off its parse tree, so that it is found fast.

``re`` searches a pattern that starts with a literal or a plain character class by a
quick scan for that character; a pattern that starts with a lookbehind ("not inside a
word": ``(?<![\w-])``), or with a case-insensitive alternation, is instead tried at
every position of the text, each try running the lookbehind and the first branch of
every alternative.  :func:`fast_start` puts a lookahead for the characters every match
starts with in front of such a pattern: it fails in one step where no match can start
and changes nothing else (the matches, their groups and names are the same).
:func:`start_class` gives that class alone, to look for before trying patterns whose
matches are rare (the view's garble repairs).

Only what the parse tree says for certain is used: literals, classes of literals, digits
and blanks; a pattern whose first character cannot be listed so (one that may start
with any word character, a range, a negated class, or may match nothing) is compiled
as it is.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

__all__ = ["fast_start", "start_class"]

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
