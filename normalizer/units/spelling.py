"""A unit as written in registry text to its UCUM code: :func:`to_ucum`.

Exact (case-sensitive) aliases, then aliases by normalised key (with a power of
ten in front), then the garble repairs, then codes the data names, then valid
UCUM written as such; words and bare numbers are refused.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from ..catalog import load_catalog
from .keys import _SPELLINGS, normalise_key
from .table import UnitTable, load_unit_table
from .ucum import _MAX_CODE, is_valid_ucum

_COMPOSED_POWER = re.compile(r"^x?10\^(\d{1,2})(.+)$")
_COMPOSITE = re.compile(r"[/.\[{*]")  # a UCUM term, not a lone atom
_HAS_UNIT_ATOM = re.compile(r"[A-Za-z\[{%]")  # '/90' is a number, not a unit
_BARE_NUMBER = re.compile(r"^(?!10\*)\d")  # a leading factor other than 10*


@lru_cache(maxsize=_SPELLINGS)
def to_ucum(surface: str) -> str | None:
    """Return the UCUM code for a unit as written in registry text, or None.

    >>> to_ucum("×109/L")
    '10*9/L'
    >>> to_ucum("mL/min/1.73 m²")
    'mL/min/{1.73_m2}'
    """
    table = load_unit_table()
    stripped = surface.strip()
    if not stripped or len(stripped) > 2 * _MAX_CODE:  # no unit is written that long
        return None
    if table.never_unit(stripped):
        return None
    found = table.exact_alias(stripped)
    if found is not None:
        return found
    key = normalise_key(stripped)
    found = _from_key(table, key)
    if found is not None:
        return found
    for garble in table.garbles:
        if re.fullmatch(garble.pattern, key):
            found = _from_key(table, re.sub(garble.pattern, garble.key, key))
            if found is not None:
                return found
    if stripped in _known_codes():
        return stripped
    if (
        _BARE_NUMBER.match(stripped)
        or not _COMPOSITE.search(stripped)
        or not _HAS_UNIT_ATOM.search(stripped)
    ):
        # '103/mL' is a lost superscript, not UCUM's factor 103; '/90' in
        # '140/90 mmHg' is a number; a lone word that happens to be a UCUM
        # atom ('at', 'A', 'T', 'as') is English.
        return None
    return stripped if is_valid_ucum(stripped) else None


@cache
def _known_codes() -> frozenset[str]:
    """UCUM codes the data names: alias targets and every catalog unit."""
    table = load_unit_table()
    codes = set(table.aliases.values()) | set(table.exact.values())
    for var in load_catalog().variables:
        codes.update(var.units)
        if var.canonical_unit is not None:
            codes.add(var.canonical_unit)
    return frozenset(codes)


def _from_key(table: UnitTable, key: str) -> str | None:
    found = table.alias(key)
    if found is not None:
        return found
    match = _COMPOSED_POWER.fullmatch(key)
    if match is None:
        return None
    rest = table.alias(match.group(2))
    if rest is None:
        return None
    code = f"10*{match.group(1)}{rest}" if rest.startswith("/") else f"10*{match.group(1)}.{rest}"
    return code if is_valid_ucum(code) else None
