r"""brat standoff: a ``.txt`` and its ``.ann``, offsets into the text exactly as stored.

Texts are read with ``newline=""``: some Chia files use CRLF and brat counts the ``\r``.
Of an ``.ann`` only entity (``T``), event (``E``), relation (``R``) and attribute
(``A``) lines are kept; OR groups, notes and normalisations are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import InputError
from .values import Span

__all__ = ["Standoff", "covering", "fragments", "parse_ann", "read_text"]


@dataclass(slots=True)
class Standoff:
    """The parsed lines of an ``.ann`` file that we use."""

    entities: dict[str, tuple[str, list[Span]]] = field(default_factory=dict)
    events: dict[str, tuple[str, str, list[tuple[str, str]]]] = field(default_factory=dict)
    relations: list[tuple[str, str, str]] = field(default_factory=list)
    attributes: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def read_text(path: Path) -> str:
    """The text of ``path`` as stored (UTF-8, newlines untouched); InputError if unreadable."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read as UTF-8 text ({exc})") from exc


def parse_ann(path: Path, text: str) -> Standoff:
    """Parse the ``.ann`` at ``path`` against ``text``; InputError names a bad line."""
    ann = Standoff()
    for lineno, line in enumerate(read_text(path).splitlines(), 1):
        if not line.strip() or line[0] in "*#N":
            continue  # OR groups, notes, normalisations
        parts = line.split("\t")
        try:
            key, body = parts[0], parts[1].split()
            if key[0] == "T":
                kind = parts[1].split(" ", 1)[0]
                spans = [
                    (int(a), int(b))
                    for a, b in (f.split() for f in parts[1].split(" ", 1)[1].split(";"))
                ]
                if any(not 0 <= a <= b <= len(text) for a, b in spans):
                    raise ValueError("span outside the text")
                ann.entities[key] = (kind, spans)
            elif key[0] == "E":
                kind, trigger = body[0].split(":", 1)
                args = [tuple(arg.split(":", 1)) for arg in body[1:]]
                ann.events[key] = (kind, trigger, [(a[0], a[1]) for a in args])
            elif key[0] == "R":
                ann.relations.append((body[0], body[1].split(":", 1)[1], body[2].split(":", 1)[1]))
            elif key[0] == "A":
                value = body[2] if len(body) > 2 else ""
                ann.attributes.setdefault(body[1], []).append((body[0], value))
        except (IndexError, ValueError) as exc:
            raise InputError(f"{path}:{lineno}: not a brat line: {line!r} ({exc})") from exc
    return ann


def covering(spans: Iterable[Span]) -> Span:
    """The span from the first start to the last end."""
    spans = list(spans)
    return min(s for s, _ in spans), max(e for _, e in spans)


def fragments(text: str, spans: Sequence[Span]) -> str:
    """The texts of ``spans``, joined by a space."""
    return " ".join(text[s:e] for s, e in spans)
