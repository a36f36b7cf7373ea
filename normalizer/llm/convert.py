"""Answers into the project's contract: constraints with evidence, and findings.

A validated :class:`~normalizer.llm.answer.LLMItem` becomes an
:class:`~normalizer.extract.base.Extraction` of :class:`~normalizer.models.Constraint`
(bounds from the comparator, the unit in UCUM, the quote's span as evidence), kept
in proportion (duplicates once, at most ``MAX_CONSTRAINTS``, short texts); a
criterion the LLM could not read gets an empty, incomplete extraction with a finding.
"""

from __future__ import annotations

from ..catalog import load_catalog
from ..extract.base import CriterionInput, Extraction
from ..findings import finding
from ..models import Bound, Constraint, Finding
from ..units import to_ucum
from .answer import LLMConstraint, LLMItem, locate_quote

__all__ = ["MAX_CONSTRAINTS", "MAX_TEXT", "failed_extraction", "to_extraction"]

MAX_CONSTRAINTS = 20
"""Constraints kept from one answer for one criterion (after duplicates are collapsed)."""
MAX_TEXT = 200
"""Characters kept of a label or qualifier the LLM wrote."""


def _limited(item: LLMItem) -> tuple[list[LLMConstraint], list[Finding]]:
    """An answer in proportion: duplicates once, at most MAX_CONSTRAINTS, short texts."""
    findings: list[Finding] = []
    seen: set[str] = set()
    unique: list[LLMConstraint] = []
    for c in item.constraints:
        key = c.model_dump_json()
        if key not in seen:
            seen.add(key)
            unique.append(c)
    if len(unique) < len(item.constraints):
        findings.append(finding(
            "llm-duplicates-collapsed",
            f"the LLM gave {len(item.constraints)} constraints of which {len(unique)} differ: "
            "each is kept once",
        ))
    if len(unique) > MAX_CONSTRAINTS:
        findings.append(finding(
            "llm-too-many-constraints",
            f"the LLM gave {len(unique)} different constraints for one criterion: the first "
            f"{MAX_CONSTRAINTS} were kept",
        ))
        unique = unique[:MAX_CONSTRAINTS]
    cut = 0
    for n, c in enumerate(unique):
        updates: dict[str, str] = {}
        for name in ("label", "qualifier"):
            value = getattr(c, name)
            if value is not None and len(value) > MAX_TEXT:
                updates[name] = value[:MAX_TEXT].rstrip() + "…"
        if updates:
            cut += 1
            unique[n] = c.model_copy(update=updates)
    if cut:
        findings.append(finding(
            "llm-text-truncated",
            f"{cut} constraint(s) had a label or qualifier over {MAX_TEXT} characters: cut",
        ))
    return unique, findings


def to_extraction(item: LLMItem, crit: CriterionInput) -> Extraction:
    """The constraints of ``item``, located in ``crit``'s text, with their findings."""
    catalog = load_catalog()
    constraints: list[Constraint] = []
    kept, findings = _limited(item)
    for c in kept:
        span = locate_quote(crit.text, c.quote)
        if span is None:  # validated already; kept for type narrowing
            continue
        lower: Bound | None = None
        upper: Bound | None = None
        if c.comparator == "range" and c.value2 is not None:
            lo, hi = sorted((c.value, c.value2))
            lower, upper = Bound(value=lo, inclusive=True), Bound(value=hi, inclusive=True)
        elif c.comparator in (">=", ">"):
            lower = Bound(value=c.value, inclusive=c.comparator == ">=")
        elif c.comparator in ("<=", "<"):
            upper = Bound(value=c.value, inclusive=c.comparator == "<=")
        else:
            lower = upper = Bound(value=c.value, inclusive=True)
        unit: str | None = None
        if c.unit and not c.relative_to:
            unit = to_ucum(c.unit)
            if unit is None:
                findings.append(
                    finding(
                        "unit-unreadable",
                        f"the LLM gave the unit {c.unit!r}, which is not a known unit",
                        len(constraints),
                    )
                )
        var = catalog.get(c.variable)
        constraints.append(
            Constraint(
                variable=c.variable,
                label=c.label or (var.label if var else c.variable),
                lower=lower,
                upper=upper,
                unit=unit,
                relative_to=c.relative_to,
                qualifier=c.qualifier or None,
                evidence=(crit.start + span[0], crit.start + span[1]),
                extracted_by=["llm"],
            )
        )
    return Extraction(constraints=constraints, findings=findings)


def failed_extraction(code: str, message: str) -> Extraction:
    """An empty, incomplete extraction whose finding ``code`` says why."""
    return Extraction(
        findings=[finding(code, message)],
        complete=False,
    )
