"""What runs inside a worker process: build the extractor once, normalise what arrives.

The parent sends chunks of ``(record_id, record)`` over a pipe; the worker
answers with lists of outcomes (each record's document already serialised to
JSON, its counts, its finding codes and the LLM usage it cost): a list when
the chunk is done, or sooner when ``SEND_EVERY`` seconds have passed since the
last one, so that the parent wakes once per chunk of quick rules records and
once per record of slow LLM ones.  Which record a worker is on is not left to
its messages: it counts the records it has started and finished in a
:class:`Position` in shared memory, which the parent reads to tell a hung or
crashed record from the finished ones the worker had not sent yet.  A record
that raises is answered as a failure and the worker goes on.

A worker dies with its parent: ``PR_SET_PDEATHSIG`` (Linux) kills it when the
process that forked it ends, and a closed task pipe (the parent is gone) ends
it between records.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from queue import SimpleQueue
from typing import TYPE_CHECKING, Any, Protocol, cast

from ..extract.base import Extractor
from ..models import Provenance
from ..provenance import provenance_of

# The pipeline (verification, the rules) is imported where records are normalised:
# the parent of a rerun with nothing to do never pays for it.
if TYPE_CHECKING:
    from ..llm import LLMExtractor
    from ..records import Record

__all__ = [
    "SEND_EVERY", "STOP", "ExtractorFactory", "ExtractorSpec", "Outcome", "Position",
    "worker_main",
]

STOP = "stop"
"""The message that ends a worker cleanly."""

SEND_EVERY = 0.05
"""Seconds of finished records a worker may hold before it sends them (or the chunk ends)."""

Position = Any
"""Two shared counters of a worker (``RawArray('q', 2)``): records started, records finished."""

_PR_SET_PDEATHSIG = 1


class ExtractorFactory(Protocol):
    """Something picklable that builds the extractor in each process (and names the LLM one)."""

    def build(self) -> tuple[Extractor, LLMExtractor | None]:
        """The extractor, and the LLM extractor inside it (None for rules)."""
        ...

    def provenance(self) -> Provenance:
        """What the extractor stamps on its documents (the parent's versions key)."""
        ...


@dataclass(frozen=True)
class ExtractorSpec:
    """The extractor options of ``normalize``, resolved, in a form a worker can rebuild."""

    choice: str = "rules"
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    model: str | None = None
    mode: str = "tools"
    batch_size: int = 1
    concurrency: int | None = None
    cache: Path | None = None
    no_cache: bool = False
    route: str = "incomplete"
    timeout: float | None = None
    max_tokens: int | None = None

    def build(self) -> tuple[Extractor, LLMExtractor | None]:
        """Build the extractor (rules without touching the LLM modules)."""
        if self.choice == "rules":
            from ..extract.rules import RulesExtractor

            return RulesExtractor(), None
        from ..extractors import build_extractor

        return build_extractor(
            self.choice, base_url=self.base_url, api_key=self.api_key, model=self.model,
            mode=self.mode, batch_size=self.batch_size, concurrency=self.concurrency,
            cache=self.cache, no_cache=self.no_cache, route=self.route, timeout=self.timeout,
            max_tokens=self.max_tokens, warn=_stderr,
        )


    def provenance(self) -> Provenance:
        """The documents' provenance; for rules without compiling the rules (the parent's case)."""
        if self.choice == "rules":  # the rules extractor's name, without importing the rules
            return provenance_of(cast(Extractor, _Named("rules")))
        return provenance_of(self.build()[0])


def _stderr(message: str) -> None:
    """A worker's warning (an unusable cache, say), on the run's stderr."""
    print(f"warning: {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class _Named:
    """Just an extractor's name: all :func:`provenance_of` reads of the rules extractor."""

    name: str


@dataclass(frozen=True)
class Outcome:
    """A worker's answer for one record: its document (JSON) and counts, or why it failed."""

    record_id: str
    error: str | None = None
    document: str = ""
    nct_id: str | None = None
    source: str = ""
    statuses: tuple[int, int, int] = (0, 0, 0)
    codes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    cpu: float = 0.0
    usage: dict[str, int] = field(default_factory=dict)

    @property
    def criteria(self) -> int:
        """How many criteria the document has."""
        return sum(self.statuses)


def _die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent ends (Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - no prctl
        return


def _usage(llm: LLMExtractor | None) -> dict[str, int]:
    return {} if llm is None else llm.usage.as_dict()


def _delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}


def normalise_one(
    record_id: str, record: Record, extractor: Extractor, llm: LLMExtractor | None
) -> Outcome:
    """Normalise one record into an :class:`Outcome` (a failure if anything raises)."""
    before = _usage(llm)
    start = time.perf_counter()
    cpu = time.process_time()
    from ..pipeline import normalize_record

    try:
        doc = normalize_record(record, extractor=extractor)
        payload = doc.model_dump_json()
    except Exception as exc:
        reason = " ".join(str(exc).split())[:300]
        return Outcome(record_id, error=f"{type(exc).__name__}: {reason}",
                       source=record.source, usage=_delta(before, _usage(llm)))
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    statuses = Counter(c.status for c in doc.criteria)
    codes = Counter(f.code for c in doc.criteria for f in c.findings)
    return Outcome(
        record_id,
        document=payload,
        nct_id=record.info.nct_id,
        source=doc.source,
        statuses=(statuses["accepted"], statuses["needs_review"], statuses["rejected"]),
        codes=dict(codes),
        seconds=seconds,
        cpu=cpu,
        usage=_delta(before, _usage(llm)),
    )


def _read_tasks(tasks: Connection, queue: SimpleQueue[Any]) -> None:
    """Move chunks from the pipe into the queue; a closed pipe means the parent is gone."""
    while True:
        try:
            message = tasks.recv()
        except (EOFError, OSError):
            os._exit(0)  # the parent died: nothing to send results to
        queue.put(message)
        if message == STOP:
            return


def _send(results: Connection, outcomes: list[Outcome]) -> None:
    try:
        results.send(outcomes)
    except (BrokenPipeError, OSError):
        os._exit(0)  # the parent is gone


def worker_main(
    tasks: Connection, results: Connection, factory: ExtractorFactory, position: Position
) -> None:
    """A worker's life: build the extractor, then answer every record of every chunk.

    ``position[0]`` counts the records started and ``position[1]`` those finished,
    over the worker's life, in that order, so the parent can tell which record it is on.
    """
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    extractor, llm = factory.build()
    queue: SimpleQueue[Any] = SimpleQueue()
    threading.Thread(target=_read_tasks, args=(tasks, queue), daemon=True).start()
    while True:
        chunk = queue.get()
        if chunk == STOP:
            break
        held: list[Outcome] = []
        sent = time.monotonic()
        for record_id, record in chunk:
            position[0] += 1
            held.append(normalise_one(record_id, record, extractor, llm))
            position[1] += 1
            if time.monotonic() - sent >= SEND_EVERY:
                _send(results, held)
                held = []
                sent = time.monotonic()
        if held:
            _send(results, held)
    results.close()
