"""What one run of the LLM cost: criteria, requests, calls, tokens and retries."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

__all__ = ["LLMUsage"]


@dataclass
class LLMUsage:
    """Criteria, calls and tokens of one run (re-asks and retries included).

    ``routed`` criteria were handed to the LLM; ``skipped_criteria`` of them hold no
    number and were not asked; ``sent`` were asked (of the endpoint, or answered from
    the cache: ``cache_hits``).  Failures count criteria, whether the endpoint failed
    now or the cache replays an answer that had failed (``failed_cached`` of them).
    """

    routed: int = 0
    sent: int = 0
    done: int = 0
    requests: int = 0
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0
    transport_retries: int = 0
    failed_transport: int = 0
    failed_invalid: int = 0
    failed_truncated: int = 0
    failed_cached: int = 0
    truncated_retries: int = 0
    skipped_criteria: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: int) -> None:
        """Add to counters, thread-safely."""
        with self._lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)

    @property
    def failed(self) -> int:
        """Criteria whose reading failed, however (endpoint, invalid, truncated)."""
        return self.failed_transport + self.failed_invalid + self.failed_truncated

    def as_dict(self) -> dict[str, int]:
        """The counters as a plain dict."""
        return {
            k: v for k, v in self.__dict__.items() if not k.startswith("_") and isinstance(v, int)
        }
