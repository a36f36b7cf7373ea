"""The variable catalog: names, units, plausible ranges and codes, as data.

The catalog lives in ``normalizer/data/catalog.toml`` and is validated by the
models here when first loaded.  Code never hard-codes a variable's spelling or
range; it asks the catalog.
"""

from __future__ import annotations

from functools import cache, cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .data_files import data_toml

__all__ = ["Catalog", "Variable", "VariableKind", "load_catalog"]

VariableKind = Literal["quantity", "score", "count", "ratio"]


class Variable(BaseModel):
    """One catalog entry (an id of contract section 3)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    kind: VariableKind
    names: list[str] = Field(
        description="Full names, synonyms and misspellings; matched case-insensitively."
    )
    abbreviations: list[str] = Field(
        default_factory=list,
        description="Short forms matched case-sensitively as whole tokens (PLT, Hb, Cr).",
    )
    canonical_unit: str | None = Field(
        default=None, description="UCUM code; absent (null) for scores, counts, ratios."
    )
    units: list[str] = Field(
        default_factory=list,
        description="UCUM codes accepted for this variable (convertible to canonical).",
    )
    default_unit: str | None = Field(
        default=None, description="UCUM unit inferred when the text states none."
    )
    molar_mass: float | None = Field(
        default=None, description="g/mol, for mass <-> substance conversions."
    )
    possible: tuple[float, float] = Field(
        description="Physiologically possible range, in the canonical unit."
    )
    usual: tuple[float, float] = Field(
        description="Range of thresholds usually seen in eligibility criteria (canonical unit)."
    )
    relative_ok: bool = Field(
        default=False, description="Has a reference range, so x ULN / x LLN limits make sense."
    )
    integer: bool = Field(default=False, description="Values are whole numbers (scores, classes).")
    accept: Literal["auto", "review"] = Field(
        default="auto",
        description=(
            "'review': every reading on this variable waits for a curator "
            "(variable-unvalidated), however clean; for an id not yet validated on enough text."
        ),
    )
    abnormal: Literal["high", "low"] | None = Field(
        default=None,
        description=(
            "The side of a measured quantity or a score that is abnormal (creatinine: "
            "high; LVEF, MMSE: low), where clinically one-sided: an inclusion criterion "
            "states the normal side, an exclusion the abnormal one.  The rules read a "
            "bare '=' on such a variable (registries write '=' where a ≥ or ≤ was lost) "
            "in that direction, for review."
        ),
    )
    inclusion_side: Literal["lower", "upper"] | None = Field(
        default=None,
        description=(
            "For a variable with no abnormal side: the limit an inclusion criterion that "
            "states one limit on it states (age: the minimum).  The rules read a bare '=' "
            "on it in an inclusion criterion as that side, for review."
        ),
    )
    roman: bool = Field(
        default=False,
        description="Values are also written in Roman numerals ('NYHA class III', 'ASA I-II').",
    )
    step: float = Field(
        default=1,
        gt=0,
        description=(
            "Distance between neighbouring values of an integer score (Karnofsky: 10): a "
            "listed value further than this from a range is not its next value."
        ),
    )
    loinc: str | None = None
    omop_concept_id: int | None = Field(
        default=None,
        description="OMOP standard concept id of the LOINC code; set only from a cited source.",
    )
    added_in: int | None = Field(
        default=None,
        description=(
            "Schema version that added this id to the contract's vocabulary (absent: an id "
            "of CONTRACT.md section 3)."
        ),
    )
    notes: str | None = None

    @model_validator(mode="after")
    def _ranges_ordered(self) -> Variable:
        for name, (lo, hi) in (("possible", self.possible), ("usual", self.usual)):
            if lo > hi:
                raise ValueError(f"{self.id}: {name} range {lo}..{hi} is not ordered")
        if self.kind == "quantity" and self.canonical_unit is None:
            raise ValueError(f"{self.id}: a quantity needs a canonical unit")
        return self


class Catalog(BaseModel):
    """All variables, indexed by id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    variables: list[Variable]

    @cached_property
    def by_id(self) -> dict[str, Variable]:
        """The variables by id, built on first use.

        A plain attribute once built: verification asks per constraint, and a pydantic
        private attribute costs microseconds a read.
        """
        return {v.id: v for v in self.variables}

    @cached_property
    def order(self) -> dict[str, int]:
        """Each variable id's position in the catalog (the order findings list them in)."""
        return {v.id: i for i, v in enumerate(self.variables)}

    @model_validator(mode="after")
    def _unique_ids(self) -> Catalog:
        seen: set[str] = set()
        for var in self.variables:
            if var.id in seen:
                raise ValueError(f"duplicate variable id {var.id!r}")
            seen.add(var.id)
        return self

    def get(self, variable_id: str) -> Variable | None:
        """Return the entry for ``variable_id``, or None (e.g. for ``other``)."""
        return self.by_id.get(variable_id)

    def label(self, variable_id: str) -> str:
        """The variable's label for people, or ``variable_id`` when the catalog has none."""
        var = self.by_id.get(variable_id)
        return var.label if var is not None else variable_id

    def __contains__(self, variable_id: object) -> bool:
        return isinstance(variable_id, str) and variable_id in self.by_id

    def ids(self) -> list[str]:
        """All variable ids, in catalog order."""
        return [v.id for v in self.variables]

    def contract_variables(self) -> list[Variable]:
        """The variables of the contract's own table (no ``added_in``), in catalog order."""
        return [v for v in self.variables if v.added_in is None]


@cache
def load_catalog() -> Catalog:
    """Load and validate the packaged catalog (cached)."""
    return Catalog.model_validate(data_toml("catalog.toml"))
