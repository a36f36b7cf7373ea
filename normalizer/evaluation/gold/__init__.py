"""Scoring extractions against gold cases, exactly as the contract's section 2 says.

A predicted constraint *matches* a gold one when the variable is equal (or either
is ``other``), ``relative_to`` is equal, and both bounds agree: same presence, same
inclusiveness, values equal within 0.5 % after converting both to the variable's
canonical unit (as stated when either cannot be converted).  Pairs that share the
variable and ``relative_to`` but not the bounds are *aligned*: they measure bound
accuracy.  Matching is one-to-one, best pairs first.

The package, one idea a module:

* :mod:`.files` – the gold files: read (:func:`load_gold`), checked
  (:func:`gold_problems`) and a selection of their cases (:func:`select_cases`);
* :mod:`.matching` – when a prediction matches or is aligned with a gold
  constraint (:func:`bounds_agree`), and the one-to-one pairs;
* :mod:`.models` – the report: :class:`EvalReport`, :class:`Metrics`,
  :class:`CaseResult`;
* :mod:`.scoring` – predicted criteria scored against their cases
  (:func:`score_cases`, :func:`per_tag`) and an extractor run over gold
  (:func:`evaluate`).
"""

from __future__ import annotations

from .files import gold_problems, load_gold, select_cases
from .matching import TOLERANCE as TOLERANCE
from .matching import Pair as Pair
from .matching import bounds_agree
from .models import CaseResult, EvalReport, Metrics
from .scoring import evaluate, score_cases
from .scoring import per_tag as per_tag

__all__ = [
    "CaseResult",
    "EvalReport",
    "Metrics",
    "bounds_agree",
    "evaluate",
    "gold_problems",
    "load_gold",
    "score_cases",
    "select_cases",
]
