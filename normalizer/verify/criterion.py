"""Checks of one criterion, and the status its findings give it."""

from __future__ import annotations

from ..catalog import load_catalog
from ..extract.base import Extraction
from ..models import Constraint, Criterion, Finding, RelativeTo, Status
from ..reader import load_reader
from ..units import convert, unit_fits
from .bounds import same_value
from .codes import finding
from .constraint import check_constraint
from .describe import quote, reading
from .lexicon import load_evidence
from .normal_range import unread_normal_range
from .roman import unread_roman
from .scan import Quantity, Scan, scan

__all__ = ["check_criterion", "status_of", "unparsed_spans"]


def _covered(q: Quantity, evidence: list[tuple[int, int, RelativeTo | None]]) -> bool:
    """Inside a constraint's evidence; for a '< the LLN' without a number, a relative one's.

    "platelet count < the LLN ... or < 100,000/µL": the absolute limit's evidence runs
    from the name over the LLN limit, which no constraint reads.
    """
    relatives = {r.relative for r in q.readings}
    return any(
        q.start < end and q.end > start and (not q.implicit or relative in relatives)
        for start, end, relative in evidence
    )


def _counts(q: Quantity) -> bool:
    """A number to account for: written digits or words, or '<= ULN' (1 x ULN)."""
    return not q.implicit or q.op is not None


def _limit_on(q: Quantity, sc: Scan) -> str | None:
    """The catalog variable a noted number reads as a limit on, if the text says so.

    'Life expectancy lower than 3 months': a variable named since the previous
    number, a comparator of the number's own, and a unit that fits the variable.
    A duration with no comparator counts on a variable measured in time with an
    abnormal side ('life expectancy within 12 months'): the window a temporal note
    reads is then the variable's own limit (not on age: "women of childbearing age
    within 7 days before enrolment").
    """
    if q.op == "eq" or q.role != "own":
        return None
    if q.op is None and not _timed(q):
        return None
    before = [p.after for p in sc.quantities if p.after <= q.start]
    lead = max([sc.clause_start(q.start), *before])
    catalog = load_catalog()
    for var_id in sc.mentions(lead, q.stop):  # "18 y.o." names age after the number
        var = catalog.get(var_id)
        if var is None:
            continue
        if q.op is None and var.abnormal is None:
            continue  # age has no abnormal side, and windows near it are everywhere
        for r in q.readings:
            if r.relative is not None:
                fits = var.relative_ok
            elif var.canonical_unit is None:
                fits = r.unit is None
            else:
                fits = r.unit is None or unit_fits(var.id, r.unit)
            if fits:
                return var.label
    return None


def _timed(q: Quantity) -> bool:
    """Every reading of ``q`` is in a unit of time."""
    units = load_reader().time_units
    return bool(q.readings) and all(r.unit in units for r in q.readings)


def _shown(q: Quantity, sc: Scan) -> str:
    return quote(sc.text[q.start : max(q.stop, q.end)].strip(), 40)


def unparsed_spans(text: str, message: str) -> list[tuple[int, int]]:
    """The numbers an ``unparsed-number`` message on ``text`` names: [start, end) in ``text``."""
    sc = scan(text)
    return [
        (q.start, max(q.stop, q.end))
        for q in sc.quantities
        if _counts(q) and _shown(q, sc) in message
    ]


def _unparsed(crit: Criterion, sc: Scan, extraction: Extraction) -> list[Finding]:
    base = crit.span[0]
    evidence = [
        (c.evidence[0] - base, c.evidence[1] - base, c.relative_to) for c in crit.constraints
    ]
    # A note says "I read this number and it is not a constraint, because <reason>".  An
    # extractor that could not read everything (complete=False) and gives the reason
    # 'other' has not explained the number.
    notes = [
        (n.span[0] - base, n.span[1] - base, n.reason)
        for n in extraction.notes
        if extraction.complete or n.reason != "other"
    ]
    loose: list[str] = []
    for q in sc.quantities:
        if not _counts(q) or _covered(q, evidence):
            continue
        shown = _shown(q, sc)
        noted = [reason for start, end, reason in notes if q.start < end and q.end > start]
        if not noted:
            loose.append(shown)
            continue
        var = _limit_on(q, sc)
        if var is not None:
            loose.append(f"{shown} (noted as {noted[0]}, but it reads as a limit on {var})")
    if not loose:
        return []
    what = "no constraint" if not crit.constraints else "no constraint's evidence"
    return [finding("unparsed-number", f"{what} and no extractor note covers {', '.join(loose)}")]


def _repeated(crit: Criterion) -> list[Finding]:
    """Two unqualified limits on one side of one variable: one is conditional, or misread."""
    out: list[Finding] = []
    seen: dict[tuple[str, str | None, str | None, str, str], tuple[int, float]] = {}
    for k, c in enumerate(crit.constraints):
        single = c.lower is not None and c.upper is not None and c.lower.value == c.upper.value
        if c.qualifier or c.variable == "other" or single:
            continue  # "= x" pairs are comparator-unclear / eligibility-empty already
        for side, bound in (("lower", c.lower), ("upper", c.upper)):
            if bound is None:
                continue
            # compared as amounts: ">= 10^4 copies/mL or 2000 IU/mL" are two measures
            value, unit = _amount(c, bound.value)
            label = c.label.lower() if c.variable in load_evidence().label_distinguishes else ""
            key = (c.variable, c.relative_to, unit, side, label)
            if key in seen and not same_value(seen[key][1], value):
                j = seen[key][0]
                name = c.label or c.variable
                both = f"{reading(crit.constraints[j])}; {reading(c)}"
                out.append(
                    finding(
                        "limit-repeated",
                        f"two constraints both set {'an' if side == 'upper' else 'a'} {side} "
                        f"limit on {name} ({both}) and "
                        "neither has a qualifier: one probably applies only under a condition",
                        k,
                    )
                )
            seen.setdefault(key, (k, value))
    return out


def _amount(c: Constraint, value: float) -> tuple[float, str | None]:
    """The value in the canonical unit when it converts, else as stated with its unit."""
    var = load_catalog().get(c.variable)
    if c.relative_to is None and c.unit is not None and var is not None:
        converted = convert(value, c.unit, var.id)
        if converted is not None:
            return converted, var.canonical_unit
    return value, c.unit


def check_criterion(criterion: Criterion, source: str, extraction: Extraction) -> list[Finding]:
    """Findings about one criterion: each constraint, then numbers nobody read.

    ``source`` is the whole document text; the criterion's ``span`` and every
    evidence span are offsets into it.  Findings the extractor already made
    (``extraction.findings``) are not repeated.
    """
    start, end = criterion.span
    if source[start:end] != criterion.text:
        raise ValueError(
            f"criterion {criterion.id}: source[{start}:{end}] is not the criterion text"
        )
    sc = scan(criterion.text)
    out: list[Finding] = []
    for k, constraint in enumerate(criterion.constraints):
        out += check_constraint(constraint, k, criterion, sc, extraction)
    out += _repeated(criterion)
    out += _unparsed(criterion, sc, extraction)
    out += unread_roman(criterion, sc)
    out += unread_normal_range(criterion, sc)
    return out


def status_of(criterion: Criterion) -> Status:
    """``rejected`` on any error, ``needs_review`` on any warning, else ``accepted``."""
    severities = {f.severity for f in criterion.findings}
    if "error" in severities:
        return "rejected"
    if "warning" in severities:
        return "needs_review"
    return "accepted"
