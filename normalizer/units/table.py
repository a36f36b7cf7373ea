"""The unit data file, ``normalizer/data/units.toml``: its models and its loader.

:class:`UnitTable` (spellings and exact aliases indexed by their normalised keys,
words that are never units, :class:`Garble` repairs, variable-specific
:class:`Conversion` rules, annotations ignored in comparisons) and
:func:`load_unit_table`.
"""

from __future__ import annotations

import re
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from ..data_files import data_toml
from .keys import _normalise


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
    return UnitTable.model_validate(data_toml("units.toml"))
