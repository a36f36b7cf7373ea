"""Finding codes as data: ``normalizer/data/findings.toml``, validated on first load.

Every finding this package emits is built with :func:`finding`, which takes the
severity from the data file, so a code can never drift between two severities.
``python -m normalizer.verify > docs/findings.md`` regenerates the Markdown
table of every code (a test keeps the file in sync).
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..models import Finding, Severity

__all__ = ["FindingSpec", "FindingTable", "finding", "findings_markdown", "load_findings"]


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
    raw = resources.files("normalizer").joinpath("data/findings.toml").read_text("utf-8")
    return FindingTable.model_validate(tomllib.loads(raw))


def finding(code: str, message: str, constraint: int | None = None) -> Finding:
    """A :class:`Finding` of a declared ``code``, with the severity the data gives it."""
    return Finding(
        code=code,
        severity=load_findings().get(code).severity,
        constraint=constraint,
        message=message,
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def findings_markdown() -> str:
    """The Markdown page listing every finding code (``docs/findings.md``)."""
    table = load_findings()
    lines = [
        "# Finding codes",
        "",
        "<!-- Generated from normalizer/data/findings.toml by"
        " `python -m normalizer.verify > docs/findings.md`; do not edit by hand. -->",
        "",
        "Severity decides the status: any `error` makes a criterion `rejected`, any"
        " `warning` makes it `needs_review`, `info` leaves it as it is.  A criterion is"
        " `accepted` only when no error or warning applies.",
        "",
        "| code | severity | from | scope | meaning | what to do |",
        "|---|---|---|---|---|---|",
    ]
    for spec in table.findings:
        lines.append(
            f"| `{spec.code}` | {spec.severity} | {', '.join(spec.emitted_by)} | {spec.scope} | "
            f"{_cell(spec.meaning)} | {_cell(spec.action)} |"
        )
    lines.append("")
    lines.append(f"findings.toml version {table.version}.")
    return "\n".join(lines) + "\n"
