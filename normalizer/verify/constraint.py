"""Checks of one constraint: against the catalog, and against its evidence.

Catalog checks need only the constraint (unit, range, bounds, relative limits:
:mod:`.catalog_checks`).  Grounding checks read the evidence: every bound's number
is written there (garbles undone), in the unit the constraint says
(:mod:`.grounding`), with the comparator the bounds imply (:mod:`.comparators`),
with ULN/LLN where the constraint is relative, and the variable is the one named
(:mod:`.variable`); the constraint's scope is checked by :mod:`.scope`.
"""

from __future__ import annotations

from ..catalog import load_catalog
from ..extract.base import Extraction
from ..models import Constraint, Criterion, Finding
from .bounds import sides
from .catalog_checks import catalog_findings
from .codes import finding
from .comparators import comparator_findings
from .describe import num, quote
from .grounding import Ground, choose, ground, numbers_in, relative_message, unit_findings
from .scan import Scan
from .scope import scope_findings
from .variable import variable_findings

__all__ = ["check_constraint"]


def _evidence_findings(
    c: Constraint, k: int, crit: Criterion, sc: Scan, extraction: Extraction
) -> tuple[list[Finding], str | None]:
    """Grounding findings, and the unit the evidence writes (for unit-missing)."""
    var = load_catalog().get(c.variable)
    start, end = c.evidence[0] - crit.span[0], c.evidence[1] - crit.span[0]
    evidence = sc.text[start:end]
    found = list(sc.inside(start, end))
    out: list[Finding] = []
    grounds: dict[str, Ground] = {}
    unstated: list[str] = []
    wrong_unit: list[str] = []
    stated_unit: str | None = None
    for side, bound in sides(c):
        candidates = ground(c, bound, found, var)
        if not candidates:
            out.append(
                finding(
                    "number-not-in-evidence",
                    f"{side} bound {num(bound.value)} is not written in the evidence "
                    f"{quote(evidence)}; {numbers_in(found)}",
                    k,
                )
            )
            continue
        rel_ok = [(g, eq) for g, eq in candidates if g.reading.relative == c.relative_to]
        if not rel_ok:
            g = candidates[0][0]
            out.append(finding("relative-mismatch", relative_message(c, side, bound, g), k))
            continue
        stated_unit = stated_unit or next(
            (g.reading.unit for g, _ in rel_ok if g.unit_stated), None
        )
        choice = choose(c, side, bound, rel_ok, var, wrong_unit, unstated)
        if choice is not None:
            grounds[side] = choice
    out += unit_findings(c, k, var, extraction, wrong_unit, unstated)
    out += comparator_findings(c, k, grounds, sc, extraction)
    out += variable_findings(c, k, sc, start, end, var)
    return out, stated_unit


def check_constraint(
    c: Constraint, k: int, crit: Criterion, sc: Scan, extraction: Extraction
) -> list[Finding]:
    """All findings about constraint ``k`` of ``crit`` (scanned as ``sc``)."""
    cs, ce = crit.span
    es, ee = c.evidence
    if not (cs <= es < ee <= ce):
        where = "is empty" if es >= ee else f"is not inside the criterion's span [{cs}, {ce})"
        return [
            finding("evidence-outside", f"the evidence span [{es}, {ee}) {where}", k),
            *catalog_findings(c, k, None, extraction),
        ]
    grounding, stated_unit = _evidence_findings(c, k, crit, sc, extraction)
    scoped = scope_findings(c, k, crit, sc)
    return catalog_findings(c, k, stated_unit, extraction) + grounding + scoped
