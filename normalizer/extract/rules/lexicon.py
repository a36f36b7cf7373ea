"""The rules extractor's lexicon: ``data/patterns.toml`` validated and compiled once.

The data file documents its own schema; :class:`Patterns` enforces it (every regex
must compile) and :class:`Lexicon` holds the compiled forms the rules read with.
Variable names come from the catalog, never from here: :class:`Mentions` compiles
them into one pattern.  Long alternations of literal phrases (comparator words,
catalog names) are compiled as a character trie, so that matching costs one pass
over the text whatever the number of phrases.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from functools import cache
from typing import Any

from ...patterns import Comparator, Op, Patterns, load_patterns
from ...phrases import Mention, Mentions, phrase_key, trie_regex, words_regex
from ...reader import Reader, compile_reader, load_reader
from ...regex_cache import remembered
from ...regex_start import fast_start, required_words
from ..base import NumberReason

# The regex parser of the standard library (re._parser, re._constants): context
# patterns are sorted by how they start, read off their parse tree.
_parser: Any = importlib.import_module("re._parser")
_C: Any = importlib.import_module("re._constants")

__all__ = [
    "Comparator",
    "Lexicon",
    "Mention",
    "Mentions",
    "Op",
    "Patterns",
    "Reader",
    "compile_patterns",
    "load_lexicon",
    "trie_regex",
]

_MIN_TRIGGER = 1  # shortest literal that triggers a context pattern
_GLUED_HEAD = 5  # heads at least this long may end a compound word ("birthweight")


_words = words_regex


def _heads(heads: Iterable[str]) -> str:
    """The regex of the last word(s) of a name, from its possible heads.

    A long head may close a compound ("birthweight"); a short one must start its word
    ("dosage" does not end in the head "age").
    """
    glued = [h for h in heads if len(h) >= _GLUED_HEAD]
    whole = [h for h in heads if len(h) < _GLUED_HEAD]
    alternatives = ([f"(?:{_words(glued)})"] if glued else []) + (
        [rf"\b(?:{_words(whole)})"] if whole else []
    )  # an empty list of words would match every name
    return rf"(?:{'|'.join(alternatives) or '(?!)'})$"


@dataclass(frozen=True, slots=True)
class Lexicon(Reader):
    """Compiled patterns (build with :func:`load_lexicon` or :func:`compile_patterns`).

    A :class:`~normalizer.reader.Reader` (what verification reads too: comparators,
    limits, powers, ranges, number words, the view, mentions; the very objects of
    ``reader``) with what only the extractor reads.
    """

    reader: Reader
    list_gap: re.Pattern[str]
    link_gap: re.Pattern[str]
    qualifier_lead: re.Pattern[str]
    stripped_comparator: re.Pattern[str]
    unread_comparison: re.Pattern[str]
    person: re.Pattern[str]
    other_head: re.Pattern[str]
    counted_head: re.Pattern[str]
    time_head: re.Pattern[str]
    time_head_alone: re.Pattern[str]
    label_stop: frozenset[str]
    numeric: re.Pattern[str]
    pair: re.Pattern[str]
    pair_variables: dict[str, tuple[str, str]]
    pair_units: dict[str, tuple[str, str]]
    next_word_ok: frozenset[str]
    contexts_at: re.Pattern[str]
    contexts_lead: re.Pattern[str]
    contexts_by_lead: dict[str, tuple[re.Pattern[str], ...]]
    context_trigger: re.Pattern[str]
    contexts: re.Pattern[str]
    contexts_plain: re.Pattern[str]
    """``contexts`` without the patterns that hold one of ``contexts_words``: for a view
    holding none of those words, the same matches (the others cannot match there)."""
    contexts_words: frozenset[str] | None
    fallbacks: re.Pattern[str]
    reasons: dict[str, NumberReason]

    def comparator(self, position: str, text: str) -> Comparator:
        """The meaning of a comparator phrase matched at ``position``."""
        return self.comparators[(position, phrase_key(text))]


_Items = list[tuple[Any, Any]]


def _is_digit_class(op: Any, av: Any) -> bool:
    if op is _C.LITERAL:
        return chr(av).isdigit()
    if op is _C.IN:
        return any(
            (kind is _C.CATEGORY and arg is _C.CATEGORY_DIGIT)
            or (kind is _C.RANGE and arg == (ord("0"), ord("9")))
            for kind, arg in av
        )
    return False


def _leads(items: _Items) -> set[str] | None:
    """Literal strings one of which starts every match of the parsed ``items``.

    ``None`` when no such finite set exists (a character class, an optional start).
    """
    i = 0
    while i < len(items) and items[i][0] in (_C.AT, _C.ASSERT, _C.ASSERT_NOT):
        i += 1
    if i == len(items):
        return None
    op, av = items[i]
    if op is _C.LITERAL:
        text = ""
        while i < len(items) and items[i][0] is _C.LITERAL:
            text += chr(items[i][1])
            i += 1
        return {text}
    if op is _C.BRANCH:
        found: set[str] = set()
        for alternative in av[1]:
            lead = _leads([*alternative, *items[i + 1 :]])
            if lead is None:
                return None
            found |= lead
        return found
    if op is _C.SUBPATTERN:
        return _leads([*av[3], *items[i + 1 :]])
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT):
        once = _leads([*av[2], *items[i + 1 :]])
        if av[0] >= 1 or once is None:
            return once
        skipped = _leads(items[i + 1 :])  # an optional start: either lead
        return None if skipped is None else once | skipped
    return None


def _starts_with_number(items: _Items, words: frozenset[str]) -> bool:
    """Whether every match of the parsed ``items`` starts with a digit or a number word."""
    i = 0
    while i < len(items) and items[i][0] in (_C.AT, _C.ASSERT, _C.ASSERT_NOT):
        i += 1
    if i == len(items):
        return False
    op, av = items[i]
    if op is _C.SUBPATTERN:
        return _starts_with_number([*av[3], *items[i + 1 :]], words)
    if op is _C.BRANCH:
        return all(_starts_with_number([*a, *items[i + 1 :]], words) for a in av[1])
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT) and av[0] >= 1:
        return _starts_with_number(list(av[2]), words)
    if op is _C.LITERAL and not chr(av).isdigit():
        text = ""
        while i < len(items) and items[i][0] is _C.LITERAL:
            text += chr(items[i][1])
            i += 1
        return text.lower() in words
    return _is_digit_class(op, av)


@dataclass(frozen=True, slots=True)
class _ContextRegexes:
    at_numbers: str  # tried where a number starts
    leads: str  # tried where one of `triggers` starts
    triggers: list[str]
    by_lead: dict[str, tuple[str, ...]]  # a trigger's key -> lead patterns it can start
    scanned: str  # scanned near numbers
    scanned_plain: str  # those of them that hold no word every match must hold
    scanned_words: frozenset[str] | None  # the words the others hold: one is in each match
    reasons: dict[str, NumberReason]


@remembered
def _placement(
    body: str, flags: int, number_words: frozenset[str]
) -> tuple[str, tuple[str, ...]]:
    """Where a context pattern is tried, from its parse tree.

    ("at", ()) where a number starts; ("lead", its lower-case first words) where one
    of them starts; else ("scan", ()), near numbers.
    """
    items = list(_parser.parse(body, flags))
    if _starts_with_number(items, number_words):
        return "at", ()
    lead = _leads(items)
    if lead and all(len(w) >= _MIN_TRIGGER for w in lead):
        return "lead", tuple(sorted({w.lower() for w in lead}))
    return "scan", ()


def _contexts(data: Patterns, number_words: frozenset[str], fallback: bool) -> _ContextRegexes:
    """Context patterns sorted by how they can be found fast.

    Those that start with their number are tried only where a number starts; those
    that start with one of a few literal words ("within", "grade", "annex") only where
    such a word starts; the rest are scanned near numbers.
    """
    at_numbers: list[str] = []
    leads: list[str] = []
    lead_keys: list[frozenset[str]] = []
    triggers: set[str] = set()
    scanned: list[str] = []
    plain: list[str] = []
    worded: set[str] = set()
    reasons: dict[str, NumberReason] = {}
    for i, ctx in enumerate(data.contexts):
        if ctx.fallback != fallback:
            continue
        for j, pattern in enumerate(ctx.patterns):
            name = f"c{i}_{j}"
            reasons[name] = ctx.reason
            body = data.expand(pattern)
            flags, body = (re.IGNORECASE, body[4:]) if body.startswith("(?i)") else (0, body)
            group = f"(?P<{name}>{'(?i:' if flags else '(?:'}{body}))"
            where, lead = _placement(body, flags, number_words)
            if where == "at":
                at_numbers.append(group)
            elif where == "lead":
                leads.append(group)
                lead_keys.append(frozenset(lead_key(w) for w in lead))
                triggers |= set(lead)
            else:
                scanned.append(group)
                words = required_words(group, re.MULTILINE)
                if words is None:
                    plain.append(group)
                else:
                    worded |= words
    never = r"(?!)"
    starting: dict[str, list[int]] = {}  # a lead's key -> the lead patterns it starts
    for k, keys in enumerate(lead_keys):
        for key in keys:
            starting.setdefault(key, []).append(k)
    by_lead = {  # every lead that matches where a trigger does is a prefix of the trigger
        key: tuple(
            leads[k]
            for k in sorted({k for n in range(1, len(key) + 1) for k in starting.get(key[:n], ())})
        )
        for key in sorted({lead_key(t) for t in triggers})
    }
    return _ContextRegexes(
        "|".join(at_numbers) or never,
        "|".join(leads) or never,
        sorted(triggers),
        by_lead,
        "|".join(scanned) or never,
        "|".join(plain) or never,
        frozenset(worded) if len(plain) < len(scanned) else None,
        reasons,
    )


def lead_key(text: str) -> str:
    """How a context's lead words are looked up: lower case, no blanks."""
    return "".join(text.lower().split())


def compile_patterns(data: Patterns, reader: Reader | None = None) -> Lexicon:
    """Compile validated pattern data; the shared parts are ``reader``'s.

    Without ``reader``, the packaged reader when ``data`` is the packaged patterns,
    else one compiled from ``data`` and the packaged catalog.
    """
    if reader is None:
        reader = load_reader() if data is load_patterns() else _reader_of(data)
    words = frozenset(w.lower() for w in data.number_words)
    number_word = reader.number_word.pattern
    contexts = _contexts(data, words, fallback=False)
    fallbacks = _contexts(data, words, fallback=True)
    fallback = "|".join((fallbacks.at_numbers, fallbacks.leads, fallbacks.scanned))
    return Lexicon(
        **{f.name: getattr(reader, f.name) for f in fields(Reader)},
        reader=reader,
        list_gap=re.compile(data.list_separators, re.IGNORECASE),
        link_gap=re.compile(data.link, re.IGNORECASE),
        qualifier_lead=re.compile(r"[\s,;(]*(?:" + _words(data.qualifier_leads) + r")\b", re.I),
        stripped_comparator=re.compile(data.stripped_comparator),
        unread_comparison=re.compile(data.unread_comparison),
        person=re.compile(r"\b(?:" + _words(data.person_nouns) + r")\b", re.IGNORECASE),
        other_head=re.compile(_heads(data.other_heads), re.IGNORECASE),
        counted_head=re.compile(_heads(data.counted_heads), re.IGNORECASE),
        time_head=re.compile(_heads(data.time_heads), re.IGNORECASE),
        time_head_alone=re.compile(r"(?:" + _words(data.time_heads_alone) + r")$", re.I),
        label_stop=frozenset(data.label_stop),
        numeric=fast_start(rf"\d+|{number_word}", re.IGNORECASE),
        pair=re.compile(
            "|".join(
                rf"(?P<p{i}>(?<!\w)(?:{_words(pair.names)})(?!\w))"
                for i, pair in enumerate(data.pairs)
            )
            or r"(?!)",
            re.IGNORECASE,
        ),
        pair_variables={f"p{i}": pair.variables for i, pair in enumerate(data.pairs)},
        pair_units={pair.unit: pair.variables for pair in data.pairs if pair.unit},
        next_word_ok=frozenset(
            w.lower()
            for w in (*data.fillers, *data.qualifier_leads, *data.person_nouns)
            if " " not in w
        ),
        contexts_at=re.compile(contexts.at_numbers, re.MULTILINE),
        contexts_lead=re.compile(contexts.leads, re.MULTILINE),
        contexts_by_lead=_compiled_leads(contexts.by_lead),
        context_trigger=re.compile(
            r"(?<!\w)" + trie_regex(contexts.triggers, r"\s*", lambda _: ""), re.IGNORECASE
        ),
        contexts=re.compile(contexts.scanned, re.MULTILINE),
        contexts_plain=re.compile(contexts.scanned_plain, re.MULTILINE),
        contexts_words=contexts.scanned_words,
        fallbacks=re.compile(fallback, re.MULTILINE),
        reasons=contexts.reasons | fallbacks.reasons,
    )


def _compiled_leads(
    by_lead: dict[str, tuple[str, ...]],
) -> dict[str, tuple[re.Pattern[str], ...]]:
    """Each trigger's lead patterns compiled, each pattern once whatever its triggers."""
    compiled = {
        body: re.compile(body, re.MULTILINE) for bodies in by_lead.values() for body in bodies
    }
    return {key: tuple(compiled[body] for body in bodies) for key, bodies in by_lead.items()}


def _reader_of(data: Patterns) -> Reader:
    from ...catalog import load_catalog

    return compile_reader(data, load_catalog())


@cache
def load_lexicon() -> Lexicon:
    """Load, validate and compile the packaged ``data/patterns.toml`` (cached)."""
    return compile_patterns(load_patterns())
