"""Contexts whose numbers are not constraints: staging, editions, references, windows.

A context pattern of ``data/patterns.toml`` says why its numbers are no limits (its
reason: ``temporal``, ``staging``, ``grade``...).  The strong ones are found before
any value is read, and their numbers are set aside; the weak ones (*fallbacks*)
only explain numbers that no limit used ("2 prior lines").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...regex_start import can_match
from ..base import NumberReason
from .lexicon import Lexicon, lead_key

__all__ = ["Contexts", "Note"]

_REACH_BEFORE = 36
_REACH_AFTER = 40


@dataclass(frozen=True, slots=True)
class Note:
    """A stretch of text whose numbers are not constraints."""

    start: int
    end: int
    reason: NumberReason


class Contexts:
    """Finds the non-constraint contexts of one criterion view."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._lex = lexicon

    def notes(self, view: str) -> list[Note]:
        """Non-constraint contexts holding a digit.

        Contexts that start with their number are tried where a number starts; those
        that start with literal words, where such a word starts (only the patterns that
        can start with the very words found: the trigger regex finds the longest, so every
        lead that matches there is a prefix of it); the others are scanned only near
        numbers (a context reaches at most ``_REACH_BEFORE`` characters before its first
        digit).
        """
        lex = self._lex
        found: list[Note] = []
        low = high = -1
        windows: list[tuple[int, int]] = []
        for run in lex.numeric.finditer(view):
            start = run.start()
            if start == 0 or not view[start - 1].isalnum():
                self._note(found, lex.contexts_at.match(view, start))
            if start - _REACH_BEFORE > high:
                if high > low:
                    windows.append((low, high))
                low = max(0, start - _REACH_BEFORE)
            high = min(len(view), run.end() + _REACH_AFTER)
        if high > low:
            windows.append((low, high))
        # the scanned patterns that hold a word the view does not hold cannot match in it
        scanned = lex.contexts if can_match(view, lex.contexts_words) else lex.contexts_plain
        for low, high in windows:
            for trigger in lex.context_trigger.finditer(view, low, high):
                at = trigger.start()
                leads = lex.contexts_by_lead.get(lead_key(trigger.group()), (lex.contexts_lead,))
                for lead in leads:  # the first (in the data's order) that matches, as in "|"
                    match = lead.match(view, at)
                    if match is not None:
                        self._note(found, match)
                        break
            found.extend(self._scan(scanned, view, low, high))
        return found

    def _note(self, found: list[Note], match: re.Match[str] | None) -> None:
        if match is not None and self._lex.numeric.search(match.group()):
            found.append(Note(match.start(), match.end(), self._lex.reasons[match.lastgroup or ""]))

    def fallback_notes(self, view: str) -> list[Note]:
        """Weak contexts that only explain numbers no limit used ("2 prior lines")."""
        return self._scan(self._lex.fallbacks, view, 0, len(view))

    def _scan(self, pattern: re.Pattern[str], view: str, start: int, end: int) -> list[Note]:
        reasons = self._lex.reasons
        return [
            Note(m.start(), m.end(), reasons[m.lastgroup or ""])
            for m in pattern.finditer(view, start, end)
            if self._lex.numeric.search(m.group())
        ]
