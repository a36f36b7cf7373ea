"""Limits no variable is named for: what their comparator, unit or neighbours imply.

A limit with no mention in its clause and no linked limit before it reads as the
variable its comparator or unit implies ("older than", "patients ≥ 18 years", "Infant
is ≤ 750 grams"), as a visual acuity in chart letters ("BCVA of 24 letters or over"),
as an uncatalogued score's bare value ("Killip Class 4"), or as ``other`` when the words
around it clearly name a measurement; else it reads as nothing (:mod:`.binding` asks).
"""

from __future__ import annotations

import re

from ...catalog import Catalog
from .lexicon import Comparator, Lexicon
from .limits import Limit, Limits
from .naming import NOWHERE, Names, Reading, Target
from .quantities import NEXT_WORD

__all__ = ["Implied"]

_MASS = re.compile(r"k?g|\[lb_av\]|\[oz_av\]|\[stone_av\]")
"""A body's mass: after a person noun, the person's weight (a dose in mg is not)."""
_ACUITY = re.compile(r"(?i)\b(?:B?CVA|visual\s+acuity|ETDRS)\b")
_RANGE_ON = re.compile(r"(?i)\s*(?:-|to|and)\s*\d")
_RANGE_FROM = re.compile(r"(?i)letters?\s*(?:-|to|and)\s*$")
_BETTER = re.compile(r"(?i)\s*or\s+(better|worse)\b")
"""After a count of acuity letters: more letters are better sight."""
_SCORE_HEAD = re.compile(r"(?i)\b(?:score|scores|scale|class|index|rating|subscore)$")
"""The last word of an uncatalogued score's name, whose bare value is read (as = value)."""
_BARE_GAP = re.compile(r"(?i)\s*(?:of|:|=)?\s*")
_DIFFERENCE = re.compile(r"(?i)\s*points?\s+(?:below|above|under|over|higher|lower|more|less)\b")
"""After a bare score value: a difference from another value ("1 point below the cut-off")."""
_OF_SOMETHING = re.compile(r"\s*(?:of|for|in|since|after|before|from|ago)\b", re.IGNORECASE)


class Implied:
    """Reads a limit that no mention and no linked limit gives a variable."""

    def __init__(self, lexicon: Lexicon, catalog: Catalog, limits: Limits, names: Names) -> None:
        self._lex = lexicon
        self._catalog = catalog
        self._limits = limits
        self._names = names

    def read(self, view: str, limit: Limit, floor: int) -> Reading | None:
        """No mention: what the comparator or unit implies, else ``other``."""
        letters = self._acuity_letters(view, limit, floor)
        if letters is not None:
            return letters
        if not limit.explicit:
            return self._bare_score(view, limit, floor)
        label = self._names.label(view, max(floor, 0), limit.start)
        person = self._names.person_before(view, floor, limit.start)
        implied = limit.cmp.implies if limit.cmp else None
        if person and (
            limit.unit in self._lex.time_units
            or (limit.unit is None and not self._counts_something(view, limit))
        ):
            implied = implied or "age"  # "women above 18 years", "patient is less than 28 days old"
        elif person and limit.unit is not None and _MASS.fullmatch(limit.unit):
            implied = implied or "weight"  # "Infant is ≤ 750 grams at birth", "Subjects ≥ 50 kg"
        if (
            implied is None
            and "a" in (limit.unit, limit.upper_unit)  # "between 6 months and 17 years"
            and limit.relative is None
            and not _OF_SOMETHING.match(view, limit.end)
            and (label is None or (limit.ranged and not self._lex.other_head.search(view, *label)))
        ):
            implied = "age"  # "≥ 18 years", "... between 18 years and 60 years"
        if implied is not None and implied in self._catalog:
            return Reading(limit, [Target(implied, NOWHERE, NOWHERE, implied)])
        if label is None or not self._names.measured(view, limit, label):
            label = self._names.label_after(view, limit)
            if label is None or not self._names.measured(view, limit, label, after=True):
                return None
        return Reading(limit, [Target("other", label[0], label[1])])

    def _acuity_letters(self, view: str, limit: Limit, floor: int) -> Reading | None:
        """A visual acuity counted in chart letters: "BCVA of 24 letters or over".

        "BCVA" alone is no name of ``bcva_letters`` (it is as often written in Snellen
        fractions); the word "letters" after the value says which scale. A comparator
        after "letters" bounds the value ("or more", "or over"; "or better" is more
        letters).
        """
        if limit.unit is not None or limit.relative is not None or limit.pair is not None:
            return None
        word = self._lex.letters.match(view, limit.quantities[-1].number_end)
        if word is None or "bcva_letters" not in self._catalog:
            return None
        named = _ACUITY.search(view, max(floor, 0), limit.start)
        if named is None:
            return None
        if _RANGE_ON.match(view, word.end()) or _RANGE_FROM.search(view, 0, limit.start):
            return None  # "(65 letters to 23 letters)": a range, read by neither end
        if not limit.explicit:
            tail = self._limits.after(view, word.end())
            better = _BETTER.match(view, word.end())
            if tail is not None:
                limit.set_op(tail.meaning)
                limit.end = tail.end
            elif better is not None:
                limit.set_op(Comparator("le" if better.group(1) == "worse" else "ge", None, False))
                limit.end = better.end()
            else:
                limit.end = word.end()
        return Reading(limit, [Target("bcva_letters", named.start(), named.end())])

    def _bare_score(self, view: str, limit: Limit, floor: int) -> Reading | None:
        """A bare value right after an uncatalogued score's name, read as = value.

        "Killip Class 4", "CDR global score of 0.5 or 1": for review (comparator-missing).
        """
        if limit.unit is not None or limit.relative is not None or limit.pair is not None:
            return None
        label = self._names.label(view, max(floor, 0), limit.start)
        if label is None or not _BARE_GAP.fullmatch(view, label[1], limit.start):
            return None
        name = view[label[0] : label[1]]
        if len(name.split()) < 2 or not _SCORE_HEAD.search(name):
            return None  # "Score 7 on the questionnaire": which score?
        if _DIFFERENCE.match(view, limit.end):
            return None
        return Reading(limit, [Target("other", label[0], label[1])])

    def _counts_something(self, view: str, limit: Limit) -> bool:
        """A word no unit reads right after the value: "Smokers (Less than 20 cigars/day)"."""
        word = NEXT_WORD.match(view, limit.end)
        if word is None:
            return False
        text = word.group(1).lower().split("/")[0]  # "cigars/day", "units/week"
        return text not in self._lex.next_word_ok | self._lex.label_stop and text.isalpha()
