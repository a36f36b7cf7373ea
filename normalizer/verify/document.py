"""Checks across the criteria of one document, and the eligible set per variable.

Per variable (and per ULN/LLN for relative limits), in the canonical unit:

    eligible = (intersection of the inclusion criteria's sets)
               minus (union of the exclusion criteria's sets)

A criterion's set is the intersection of its constraints on the variable for an
inclusion criterion ("age >= 18 and <= 75") and their union for an exclusion
criterion ("age < 18 or > 75") or an inclusion criterion met by any one of them
(``Criterion.any_of``: "HbA1c < 7% or < 53 mmol/mol"); an *any of* criterion whose
limits bound several variables restricts none alone and is left out.  Constraints
that carry a qualifier, that have an error, whose unit cannot be converted, on
``other`` variables, or in criteria of unknown section are left out: the set is only
as good as what went in.

Findings:

* ``eligibility-empty`` (error) on every criterion of the variable when no value
  is left;
* ``eligibility-boundary`` (warning) when an inclusion end and an exclusion end
  sit on the same value and disagree about it.  With inclusion lower end ``b``
  and exclusion upper end ``b`` (the exclusion removes values below ``b``):

  ====================  ====================  ==========================================
  inclusion             exclusion             the value ``b``
  ====================  ====================  ==========================================
  ``> b``               ``< b``               a GAP: allowed by neither (warning)
  ``>= b``              ``<= b``              an OVERLAP: required and removed (warning)
  ``>= b``              ``< b``               the exclusion restates the inclusion (info)
  ``> b``               ``<= b``              the exclusion restates the inclusion (info)
  ====================  ====================  ==========================================

  and the mirror image for an inclusion upper end against an exclusion lower end;
* ``eligibility-duplicate`` (info) as in the table, and for two criteria of the
  same section with the same set;
* ``eligibility-alternatives`` (info) on an *any of* criterion left out.

The interval sets live in :mod:`.intervals`, each criterion's set per variable in
:mod:`.eligible_parts`, the boundary and duplicate findings in :mod:`.boundaries`;
this module puts them together (:func:`check_document`) and re-exports
:class:`Interval`, :func:`union`, :func:`intersect` and :func:`difference`.
"""

from __future__ import annotations

import math
from collections import defaultdict

from ..catalog import load_catalog
from ..models import (
    Bound,
    Criterion,
    EligibilityInterval,
    EligibilitySet,
    Finding,
)
from .boundaries import _NAMED, _boundaries, _duplicates
from .codes import finding
from .eligible_parts import _label, _parts, _unit
from .intervals import INF as INF
from .intervals import REAL, Interval, _normal, difference, intersect, union
from .intervals import Set as Set
from .intervals import complement as complement

__all__ = ["Interval", "check_document", "difference", "intersect", "union"]


def _bound(value: float, inclusive: bool) -> Bound | None:
    return None if math.isinf(value) else Bound(value=value, inclusive=inclusive)



def check_document(
    criteria: list[Criterion],
) -> tuple[dict[str, list[Finding]], list[EligibilitySet]]:
    """Findings across the criteria of one document, and the eligible set per variable.

    Reads the criteria's constraints and their findings so far (constraints with
    an error are left out).  Returns new findings by criterion id, and one
    :class:`EligibilitySet` per variable (and ULN/LLN) that some usable
    constraint bounds, in catalog order.
    """
    add: dict[str, list[Finding]] = defaultdict(list)
    sets: list[EligibilitySet] = []
    groups, alternatives = _parts(criteria)
    for crit, said in alternatives:
        also = f" or by {crit.alternative!r} (no constraint reads it)" if crit.alternative else ""
        add[crit.id].append(
            finding(
                "eligibility-alternatives",
                f"{crit.section} {crit.id} is met by any one of {said}{also}: no eligible set "
                "of one variable holds it, so the derived sets leave it out",
                None,
            )
        )
    order = load_catalog().order
    position = {c.id: i for i, c in enumerate(criteria)}
    for key in sorted(groups, key=lambda k: (order.get(k[0], len(order)), k[1] or "")):
        parts = groups[key]
        inclusions = [p for p in parts if p.criterion.section == "inclusion"]
        exclusions = [p for p in parts if p.criterion.section == "exclusion"]
        allowed = REAL
        for p in inclusions:
            allowed = intersect(allowed, p.set)
        removed = _normal([iv for p in exclusions for iv in p.set])
        eligible = difference(allowed, removed)
        ids = sorted({p.criterion.id for p in parts}, key=position.__getitem__)
        if not eligible:
            label = _label(key)
            said = "; ".join(
                f"{p.criterion.section} {p.criterion.id}: {p.said}" for p in parts[:_NAMED]
            )
            if len(parts) > _NAMED:
                said += f"; and {len(parts) - _NAMED} more criteria"
            for p in parts:
                add[p.criterion.id].append(
                    finding(
                        "eligibility-empty",
                        f"no {label} is eligible under these criteria ({said})",
                        None,
                    )
                )
        _boundaries(key, inclusions, exclusions, add)
        _duplicates(key, parts, add)
        sets.append(
            EligibilitySet(
                variable=key[0],
                unit=_unit(key),
                relative_to=key[1],
                intervals=[
                    EligibilityInterval(
                        lower=_bound(iv.lo, iv.lo_in), upper=_bound(iv.hi, iv.hi_in)
                    )
                    for iv in eligible
                ],
                empty=not eligible,
                criteria=ids,
            )
        )
    return dict(add), sets
