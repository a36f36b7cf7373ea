"""The worker processes: chunks out, lists of answers back, hung or crashed workers replaced.

Workers are forked from a ``forkserver`` that has imported
:mod:`normalizer.batch.preload`, so each one starts with the pipeline loaded.
Each worker has two one-way pipes (tasks in, outcomes out) and at most
``depth`` chunks outstanding, so the parent never blocks on a busy worker
and never holds more than ``jobs * depth * chunksize`` records.

A worker answers a list of outcomes per chunk (sooner for slow records), and
keeps its position (records started, finished) in shared memory.  One whose
position has not moved for ``record_timeout`` seconds is killed and the record
it was on becomes a failure; one that dies (a segfault, the OOM killer)
likewise; the rest of its chunks, and what it had finished but not sent, go
back to the front of the queue and a fresh worker takes its place.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING

from ..forkserver import context
from .worker import STOP, ExtractorFactory, Outcome, Position, worker_main

if TYPE_CHECKING:
    from ..records import Record

__all__ = ["Task", "WorkerPool", "cpu_count"]

Task = tuple[str, "Record"]
"""A record to normalise, with its id."""



def cpu_count() -> int:
    """The cores this process may run on (its affinity), at least 1."""
    counter = getattr(os, "process_cpu_count", None)
    if counter is not None:  # Python 3.13+
        return int(counter() or 1)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    tasks: Connection
    results: Connection
    position: Position  # shared with the worker: records started, records finished
    outstanding: deque[Task] = field(default_factory=deque)
    chunks: deque[int] = field(default_factory=deque)  # records left in each sent chunk
    answered: int = 0  # outcomes received over the worker's life
    started: int = 0  # position[0] when last read
    since: float = 0.0  # when the worker was last seen to move (a record started, an answer)

    def moved(self, now: float) -> None:
        """Note the worker's progress: a record started since the last look restarts its clock."""
        started = int(self.position[0])
        if started != self.started:
            self.started = started
            self.since = now

    def on(self) -> int:
        """Where in ``outstanding`` the record the worker is on is (0 when it is between records).

        Records it finished and did not send come before it: they go back to the queue.
        """
        started, finished = int(self.position[0]), int(self.position[1])
        at = started - 1 - self.answered
        if started > finished and 0 <= at < len(self.outstanding):
            return at
        return 0


class WorkerPool:
    """``jobs`` worker processes fed in chunks; :meth:`events` yields their outcomes."""

    def __init__(
        self,
        factory: ExtractorFactory,
        *,
        jobs: int,
        chunksize: int,
        record_timeout: float,
        depth: int = 2,
    ) -> None:
        self.factory = factory
        self.jobs = jobs
        self.chunksize = chunksize
        self.record_timeout = record_timeout
        self.depth = depth
        self.ctx = context()
        self.workers: list[_Worker] = []
        self.selector = selectors.DefaultSelector()
        self.requeued: deque[Task] = deque()
        self.restarts = 0

    # -- processes ------------------------------------------------------------------

    @property
    def started(self) -> bool:
        """Whether the workers are running."""
        return bool(self.workers)

    def start(self) -> None:
        """Start the workers (waits for the forkserver's preload the first time)."""
        for _ in range(self.jobs):
            self.workers.append(self._spawn())

    def _spawn(self) -> _Worker:
        task_r, task_w = self.ctx.Pipe(duplex=False)
        result_r, result_w = self.ctx.Pipe(duplex=False)
        position = self.ctx.RawArray("q", 2)
        process = self.ctx.Process(
            target=worker_main, args=(task_r, result_w, self.factory, position), daemon=True,
            name="normalizer-worker",
        )
        process.start()
        task_r.close()
        result_w.close()
        worker = _Worker(process, task_w, result_r, position)
        self.selector.register(result_r, selectors.EVENT_READ, (worker, "results"))
        self.selector.register(process.sentinel, selectors.EVENT_READ, (worker, "sentinel"))
        return worker

    def _forget(self, w: _Worker) -> None:
        """Unregister a worker that has ended and close its pipes."""
        for fileobj in (w.results, w.process.sentinel):
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(fileobj)
        w.tasks.close()
        w.results.close()

    def close(self) -> None:
        """Stop every worker: politely when idle, by force otherwise; reap them all."""
        for w in self.workers:
            try:
                if w.outstanding:
                    w.process.kill()
                else:
                    w.tasks.send(STOP)
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + 5
        for w in self.workers:
            w.process.join(max(0.0, deadline - time.monotonic()))
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            self._forget(w)
        self.workers = []
        self.selector.close()

    def pids(self) -> list[int]:
        """The process ids of the live workers."""
        return [w.process.pid for w in self.workers if w.process.pid is not None]

    # -- work -----------------------------------------------------------------------

    @property
    def in_flight(self) -> int:
        """Records sent (or waiting to be sent again) and not yet answered."""
        return sum(len(w.outstanding) for w in self.workers) + len(self.requeued)

    def wants(self) -> int:
        """How many more records the pool can take now (free chunk slots x chunksize)."""
        if not self.workers:
            return self.jobs * self.depth * self.chunksize
        free = sum(self.depth - len(w.chunks) for w in self.workers)
        return max(0, free * self.chunksize - len(self.requeued))

    def submit(self, pending: deque[Task]) -> None:
        """Send chunks from ``requeued`` then ``pending`` to every worker with a free slot.

        The workers start with the first records to send (a rerun with nothing to
        do starts none).
        """
        if not self.workers and (pending or self.requeued):
            self.start()
        for w in self.workers:
            while len(w.chunks) < self.depth and (self.requeued or pending):
                chunk: list[Task] = []
                while len(chunk) < self.chunksize and (self.requeued or pending):
                    chunk.append(self.requeued.popleft() if self.requeued else pending.popleft())
                if not w.outstanding:
                    w.since = time.monotonic()
                w.outstanding.extend(chunk)
                w.chunks.append(len(chunk))
                try:
                    w.tasks.send(chunk)
                except OSError:  # it died idle since the last look: its records go back
                    self._respawn(w)
                    return

    def events(self, timeout: float) -> Iterator[Outcome]:
        """Outcomes ready within ``timeout`` seconds, including failures of hung or dead workers.

        One poll of every worker's pipe and process per round, on a selector kept
        for the pool's life; rounds repeat without waiting while outcomes keep coming.
        """
        busy = [w for w in self.workers if w.outstanding]
        if not busy:
            return
        now = time.monotonic()
        for w in busy:
            w.moved(now)
        nearest = min(w.since + self.record_timeout for w in busy)
        wait_for = max(0.0, min(timeout, nearest - time.monotonic()))
        died: set[_Worker] = set()
        ready = self.selector.select(wait_for)
        for _round in range(256):
            readable = []
            for key, _mask in ready:
                w, kind = key.data
                if kind == "sentinel":
                    died.add(w)
                elif w.outstanding and w not in died:
                    readable.append(w)
            if not readable:
                break
            for w in readable:
                try:
                    outcomes: list[Outcome] = w.results.recv()
                except (EOFError, OSError):
                    died.add(w)
                    continue
                for outcome in outcomes:
                    yield self._answered(w, outcome)
            ready = self.selector.select(0)
        for w in died - set(busy):  # died idle (the OOM killer, say): just replace it
            if w in self.workers:
                self._respawn(w)
        for w in busy:
            if w.outstanding and w in died:
                yield from self._drain(w)  # what it sent before it died
                if w.outstanding:
                    w.process.join(5)  # its pipe may close before it is reaped
                    code = w.process.exitcode
                    yield self._replace(w, f"the worker died (exit code {code}) on this record")
            elif w.outstanding:
                now = time.monotonic()
                w.moved(now)
                if now - w.since <= self.record_timeout:
                    continue
                yield self._replace(
                    w, f"timed out: no result after {self.record_timeout:g} s (worker killed)"
                )

    def _answered(self, w: _Worker, outcome: Outcome) -> Outcome:
        head = w.outstanding.popleft()
        assert head[0] == outcome.record_id, (head[0], outcome.record_id)
        w.answered += 1
        w.since = time.monotonic()
        w.chunks[0] -= 1
        if w.chunks[0] == 0:
            w.chunks.popleft()
        return outcome

    def _drain(self, w: _Worker) -> Iterator[Outcome]:
        """Outcomes a dead worker sent before it died."""
        while w.outstanding:
            try:
                if not w.results.poll():
                    return
                outcomes: list[Outcome] = w.results.recv()
            except (EOFError, OSError):
                return
            for outcome in outcomes:
                yield self._answered(w, outcome)

    def _replace(self, w: _Worker, message: str) -> Outcome:
        """Kill ``w``, fail the record it was on, requeue the rest, start a new worker.

        The record it was on is read from its position (the head when it was between
        records: a worker that dies before its first record fails one record a time).
        """
        at = w.on()
        record_id, record = w.outstanding[at]
        del w.outstanding[at]
        self._respawn(w)
        return Outcome(record_id, error=message, source=record.source)

    def _respawn(self, w: _Worker) -> None:
        """End ``w`` (killed if still alive), requeue what it held, start a worker in its place."""
        if w.process.is_alive():
            w.process.kill()
        w.process.join()
        self._forget(w)
        self.requeued.extendleft(reversed(w.outstanding))
        w.outstanding.clear()
        self.workers[self.workers.index(w)] = self._spawn()
        self.restarts += 1
