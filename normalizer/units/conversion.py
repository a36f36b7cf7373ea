"""Conversion of a value to a variable's canonical unit: :func:`convert`, :func:`unit_fits`.

The plan (an affine map) comes from the precomputed table, else from pint,
through a variable's ``units.toml [[conversions]]`` rule when it has one and
its catalog molar mass between mass and substance.
"""

from __future__ import annotations

import math
from functools import lru_cache

from ..catalog import load_catalog
from ..unit_table import MISSING, precomputed
from .table import load_unit_table
from .ucum import _parse, _ucum

_Affine = tuple[float, float]  # value_out = scale * value_in + offset


def _pint_affine(source: str, target: str, molar_mass: float | None) -> _Affine | None:
    """Affine map from ``source`` to ``target`` units by pint, or None if incompatible."""
    a, b = _parse(source), _parse(target)
    if a is None or b is None or a.signature != b.signature:
        return None
    quantity = _ucum().registry.Quantity

    def through(value: float) -> float:
        q = quantity(value * a.magnitude, a.units)
        if a.dimensionality != b.dimensionality:
            if molar_mass is None:
                raise ValueError("no molar mass")
            m = quantity(molar_mass, "g/mol")
            q = q / m if (q / m).dimensionality == b.dimensionality else q * m
        return float(q.to(b.units).magnitude) / b.magnitude

    try:
        offset = through(0.0)
        scale = through(1.0) - offset
    except Exception:  # pint: DimensionalityError, OffsetUnitCalculusError
        return None
    if not (math.isfinite(scale) and math.isfinite(offset)) or scale == 0.0:
        return None
    return scale, offset


@lru_cache(maxsize=4096)
def _plan(variable_id: str, code: str) -> _Affine | None:
    """How to bring a value in ``code`` to the variable's canonical unit.

    Read from the precomputed table (:mod:`normalizer.unit_table`) for the codes it
    holds; pint is asked only about other codes.
    """
    table = precomputed()
    known = table.code(code)
    if known is None:
        return None
    if known is not MISSING:
        return table.plan(variable_id, code)
    if not table.could_be_ucum(code):
        return None
    return live_plan(variable_id, code)


def live_plan(variable_id: str, code: str) -> _Affine | None:
    """:func:`_plan` computed by pint (what the precomputed table holds)."""
    var = load_catalog().get(variable_id)
    if var is None or var.canonical_unit is None or _parse(code) is None:
        return None
    rule = load_unit_table().conversion(variable_id, code)
    if rule is not None:
        tail = _pint_affine(rule.to, var.canonical_unit, var.molar_mass)
        if tail is None:
            return None
        scale, offset = tail
        return scale * rule.slope, scale * rule.intercept + offset
    return _pint_affine(code, var.canonical_unit, var.molar_mass)


def unit_fits(variable_id: str, code: str) -> bool:
    """Return True when a value in UCUM ``code`` converts to the variable's canonical unit.

    Counts per volume convert among themselves (``10*9/L``, ``/uL``, ``/mm3``);
    mass and substance concentrations only when the catalog gives a molar mass;
    annotations and arbitrary units must match (``{copies}/mL`` does not fit
    ``hcv_rna``); ``units.toml [[conversions]]`` adds what pint cannot know.
    False for unknown variables, variables without a unit, and invalid codes.
    """
    return _plan(variable_id, code) is not None


def convert(value: float, from_code: str, variable_id: str) -> float | None:
    """Convert ``value`` in UCUM ``from_code`` to the variable's canonical unit.

    >>> round(convert(1.5, "mg/dL", "creatinine"), 1)
    132.6
    >>> round(convert(53, "mmol/mol", "hba1c"), 2)
    7.0

    Returns None when no conversion applies: the variable has no canonical
    unit (scores, classes, counts, ratios), the code is not valid UCUM, or the
    unit does not fit the variable (see :func:`unit_fits`).
    """
    plan = _plan(variable_id, from_code)
    if plan is None:
        return None
    scale, offset = plan
    # 12 significant digits: drop float noise (100000 /mm3 -> 100.00000000000003).
    return float(f"{scale * value + offset:.12g}")
