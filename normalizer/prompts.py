"""Versioned prompt files (``data/prompts/*.md``): front matter, a system and a user part.

The prompts are package data, read through :mod:`importlib.resources`, so an
installed wheel carries the same files as a checkout (whose top-level ``prompts/``
is a link to this directory, for people looking for them there).

A prompt's id is its declared ``id`` plus the first 8 hex digits of the sha256 of
the file, so any edit to a prompt or its examples changes the id that is stamped
on every output and keyed in the response cache.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from .errors import ConfigError

__all__ = ["Prompt", "load_prompt", "prompts_dir"]

_SECTION = re.compile(r"^## (system|user)\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Prompt:
    """A prompt template (Jinja, rendered by instructor with the request's context)."""

    id: str
    system: str
    user: str


def prompts_dir() -> Traversable:
    """The packaged prompts, ``normalizer/data/prompts/``."""
    return resources.files("normalizer").joinpath("data", "prompts")


def load_prompt(name: str = "extract-v1", directory: Traversable | None = None) -> Prompt:
    """Load ``<name>.md`` of ``directory`` (the packaged prompts by default).

    Raises :class:`ConfigError` if it is missing or malformed.
    """
    path = (directory or prompts_dir()).joinpath(f"{name}.md")
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"prompt {name!r}: cannot read {path} ({exc.strerror})") from None
    match = re.match(r"^---\n(.*?)\n---\n", raw, re.DOTALL)
    if not match:
        raise ConfigError(f"{path}: no front matter (--- id: ... ---)")
    declared = re.search(r"^id:\s*(\S+)\s*$", match.group(1), re.MULTILINE)
    if not declared:
        raise ConfigError(f"{path}: front matter has no id")
    parts = _SECTION.split(raw[match.end() :])
    sections = dict(zip(parts[1::2], (p.strip() for p in parts[2::2]), strict=True))
    if set(sections) != {"system", "user"}:
        raise ConfigError(f"{path}: needs exactly a '## system' and a '## user' section")
    digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:8]
    prompt_id = f"{declared.group(1)}@{digest}"
    return Prompt(id=prompt_id, system=sections["system"], user=sections["user"])
