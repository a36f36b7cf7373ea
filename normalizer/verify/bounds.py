"""What every check of one constraint uses: its bounds, its evidence, what its extractor said."""

from __future__ import annotations

import math

from ..extract.base import Extraction
from ..models import Bound, Constraint, Criterion

__all__ = ["covered", "evidence_spans", "extractor_said", "same_value", "sides"]


def same_value(a: float, b: float) -> bool:
    """Equal up to float noise (a number as written vs as stored)."""
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def sides(c: Constraint) -> list[tuple[str, Bound]]:
    """The bounds the constraint has, each with its side ("lower", "upper")."""
    return [(s, b) for s, b in (("lower", c.lower), ("upper", c.upper)) if b is not None]


def extractor_said(extraction: Extraction, k: int, family: str) -> bool:
    """The extractor already reported on constraint ``k`` with a code of ``family``."""
    return any(f.constraint == k and f.code.startswith(family) for f in extraction.findings)


def evidence_spans(crit: Criterion) -> list[tuple[int, int]]:
    """Every constraint's evidence in ``crit``, as offsets into the criterion's text."""
    base = crit.span[0]
    return [(c.evidence[0] - base, c.evidence[1] - base) for c in crit.constraints]


def covered(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """``[start, end)`` overlaps one of ``spans``."""
    return any(start < e and end > s for s, e in spans)
