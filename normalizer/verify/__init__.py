"""Deterministic verification: every constraint checked the same way, whoever read it.

The promise to a curator: an ``accepted`` constraint is right, and everything
else carries findings that say exactly why it needs a look.  Checks are plain
code over the catalog (``data/catalog.toml``), the unit tables and the text;
finding codes and severities are data (``data/findings.toml``, listed in
``docs/findings.md``).

Modules, one idea each:

* :mod:`.codes` – the finding codes and :func:`~.codes.finding`;
* :mod:`.scan` – the quantities of a criterion's text (numbers with garbles
  undone, units, ULN/LLN, comparators, ranges, lists) and variable mentions;
* :mod:`.constraint` – one constraint against the catalog and its evidence, from:
  :mod:`.bounds` (what those checks share), :mod:`.catalog_checks` (unit, range,
  bounds, relative limits), :mod:`.grounding` (each bound's number and unit in the
  evidence), :mod:`.comparators` (the comparator the bounds imply),
  :mod:`.variable` (the variable named) and :mod:`.scope`;
* :mod:`.criterion` – one criterion (numbers nobody read) and its status;
* :mod:`.document` – across criteria: the eligible set per variable, from:
  :mod:`.intervals` (sets of the real line), :mod:`.eligible_parts` (each
  criterion's set per variable) and :mod:`.boundaries` (boundary and duplicate
  findings);
* :mod:`.agreement` – two extractors' readings compared and merged;
* :mod:`.registry` – the registry's structured fields (age, sex) against the text,
  from: :mod:`.registry_rules` (the data files), :mod:`.registry_reading` (a
  registry age, a sex restriction), :mod:`.registry_result` (what it finds, and
  where) and :mod:`.registry_ages` (the ages compared end by end).
"""

from __future__ import annotations

from .agreement import compare_extractions, merge_extractions, same_constraint
from .codes import FindingSpec, finding, findings_markdown, load_findings
from .criterion import check_criterion, status_of
from .document import check_document
from .registry import check_registry

__all__ = [
    "FindingSpec",
    "check_criterion",
    "check_document",
    "check_registry",
    "compare_extractions",
    "finding",
    "findings_markdown",
    "load_findings",
    "merge_extractions",
    "same_constraint",
    "status_of",
]
