"""The batch workers' forkserver, started early: its preload runs beside the parent's start-up.

``normalizer run`` forks its workers from a ``forkserver`` that has imported the
pipeline (:mod:`normalizer.batch.preload`).  Started when the pool first needs it,
the parent first spends its own start-up (the store, SQLAlchemy, the readers:
about 0.4 s) and then waits as long again for the preload; started first, the two
run side by side on two cores.  Only a leaf of the standard library is imported
here, so that the start costs the parent a process spawn (the preload runs in the
child).
"""

from __future__ import annotations

import multiprocessing
from multiprocessing import forkserver

__all__ = ["PRELOAD", "context", "start_early"]

# the console script re-imports normalizer.cli as __main__ in every worker: preload it too
PRELOAD = ["normalizer.batch.preload", "normalizer.cli"]


def context() -> multiprocessing.context.ForkServerContext:
    """The forkserver context the workers come from, its preload set."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def start_early() -> None:
    """Spawn the forkserver now (it imports :data:`PRELOAD` while the caller goes on)."""
    context()
    forkserver.ensure_running()
