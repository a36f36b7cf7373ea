"""The report of a gold eval: per case results, metrics, the stamped report."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ...models import Status


class CaseResult(BaseModel):
    """How one gold case was read: kept in the JSON report for ``--compare``."""

    model_config = ConfigDict(extra="forbid")

    id: str
    gold: int
    predicted: int
    matched: int
    status: Status
    expect_status: Status | None
    findings: list[str]
    missed: list[str] = Field(default_factory=list)
    spurious: list[str] = Field(default_factory=list)


class Metrics(BaseModel):
    """Counts and ratios for a slice (all cases, or one variable)."""

    model_config = ConfigDict(extra="forbid")

    gold: int = 0
    predicted: int = 0
    matched: int = 0
    aligned: int = 0
    unit_ok: int = 0

    @property
    def precision(self) -> float:
        """Matched / predicted (1.0 when nothing was predicted)."""
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        """Matched / gold (1.0 when gold is empty)."""
        return self.matched / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def ratios(self) -> dict[str, float]:
        """Precision, recall, F1, bound and unit accuracy."""
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "bound_accuracy": round(self.matched / self.aligned, 4) if self.aligned else 1.0,
            "unit_accuracy": round(self.unit_ok / self.matched, 4) if self.matched else 1.0,
        }


class EvalReport(BaseModel):
    """A scored run: stamped, with micro metrics, per variable figures and per case results."""

    model_config = ConfigDict(extra="forbid")

    stamp: dict[str, str | None]
    cases: int
    micro: dict[str, float | int]
    status: dict[str, float | int]
    per_variable: dict[str, dict[str, float | int]]
    false_alarm_codes: dict[str, int]
    per_tag: dict[str, dict[str, float | int]] = Field(default_factory=dict)
    usage: dict[str, int] = Field(default_factory=dict)
    results: list[CaseResult]
