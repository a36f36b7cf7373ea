"""Finding codes as data: ``normalizer/data/findings.toml``, validated on first load.

Every finding this package emits (verification, the extractors, the guards, the
review queue) is built with :func:`finding`, which takes the severity from the data
file, so a code can never drift between two severities and no severity is written
in code (``tests/test_findings_data.py`` checks).  Extraction and verification both
import it from here, so that neither imports the other for it.
``python -m normalizer.verify > docs/findings.md`` regenerates the Markdown table.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .data_files import data_toml
from .models import Finding, Severity

__all__ = ["FindingSpec", "FindingTable", "finding", "load_findings", "severity_of"]


class FindingSpec(BaseModel):
    """One finding code: what it means and what the curator should do."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    severity: Severity
    emitted_by: list[Literal["verify", "rules", "llm", "hybrid"]] = Field(min_length=1)
    scope: Literal["constraint", "criterion", "document", "record"]
    meaning: str = Field(min_length=1)
    action: str = Field(min_length=1)


class FindingTable(BaseModel):
    """The contents of ``findings.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    findings: list[FindingSpec]

    @model_validator(mode="after")
    def _unique(self) -> FindingTable:
        seen: set[str] = set()
        for spec in self.findings:
            if spec.code in seen:
                raise ValueError(f"finding code {spec.code!r} is listed twice")
            seen.add(spec.code)
        return self

    def get(self, code: str) -> FindingSpec:
        """The spec of ``code``; a KeyError names an undeclared code (a bug)."""
        for spec in self.findings:
            if spec.code == code:
                return spec
        raise KeyError(f"finding code {code!r} is not declared in findings.toml")


@cache
def load_findings() -> FindingTable:
    """Load and validate the packaged ``findings.toml`` (cached)."""
    return FindingTable.model_validate(data_toml("findings.toml"))


def finding(code: str, message: str, constraint: int | None = None) -> Finding:
    """A :class:`Finding` of a declared ``code``, with the severity the data gives it."""
    return Finding(
        code=code,
        severity=load_findings().get(code).severity,
        constraint=constraint,
        message=message,
    )


def severity_of(code: str) -> Severity:
    """The severity ``findings.toml`` gives ``code``."""
    return load_findings().get(code).severity
