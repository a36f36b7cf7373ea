"""One batch run: read records, skip the unchanged, normalise the rest in the pool, store them.

The parent is the only writer.  Records are read lazily (never all at once);
for each batch read, one query fetches what the store holds for those ids and
a record whose content hash and versions key are both unchanged is skipped
(``force`` redoes it).  Outcomes are written as they arrive, a few hundred
milliseconds' worth per transaction: each record's document, hash and versions
go in together, so a killed run leaves whole records and a rerun redoes only
those that were in flight (sent to a worker, or answered and not yet committed).
"""

from __future__ import annotations

import os
import time
import zipfile
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from rich.console import Console

from ..io import MAX_BYTES
from ..models import Section
from ..records import ReadFailure, Record, read_records
from ..store import DocumentRow, Store
from ..store.fingerprint import content_hash, versions_key, versions_of
from .pool import Task, WorkerPool
from .progress import RunProgress
from .summary import RunSummary
from .worker import ExtractorFactory, Outcome, normalise_one

__all__ = ["RunOptions", "run_batch"]


@dataclass(frozen=True)
class RunOptions:
    """How a run goes: workers, chunks, timeout, what to redo, how inputs are read."""

    jobs: int = 1
    chunksize: int = 16
    record_timeout: float = 120.0
    force: bool = False
    input_format: str = "auto"
    glob: str = "*"
    text_column: str | None = None
    id_column: str | None = None
    max_bytes: int = MAX_BYTES
    default_section: Section = "unknown"
    command: str = "run"
    flush_seconds: float = 0.3
    flush_rows: int = 256
    inline_max: int = 32
    """At most this many records to do, all read: done in this process, no workers (starting
    the forkserver and its workers costs 1-4 s, a rules record a few ms).  0 always starts
    workers (an LLM run: a record's timeout needs a worker to kill)."""


def _known_total(inputs: Sequence[str], input_format: str) -> int | None:
    """How many records the inputs hold, when that is known without reading them.

    Text files are one record each; a zip's directory says how many studies it
    holds (the registry's bulk download).  Otherwise None: no ETA.
    """
    if input_format not in ("auto", "text", "ctgov"):
        return None
    total = 0
    for name in inputs:
        if input_format != "ctgov" and name.endswith(".txt") and os.path.isfile(name):
            total += 1
        elif input_format != "text" and name.endswith(".zip") and os.path.isfile(name):
            try:
                with zipfile.ZipFile(name) as archive:
                    total += sum(1 for n in archive.namelist() if n.endswith(".json"))
            except (OSError, zipfile.BadZipFile):
                return None
        else:
            return None
    return total


class _Run:
    """The state of one run in the parent: what is pending, in flight and not yet written."""

    def __init__(
        self, store: Store, factory: ExtractorFactory, options: RunOptions, console: Console
    ) -> None:
        self.store = store
        self.factory = factory
        self.options = options
        self.console = console
        versions = versions_of(factory.provenance())
        self.key = versions_key(versions)
        self.run_id = store.begin_run(options.command, dict(versions))
        self.summary = RunSummary(run_id=self.run_id, jobs=options.jobs)
        self.pool = WorkerPool(
            factory, jobs=options.jobs, chunksize=options.chunksize,
            record_timeout=options.record_timeout,
        )
        self.pending: deque[Task] = deque()
        self.hashes: dict[str, str] = {}
        # every record id read in this run, with a prefix of its content hash: a second
        # copy of a record is skipped when identical and refused when it differs, so the
        # store never depends on which copy a worker finished last (~50 bytes per record)
        self.seen: dict[str, str] = {}
        self.buffer: list[DocumentRow] = []
        self.flushed = time.monotonic()
        self.progress: RunProgress | None = None

    def classify(self, batch: list[Record | ReadFailure]) -> None:
        """Queue what needs doing; store read failures; count what is unchanged."""
        records = [item for item in batch if isinstance(item, Record)]
        known = {} if self.options.force else self.store.stored(r.info.id for r in records)
        skipped = failed = 0
        for item in batch:
            if isinstance(item, ReadFailure):
                self.store.save_failure(item.where, item.message, run_id=self.run_id)
                self.summary.failures.append((item.where, item.message))
                failed += 1
                continue
            digest = content_hash(item)
            first = self.seen.get(item.info.id)
            if first is not None:
                if first == digest[:16]:  # the same record again, unchanged: done once
                    skipped += 1
                    continue
                message = (
                    f"record {item.info.id} was already read in this run with other "
                    "content; this copy is not stored (a record id must name one record)"
                )
                self.store.save_failure(item.source, message, run_id=self.run_id)
                self.summary.failures.append((item.source, message))
                failed += 1
                continue
            self.seen[item.info.id] = digest[:16]
            row = known.get(item.info.id)
            if row is not None and row.content_hash == digest and row.versions_key == self.key:
                skipped += 1
                continue
            self.hashes[item.info.id] = digest
            self.pending.append((item.info.id, item))
        self.summary.skipped += skipped
        if self.progress is not None:
            self.progress.advance(skipped=skipped, failed=failed)

    def take(self, outcome: Outcome) -> None:
        """Count an outcome; buffer its document for the next write, or store its failure."""
        self.summary.add(outcome)
        digest = self.hashes.pop(outcome.record_id, "")
        if outcome.error is not None:
            self.store.save_failure(
                outcome.source or outcome.record_id, outcome.error,
                run_id=self.run_id, record_id=outcome.record_id,
            )
        else:
            a, n, r = outcome.statuses
            self.buffer.append(
                DocumentRow(
                    record_id=outcome.record_id, nct_id=outcome.nct_id, source=outcome.source,
                    content_hash=digest, versions_key=self.key, document=outcome.document,
                    criteria=a + n + r, accepted=a, needs_review=n, rejected=r,
                    seconds=outcome.seconds,
                )
            )
        if self.progress is not None:
            self.progress.advance(
                done=outcome.error is None, failed=outcome.error is not None
            )

    def flush(self, *, force: bool = False) -> None:
        """Write the buffered documents in one transaction when due (or now, with ``force``)."""
        due = time.monotonic() - self.flushed >= self.options.flush_seconds
        if self.buffer and (force or due or len(self.buffer) >= self.options.flush_rows):
            self.store.save_documents_json(self.buffer, run_id=self.run_id)
            self.buffer = []
            self.flushed = time.monotonic()

    def run_inline(self) -> None:
        """Normalise what is pending in this process, as a worker would, writing as it goes."""
        extractor, llm = self.factory.build()
        while self.pending:
            record_id, record = self.pending.popleft()
            self.take(normalise_one(record_id, record, extractor, llm))
            self.flush()

    def loop(self, records: Iterator[Record | ReadFailure]) -> None:
        """Feed the pool and write its outcomes until every record is answered."""
        step = max(256, self.options.chunksize * self.options.jobs * 2)
        exhausted = False
        while True:
            while not exhausted and len(self.pending) < self.pool.wants() + step:
                batch = list(islice(records, step))
                if not batch:
                    exhausted = True
                    break
                self.classify(batch)
            if exhausted and not self.pool.started and (
                0 < len(self.pending) <= self.options.inline_max
            ):
                self.run_inline()
                break
            self.pool.submit(self.pending)
            if exhausted and not self.pending and self.pool.in_flight == 0:
                break
            for outcome in self.pool.events(timeout=self.options.flush_seconds):
                self.take(outcome)
            self.flush()


def run_batch(
    inputs: Sequence[str],
    store: Store,
    factory: ExtractorFactory,
    options: RunOptions,
    *,
    console: Console | None = None,
) -> RunSummary:
    """Run ``inputs`` into ``store`` and return the summary (also recorded as the store's run).

    Interrupted (SIGINT/SIGTERM raise :class:`~normalizer.exits.Interrupted`), it
    writes the documents it already has, stops the workers and re-raises.
    """
    err = console or Console(stderr=True, highlight=False, soft_wrap=True)
    started = time.monotonic()
    cpu = time.process_time()
    run = _Run(store, factory, options, err)
    records = read_records(
        inputs, input_format=options.input_format, glob=options.glob,
        max_bytes=options.max_bytes, default_section=options.default_section,
        text_column=options.text_column, id_column=options.id_column,
    )
    try:
        with RunProgress(err, _known_total(inputs, options.input_format)) as progress:
            run.progress = progress
            run.loop(records)
    except BaseException as exc:
        run.summary.interrupted = type(exc).__name__ if not str(exc) else str(exc)
        raise
    finally:
        try:
            run.flush(force=True)
        finally:
            run.pool.close()
            run.summary.seconds = time.monotonic() - started
            run.summary.parent_cpu = time.process_time() - cpu
            run.summary.stored = store.count()
            store.finish_run(run.run_id, run.summary.as_dict())
    return run.summary
