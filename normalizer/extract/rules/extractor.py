r"""The deterministic rules extractor: every numeric limit of a criterion.

Reading one criterion, in order (each step is a module of this package):

1. a same-length *view* of the text repairs registry garbles (``\<``, ``×``, ``³``,
   full-width forms) without moving offsets (:mod:`.lexicon`);
2. contexts whose numbers are not constraints (staging, editions, references,
   temporal windows, grades, dates) are set aside (:mod:`.contexts`);
3. every other number is read with what follows it: a power of ten ("1.5×109/L"), a
   reference limit ("2.5 x ULN") or a unit (the longest words that
   :func:`normalizer.units.to_ucum` knows) (:mod:`.quantities`);
4. numbers become *limits*: a comparator before ("≥", "at least") or after ("or
   older") the value, a range ("18-75", "between 18 and 75"), or a bare value
   (:mod:`.limits`);
5. each limit takes its variables (:mod:`.binding`): the catalog mentions just
   before it in its clause (a list of mentions shares one limit), else a mention right
   after it ("18 years of age") (:mod:`.naming`), else the previous limit's variables
   when the two are linked ("≥ 10^4 copies/ml or 2000 IU/ml"; a parenthesised
   alternative with its qualifier) (:mod:`.linking`), else what the comparator or unit
   implies ("older than", "patients ≥ 18 years"), else ``other`` when it clearly is a
   measurement.  A mention whose unit cannot be the limit's ("HbA1c (less than 3
   months)") does not take it;
6. every number no constraint used gets a note with its reason; one that has none
   makes the extraction incomplete, as does a low-confidence reading (:mod:`.emission`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ...catalog import Catalog, load_catalog
from ...models import Section
from ...phrases import Mention, Mentions
from ...units import to_ucum
from ..base import CriterionInput, Extraction
from .binding import Binder
from .contexts import Contexts, Note
from .emission import Emitter
from .lexicon import Lexicon, load_lexicon
from .limits import Limits
from .linking import Links
from .naming import Names
from .quantities import Quantities, Quantity

__all__ = ["RulesExtractor"]


class RulesExtractor:
    """Deterministic extraction of numeric constraints (the offline default)."""

    name = "rules"

    def __init__(
        self,
        catalog: Catalog | None = None,
        lexicon: Lexicon | None = None,
        to_ucum_: Callable[[str], str | None] = to_ucum,
    ) -> None:
        self._catalog = catalog if catalog is not None else load_catalog()
        self._lex = lexicon if lexicon is not None else load_lexicon()
        self._mentions = (
            self._lex.reader.mentions
            if catalog is None
            else Mentions(self._catalog, self._lex.blocker, self._lex.reader.mention_blocked_after)
        )
        self._contexts = Contexts(self._lex)
        self._quantities = Quantities(self._lex, to_ucum_)
        self._limits = Limits(self._lex)
        self._names = Names(self._lex, self._mentions, self._quantities)
        links = Links(self._lex, self._catalog)
        self._binder = Binder(self._lex, self._catalog, self._limits, self._names, links)
        self._emitter = Emitter(self._lex, self._catalog, self._contexts, self._quantities)
        # scores whose names hold the word a grade note starts on ("ASA grade 1-3")
        self._scores = frozenset(v.id for v in self._catalog.variables if v.kind == "score")
        # variables measured in a dose unit (steroid_dose: mg/d): a dose after one is theirs
        self._dose_variables = frozenset(
            v.id for v in self._catalog.variables if v.canonical_unit in self._lex.dose_units
        )

    def extract(self, criteria: Sequence[CriterionInput]) -> list[Extraction]:
        """Return one :class:`Extraction` per criterion, in order."""
        return [self.read(c.text, c.start, c.section) for c in criteria]

    def read(self, text: str, offset: int = 0, section: Section = "unknown") -> Extraction:
        """Read one criterion whose text starts at ``offset`` in its document.

        ``section`` (inclusion or exclusion) gives the direction of a lost comparator
        on a variable with an abnormal side (see :meth:`Emitter.emit`).
        """
        view = self._lex.view(text)
        if not self._lex.reader.may_hold_limit(view):
            return Extraction()
        notes = self._contexts.notes(view)
        mentions = self._names.find(view)
        cmps = self._limits.comparators(view)
        freed = [
            n
            for n in notes
            if self._binder.durations(view, n, mentions, cmps) or self._names_own_grade(n, mentions)
        ]
        # and what a freed note holds: "aged 55 to 74 years from ..." is also noted at "74"
        notes = [
            n for n in notes if not any(f.start <= n.start and n.end <= f.end for f in freed)
        ]
        quantities, numbers, words = self._quantities.values(view, notes, [c.end for c in cmps])
        cmps = [c for c in cmps if not _inside(c.start, quantities)]
        breaks = [m.start() for m in self._lex.clause_break.finditer(view)]
        limits = self._limits.limits(view, quantities, cmps, mentions)
        readings = self._binder.bind(view, limits, mentions, breaks)
        extraction = Extraction()
        used: list[tuple[int, int]] = []
        for reading in readings:
            limit = reading.limit
            if self._lex.reader.reference_difference.match(view, limit.end):
                continue  # "100 lbs over ideal body weight": a difference, left to review
            used.extend((q.start, q.end) for q in (*limit.quantities, *limit.equivalents))
            self._emitter.emit(text, view, offset, reading, extraction, section)
        dosed = [m.end for m in mentions if m.variable in self._dose_variables]
        self._emitter.explain(view, offset, numbers, notes, used, extraction, dosed)
        self._emitter.explain_words(view, offset, words, notes, used, extraction)
        return extraction

    def _names_own_grade(self, note: Note, mentions: list[Mention]) -> bool:
        """A grade note that starts inside a score's name: "ASA grade 1-3", "K-L grade 2"."""
        return note.reason == "grade" and any(
            m.start < note.start < m.end and m.variable in self._scores for m in mentions
        )


def _inside(pos: int, quantities: list[Quantity]) -> bool:
    return any(q.start <= pos < q.end for q in quantities)
