"""A persistent response cache (SQLite): a rerun of the same request costs no tokens.

Keys are the sha256 of the model, the prompt id, the instructor mode and the
request's criteria; values are the validated JSON answer, or ``{"invalid": why}``
for an answer that stayed invalid after its re-asks (temperature 0 and a fixed
seed give it again: asking twice would only pay twice).  Transport failures are
never cached, so an endpoint that was down is asked again on the next run.

A cache can never end a run:

* a file that is not a database, or whose pages are damaged, is moved aside
  (``llm.sqlite.corrupt-<time>``) with a warning, and the run goes on without one;
* a location that cannot be created or written degrades to no cache (or to a
  read-only one) with a warning;
* a row that is not JSON is a miss (with a warning), and is overwritten.

Several processes may share one file: it is in WAL mode, and a key being asked is
*claimed* (table ``inflight``), so a second process waits for the first one's
answer instead of paying for it again.  A claim whose process is gone, or older
than ``stale_after`` seconds, is taken over.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["ResponseCache", "default_cache_path", "open_cache", "request_key"]

Warn = Callable[[str], None]
_log = logging.getLogger("normalizer.cache")


def default_cache_path() -> Path:
    """``$NORMALIZER_CACHE``, else ``$XDG_CACHE_HOME/normalizer/llm.sqlite``."""
    explicit = os.environ.get("NORMALIZER_CACHE")
    if explicit:
        return Path(explicit)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "normalizer" / "llm.sqlite"


def request_key(model: str, prompt_id: str, mode: str, payload: Any) -> str:
    """A stable key for one request."""
    blob = json.dumps([model, prompt_id, mode, payload], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class CacheUnusable(Exception):
    """The cache file cannot be used; ``corrupt`` when it should be moved aside."""

    def __init__(self, message: str, corrupt: bool) -> None:
        super().__init__(message)
        self.corrupt = corrupt


def _corrupt(exc: sqlite3.Error) -> bool:
    """A damaged file (move it aside), as opposed to one we may not open or write."""
    if "malformed" in str(exc) or "not a database" in str(exc):
        return True
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(
        exc, sqlite3.OperationalError
    )


def _alive(owner: str) -> bool:
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's process: trust the age limit only
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ResponseCache:
    """Thread- and process-safe get/put of JSON answers by key, with in-flight claims."""

    def __init__(
        self, path: Path, warn: Warn | None = None, stale_after: float = 1800.0
    ) -> None:
        """Open (creating if needed) the SQLite file at ``path``.

        Raises :class:`CacheUnusable` when it cannot be opened (see :func:`open_cache`).
        """
        self.path = path
        self.stale_after = stale_after
        self._warn = warn or _log.warning
        self._warned: set[str] = set()
        self._lock = threading.Lock()
        self._owner = f"{socket.gethostname()}:{os.getpid()}"
        self._claims: set[str] = set()
        self.writable = True
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheUnusable(f"cannot create {path.parent} ({exc.strerror or exc})",
                                corrupt=False) from None
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, timeout=30)
        except sqlite3.Error as exc:
            raise CacheUnusable(f"cannot open {path} ({exc})", corrupt=False) from None
        try:
            self._open()
        except sqlite3.Error as exc:
            self._db.close()
            raise CacheUnusable(f"cannot use {path} ({exc})", corrupt=_corrupt(exc)) from None

    def _open(self) -> None:
        db = self._db
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # reads the header
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS responses ("
                " key TEXT PRIMARY KEY, model TEXT, prompt_id TEXT, answer TEXT NOT NULL,"
                " created TEXT DEFAULT CURRENT_TIMESTAMP)"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS inflight (key TEXT PRIMARY KEY, owner TEXT,"
                " since REAL)"
            )
            db.commit()
        except sqlite3.OperationalError as exc:
            if "readonly" not in str(exc) and "read-only" not in str(exc):
                raise
            db.rollback()
            have = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
            if "responses" not in have:
                raise  # read-only and empty: nothing to read either
            self.writable = False
            self._warn_once("readonly", f"LLM cache {self.path} is read-only: answers are "
                            "read from it but new ones are not stored")
        db.execute("SELECT key FROM responses LIMIT 1").fetchall()

    def _warn_once(self, kind: str, message: str) -> None:
        if kind not in self._warned:
            self._warned.add(kind)
            self._warn(message)

    def _failed(self, exc: sqlite3.Error) -> None:
        """A database error in use: stop using the cache for the rest of the run."""
        self.writable = False
        self._warn_once("failed", f"LLM cache {self.path} failed ({exc}); the run goes on "
                        "without storing answers")

    def get(self, key: str) -> Any | None:
        """The cached answer for ``key``, or None."""
        with self._lock:
            try:
                row = self._db.execute(
                    "SELECT answer FROM responses WHERE key = ?", (key,)
                ).fetchone()
            except sqlite3.Error as exc:
                self._failed(exc)
                return None
        if row is None:
            return None
        try:
            return json.loads(row[0])
        except (TypeError, ValueError):
            self._warn_once("row", f"LLM cache {self.path} holds a row that is not JSON: "
                            "treated as a miss (and overwritten)")
            return None

    def put(self, key: str, model: str, prompt_id: str, answer: Any) -> None:
        """Store ``answer`` (JSON-serialisable) under ``key``, and release its claim."""
        blob = json.dumps(answer, ensure_ascii=False, allow_nan=False)
        with self._lock:
            self._claims.discard(key)
            if not self.writable:
                return
            try:
                self._db.execute(
                    "INSERT OR REPLACE INTO responses (key, model, prompt_id, answer)"
                    " VALUES (?,?,?,?)",
                    (key, model, prompt_id, blob),
                )
                self._db.execute("DELETE FROM inflight WHERE key = ? AND owner = ?",
                                 (key, self._owner))
                self._db.commit()
            except sqlite3.Error as exc:
                self._rollback()
                self._failed(exc)

    def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.rollback()

    def claim(self, key: str) -> bool:
        """Claim ``key`` for this process; False while another live process holds it."""
        with self._lock:
            if not self.writable:
                return True  # nobody can see a claim: just ask
            try:
                if not self._db.in_transaction:
                    # the read and the write in one write transaction: two processes
                    # that both read "no claim" would otherwise both ask
                    self._db.execute("BEGIN IMMEDIATE")
                now = time.time()
                row = self._db.execute(
                    "SELECT owner, since FROM inflight WHERE key = ?", (key,)
                ).fetchone()
                if row is not None and row[0] != self._owner:
                    owner, since = row
                    if now - float(since) < self.stale_after and _alive(str(owner)):
                        self._db.rollback()
                        return False
                self._db.execute(
                    "INSERT OR REPLACE INTO inflight (key, owner, since) VALUES (?,?,?)",
                    (key, self._owner, now),
                )
                self._db.commit()
            except sqlite3.Error as exc:
                self._rollback()
                self._failed(exc)
                return True
            self._claims.add(key)
            return True

    def release(self, key: str) -> None:
        """Give up this process's claim on ``key`` (the request failed); idempotent."""
        with self._lock:
            if key not in self._claims:
                return
            self._claims.discard(key)
            if not self.writable:
                return
            try:
                self._db.execute("DELETE FROM inflight WHERE key = ? AND owner = ?",
                                 (key, self._owner))
                self._db.commit()
            except sqlite3.Error as exc:
                self._rollback()
                self._failed(exc)

    def get_or_claim(self, key: str, poll: float = 0.2) -> Any | None:
        """The cached answer (waiting while another process asks), or None once claimed."""
        while True:
            found = self.get(key)
            if found is not None:
                return found
            if self.claim(key):
                found = self.get(key)  # answered between our get and our claim
                if found is not None:
                    self.release(key)
                return found
            time.sleep(poll)

    def close(self) -> None:
        """Release this process's claims and close the database."""
        for key in list(self._claims):
            self.release(key)
        with self._lock:
            self._db.close()


def open_cache(path: Path, warn: Warn | None = None) -> ResponseCache | None:
    """A usable cache at ``path``, or None (with a warning): never an exception.

    A corrupted file is moved aside (``<name>.corrupt-<unix time>``) so that the
    next run starts a fresh cache.
    """
    say = warn or _log.warning
    try:
        return ResponseCache(path, warn=say)
    except CacheUnusable as exc:
        if not exc.corrupt:
            say(f"LLM cache unusable, running without one: {exc}")
            return None
        aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
        try:
            path.rename(aside)
            for suffix in ("-wal", "-shm"):
                side = path.with_name(path.name + suffix)
                if side.exists():
                    side.rename(aside.with_name(aside.name + suffix))
        except OSError as move:
            say(f"LLM cache {path} is corrupted ({exc}) and could not be moved aside "
                f"({move.strerror or move}): running without a cache")
            return None
        say(f"LLM cache {path} is corrupted ({exc}): moved aside to {aside.name}; "
            "running without a cache")
        return None
