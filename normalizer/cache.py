"""A persistent response cache (SQLite): a rerun of the same request costs no tokens.

Keys are the sha256 of the model, the prompt id, the instructor mode and the
request's criteria; values are the validated JSON answer, or ``{"invalid": why}``
for an answer that stayed invalid after its re-asks (temperature 0 and a fixed
seed give it again: asking twice would only pay twice).  Transport failures are
never cached, so an endpoint that was down is asked again on the next run.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

__all__ = ["ResponseCache", "default_cache_path", "request_key"]


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


class ResponseCache:
    """Thread-safe get/put of JSON answers by key."""

    def __init__(self, path: Path) -> None:
        """Open (creating if needed) the SQLite file at ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS responses ("
            " key TEXT PRIMARY KEY, model TEXT, prompt_id TEXT, answer TEXT NOT NULL,"
            " created TEXT DEFAULT CURRENT_TIMESTAMP)"
        )
        self._db.commit()

    def get(self, key: str) -> Any | None:
        """The cached answer for ``key``, or None."""
        with self._lock:
            row = self._db.execute("SELECT answer FROM responses WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def put(self, key: str, model: str, prompt_id: str, answer: Any) -> None:
        """Store ``answer`` (JSON-serialisable) under ``key``."""
        blob = json.dumps(answer, ensure_ascii=False)
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO responses (key, model, prompt_id, answer) VALUES (?,?,?,?)",
                (key, model, prompt_id, blob),
            )
            self._db.commit()

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
