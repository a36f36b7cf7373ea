"""A time budget per unit of work: run it in a worker process, give up after N seconds.

For a batch runner: one record that takes too long (a pattern nobody has seen yet,
a pathological input) must not stall half a million others.  Python cannot stop a
regular-expression match or a C call from inside, so the work runs in a separate,
long-lived worker process; when a call overruns its budget the worker is killed
(and started again for the next call) and :class:`BudgetExceeded` is raised::

    with Budgeted(seconds=5) as run:
        try:
            doc = run(normalize_text, text, name=name, extractor=RulesExtractor())
        except BudgetExceeded as exc:
            ...  # store the record as failed, with str(exc); go on with the next one

The function and its arguments must be picklable (module-level functions, the
rules extractor); an exception the function raises is raised again here.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
from collections.abc import Callable
from multiprocessing.context import BaseContext
from types import TracebackType
from typing import Any, TypeVar

from .errors import NormalizerError

__all__ = ["BudgetExceeded", "Budgeted"]

T = TypeVar("T")


class BudgetExceeded(NormalizerError):
    """The work did not finish within its budget; its worker was stopped."""


def _serve(conn: multiprocessing.connection.Connection, preload: tuple[str, ...]) -> None:
    """The worker: import ``preload``, say so, then run each task and send back the outcome."""
    import importlib

    for name in preload:
        importlib.import_module(name)
    conn.send(("ready", None))
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        fn, args, kwargs = task
        try:
            conn.send(("ok", fn(*args, **kwargs)))
        except BaseException as exc:  # sent back and raised in the caller
            conn.send(("error", exc))


class Budgeted:
    """Calls with a time budget each, in one reusable worker process."""

    def __init__(
        self,
        seconds: float,
        context: str | BaseContext = "spawn",
        preload: tuple[str, ...] = ("normalizer.pipeline", "normalizer.extract.rules"),
        start_timeout: float = 300.0,
    ) -> None:
        """``seconds`` per call.

        ``context`` is a multiprocessing start method or context; the worker imports
        the ``preload`` modules before the first budget starts (a restart after an
        overrun waits up to ``start_timeout`` seconds for it, outside any budget).
        """
        if seconds <= 0:
            raise ValueError("a budget is a positive number of seconds")
        self.seconds = seconds
        self._ctx: Any = (
            multiprocessing.get_context(context) if isinstance(context, str) else context
        )
        self._preload = preload
        self._start_timeout = start_timeout
        self._worker: Any = None
        self._conn: multiprocessing.connection.Connection | None = None

    def _start(self) -> multiprocessing.connection.Connection:
        if self._conn is None:
            mine, theirs = self._ctx.Pipe()
            self._worker = self._ctx.Process(
                target=_serve, args=(theirs, self._preload), daemon=True
            )
            self._worker.start()
            theirs.close()
            self._conn = mine
            if not mine.poll(self._start_timeout) or mine.recv()[0] != "ready":
                self._stop()
                raise BudgetExceeded("the worker process did not start")
        return self._conn

    def _stop(self) -> None:
        if self._worker is not None:
            self._worker.kill()
            self._worker.join(5)
        if self._conn is not None:
            self._conn.close()
        self._worker = self._conn = None

    def __call__(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` in the worker, or :class:`BudgetExceeded` after the budget."""
        conn = self._start()
        conn.send((fn, args, kwargs))
        if not conn.poll(self.seconds):
            self._stop()
            raise BudgetExceeded(
                f"{getattr(fn, '__name__', 'the work')} did not finish within its "
                f"{self.seconds:g}-second budget: stopped"
            )
        try:
            status, value = conn.recv()
        except EOFError:
            self._stop()
            raise BudgetExceeded("the worker process died before it answered") from None
        if status == "error":
            raise value
        result: T = value
        return result

    def close(self) -> None:
        """Stop the worker."""
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.send(None)
        self._stop()

    def __enter__(self) -> Budgeted:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
