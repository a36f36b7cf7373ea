"""The context patterns that start with literal words, tried only where those words are.

The rules try, at each trigger word found, only the lead patterns that can start
with it (:attr:`Lexicon.contexts_by_lead`), in the data's order.  That must give
what the one alternation of every lead pattern gives at the same place: the same
match, of the same pattern.  Checked at every trigger of real dev-split text.
"""

from __future__ import annotations

import re

from normalizer.evaluation.split import split_of
from normalizer.extract.rules.lexicon import lead_key, load_lexicon
from normalizer.regex_start import can_match

from .conftest import need_shared
from .dev_text import CHIA, LCT, SHARED


def _dispatched(view: str, at: int, key: str) -> re.Match[str] | None:
    lex = load_lexicon()
    for pattern in lex.contexts_by_lead.get(key, (lex.contexts_lead,)):
        match = pattern.match(view, at)
        if match is not None:
            return match
    return None


def test_the_lead_patterns_of_a_trigger_match_as_the_whole_alternation() -> None:
    need_shared()
    lex = load_lexicon()
    files = sorted((SHARED / CHIA).glob("NCT*.txt")) + sorted((SHARED / LCT).rglob("NCT*.txt"))
    dev = [f for f in files if split_of(f.name) == "dev"][::4]
    assert len(dev) > 200
    triggers = matched = unknown = 0
    for path in dev:
        view = lex.view(path.read_text("utf-8"))
        for trigger in lex.context_trigger.finditer(view):
            triggers += 1
            key = lead_key(trigger.group())
            unknown += key not in lex.contexts_by_lead
            whole = lex.contexts_lead.match(view, trigger.start())
            one = _dispatched(view, trigger.start(), key)
            assert (one and (one.span(), one.lastgroup)) == (
                whole and (whole.span(), whole.lastgroup)
            ), f"{path.name} at {trigger.start()}: {view[trigger.start():trigger.start() + 40]!r}"
            matched += whole is not None
    assert triggers > 10_000 and matched > 500, (triggers, matched)
    assert unknown == 0, "every trigger found has its own lead patterns"


def test_a_trigger_holds_every_lead_pattern_of_its_prefixes() -> None:
    """'grade' is a trigger and 'g' might be: the patterns led by 'g' are tried at 'grade'."""
    lex = load_lexicon()
    for key, patterns in lex.contexts_by_lead.items():
        for shorter in (key[:n] for n in range(1, len(key))):
            assert set(lex.contexts_by_lead.get(shorter, ())) <= set(patterns), (key, shorter)


def test_a_view_without_their_words_scans_the_plain_patterns_alike() -> None:
    """The scanned context patterns that must hold a word ("grade", "percentile") cannot
    match in a view without it: there the plain ones give the very same matches."""
    need_shared()
    lex = load_lexicon()
    assert lex.contexts_words, "some scanned pattern holds a required word"
    files = sorted((SHARED / CHIA).glob("NCT*.txt")) + sorted((SHARED / LCT).rglob("NCT*.txt"))
    plain_views = 0
    for path in (f for f in files if split_of(f.name) == "dev"):
        for line in path.read_text("utf-8").splitlines():
            view = lex.view(line)
            if can_match(view, lex.contexts_words):
                continue
            plain_views += 1
            whole = [(m.span(), m.lastgroup) for m in lex.contexts.finditer(view)]
            plain = [(m.span(), m.lastgroup) for m in lex.contexts_plain.finditer(view)]
            assert whole == plain, line
    assert plain_views > 1_000
