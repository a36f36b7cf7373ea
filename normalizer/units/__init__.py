"""Units: surface spellings to UCUM, and conversion to a variable's canonical unit.

The knowledge is data: ``normalizer/data/units.toml`` (spellings, lost-superscript
repairs, variable-specific conversions) and ``normalizer/data/catalog.toml``
(canonical units, molar masses).  The arithmetic is pint's, through ucumvert's
UCUM grammar and registry; this module only decides *which* conversion applies.

Compatibility is stricter than pint's dimensional analysis, because UCUM
carries meaning that pint drops:

- annotations must match (``{copies}/mL`` is not ``/mL``, ``mL/min/{1.73_m2}``
  is not ``mL/min``), except the few that only name what is counted
  (``{cells}``), listed in ``units.toml``;
- arbitrary units (UCUM ``isArbitrary``: ``[IU]``, ``[arb'U]``, ...) convert
  only to themselves (``[IU]/mL`` is not ``{copies}/mL``, though pint gives
  both the dimension 1/volume);
- mass and substance concentrations convert only through the catalog's
  ``molar_mass`` for that variable.

Where a variable needs what pint cannot know (the HbA1c IFCC-NGSP equation,
the valence of calcium, the enzyme 'IU'), ``units.toml [[conversions]]`` says
so and wins over pint.

Every public function is pure and memoised: a run over many criteria parses
each distinct unit string once.  The UCUM registry is built lazily, once.

The package, one idea a module:

* :mod:`.keys` – the normalised lookup key of a spelling (:func:`normalise_key`);
* :mod:`.table` – the data file: :class:`UnitTable` and its parts, read by
  :func:`load_unit_table`;
* :mod:`.ucum` – UCUM through ucumvert and pint: parsing, :func:`is_valid_ucum`,
  :func:`dimensionality`;
* :mod:`.spelling` – a surface spelling to UCUM (:func:`to_ucum`);
* :mod:`.conversion` – a value brought to a variable's canonical unit
  (:func:`convert`, :func:`unit_fits`).
"""

from __future__ import annotations

from .conversion import convert, live_plan, unit_fits
from .keys import normalise_key
from .spelling import to_ucum
from .table import Conversion, Garble, UnitTable, load_unit_table
from .ucum import _parse as _parse  # tests/test_unit_table.py asks pint through it
from .ucum import dimensionality, is_valid_ucum, live_dimensionality

__all__ = [
    "Conversion",
    "Garble",
    "UnitTable",
    "convert",
    "dimensionality",
    "is_valid_ucum",
    "live_dimensionality",
    "live_plan",
    "load_unit_table",
    "normalise_key",
    "to_ucum",
    "unit_fits",
]
