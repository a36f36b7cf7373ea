"""The table of finding codes for people: ``docs/findings.md``.

The codes, their severities and :func:`finding` live in :mod:`normalizer.findings`
(re-exported here).  ``python -m normalizer.verify > docs/findings.md``
regenerates the Markdown table of every code (a test keeps the file in sync).
"""

from __future__ import annotations

from ..findings import FindingSpec, FindingTable, finding, load_findings

__all__ = ["FindingSpec", "FindingTable", "finding", "findings_markdown", "load_findings"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def findings_markdown() -> str:
    """The Markdown page listing every finding code (``docs/findings.md``)."""
    table = load_findings()
    lines = [
        "# Finding codes",
        "",
        "<!-- Generated from normalizer/data/findings.toml by"
        " `python -m normalizer.verify > docs/findings.md`; do not edit by hand. -->",
        "",
        "Severity decides the status: any `error` makes a criterion `rejected`, any"
        " `warning` makes it `needs_review`, `info` leaves it as it is.  A criterion is"
        " `accepted` only when no error or warning applies.",
        "",
        "| code | severity | from | scope | meaning | what to do |",
        "|---|---|---|---|---|---|",
    ]
    for spec in table.findings:
        lines.append(
            f"| `{spec.code}` | {spec.severity} | {', '.join(spec.emitted_by)} | {spec.scope} | "
            f"{_cell(spec.meaning)} | {_cell(spec.action)} |"
        )
    lines.append("")
    lines.append(f"findings.toml version {table.version}.")
    return "\n".join(lines) + "\n"
