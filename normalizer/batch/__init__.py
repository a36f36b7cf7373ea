"""Batch runs over a whole registry into a run store: ``normalizer run``.

A pool of worker processes normalises records; the parent is the one writer:
it reads the records, skips those whose content hash and versions are already
stored, hands the rest to the workers in chunks and writes each returned
document, with its hash and versions, to the store.  A killed run loses
nothing written; a rerun redoes only what was in flight.

Modules, one idea each:

* :mod:`.worker`: what runs in a worker process (builds the extractor once,
  normalises records, sends back serialised documents);
* :mod:`.pool`: the worker processes (forkserver, chunks, per-record
  timeout, a crashed or hung worker replaced, workers die with the parent);
* :mod:`.runner`: the run itself (read, skip, dispatch, write);
* :mod:`.progress`: the progress bar or plain progress lines on stderr;
* :mod:`.summary`: the counts at the end, for people and as JSON.

The names below are imported when first used: a worker process imports
:mod:`.worker` through this package, and must not pay for the parent's store
(SQLAlchemy) and readers (0.3 s in the forkserver's preload, which the parent
waits for).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

if TYPE_CHECKING:
    from .runner import RunOptions, run_batch
    from .summary import RunSummary
    from .worker import ExtractorSpec

__all__ = ["ExtractorSpec", "RunOptions", "RunSummary", "run_batch"]

_HOME = {
    "ExtractorSpec": ".worker",
    "RunOptions": ".runner",
    "RunSummary": ".summary",
    "run_batch": ".runner",
}


__getattr__ = lazy_names(__name__, _HOME, globals())
