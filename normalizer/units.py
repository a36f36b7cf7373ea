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
"""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from .catalog import load_catalog
from .unit_table import MISSING, precomputed

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


# --------------------------------------------------------------------------
# The normalised key (documented in the header of units.toml)
# --------------------------------------------------------------------------

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_SUPERSCRIPT_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+")
# Degree look-alikes must become '°' before NFKC turns 'º' into 'o' ('ºF' is not 'of').
_DEGREES = str.maketrans({"º": "°", "˚": "°"})
_SYMBOLS = str.maketrans({"µ": "u", "μ": "u", "×": "x", "✕": "x", "⨯": "x", "⁄": "/", "∕": "/"})
_WHITESPACE = re.compile(r"\s+")
_POWER_OF_TEN = re.compile(r"^(x?)10(?:\^\(|\*\*|\^|\*|e|\()(\d{1,2})\)?")
_COMPOSED_POWER = re.compile(r"^x?10\^(\d{1,2})(.+)$")
_COMPOSITE = re.compile(r"[/.\[{*]")  # a UCUM term, not a lone atom
_HAS_UNIT_ATOM = re.compile(r"[A-Za-z\[{%]")  # '/90' is a number, not a unit
_BARE_NUMBER = re.compile(r"^(?!10\*)\d")  # a leading factor other than 10*


def _normalise(surface: str, *, casefold: bool) -> str:
    if surface.isascii():  # no superscript, degree sign or symbol; NFKC changes nothing
        text = surface.lower() if casefold else surface  # casefold is lower on ASCII
    else:
        text = _SUPERSCRIPT_RUN.sub(lambda m: "^" + m.group().translate(_SUPERSCRIPTS), surface)
        text = text.translate(_DEGREES)
        text = unicodedata.normalize("NFKC", text)
        if casefold:
            text = text.casefold()
        text = text.translate(_SYMBOLS)
    text = _WHITESPACE.sub("", text).rstrip(".,;:")
    if text.startswith("*"):
        text = "x" + text[1:]
    return _POWER_OF_TEN.sub(r"\g<1>10^\g<2>", text)


# Unit spellings tried per run: every blank-ended run of words after a number is a
# candidate (the verifier and the extractor each try theirs), some 13,000 distinct
# ones over the 15,000 criteria of the benchmark texts; 8,192 entries made the caches
# evict what the next record asked for again.  2**16 entries hold a long run's
# common spellings (a few MB).
_SPELLINGS = 1 << 16


@lru_cache(maxsize=_SPELLINGS)
def normalise_key(surface: str) -> str:
    """Return the lookup key of a unit spelling (see the header of ``units.toml``).

    >>> normalise_key("mL/min/1.73 m²")
    'ml/min/1.73m^2'
    >>> normalise_key("× 10⁹/L")
    'x10^9/l'
    """
    return _normalise(surface, casefold=True)


# --------------------------------------------------------------------------
# The data file
# --------------------------------------------------------------------------


class Garble(BaseModel):
    """A repair of a garbled spelling, as a regex over the normalised key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pattern: str = Field(description="Regex matched against the whole normalised key.")
    key: str = Field(description="re.sub template giving the repaired key.")
    why: str
    examples: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _compiles(self) -> Garble:
        re.compile(self.pattern)
        return self


class Conversion(BaseModel):
    """A variable-specific affine conversion pint cannot know (``to = slope*from + b``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    variables: list[str] = Field(min_length=1)
    from_: list[str] = Field(alias="from", min_length=1, description="Exact UCUM codes.")
    to: str
    slope: float
    intercept: float = 0.0
    why: str
    source: str | None = None


class Annotations(BaseModel):
    """How UCUM annotations take part in comparing units."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    neutral: list[str] = Field(
        default_factory=list, description="Annotations ignored in comparisons ({cells})."
    )


class UnitTable(BaseModel):
    """The contents of ``units.toml``, with alias keys normalised on load."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    annotations: Annotations = Field(default_factory=Annotations)
    exact: dict[str, str] = Field(default_factory=dict)
    not_units: list[str] = Field(default_factory=list)
    aliases: dict[str, str]
    garbles: list[Garble] = Field(default_factory=list)
    conversions: list[Conversion] = Field(default_factory=list)
    _by_key: dict[str, str] = PrivateAttr(default_factory=dict)
    _by_exact: dict[str, str] = PrivateAttr(default_factory=dict)
    _not_units: frozenset[str] = PrivateAttr(default_factory=frozenset)

    def model_post_init(self, context: object, /) -> None:
        """Index aliases by their normalised keys."""
        self._by_key = _index(self.aliases, casefold=True)
        self._by_exact = _index(self.exact, casefold=False)
        self._not_units = frozenset(_normalise(w, casefold=False) for w in self.not_units)

    @model_validator(mode="after")
    def _one_rule_per_unit(self) -> UnitTable:
        seen: set[tuple[str, str]] = set()
        for rule in self.conversions:
            for var in rule.variables:
                for code in rule.from_:
                    if (var, code) in seen:
                        raise ValueError(f"two conversions for {var!r} from {code!r}")
                    seen.add((var, code))
        return self

    def alias(self, key: str) -> str | None:
        """Return the UCUM code of a normalised key, or None."""
        return self._by_key.get(key)

    def never_unit(self, surface: str) -> bool:
        """Whether a case-sensitive spelling is a word, not a unit ("MS" relapses)."""
        return _normalise(surface, casefold=False) in self._not_units

    def exact_alias(self, surface: str) -> str | None:
        """Return the UCUM code of a case-sensitive spelling, or None."""
        return self._by_exact.get(_normalise(surface, casefold=False))

    def conversion(self, variable_id: str, code: str) -> Conversion | None:
        """Return the variable-specific conversion from exactly ``code``, if any."""
        for rule in self.conversions:
            if variable_id in rule.variables and code in rule.from_:
                return rule
        return None


def _index(table: dict[str, str], *, casefold: bool) -> dict[str, str]:
    index: dict[str, str] = {}
    for surface, code in table.items():
        key = _normalise(surface, casefold=casefold)
        if index.setdefault(key, code) != code:
            raise ValueError(
                f"{surface!r} normalises to {key!r}, already mapped to {index[key]!r}, not {code!r}"
            )
    return index


@cache
def load_unit_table() -> UnitTable:
    """Load and validate the packaged ``units.toml`` (cached)."""
    raw = resources.files("normalizer").joinpath("data/units.toml").read_text("utf-8")
    return UnitTable.model_validate(tomllib.loads(raw))


# --------------------------------------------------------------------------
# UCUM through ucumvert and pint
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ucum:
    registry: Any  # ucumvert.PintUcumRegistry (a pint.UnitRegistry)
    parser: Any  # lark.Lark
    transformer: Any  # ucumvert.UcumToPintTransformer bound to ``registry``
    arbitrary: dict[str, str]  # arbitrary UCUM atom -> the atom it is identical to


@cache
def _ucum() -> _Ucum:
    """Build the UCUM registry, parser and transformer once (about 1.5 s)."""
    from ucumvert import PintUcumRegistry, UcumToPintTransformer, get_ucum_parser
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
    return _Ucum(registry, get_ucum_parser(), transformer, arbitrary)


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
    ucum = _ucum()
    try:
        tree = parse_ucum(code, ucum.parser)
        quantity = ucum.transformer.transform(tree)
    except Exception:  # lark and pint raise many types for a bad code
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


# --------------------------------------------------------------------------
# Surface spelling -> UCUM
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# Conversion to a variable's canonical unit
# --------------------------------------------------------------------------

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


def live_dimensionality(code: str) -> str | None:
    """:func:`dimensionality` as pint gives it (what the precomputed table holds)."""
    unit = _parse(code)
    return None if unit is None else str(unit.dimensionality)


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
