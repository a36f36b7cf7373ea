"""How the command line ends: exit codes, signals, and writes a signal cannot cut.

Every way the process ends has a code (the README's table is this one)::

    0    every input read and normalised
    1    some inputs could not be read (each named on stderr); the others were processed
    2    usage error (bad option or value)
    3    nothing could be read, or a gold file, prompt or setting is invalid
    4    eval --thresholds: a figure fell below its floor
    5    internal error (a bug): one line on stderr, the traceback with NORMALIZER_DEBUG=1
    130  interrupted (SIGINT, Ctrl-C)
    141  stdout closed early (SIGPIPE, e.g. piped into head)
    143  terminated (SIGTERM)

SIGINT and SIGTERM raise :class:`Interrupted` (a ``BaseException``, so that no
``except Exception`` swallows it and click does not turn it into its own
"Aborted!"); ``finally`` blocks still run, which is how ``--format json`` closes
its array.  :func:`atomic_write` holds both signals off while one piece of output
is written, so a document is never cut in half, and :func:`hold_signals` while one is
serialised (pydantic wraps an exception raised inside its serialiser into its own
error: an interruption there ended the process as an internal error, status 5).
:func:`leave` ends an interrupted process at once, even while an LLM request is still
waiting for its answer.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import TextIO

__all__ = [
    "EXIT_BELOW_THRESHOLD",
    "EXIT_INTERNAL",
    "EXIT_NOTHING_READ",
    "EXIT_OK",
    "EXIT_PARTIAL",
    "EXIT_PIPE",
    "EXIT_USAGE",
    "Interrupted",
    "atomic_write",
    "handle_signals",
    "hold_signals",
    "interrupted_by",
    "leave",
]

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_NOTHING_READ = 3
EXIT_BELOW_THRESHOLD = 4
EXIT_INTERNAL = 5
EXIT_PIPE = 128 + signal.SIGPIPE

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """The process got SIGINT or SIGTERM; ``code`` is the exit code (128 + signal)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.code = 128 + signum


def leave(code: int) -> None:
    """Exit with ``code`` now: an interrupted run does not wait for work in other threads.

    A request still in flight in a worker thread would otherwise hold the exit until
    its answer or its timeout (up to minutes), an answer nobody reads; every
    ``finally`` of the main thread has run by the time this is called.
    """
    waiting = [t for t in threading.enumerate()
               if t is not threading.main_thread() and not t.daemon and t.is_alive()]
    if not waiting:
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


_last: list[int] = []


def _raise(signum: int, frame: FrameType | None) -> None:
    _last[:] = [signum]
    raise Interrupted(signum)


def interrupted_by() -> int | None:
    """The signal whose :class:`Interrupted` was raised last in this process, if any.

    A library that catches every exception of a callback (pydantic's serialiser wraps it
    into its own error) hides the interruption: the caller asks this to raise it again.
    """
    return _last[0] if _last else None


def handle_signals() -> None:
    """Make SIGINT and SIGTERM raise :class:`Interrupted`; a closed stdout ends the run.

    SIGPIPE gets its default action back (Python ignores it): writing into a pipe
    whose reader has gone (``| head``) ends the process quietly, status 141.
    Main thread only.
    """
    for signum in _SIGNALS:
        signal.signal(signum, _raise)
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)


@contextlib.contextmanager
def hold_signals() -> Iterator[None]:
    """SIGINT and SIGTERM wait (blocked in this thread) until the block is left."""
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    except (AttributeError, OSError, ValueError):  # pragma: no cover - not POSIX
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def atomic_write(text: str, stream: TextIO | None = None) -> None:
    """Write and flush ``text`` with SIGINT and SIGTERM held off until it is out."""
    out = stream if stream is not None else sys.stdout
    with hold_signals():
        out.write(text)
        out.flush()
