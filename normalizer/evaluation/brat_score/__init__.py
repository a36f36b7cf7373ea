"""Score an extractor against the numeric items of a brat corpus (Chia or LCT).

The corpora annotate *values*, not full constraints, so the figures here are
about finding the right numbers with the right direction; variable ids and units
are scored on curated gold cases elsewhere.  Per criterion (see
:mod:`normalizer.evaluation.brat` for what a gold item is):

* **value recall**: a gold item is recalled when some predicted constraint of
  its criterion has a bound whose value equals one of the item's numbers within
  0.5%.  Values compare as written: "1.5 x 10^9/L" is 1.5, so a predicted
  ``lower 1.5`` in ``10*9/L`` matches; no unit conversion takes place.
* **comparator recall**: the value is recalled *and* a constraint with that
  value has the gold item's shape: ``>=`` a lower inclusive bound, ``>`` a lower
  exclusive one, ``<=``/``<`` the same for upper, ``range`` both bounds on gold
  numbers, ``=`` lower = upper.  An item without a comparator (a bare value)
  counts as matched when its value is; ``bare_items`` says how many such there are.
* **precision**: the share of predicted constraints, over every criterion of the
  scored documents, with a bound equal to a number of some gold item of the
  same criterion.

Tune rules on ``split="dev"`` only; ``"test"`` stays for honest figures.

The package, one idea a module:

* :mod:`.models` – the report (:class:`BratReport` and its rows and rates);
* :mod:`.matching` – when a predicted bound is on a gold number, and when a
  constraint has a gold item's shape (:data:`REL_TOLERANCE`, :class:`Bounded`);
* :mod:`.scoring` – an extractor run over the documents and scored
  (:func:`score_documents`, :func:`score_corpus`, :func:`score_extractor`,
  :func:`precision_on`);
* :mod:`.render` – the report as rich tables (:func:`render`).
"""

from __future__ import annotations

from .matching import REL_TOLERANCE, Bounded
from .models import BratReport, Counts, EntityRow, ErrorClass, ErrorExample, Rate, VariableRow
from .render import render
from .scoring import Extractor, precision_on, score_corpus, score_documents, score_extractor

__all__ = [
    "REL_TOLERANCE",
    "Bounded",
    "BratReport",
    "Counts",
    "EntityRow",
    "ErrorClass",
    "ErrorExample",
    "Extractor",
    "Rate",
    "VariableRow",
    "precision_on",
    "render",
    "score_corpus",
    "score_documents",
    "score_extractor",
]
