"""Replaying recorded LLM responses (vcrpy cassettes), shared by the tests and the CLI.

Cassettes are recorded against a real model (``scripts/llm/``) and replayed with
record mode ``none``: a request whose method, URL or body differs from every
recorded one fails instead of reaching the network, so an edited prompt cannot
silently replay an old answer.  Authorization headers are never stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = ["VCR_CONFIG", "replaying"]

VCR_CONFIG: dict[str, Any] = {
    "match_on": ["method", "scheme", "host", "port", "path", "query", "body"],
    "filter_headers": ["authorization", "api-key", "x-api-key", "openai-organization", "cookie"],
    "decode_compressed_response": True,
    "record_on_exception": False,
}


@contextmanager
def replaying(cassette: Path | None, record: bool = False) -> Iterator[None]:
    """Replay ``cassette`` (record mode ``none``); with ``record``, add new interactions.

    A recording cut short (Ctrl-C, SIGTERM, an error) still saves the interactions
    it completed: each is a whole answer of the real endpoint, and a rerun then asks
    only for what is missing.
    """
    if cassette is None:
        yield
        return
    try:
        import vcr
    except ImportError:
        raise ConfigError("--cassette needs vcrpy: pip install -e '.[dev]'") from None
    if not record and not cassette.is_file():
        raise ConfigError(f"{cassette}: no such cassette")
    config = {**VCR_CONFIG, "record_on_exception": record}
    recorder = vcr.VCR(record_mode="new_episodes" if record else "none", **config)
    with recorder.use_cassette(str(cassette), allow_playback_repeats=True):
        yield
