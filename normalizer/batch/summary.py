"""What a run did, counted as it goes: for people at the end, and as JSON for CI."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console

from .worker import Outcome

__all__ = ["RunSummary"]

_USAGE_KEYS = ("calls", "prompt_tokens", "completion_tokens", "cache_hits")


@dataclass
class RunSummary:
    """Counts of one run: records done, skipped and failed, criteria, statuses, codes, LLM use."""

    run_id: int = 0
    jobs: int = 1
    done: int = 0
    skipped: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    criteria: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    llm: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    parent_cpu: float = 0.0
    worker_seconds: float = 0.0
    worker_cpu: float = 0.0
    interrupted: str | None = None
    stored: int = 0

    @property
    def failed(self) -> int:
        """Records (or files) that could not be read or normalised in this run."""
        return len(self.failures)

    @property
    def seen(self) -> int:
        """Every record (or unreadable file) the inputs held."""
        return self.done + self.skipped + self.failed

    def add(self, outcome: Outcome) -> None:
        """Count one worker outcome (a failure is also named in :attr:`failures`)."""
        for key, value in outcome.usage.items():
            self.llm[key] += value
        if outcome.error is not None:
            self.failures.append((outcome.source or outcome.record_id, outcome.error))
            return
        self.done += 1
        self.worker_seconds += outcome.seconds
        self.worker_cpu += outcome.cpu
        self.criteria += outcome.criteria
        for status, count in zip(
            ("accepted", "needs_review", "rejected"), outcome.statuses, strict=True
        ):
            self.statuses[status] += count
        self.codes.update(outcome.codes)

    def as_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data (``--summary-json``; also kept in the store's run)."""
        rate = self.done / self.seconds if self.seconds > 0 else 0.0
        return {
            "run_id": self.run_id,
            "jobs": self.jobs,
            "records": {
                "seen": self.seen, "done": self.done, "skipped": self.skipped,
                "failed": self.failed,
            },
            "criteria": self.criteria,
            "statuses": {k: self.statuses[k] for k in ("accepted", "needs_review", "rejected")},
            "finding_codes": dict(self.codes.most_common()),
            "failures": [{"where": w, "message": m} for w, m in self.failures],
            "llm": {k: self.llm[k] for k in _USAGE_KEYS} | dict(self.llm),
            "seconds": round(self.seconds, 3),
            "parent_cpu_seconds": round(self.parent_cpu, 3),
            "worker_seconds": round(self.worker_seconds, 3),
            "worker_cpu_seconds": round(self.worker_cpu, 3),
            "records_per_second": round(rate, 1),
            "criteria_per_second": round(self.criteria / self.seconds, 1) if self.seconds else 0.0,
            "stored": self.stored,
            "interrupted": self.interrupted,
        }

    def render(self, console: Console, *, top: int = 10) -> None:
        """Print the summary for people (stderr, at the end of the run)."""
        rate = self.done / self.seconds if self.seconds > 0 else 0.0
        p = console.print
        p(
            f"run {self.run_id}: {self.seen} records: {self.done} done, {self.skipped} skipped "
            f"(unchanged), {self.failed} failed; {self.seconds:.1f} s, {rate:.0f} records/s, "
            f"{self.jobs} jobs; store holds {self.stored}",
            highlight=False,
        )
        s = self.statuses
        p(
            f"criteria: {self.criteria} ({s['accepted']} accepted, {s['needs_review']} "
            f"needs review, {s['rejected']} rejected)",
            highlight=False,
        )
        if self.codes:
            common = ", ".join(f"{code} {n}" for code, n in self.codes.most_common(top))
            p(f"findings: {common}", highlight=False)
        u = self.llm
        p(
            f"llm: {u['calls']} calls, {u['prompt_tokens']} prompt + "
            f"{u['completion_tokens']} completion tokens, {u['cache_hits']} cache hits",
            highlight=False,
        )
        for where, message in self.failures:
            p(f"[bold red]failed:[/] {where}: {message}", markup=True, highlight=False)
