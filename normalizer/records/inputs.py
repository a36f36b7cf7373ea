"""What a user names on the command line, expanded into files to read.

``-`` is standard input; ``@list.txt`` is a file of paths, one per line (blank
lines and lines starting with ``#`` skipped; paths as written, relative to the
working directory); a directory is every regular file under it whose name
matches ``glob`` (a pattern with a ``/`` matches the path under the
directory), recursing, hidden files and symlinked directories left out, in
sorted order.  With the default ``*``, only files named like records
(:data:`RECORD_SUFFIXES`: text, JSON, JSON Lines, zip, CSV) are taken, so the
LICENSE or README beside a download is not read as a trial.  Anything else is
a file, read (or refused) by the readers.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..models import RecordOrigin
from .base import ReadFailure, failure

__all__ = ["RECORD_SUFFIXES", "STDIN", "expand"]

STDIN = "-"
RECORD_SUFFIXES = (".txt", ".json", ".jsonl", ".ndjson", ".zip", ".csv", ".tsv")
"""What a directory's files are named to be read under the default ``--glob *``."""


def _walk(root: str, glob: str) -> list[str]:
    found: list[str] = []
    by_path = "/" in glob
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        rel_dir = os.path.relpath(folder, root)
        for name in files:
            if name.startswith("."):
                continue
            rel = name if rel_dir == "." else f"{rel_dir}/{name}".replace(os.sep, "/")
            if glob == "*" and not name.lower().endswith(RECORD_SUFFIXES):
                continue
            if fnmatch.fnmatchcase(rel if by_path else name, glob):
                found.append(os.path.join(folder, name))
    return sorted(found)


def _list_file(name: str) -> Iterator[str | ReadFailure]:
    at = RecordOrigin(path="@" + name)
    try:
        with open(name, "rb") as handle:
            for number, raw in enumerate(handle, 1):
                try:
                    line = raw.decode("utf-8").strip()
                except UnicodeDecodeError:
                    yield failure(at.model_copy(update={"line": number}), "not valid UTF-8")
                    continue
                if line and not line.startswith("#"):
                    yield line
    except FileNotFoundError:
        yield failure(at, "no such list file")
    except IsADirectoryError:
        yield failure(at, "the list file is a directory")
    except OSError as exc:
        yield failure(at, f"the list file cannot be read ({exc.strerror or exc})")


def _path(name: str, glob: str) -> Iterator[str | ReadFailure]:
    if name != STDIN and os.path.isdir(name):
        files = _walk(name, glob)
        if not files:
            yield failure(RecordOrigin(path=name),
                          f"a directory with no files matching --glob {glob!r}")
        yield from files
    else:
        yield name


def expand(inputs: Sequence[str], glob: str = "*") -> Iterator[str | ReadFailure]:
    """Each file to read, in order (``-`` for standard input), or a failure for a bad list."""
    for name in inputs:
        if name.startswith("@") and len(name) > 1 and not Path(name).exists():
            for item in _list_file(name[1:]):
                if isinstance(item, ReadFailure):
                    yield item
                else:
                    yield from _path(item, glob)
        else:
            yield from _path(name, glob)
