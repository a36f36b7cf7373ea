"""What a scan of a criterion holds, and the variable mentions it answers.

The data types :class:`Reading`, :class:`Quantity` and :class:`Scan` (with the
comparator and role literals :data:`Op` and :data:`Role`), and :func:`mentions`:
the catalog variables named in a stretch of the text.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from ...models import RelativeTo
from ..lexicon import Shared, load_shared

Op = Literal["ge", "gt", "le", "lt", "eq"]
Role = Literal[
    "own",  # the quantity's own comparator (before or after it), or none
    "inherited",  # carried from the previous quantity across "or" / "(" / "/"
    "carried",  # carried from the previous quantity across a comma or "and": weaker
    "range-lo",
    "range-hi",
    "list-lo",
    "list-mid",
    "list-hi",
]

_SHORT_RANGE = 400  # characters: mentions of a longer range come from the whole view's


@dataclass(frozen=True, slots=True)
class Reading:
    """One way to read a quantity.

    The value, the unit written after it as UCUM (None: none written), and the
    ULN/LLN it multiplies.
    """

    value: float
    unit: str | None
    relative: RelativeTo | None = None


@dataclass(slots=True)
class Quantity:
    """A number in the criterion text and what is written around it."""

    start: int
    end: int
    """End of the number with its power of ten (the part a curator reads as 'the number')."""
    stop: int
    """End of its unit or ULN/LLN phrase (``end`` when neither)."""
    text: str
    readings: list[Reading]
    implicit: bool = False
    """A ULN/LLN limit written without a number ('<= ULN'): 1 x ULN."""
    word: bool = False
    pair: bool = False
    """'0,1' or '1,5': a list of two or a decimal comma; read both ways."""
    op: Op | None = None
    phrase: str = ""
    ambiguous: bool = False
    role: Role = "own"
    after: int = 0
    """End of a comparator written after it ('or older'), else ``stop``."""
    group: tuple[int, ...] = ()
    """Indices of the quantities of its range or list, in order."""
    inside: str | None = None
    """The comparator between its multiplier and its ULN/LLN limit ("3 times *higher than*
    the ULN"): its own when none is written before or after it."""

    def values(self) -> list[float]:
        """The distinct values of its readings."""
        return sorted({r.value for r in self.readings})

    def describe(self) -> str:
        """The quantity as written, for messages."""
        return "'ULN'" if self.implicit else repr(self.text)


@dataclass(slots=True)
class Scan:
    """Every quantity of a criterion, with the text they were read from."""

    text: str
    view: str
    quantities: list[Quantity] = field(default_factory=list)
    _clause_breaks: list[tuple[int, int]] | None = None
    _named: list[tuple[int, int, str]] | None = None

    def inside(self, start: int, end: int) -> Iterator[tuple[int, Quantity]]:
        """Quantities whose number overlaps ``[start, end)``."""
        for i, q in enumerate(self.quantities):
            if q.start < end and q.end > start:
                yield i, q

    def mentions(self, start: int, end: int) -> set[str]:
        """Catalog variable ids named in ``text[start:end]``.

        A range longer than :data:`_SHORT_RANGE` is answered from the mentions of
        the whole view, found once: a long clause read again for each of its many
        limits would make the cost quadratic.
        """
        if end - start <= _SHORT_RANGE:
            return mentions(self.view, start, end)
        if self._named is None:
            self._named = _named_at(self.view, 0, len(self.view))
        return {var for a, b, var in self._named if start <= a and b <= end}

    def _breaks(self) -> list[tuple[int, int]]:
        """Every clause break of the view, ``(start, end)``, found once (then bisected)."""
        if self._clause_breaks is None:
            self._clause_breaks = [
                (m.start(), m.end()) for m in _lexicon().clause_break.finditer(self.view)
            ]
        return self._clause_breaks

    def clause_start(self, pos: int) -> int:
        """Start of the clause holding ``pos`` (after the last ';' or sentence end)."""
        breaks = self._breaks()
        # the last break that ends at or before pos (as finditer(view, 0, pos) finds it)
        k = bisect.bisect_right(breaks, (pos, pos)) - 1
        while k >= 0 and breaks[k][1] > pos:
            k -= 1
        return breaks[k][1] if k >= 0 else 0

    def clause_end(self, pos: int) -> int:
        """End of the clause holding ``pos``."""
        breaks = self._breaks()
        k = bisect.bisect_left(breaks, (pos, -1))
        return breaks[k][0] if k < len(breaks) else len(self.view)


def _lexicon() -> Shared:
    return load_shared()


# --------------------------------------------------------------------------
# Variable mentions
# --------------------------------------------------------------------------


def _named_at(view: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """``(start, end, variable id)`` of every mention in ``view[start:end]``, in order."""
    lex = _lexicon()
    found = [(m.start, m.end, m.variable) for m in lex.mentions.find(view, start, end)]
    for finder, position in ((lex.before, "before"), (lex.after, "after")):
        for m in finder.finditer(view, start, end):
            meaning = lex.comparator(position, m.group().strip())
            if meaning is not None and meaning.implies is not None:
                found.append((m.start(), m.end(), meaning.implies))
    return found


def mentions(view: str, start: int, end: int) -> set[str]:
    """Catalog variable ids named in ``view[start:end]`` (including 'older than': age)."""
    return {var for _, _, var in _named_at(view, start, end)}
