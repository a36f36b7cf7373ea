"""Compiled regular expressions kept between processes: start-up without re-parsing them.

A one-record ``normalize`` spent about a third of its time (0.1-0.4 s) in
:func:`re.compile`: the reader, the rules' lexicon, verification and the
pattern checks build a few hundred large alternations, and Python parses and
assembles each one again in every process.  Inside :func:`kept_regexes`, each
pattern string the ``re`` module has to compile is looked up in a cache file
holding what ``re``'s compiler made of it last time (its opcode list, flags and
group names) and handed straight to ``_sre.compile``, the constructor that
``re`` itself calls; a pattern not found is compiled as usual and kept.

What a pattern compiles to depends only on the pattern string, its flags and
the Python build, so the file is named by the Python build and an entry by its
pattern and flags: a changed pattern is a new entry, never a stale one, and
``_sre`` validates the opcodes it is given.  New entries are added to the file
(up to a size, past which only those its writer used are kept: every process
reads the whole file, 5 ms a megabyte).  Any surprise
(another Python, an unreadable or corrupt file, a read-only folder) falls back
to plain :func:`re.compile`.
What the reader and the lexicon work out from a pattern's parse tree (the
character that starts every match, the words every match holds, the literal
words a context pattern starts with) is kept the same way: a function marked
:func:`remembered` answers from the file inside :func:`kept_regexes` when it
has been asked the same question before (its arguments are the key; answers are
plain values that :mod:`marshal` writes).
``NORMALIZER_REGEX_CACHE=off`` turns it off; ``NORMALIZER_REGEX_CACHE=DIR``
names the folder (default: ``$XDG_CACHE_HOME/normalizer`` or ``~/.cache/normalizer``).
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from functools import wraps
from pathlib import Path
from types import FrameType
from typing import Any, ParamSpec, TypeVar

__all__ = ["cache_file", "kept_regexes", "remembered"]

_P = ParamSpec("_P")
_T = TypeVar("_T")

_MAX_BYTES = 2_000_000
"""Past this size, a file keeps only what its last writer used (the engine's patterns
take about 0.9 MB; entries of other pattern data, as tests and older versions make,
would otherwise pile up: a 7 MB file cost each process 40 ms to read)."""

_Entry = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]

_VOLATILE = frozenset({"tokenize"})
"""Modules whose patterns are built from a set, so their strings change with the hash
seed: each process would add a new entry and rewrite the file (the standard library's
tokenize, which pydantic reaches through ``inspect.signature(list)``). Compiled as usual,
never kept."""

_active: tuple[dict[Any, Any], dict[Any, Any]] | None = None
"""Inside :func:`kept_regexes`: (what the file holds, what this process used)."""


def remembered(fn: Callable[_P, _T]) -> Callable[_P, _T]:
    """Answer ``fn(*args)`` from the cache file inside :func:`kept_regexes`.

    For pure functions of a pattern whose arguments are hashable plain values
    and whose answer :mod:`marshal` can write (str, int, bool, None, tuples,
    frozensets); keyword arguments are not remembered.
    """
    name = f"\0{fn.__module__}.{fn.__qualname__}"  # never a pattern's (str, int) key

    @wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        state = _active
        if state is None or kwargs:
            return fn(*args, **kwargs)
        known, used = state
        # re's flags are IntFlag members, which marshal cannot write: key on their value
        key = (name, tuple(int(a) if isinstance(a, int) else a for a in args))
        try:
            answer: _T = known[key]
        except (KeyError, TypeError):
            answer = fn(*args, **kwargs)
        used[key] = answer
        return answer

    return wrapper


def cache_file() -> Path | None:
    """Where this Python build's compiled patterns are kept, or None when turned off."""
    setting = os.environ.get("NORMALIZER_REGEX_CACHE", "")
    if setting.lower() in ("off", "0", "no"):
        return None
    if setting:
        folder = Path(setting)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        folder = Path(base) / "normalizer"
    build = hashlib.sha256(f"{sys.version}|{sys.implementation.cache_tag}".encode()).hexdigest()
    return folder / f"regex-{build[:16]}.marshal"


def _load(path: Path) -> tuple[dict[Any, Any], int]:
    """The file's entries and its size in bytes (nothing, 0 when it cannot be read)."""
    try:
        blob = path.read_bytes()
        data = marshal.loads(blob)
    except (OSError, EOFError, ValueError, TypeError):
        return {}, 0
    return (data, len(blob)) if isinstance(data, dict) else ({}, 0)


def _save(path: Path, entries: dict[Any, Any], used: dict[Any, Any]) -> None:
    """Write ``entries``, or only ``used`` when they would pass :data:`_MAX_BYTES`."""
    try:
        blob = marshal.dumps(entries)
        if len(blob) > _MAX_BYTES:
            blob = marshal.dumps(used)
    except ValueError:  # pragma: no cover - something marshal cannot write: keep nothing
        return
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".regex-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(blob)
            os.replace(tmp, path)
        except OSError:
            os.unlink(tmp)


def _from_volatile() -> bool:
    """Whether a module of :data:`_VOLATILE` asks for the pattern being compiled."""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        if frame.f_globals.get("__name__") in _VOLATILE:
            return True
        frame = frame.f_back
    return False


def _compiler_of(
    known: dict[tuple[str, int], _Entry], used: dict[tuple[str, int], _Entry]
) -> Callable[..., Any]:
    """A stand-in for ``re._compiler.compile``: from ``known`` when it can, else compiled."""
    import _sre  # type: ignore[import-not-found]

    compiler: Any = getattr(re, "_compiler")  # noqa: B009  (re's own module, 3.11+)
    parser: Any = getattr(re, "_parser")  # noqa: B009

    def compile_(p: Any, flags: int = 0) -> Any:
        if not isinstance(p, str) or flags & re.DEBUG:
            return original(p, flags)
        key = (p, flags)
        entry = known.get(key)
        if entry is None and _from_volatile():
            return original(p, flags)
        if entry is None:  # what re._compiler.compile does, keeping the parts
            parsed = parser.parse(p, flags)
            code = compiler._code(parsed, flags)
            groupindex = parsed.state.groupdict
            indexgroup: list[str | None] = [None] * parsed.state.groups
            for name, i in groupindex.items():
                indexgroup[i] = name
            entry = (  # plain ints, strs, lists and dicts: what marshal writes
                int(flags | parsed.state.flags), [int(c) for c in code],
                int(parsed.state.groups - 1), {str(k): int(v) for k, v in groupindex.items()},
                tuple(indexgroup),
            )
        try:
            final, code, groups, names, index = entry
            compiled = _sre.compile(p, final, code, groups, names, index)
        except Exception:  # a damaged entry: compile it the usual way
            return original(p, flags)
        used[key] = entry
        return compiled

    original: Callable[..., Any] = compiler.compile
    return compile_


@contextlib.contextmanager
def kept_regexes() -> Iterator[None]:
    """Within the block, patterns compile from the cache file (and new ones are kept)."""
    path = cache_file()
    compiler: Any = getattr(re, "_compiler", None)
    if path is None or compiler is None or not hasattr(compiler, "_code"):
        yield
        return
    global _active
    known, size = _load(path)
    used: dict[tuple[str, int], _Entry] = {}
    original = compiler.compile
    try:
        compiler.compile = _compiler_of(known, used)
    except Exception:  # pragma: no cover - re's internals not as expected
        yield
        return
    outer, _active = _active, (known, used)
    try:
        yield
    finally:
        compiler.compile = original
        _active = outer
        if used.keys() - known.keys() or size > _MAX_BYTES:
            _save(path, {**known, **used}, used)
