"""Progress of a run on stderr: a rich bar on a terminal, a plain line every few seconds else."""

from __future__ import annotations

import time
from datetime import timedelta
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

__all__ = ["RunProgress"]


class RunProgress:
    """Records handled so far (done, skipped or failed), their rate and the time left.

    ``total`` is None when the inputs cannot say how many records they hold
    without reading them all (then no ETA).
    """

    def __init__(self, console: Console, total: int | None, *, every: float = 5.0) -> None:
        self.console = console
        self.total = total
        self.every = every
        self.count = 0
        self.failed = 0
        self.skipped = 0
        self.started = time.monotonic()
        self._last = self.started
        self._bar: Progress | None = None
        self._task = TaskID(0)

    def __enter__(self) -> RunProgress:
        if self.console.is_terminal:
            self._bar = Progress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[rate]} records/s"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("run", total=self.total, rate="-")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()

    def rate(self) -> float:
        """Records handled per second since the start."""
        elapsed = time.monotonic() - self.started
        return self.count / elapsed if elapsed > 0 else 0.0

    def advance(self, *, skipped: int = 0, failed: int = 0, done: int = 0) -> None:
        """Count records handled; redraw the bar or print a line when one is due."""
        self.count += skipped + failed + done
        self.skipped += skipped
        self.failed += failed
        now = time.monotonic()
        if self._bar is not None:
            if now - self._last >= 0.2:
                self._last = now
                self._bar.update(self._task, completed=self.count, rate=f"{self.rate():.0f}")
            return
        if now - self._last >= self.every:
            self._last = now
            self.console.print(self.line(), highlight=False)

    def line(self) -> str:
        """The plain progress line: count, share, rate and time left."""
        rate = self.rate()
        of = f"/{self.total}" if self.total is not None else ""
        text = (
            f"run: {self.count}{of} records ({self.skipped} skipped, {self.failed} failed), "
            f"{rate:.0f} records/s"
        )
        if self.total is not None and rate > 0:
            left = max(0, self.total - self.count) / rate
            text += f", ETA {timedelta(seconds=round(left))}"
        return text
