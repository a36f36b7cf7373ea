"""The reader of criteria text: ``data/patterns.toml`` and the catalog's names, compiled once.

The rules extractor (:mod:`normalizer.extract.rules.lexicon`) and verification
(:mod:`normalizer.verify.lexicon`) both read numbers, units, comparators, ranges and
variable mentions.  What they read is compiled here, once, into one :class:`Reader`
that both hold (as pint compiles its registry once and hands it to every consumer);
they differ in policy only (the extractor picks one reading, verification accepts
any), never in what they can read.  A test can compile a different reader from other
pattern data (:func:`compile_reader`) and hand it to both.

Shared here: the same-length view (translations, garble repairs, escapes), the
comparator phrases and their meanings, ULN/LLN limits, powers of ten, range
separators and openers, fillers, clause breaks, mention blockers, time and dose
units, number words (with tens-units compounds), and the finder of catalog
variable mentions (built from :mod:`normalizer.phrases`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from .catalog import Catalog, load_catalog
from .models import RelativeTo
from .patterns import Comparator, Patterns, load_patterns
from .phrases import GLUED_WORDS, Mentions, phrase_key, trie_regex, words_regex
from .regex_start import can_match, fast_start, required_words, start_class

__all__ = [
    "Reader",
    "compile_reader",
    "load_reader",
    "shared_reference",
]

_V = TypeVar("_V")
_Q = TypeVar("_Q")
_RECENT = 64
"""Views and limit tests a reader keeps (see :attr:`Reader._recent`)."""
_DIGIT = re.compile(r"\d")

RANGE_OPENER_WORDS = 3
"""Words allowed between a range opener and the range's first value: "between the
ages of 18 and 65" (both the extractor and verification read this far)."""


def _word_edge(phrase: str) -> str:
    """The guard after a comparator phrase.

    A whole word, or a word a number may be glued to ("greater than100", "at
    least18"; :func:`glued_to_word` reads the number).
    """
    last = phrase[-1:]
    if phrase.split()[-1] in GLUED_WORDS:
        return r"(?![^\W\d])"
    return r"(?!\w)" if last.isalnum() or last == "." else ""


@dataclass(frozen=True, slots=True)
class Reader:
    """What criteria text can say, compiled (build with :func:`load_reader`)."""

    version: str
    table: dict[int, str]
    table_ascii: str
    """The ASCII characters ``table`` changes (a tab): other ASCII text reads as itself."""
    escape: re.Pattern[str]
    repair: re.Pattern[str]
    repair_hint: re.Pattern[str]
    """Found wherever :attr:`repair` matches (the characters repairs start with): searched
    first, because ``re`` finds a character class fast and the repairs' lookbehinds slowly."""
    repair_chars: dict[str, str]
    repair_words: re.Pattern[str] | None
    """Words one of which a repair of words holds, without their first letter, in lower
    and upper case ("wice", "WICE": "twice", "Twice", "TWICE"): looked for too."""
    comparators: dict[tuple[str, str], Comparator]
    before: re.Pattern[str]
    """A comparator phrase written before its value."""
    after: re.Pattern[str]
    """A comparator phrase written after its value ("18 years or older")."""
    relative: re.Pattern[str]
    """A ULN/LLN limit right after a number (optional multiplier word first); groups
    ``ULN_<i>``/``LLN_<i>`` (plain), ``ULN_m<i>``/``LLN_m<i>`` (multiplier required) and
    ``ULN_c<i>``/``LLN_c<i>`` (a comparator after the multiplier, group ``cmp_ULN_<i>``:
    "3 times higher than the ULN"; :meth:`comparator_inside`)."""
    limit: re.Pattern[str]
    """A ULN/LLN limit anywhere (for limits written with no number: '<= ULN')."""
    dangling: re.Pattern[str]
    """A multiplier right after a number with no reference after it, before a list's next
    item ("Bilirubin <2x, AST <3x, creatinine <2x upper limit of normal"): the number is a
    multiple of the reference another item of the list names."""
    limit_words: frozenset[str] | None
    """Words one of which every :attr:`limit` match holds (see :meth:`may_name_limit`)."""
    normal_range: re.Pattern[str]
    """A limit stated as the normal range itself, with no number ("within normal limits")."""
    power: re.Pattern[str]
    bare_power: re.Pattern[str]
    garbled_power: re.Pattern[str]
    garbled_exponents: frozenset[int]
    lost_power_units: frozenset[str]
    reference_difference: re.Pattern[str]
    """After a limit: it is a difference from a reference ("100 lbs over ideal body weight")."""
    condition: re.Pattern[str]
    """Right after a limit: the condition it applies under ("in women", "on room air"),
    group ``condition``; matches nothing when the data lists none."""
    mention_blocked_after: re.Pattern[str]
    """Ends right before a name that is then no mention ("adjusted to age")."""
    week_fraction: re.Pattern[str]
    """The days of "22 3/7 weeks", "37+0 weeks", right after the number (group ``days``)."""
    week_days: re.Pattern[str]
    letters: re.Pattern[str]
    """Right after a value: chart letters of a visual acuity ("24 letters or over"), read
    over before a comparator written after them."""
    """The days of "23 weeks 6 days", right after the week unit (group ``days``)."""
    range_gap: re.Pattern[str]
    range_opener: re.Pattern[str]
    """Searched in the text before a range's first value, ending there."""
    filler_gap: re.Pattern[str]
    clause_break: re.Pattern[str]
    blocker: re.Pattern[str]
    time_units: frozenset[str]
    dose_units: frozenset[str]
    volume_units: frozenset[str]
    """Dose units that are also the patient's volumes (FEV1 in L): a dose only without a
    comparator of their own."""
    number_values: dict[str, float]
    """Number words (lower case) and their values."""
    number_word: re.Pattern[str]
    """A number word, or a tens-units compound ('twenty-five'), as a whole word."""
    mentions: Mentions
    _recent: dict[tuple[str, str], Any] = field(
        default_factory=dict, compare=False, repr=False, kw_only=True
    )
    """The last few views and limit tests: the rules and verification ask both of the
    same criterion, one after the other."""

    def _remember(self, key: tuple[str, str], value: _V) -> _V:
        if len(self._recent) >= _RECENT:
            self._recent.clear()
        self._recent[key] = value
        return value

    def view(self, text: str) -> str:
        """A same-length reading of ``text``: garbles repaired, one char for one char."""
        known = self._recent.get(("view", text))
        if known is not None:
            return str(known)
        original = text
        if self.repair_chars and (
            self.repair_hint.search(text)
            or (self.repair_words is not None and self.repair_words.search(text))
        ):
            text = self.repair.sub(self._repaired, text)
        if text.isascii() and not any(char in text for char in self.table_ascii):
            view = text  # most criteria: str.translate would look up every character
        else:
            view = text.translate(self.table)
        if "\\" in view:
            view = self.escape.sub(" ", view)
        return self._remember(("view", original), view)

    def _repaired(self, match: re.Match[str]) -> str:
        """What a repair reads ``match`` as: its text padded to the match's length."""
        found = match.group()
        char = self.repair_chars[match.lastgroup or ""]
        return char.ljust(len(found)) if len(char) <= len(found) else found

    def comparator(self, position: str, text: str) -> Comparator | None:
        """The meaning of a comparator phrase matched at ``position``, if it is one."""
        return self.comparators.get((position, phrase_key(text)))

    def value_of(self, text: str) -> float | None:
        """The value of a number word or a tens-units compound ('twenty-five'), else None."""
        total = 0.0
        for part in re.split(r"[\s-]+", text.lower().strip()):
            value = self.number_values.get(part)
            if value is None:
                return None
            total += value
        return total

    def may_name_limit(self, view: str) -> bool:
        """False when ``view`` cannot hold a :attr:`limit` (most criteria name no ULN/LLN).

        A few substring tests instead of a search.
        """
        known = self._recent.get(("limit", view))
        if known is not None:
            return bool(known)
        return self._remember(("limit", view), can_match(view, self.limit_words))

    def may_hold_limit(self, view: str) -> bool:
        """False when ``view`` holds no number to read: no digit, no number word, no ULN.

        Most criteria ("Pregnant or breast-feeding women"): the rules read nothing there,
        and verification finds no quantity to check.
        """
        known = self._recent.get(("numbers", view))
        if known is not None:
            return bool(known)
        holds = bool(
            _DIGIT.search(view)
            or self.number_word.search(view)
            or (self.may_name_limit(view) and self.limit.search(view))  # "<= ULN": 1 x ULN
        )
        return self._remember(("numbers", view), holds)

    @staticmethod
    def relative_to(match: re.Match[str]) -> RelativeTo:
        """'ULN' or 'LLN': which limit a :attr:`relative` or :attr:`limit` match names."""
        return "ULN" if (match.lastgroup or "").startswith("ULN") else "LLN"

    @staticmethod
    def comparator_inside(match: re.Match[str]) -> str | None:
        """The comparator a :attr:`relative` match holds after its multiplier, or None.

        "3 times *higher than* the ULN": the phrase between the multiplier and the limit.
        """
        for name, phrase in match.groupdict().items():
            if phrase is not None and name.startswith("cmp_"):
                return phrase
        return None


def plus_days(weeks: float, days: re.Match[str]) -> float:
    """Weeks and the days a ``week_fraction``/``week_days`` match holds, in weeks."""
    written = days.group("days") or days.groupdict().get("plus") or "0"
    return round(weeks + int(written) / 7, 6)


def shared_reference(
    view: str, dangling: re.Pattern[str], quantities: list[_Q], end_of: Callable[[_Q], int],
    relative_of: Callable[[_Q], RelativeTo | None],
) -> list[tuple[_Q, int, RelativeTo]]:
    """Quantities written "2x" with no reference, and the reference their list names.

    The reference is the one the other quantities of the criterion are written with,
    when they name only one (ULN, or LLN).  Returns each such quantity, where its
    multiplier ends, and the reference.  Both readers call this: the rules with their
    quantities, verification with its scan's.
    """
    named = [(q, r) for q in quantities if (r := relative_of(q)) is not None]
    if not named or len({r for _q, r in named}) != 1:
        return []
    reference = named[0][1]
    found: list[tuple[_Q, int, RelativeTo]] = []
    for q in quantities:
        if relative_of(q) is None:
            m = dangling.match(view, end_of(q))
            if m is not None and m.end() > end_of(q):
                found.append((q, m.end(), reference))
    return found


def _relative(data: Patterns, before: str) -> tuple[str, str]:
    """The limit after a number (see :attr:`Reader.relative`), and the limit alone."""
    multiplier = "|".join(data.multipliers)
    parts = []
    plain = []
    for i, rel in enumerate(data.relative):
        forms = "|".join(rel.patterns)
        plain.append(rf"(?P<{rel.to}_{i}>{forms})")
        # "3 times higher than the ULN", "2-fold above the upper limit of normal": the
        # comparator between the multiplier and the limit (group ``cmp_<to>_<i>``)
        parts.append(
            rf"(?P<{rel.to}_c{i}>(?:{multiplier})\s*(?P<cmp_{rel.to}_{i}>{before})\s*"
            rf"(?:the\s+)?(?:{forms}))"
        )
        parts.append(rf"(?P<{rel.to}_{i}>(?:(?:{multiplier})\s*)?(?:the\s+)?(?:{forms}))")
        if rel.with_multiplier:
            after = "|".join(rel.with_multiplier)
            parts.append(rf"(?P<{rel.to}_m{i}>(?:{multiplier})\s*(?:the\s+)?(?:{after}))")
    return r"\s*(?:" + "|".join(parts) + ")", "|".join(plain)


def _repair_hint(
    patterns: list[str], repair: re.Pattern[str]
) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """Where ``patterns`` may match: a character class and lower-case words.

    A garble's first character (``re`` finds a class fast); for a repair of words
    ("twice the ULN"), one of the words every match holds, without its first letter (so
    that "Twice" holds it too) and in upper case: substrings ``str`` finds fast (a letter
    that starts a word is found everywhere).  ``repair`` itself when a pattern says
    neither.
    """
    firsts: list[str] = []
    words: set[str] = set()
    for pattern in patterns:
        first = start_class(pattern)
        held = required_words(pattern)
        if first is not None and re.search(r"[A-Za-z]", first) and held:
            words |= held
        elif first is not None:
            firsts.append(first)
        else:
            return repair, None
    tails = {w[1:] for w in words if len(w) > 3} | {w for w in words if len(w) <= 3}
    every = sorted(tails | {t.upper() for t in tails})
    found = re.compile("|".join(re.escape(w) for w in every)) if every else None
    return re.compile("|".join(firsts) or r"(?!)"), found


def compile_reader(data: Patterns, catalog: Catalog) -> Reader:
    """Compile validated pattern data and a catalog's names."""
    comparators: dict[tuple[str, str], Comparator] = {}
    forms: dict[str, list[str]] = {"before": [], "after": []}
    for entry in data.comparators:
        for form in entry.forms:
            # a later entry refines an earlier one (e.g. adds `implies`)
            key = (entry.position, phrase_key(form))
            old = comparators.get(key)
            implies = entry.implies or (old.implies if old else None)
            comparators[key] = Comparator(entry.op, implies, entry.ambiguous)
            forms[entry.position].append(form.lower())
    before = trie_regex(forms["before"], r"\s*", _word_edge)
    after = trie_regex(forms["after"], r"\s*", _word_edge)
    relative, plain = _relative(data, before)
    numbers = {w.lower(): float(v) for w, v in data.number_words.items()}
    units = [w for w, v in numbers.items() if 0 < v < 10]
    tens = [w for w, v in numbers.items() if v >= 20 and v % 10 == 0 and v < 100]
    compound = rf"(?:{'|'.join(tens)})[\s-](?:{'|'.join(units)})" if tens and units else r"(?!)"
    number_word = rf"(?<![\w-])(?:{compound}|{words_regex(numbers)})(?![\w-])"
    blocker = re.compile(r"[\s-]*(?:" + words_regex(data.mention_blockers) + r")\b", re.I)
    if not data.mention_blockers:
        blocker = re.compile(r"(?!)")
    repair = re.compile("|".join(f"(?P<r{i}>{r.pattern})" for i, r in enumerate(data.repairs)))
    limit = fast_start(rf"(?<![\w])(?:{plain})(?![\w])", re.IGNORECASE)
    blocked_after = re.compile(data.mention_blocked_after, re.I)
    hint, hint_words = _repair_hint([r.pattern for r in data.repairs], repair)
    return Reader(
        version=data.version,
        table=(table := str.maketrans(data.translate)),
        table_ascii="".join(sorted(chr(k) for k in table if k < 128)),
        escape=re.compile(r"\\(?=[" + re.escape(data.escapes) + "])"),
        repair=repair,
        repair_hint=hint,
        repair_words=hint_words,
        repair_chars={f"r{i}": r.char for i, r in enumerate(data.repairs)},
        comparators=comparators,
        before=fast_start(r"(?:(?<!\w)(?=\w)|(?!\w))" + before, re.IGNORECASE),
        after=re.compile(r"\s*" + after, re.IGNORECASE),
        relative=re.compile(relative, re.IGNORECASE),
        limit=limit,
        dangling=re.compile(
            r"\s*(?:" + "|".join(data.multipliers) + r")(?=\s*(?:[,;)]|(?:and|or)\b|$))", re.I
        ),
        limit_words=required_words(limit.pattern, limit.flags),
        normal_range=re.compile(data.normal_range),
        power=re.compile(data.power),
        bare_power=re.compile(data.bare_power),
        garbled_power=re.compile(data.garbled_power),
        garbled_exponents=frozenset(data.garbled_exponents),
        lost_power_units=frozenset(data.lost_power_units),
        reference_difference=re.compile(data.reference_difference, re.I),
        condition=re.compile(
            r"[\s,]*\(?\s*(?P<condition>" + ("|".join(data.conditions) or "(?!)") + r")", re.I
        ),
        mention_blocked_after=blocked_after,
        week_fraction=re.compile(data.week_fraction, re.I),
        week_days=re.compile(data.week_days, re.I),
        letters=re.compile(r"\s*(?:ETDRS\s+)?letters?\b", re.I),
        range_gap=re.compile(r"\s*(?:" + "|".join(data.range_separators) + r")\s*", re.I),
        range_opener=re.compile(
            r"(?:^|\W)(?:" + words_regex(data.range_openers) + r")\W*"
            rf"(?:\w+\W+){{0,{RANGE_OPENER_WORDS}}}$",
            re.I,
        ),
        filler_gap=re.compile(
            r"(?:[\s:,=()'\-]|\b(?:" + words_regex(data.fillers) + r")\b)*", re.I
        ),
        clause_break=fast_start(data.clause_break),
        blocker=blocker,
        time_units=frozenset(data.time_units),
        dose_units=frozenset(data.dose_units),
        volume_units=frozenset(data.volume_units),
        number_values=numbers,
        number_word=fast_start(number_word, re.IGNORECASE),
        mentions=Mentions(catalog, blocker, blocked_after),
    )


@cache
def load_reader() -> Reader:
    """The reader of the packaged ``patterns.toml`` and catalog (compiled once, cached)."""
    return compile_reader(load_patterns(), load_catalog())
