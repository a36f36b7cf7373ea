"""The extractor a set of options asks for: rules, llm or hybrid (or auto).

One factory for every command and for the batch workers, which rebuild their
extractor from plain options in another process: nothing here imports the
command line.  What it has to say (the rules-only note, a cache warning) goes
through the callables it is given; ``live`` gets the LLM extractor to attach a
progress display to it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from .errors import ConfigError

if TYPE_CHECKING:
    from .extract.base import Extractor
    from .llm import LLMExtractor

__all__ = ["CHOICES", "build_extractor"]

CHOICES = ("auto", "rules", "llm", "hybrid")

RULES_ONLY = (
    "rules only: set OPENAI_BASE_URL (or --base-url) to let an LLM read what the "
    "rules cannot (--extractor hybrid)"
)


def _ignore(_message: str) -> None:
    return None


def build_extractor(
    choice: str,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    model: str | None = None,
    mode: str = "tools",
    batch_size: int = 1,
    concurrency: int | None = None,
    cache: Path | None = None,
    no_cache: bool = False,
    route: str = "incomplete",
    timeout: float | None = None,
    max_tokens: int | None = None,
    note: Callable[[str], None] = _ignore,
    warn: Callable[[str], None] = _ignore,
    live: Callable[[LLMExtractor], Any] | None = None,
) -> tuple[Extractor, LLMExtractor | None]:
    """Build the extractor ``choice`` names, and the LLM extractor inside it (if any).

    Raises :class:`~normalizer.errors.ConfigError` for an LLM choice without an
    endpoint, or an unknown choice.
    """
    if choice not in CHOICES:
        raise ConfigError(f"unknown extractor {choice!r} (one of {', '.join(CHOICES)})")
    from .extract.rules import RulesExtractor

    rules = RulesExtractor()
    configured = bool(base_url or api_key)
    if choice == "auto":
        if not configured:
            note(RULES_ONLY)
            return rules, None
        choice = "hybrid"
    if choice == "rules":
        return rules, None
    if not configured:
        raise ConfigError(
            f"--extractor {choice} needs an LLM endpoint: set OPENAI_BASE_URL "
            "(and OPENAI_API_KEY) or pass --base-url"
        )
    from .hybrid import HybridExtractor, LLMWithNotes
    from .llm import LLMExtractor, LLMSettings
    from .llm.cache import default_cache_path, open_cache

    settings = LLMSettings.from_env(
        base_url=base_url, api_key=api_key, model=model, mode=mode,
        batch_size=batch_size, concurrency=concurrency, timeout=timeout, max_tokens=max_tokens,
    )
    store = None if no_cache else open_cache(cache or default_cache_path(), warn=warn)
    llm = LLMExtractor.from_settings(settings, cache=store)
    if live is not None:
        llm.progress = live(llm)
    if choice == "llm":
        return LLMWithNotes(rules, llm), llm
    if route not in ("incomplete", "all"):
        raise ConfigError(f"unknown route {route!r} (incomplete or all)")
    return HybridExtractor(rules, llm, route=cast(Literal["incomplete", "all"], route)), llm
