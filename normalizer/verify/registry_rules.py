"""The data the registry check reads: ``registry_ages.toml`` and ``sex.toml``.

Their models (:class:`AgeWords`, :class:`SexRule`, :class:`SexRules`), loaded,
validated and cached (:func:`load_age_words`, :func:`load_sex_rules`), and the
sex rules' compiled patterns.  See :mod:`normalizer.verify.registry`.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..data_files import data_toml

Side = Literal["minimum", "maximum"]
Sex = Literal["female", "male"]


class AgeExample(BaseModel):
    """A registry age and what it reads as."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str
    years: float | None = None
    reads: Literal["absent", "unreadable"] | None = None


class AgeWords(BaseModel):
    """The contents of ``registry_ages.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    absent: list[str]
    units: dict[str, str] = Field(description="Unit word (lower case) -> UCUM code.")
    examples: list[AgeExample] = Field(default_factory=list)


class SexRule(BaseModel):
    """One way a criterion restricts enrolment to one sex, with what it must (not) match."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    sex: Sex
    pattern: str
    matches: list[str] = Field(min_length=1)
    not_matches: list[str] = Field(min_length=1)


class SexRules(BaseModel):
    """The contents of ``sex.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    rules: list[SexRule]


@cache
def load_age_words() -> AgeWords:
    """Load and validate the packaged ``registry_ages.toml`` (cached)."""
    return AgeWords.model_validate(data_toml("registry_ages.toml"))


@cache
def load_sex_rules() -> SexRules:
    """Load and validate the packaged ``sex.toml`` (cached)."""
    return SexRules.model_validate(data_toml("sex.toml"))


@cache
def _sex_patterns() -> tuple[tuple[re.Pattern[str], Sex], ...]:
    return tuple(
        (re.compile(rule.pattern, re.IGNORECASE), rule.sex) for rule in load_sex_rules().rules
    )
