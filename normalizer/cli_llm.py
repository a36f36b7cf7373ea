"""The LLM on the command line: the extractor the options build, its live line, its summary.

Every command that may read with an LLM builds its extractor here
(:func:`make_extractor`, over :func:`normalizer.extractors.build_extractor`); while
the LLM reads, a live stats line is drawn on the command's stderr console
(:class:`LiveStats`), and :func:`report_usage` prints the run's summary line in
its place.
"""

from __future__ import annotations

import os
import threading
import time
from typing import TYPE_CHECKING

from .cli_options import ExtractorOption, LLMOptions

if TYPE_CHECKING:
    from rich.console import Console

    from .cli_common import Stderr
    from .extract.base import Extractor
    from .llm import LLMExtractor, LLMUsage

__all__ = ["PROGRESS_EVERY", "LiveStats", "criteria_words", "make_extractor", "report_usage"]


def make_extractor(
    choice: ExtractorOption, options: LLMOptions, err: Stderr
) -> tuple[Extractor, LLMExtractor | None]:
    """Build the extractor the options ask for (:func:`normalizer.extractors.build_extractor`).

    Its notes (plain lines) and warnings, and the live stats line, go to ``err``.
    """
    from .extractors import build_extractor

    def warn(message: str) -> None:
        err.console.print(f"[bold yellow]warning:[/] {message}", markup=True, highlight=False)

    return build_extractor(
        choice.value, **options.plain(),
        note=err.line, warn=warn, live=lambda _llm: LiveStats(err.console),
    )


PROGRESS_EVERY = 5.0
"""Seconds between live stats lines on stderr when it is not a terminal
(``NORMALIZER_PROGRESS_EVERY`` overrides it)."""


def criteria_words(u: LLMUsage) -> str:
    """Where the criteria went: routed, skipped, sent (cache), read, failed."""
    failed = []
    if u.failed_transport:
        failed.append(f"{u.failed_transport} endpoint")
    if u.failed_invalid:
        failed.append(f"{u.failed_invalid} invalid")
    if u.failed_truncated:
        failed.append(f"{u.failed_truncated} truncated")
    why = f" ({', '.join(failed)}" if failed else ""
    if failed and u.failed_cached:
        why += f"; {u.failed_cached} replayed from the cache"
    why += ")" if failed else ""
    return (
        f"{u.routed} criteria routed, {u.skipped_criteria} skipped (no number), "
        f"{u.sent} sent ({u.cache_hits} from the cache), {u.done} answered, "
        f"{u.failed} failed{why}"
    )


class LiveStats:
    """The live stats line on stderr: redrawn in place on a terminal, else every few s."""

    def __init__(self, err: Console) -> None:
        self._err = err
        self._clock = time.monotonic
        self._last = 0.0
        try:
            self._every = float(os.environ.get("NORMALIZER_PROGRESS_EVERY", PROGRESS_EVERY))
        except ValueError:
            self._every = PROGRESS_EVERY
        self._lock = threading.Lock()
        self.drawn = False

    def __call__(self, usage: LLMUsage) -> None:
        """Show ``usage`` (after each request)."""
        with self._lock:
            now = self._clock()
            line = f"llm: {criteria_words(usage)}"
            if self._err.is_terminal:
                self._err.file.write("\r\x1b[2K" + line[: max(20, self._err.width - 1)])
                self._err.file.flush()
                self.drawn = True
            elif usage.done and now - self._last >= self._every:
                self._last = now
                self._err.print(line, highlight=False, soft_wrap=True)

    def clear(self) -> None:
        """Remove the line drawn on a terminal (the summary comes in its place)."""
        if self.drawn:
            self._err.file.write("\r\x1b[2K")
            self._err.file.flush()
            self.drawn = False


def report_usage(llm: LLMExtractor | None, err: Stderr) -> None:
    """The LLM's summary line on stderr, in place of the live line (nothing without one)."""
    if llm is None:
        return
    if isinstance(llm.progress, LiveStats):
        llm.progress.clear()
    u = llm.usage
    err.console.print(
        f"llm {llm.model} ({llm.prompt_id}): {criteria_words(u)}; "
        f"{u.requests} requests, {u.calls} calls, "
        f"{u.prompt_tokens} prompt + {u.completion_tokens} completion tokens, "
        f"{u.transport_retries} retries, {u.truncated_retries} retried with a larger budget",
        highlight=False, soft_wrap=True,
    )
