"""fast_start: a lookahead for a pattern's first characters changes none of its matches."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer.reader import load_reader
from normalizer.regex_start import can_match, fast_start, required_words, start_class

PATTERNS = [
    (r"(?<![\w-])(?:one|two|twenty[\s-]one)(?![\w-])", re.IGNORECASE),
    (r"(?:(?<!\w)(?=\w)|(?!\w))(?:<=?|>=?|at\s*least|over)", re.IGNORECASE),
    (r"(?:(?:local|lab)\s+)*(?:ULN|upper\s+limit)", re.IGNORECASE),
    (r";|(?<![A-Za-z.]\.[A-Za-z])\.(?=\s|$)|\n", 0),
    (r"(?<!\w)(?:(?P<name>(?i:kelvin|sodium)s?)|(?P<abbr>Na|K))(?![A-Za-z])", 0),
    (r"(?-i:A)b", re.IGNORECASE),
    (r"(?:(?<=[<>=])-|(?<=[a-z]\s)-(?=\d))?(?<![\w.])\d+(?:\.\d+)?", 0),
]
# with the Kelvin sign, the long s and an Arabic-Indic digit (a \d too)
ALPHABET = "aAbBkKnNoOsStTwWeEl .;-<=>\n\u212a\u017f1\u0663"


@pytest.mark.parametrize(
    ("pattern", "flags", "expected"),
    [
        (r"(?<!\w)ab|cd", 0, "[ac]"),
        (r"(?:x)*y", 0, "[xy]"),
        (r"(a|)b", 0, "[ab]"),
        (r"(?i:k)x", 0, "(?i:[k])"),
        (r"\bfoo", 0, "[f]"),
        (r"\s*a", 0, r"[\sa]"),
        (r"\w+", 0, None),  # a word character: not listed (it would filter nothing)
        (r"\d+|(?i:one)", 0, r"[\d]|(?i:[o])"),
        (r"(?:(?<=<)-)?\d", 0, r"[\-\d]"),
        (r"[^a]b", 0, None),
        (r"[a-z]", 0, None),  # a range: not listed
        (r"a?", 0, None),  # may match nothing
        (r"(?=a)", 0, None),
    ],
)
def test_the_first_characters_read_off_the_parse_tree(
    pattern: str, flags: int, expected: str | None
) -> None:
    assert start_class(pattern, flags) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_matches_are_the_same_with_the_lookahead(text: str) -> None:
    for pattern, flags in PATTERNS:
        plain, fast = re.compile(pattern, flags), fast_start(pattern, flags)
        assert fast.pattern != plain.pattern  # every one of these gets a lookahead
        spans = [(m.span(), m.lastgroup, m.groups()) for m in plain.finditer(text)]
        assert [(m.span(), m.lastgroup, m.groups()) for m in fast.finditer(text)] == spans


def test_a_pattern_with_global_flags_or_no_listed_start_is_compiled_as_it_is() -> None:
    assert fast_start(r"(?i)abc").pattern == r"(?i)abc"
    assert fast_start(r"\w+").pattern == r"\w+"


def test_the_reader_searches_its_slow_starting_patterns_fast() -> None:
    reader = load_reader()
    for pattern in (reader.before, reader.limit, reader.number_word, reader.clause_break):
        assert pattern.pattern.startswith("(?=")
    assert reader.repair_hint.search("³ 5") and not reader.repair_hint.search("plain text 5")


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"ULN|(?:foo)?bar", {"uln", "bar"}),
        (r"(?i:upper)\s+limit|LLN", {"upper", "lln"}),
        (r"(?:abc)+x", {"abc"}),
        (r"ab|cde", None),  # 'ab' is too short to be worth a look
        (r"x*", None),
        ("\u212aelvin", None),  # not ASCII: the Kelvin sign matches "k" ignoring case
    ],
)
def test_words_every_match_contains(pattern: str, expected: set[str] | None) -> None:
    words = required_words(pattern, re.IGNORECASE)
    assert (None if words is None else set(words)) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ulnULNpperUPPERowb ()x*2.", max_size=30))
def test_a_text_without_the_words_has_no_match(text: str) -> None:
    limit = load_reader().limit
    if not can_match(text, required_words(limit.pattern, limit.flags)):
        assert limit.search(text) is None
    assert can_match("2 x Upper Limit of Normal", required_words(limit.pattern, limit.flags))
    assert can_match("K \u212a", frozenset({"zzz"}))  # not ASCII: always tried
