"""UCUM through ucumvert and pint: parsing a code, its validity and its dimension.

The precomputed table (:mod:`normalizer.unit_table`) answers first; the UCUM
grammar is built lazily, once, for the codes it does not hold, and the registry
and transformer only for those the grammar accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from ..unit_table import MISSING, precomputed
from .table import load_unit_table


@dataclass(frozen=True)
class _Ucum:
    registry: Any  # ucumvert.PintUcumRegistry (a pint.UnitRegistry)
    transformer: Any  # ucumvert.UcumToPintTransformer bound to ``registry``
    arbitrary: dict[str, str]  # arbitrary UCUM atom -> the atom it is identical to


@cache
def _grammar() -> Any:
    """The UCUM grammar's parser alone (lark.Lark; about 0.15 s with ucumvert's import).

    Most codes the precomputed table does not hold are not UCUM at all ('mg*',
    'mL/min/1.7m2'): the grammar refuses them without the registry being built.
    """
    from ucumvert import get_ucum_parser

    return get_ucum_parser()


def load_grammar() -> None:
    """Build the UCUM grammar now: the batch forkserver does, so that no worker pays it."""
    _grammar()


@cache
def _ucum() -> _Ucum:
    """Build the UCUM registry and transformer once (0.4 to 1 s; the grammar apart)."""
    from ucumvert import PintUcumRegistry, UcumToPintTransformer
    from ucumvert.xml_util import get_units_with_full_definition

    registry = PintUcumRegistry()
    # Bind the transformer to this registry; ucumvert's own from_ucum() builds
    # its quantities in pint's application registry instead.
    transformer = UcumToPintTransformer(ureg=registry)
    definitions = get_units_with_full_definition()
    arbitrary_codes = {d.code_cs for d in definitions if d.is_arbitrary}
    # [IU] is defined as exactly [iU]: treat such pairs as one atom.
    arbitrary = {
        d.code_cs: (
            d.defining_unit
            if d.defining_unit in arbitrary_codes and float(d.conversion_factor) == 1.0
            else d.code_cs
        )
        for d in definitions
        if d.is_arbitrary
    }
    return _Ucum(registry, transformer, arbitrary)


@dataclass(frozen=True)
class _Unit:
    """A parsed UCUM code: pint magnitude and units, and what pint cannot see."""

    magnitude: float
    units: Any  # pint.Unit
    signature: tuple[str, ...]  # sorted annotations and arbitrary atoms

    @property
    def dimensionality(self) -> Any:
        return self.units.dimensionality


_MAX_CODE = 40
"""Longest UCUM code parsed ('mL/min/{1.73_m2}' is 16): the Earley parser is superlinear."""


@lru_cache(maxsize=4096)
def _parse(code: str) -> _Unit | None:
    """Parse a UCUM code live, through ucumvert and pint (builds the registry once)."""
    from ucumvert import parse_ucum

    if len(code) > _MAX_CODE:
        return None
    try:
        tree = parse_ucum(code, _grammar())
    except Exception:  # lark raises many types for a bad code
        return None
    ucum = _ucum()
    try:
        quantity = ucum.transformer.transform(tree)
    except Exception:  # and pint too
        return None
    if not hasattr(quantity, "units"):
        return None
    neutral = {f"{{{a}}}" for a in load_unit_table().annotations.neutral}
    marks: list[str] = []
    for token in tree.scan_values(lambda v: hasattr(v, "type")):
        text = str(token)
        if token.type == "ANNOTATION" and text not in neutral:
            marks.append(text)
        elif text in ucum.arbitrary:
            marks.append(ucum.arbitrary[text])
    return _Unit(float(quantity.magnitude), quantity.units, tuple(sorted(marks)))


def is_valid_ucum(code: str) -> bool:
    """Return True when ``code`` is a valid UCUM code that pint can represent."""
    if not code or code != code.strip():
        return False
    known = precomputed().code(code)
    if known is not MISSING:
        return known is not None
    return precomputed().could_be_ucum(code) and _parse(code) is not None


def dimensionality(code: str) -> str | None:
    """Return the dimension of a UCUM code as pint writes it, or None if invalid.

    Annotations and arbitrary units carry no dimension: ``{copies}/mL`` and
    ``[IU]/mL`` both give ``1 / [length] ** 3`` (use :func:`unit_fits`).
    """
    if not code:
        return None
    known = precomputed().code(code)
    if known is not MISSING:
        return None if known is None else known.dimensionality
    return live_dimensionality(code) if precomputed().could_be_ucum(code) else None


def live_dimensionality(code: str) -> str | None:
    """:func:`dimensionality` as pint gives it (what the precomputed table holds)."""
    unit = _parse(code)
    return None if unit is None else str(unit.dimensionality)
