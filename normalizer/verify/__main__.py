"""``python -m normalizer.verify`` prints ``docs/findings.md`` (generated from findings.toml)."""

from __future__ import annotations

from .codes import findings_markdown

print(findings_markdown(), end="")
