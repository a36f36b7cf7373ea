r"""Split registry eligibility text into criteria with exact character spans.

The input is never rewritten: every span is ``[start, end)`` into the string as
decoded, and ``text == source[start:end]``.  A criterion's span starts after its
bullet (``*``, ``-``, ``•``, ``1.``, ``1)``, ``(a)``, ``a.``, ``\*``) and ends at its
last non-blank character, so bullets and trailing blanks are never inside it.

Rules, line by line:

* A header line ("Inclusion Criteria:", "Key exclusion criteria", "INCLUSION:",
  a lead-in such as "Patients must not meet any of the following criteria:")
  sets the section and belongs to no criterion.  Text after a header's colon on
  the same line starts a criterion.
* A bulleted line starts a criterion; so does an unbulleted line at the margin.
* A line indented deeper than the current criterion's first line (or its
  bullet) continues it: registries hard-wrap long criteria that way.
* A blank line ends the current criterion.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .models import Section

__all__ = ["Segment", "header_of", "segment"]

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")

# A bullet at the start of a line: symbols, "1." / "1)" (not "1.5"), "(a)" / "(iv)" /
# "(1)", "a." / "a)" / "iv." followed by a blank, and the registry's escaped "\*".
_BULLET = re.compile(
    r"""
    [ \t\ufeff]*
    (?:
        (?:\\?[*\-•·‣◦▪●○■□➢►✓–—]) (?=\s|$)
      | \d{1,3}[.)](?!\d)
      | \(\s*(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,5})\s*\)
      | (?:[a-zA-Z]|[ivxIVX]{1,5})[.)](?=\s)
    )?
    [ \t]*
    """,
    re.VERBOSE,
)

_HEADER_WORDS = (
    r"(?:(?:key|main|major|general|specific|additional|other|principal|selected|"
    r"patient(?:s'?|'s?)?|participants?'?|subjects?'?|staff|residents?|study|trial)\s+)*"
)
# "Inclusion Criteria:", "KEY EXCLUSION CRITERIA", "Inclusion:", "Criteria for inclusion:"
_HEADER = re.compile(
    rf"""
    ^[ \t\ufeff]*(?:[#*]+[ \t]*)?
    (?:
        {_HEADER_WORDS}(?P<kind>inclusion|exclusion|inclusionary|exclusionary)
        (?:[ \t]+(?:criteria|criterion|conditions?))?
      | criteria[ \t]+for[ \t]+(?P<kind2>inclusion|exclusion)
    )
    (?:[ \t]*\((?:[^()\n]{{0,40}})\))?
    [ \t]*(?P<colon>[:：])?[ \t]*(?:[#*]+[ \t]*)?
    """,
    re.IGNORECASE | re.VERBOSE,
)
# A lead-in sentence that introduces a list: "... the following criteria:".
_LEAD_IN = re.compile(
    r"^[ \t]*[^\n]{0,160}?\b(?:criteria|following)\b[^\n]{0,60}?[:：][ \t]*$",
    re.IGNORECASE,
)
_EXCLUSION_HINT = re.compile(
    r"\bexclu\w*|\bnot\s+(?:be\s+)?(?:included|eligible|enrolled)\b|\bnone\s+of\b|\bmust\s+not\b",
    re.IGNORECASE,
)
_INCLUSION_HINT = re.compile(r"\binclu\w*|\beligib\w*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Segment:
    """A criterion found in the text: ``text == source[start:end]``."""

    id: str
    section: Section
    start: int
    end: int
    text: str


@dataclass(slots=True)
class _Open:
    section: Section
    start: int
    end: int
    indent: int


def _lines(source: str) -> Iterator[tuple[int, str]]:
    """Yield ``(offset, line)`` with line endings removed; CR, LF and CRLF all end a line."""
    for match in _LINE.finditer(source):
        raw = match.group(0)
        if not raw:
            break
        yield match.start(), raw.rstrip("\r\n")


def header_of(line: str) -> tuple[Section, int] | None:
    """If ``line`` is a section header, return its section and where its content starts."""
    match = _HEADER.match(line)
    if match:
        kind = (match.group("kind") or match.group("kind2") or "").lower()
        rest = line[match.end() :]
        # "Inclusion criteria" alone, or followed by a colon (content may follow it).
        if match.group("colon") or not rest.strip():
            section: Section = "inclusion" if kind.startswith("inclusion") else "exclusion"
            return section, match.end()
    # a lead-in ends with its colon: looked at first, as _LEAD_IN's lazy runs are slow
    lead_in = line.rstrip(" \t\n").endswith((":", "：")) and _LEAD_IN.match(line)
    if lead_in and not _has_bullet(line, 0):
        if _EXCLUSION_HINT.search(line):
            return "exclusion", len(line)
        if _INCLUSION_HINT.search(line):
            return "inclusion", len(line)
    return None


def _has_bullet(line: str, at: int) -> bool:
    bullet = _BULLET.match(line, at)
    return bullet is not None and bool(line[at : bullet.end()].strip(" \t\ufeff"))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t\ufeff"))


def segment(source: str, default_section: Section = "unknown") -> list[Segment]:
    """Split ``source`` into criteria.

    ``default_section`` applies to criteria before the first header (or to the
    whole text when it has none); headers in the text always win.
    """
    found: list[tuple[Section, int, int]] = []
    section: Section = default_section
    current: _Open | None = None

    def close() -> None:
        nonlocal current
        if current is not None:
            found.append((current.section, current.start, current.end))
            current = None

    for offset, line in _lines(source):
        if not line.strip(" \t\ufeff\u00a0\u200b"):
            close()
            continue
        content_at = 0
        header = header_of(line)
        if header is not None:
            close()
            section, content_at = header
            if not line[content_at:].strip():
                continue
        bullet = _BULLET.match(line, content_at)
        assert bullet is not None  # the pattern can match the empty string
        body_at = bullet.end()
        has_bullet = bool(line[content_at:body_at].strip(" \t\ufeff"))
        body_end = len(line.rstrip())
        if body_at >= body_end:  # a bare bullet: nothing to keep
            close()
            continue
        indent = _indent(line)
        continues = (
            current is not None and not has_bullet and content_at == 0 and indent > current.indent
        )
        if continues and current is not None:
            current.end = offset + body_end
            continue
        close()
        current = _Open(section, offset + body_at, offset + body_end, indent)
    close()

    counters: dict[str, int] = {}
    prefix = {"inclusion": "inc", "exclusion": "exc", "unknown": "unk"}
    segments: list[Segment] = []
    for sec, start, end in found:
        counters[sec] = counters.get(sec, 0) + 1
        segments.append(
            Segment(f"{prefix[sec]}-{counters[sec]}", sec, start, end, source[start:end])
        )
    return segments
