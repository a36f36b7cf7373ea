"""What one criterion may cost and hold: a length cap and finite numbers only.

* A criterion longer than :data:`MAX_CRITERION_CHARS` is kept (text and span) but
  not read: ``criterion-too-long``.  The longest of 15,367 criteria segmented from
  the seeds and corpora is 1,882 characters; past the cap, a "criterion" is a
  record whose line breaks were lost, and reading it would only make one record
  cost as much as thousands.
* A bound that is not a finite number (``float("1" * 309)`` is infinity), or whose
  canonical value overflows, never reaches the output: the constraint is dropped
  with ``number-too-large``, so every document serialises as strict JSON.
"""

from __future__ import annotations

import math

from .extract.base import Extraction
from .findings import finding
from .models import Constraint, Finding

__all__ = ["MAX_CRITERION_CHARS", "finite_only", "too_long"]

MAX_CRITERION_CHARS = 3_000


def too_long(text: str) -> Extraction | None:
    """The extraction of a criterion too long to read, or None when it may be read."""
    if len(text) <= MAX_CRITERION_CHARS:
        return None
    message = (
        f"the criterion is {len(text):,} characters long (the limit is "
        f"{MAX_CRITERION_CHARS:,}): it was not read; check its line breaks"
    )
    return Extraction(findings=[finding("criterion-too-long", message)], complete=False)


def _finite(c: Constraint) -> bool:
    values = [b.value for b in (c.lower, c.upper) if b is not None]
    if c.canonical is not None:
        values += [v for v in (c.canonical.lower, c.canonical.upper) if v is not None]
    return all(math.isfinite(v) for v in values)


def finite_only(
    constraints: list[Constraint], findings: list[Finding]
) -> tuple[list[Constraint], list[Finding]]:
    """Drop constraints with a non-finite number; renumber the findings that name the others."""
    if all(_finite(c) for c in constraints):
        return constraints, findings
    kept: list[Constraint] = []
    index: dict[int, int] = {}
    dropped = 0
    for k, c in enumerate(constraints):
        if _finite(c):
            index[k] = len(kept)
            kept.append(c)
        else:
            dropped += 1
    out: list[Finding] = []
    for f in findings:
        if f.constraint is None:
            out.append(f)
        elif f.constraint in index:
            out.append(f.model_copy(update={"constraint": index[f.constraint]}))
    out.append(
        finding(
            "number-too-large",
            f"{dropped} constraint(s) had a number too large for a double (infinite): "
            "not kept; read the number by hand",
        )
    )
    return kept, out
