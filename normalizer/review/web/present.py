"""How the page shows a document: highlighted evidence, readings in words, registry fields.

Pure functions from domain objects to text or escaped markup; the templates
call them.  The words a clinician reads come from :mod:`normalizer.words`, the
one place that writes constraints for people.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from html import escape

from markupsafe import Markup

from ...catalog import load_catalog
from ...models import Bound, Canonical, Constraint, Criterion, Document, Finding
from ...verify import load_findings
from ...words import constraint_words, limits_words, unit_words

__all__ = [
    "FindingView",
    "canonical_text",
    "finding_view",
    "highlight",
    "registry_rows",
    "variable_choices",
    "variable_names",
    "words",
]


def words(c: Constraint) -> str:
    """The reading a clinician reads: 'Age ≥ 18 years', 'ALT ≤ 2.5 × ULN'."""
    return constraint_words(c)


def canonical_text(c: Constraint) -> str:
    """The canonical value beside the words ('≥ 18 years' for '≥ 216 months'), or why none."""
    if c.relative_to is not None:
        return f"× {c.relative_to}: no canonical unit"
    can: Canonical | None = c.canonical
    if can is None:
        return "no conversion"
    if can.lower is None and can.upper is None:
        return "no bounds"
    lower = None if can.lower is None or c.lower is None else Bound(
        value=can.lower, inclusive=c.lower.inclusive
    )
    upper = None if can.upper is None or c.upper is None else Bound(
        value=can.upper, inclusive=c.upper.inclusive
    )
    shown = c.model_copy(update={"lower": lower, "upper": upper, "unit": can.unit})
    return limits_words(shown) + (f"  ({can.unit})" if can.unit else "")


def highlight(crit: Criterion, numbers: list[tuple[int, int]] | None = None) -> Markup:
    """The criterion text, each constraint's evidence marked (``data-k`` its index).

    ``numbers`` (document offsets) are marked as numbers no constraint reads.
    Overlapping evidence is marked once, by the first constraint that covers it.
    """
    base = crit.span[0]
    marks: list[tuple[int, int, str]] = []
    for k, c in enumerate(crit.constraints):
        start, end = c.evidence[0] - base, c.evidence[1] - base
        kind = "ev"
        if c.decided_by is not None:
            kind += f" ev-{c.decided_by.action}"
        marks.append((start, end, f'<mark class="{kind}" data-k="{k}" title="constraint {k}">'))
    for start, end in numbers or []:
        marks.append((start - base, end - base, '<mark class="num" title="not read">'))
    marks.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    out: list[str] = []
    at = 0
    text = crit.text
    for start, end, tag in marks:
        start, end = max(start, 0), min(end, len(text))
        if start < at or end <= start:
            continue
        out.append(escape(text[at:start]))
        out.append(tag + escape(text[start:end]) + "</mark>")
        at = end
    out.append(escape(text[at:]))
    return Markup("".join(out))


@dataclass(frozen=True)
class FindingView:
    """A finding with what its code means and what to do about it."""

    code: str
    severity: str
    message: str
    constraint: int | None
    meaning: str
    action: str
    settled: bool


def finding_view(f: Finding, settled: bool = False) -> FindingView:
    """A finding with its code's meaning and 'what to do' text from ``findings.toml``."""
    try:
        spec = load_findings().get(f.code)
        meaning, action = spec.meaning, spec.action
    except KeyError:
        meaning, action = "", ""
    return FindingView(f.code, f.severity, f.message, f.constraint, meaning, action, settled)


def registry_rows(doc: Document) -> list[tuple[str, str]]:
    """The registry's structured fields (and who the record is), as label and value."""
    info = doc.record
    if info is None:
        return [("source", doc.source)]
    rows: list[tuple[str, str]] = []
    if info.nct_id:
        rows.append(("NCT id", info.nct_id))
    if info.title:
        rows.append(("title", info.title))
    if info.conditions:
        rows.append(("conditions", "; ".join(info.conditions)))
    reg = info.registry
    if reg is not None:
        if reg.minimum_age or reg.maximum_age:
            rows.append(
                ("age (registry)", f"{reg.minimum_age or 'no minimum'} to "
                 f"{reg.maximum_age or 'no maximum'}")
            )
        if reg.sex:
            rows.append(("sex", reg.sex))
        if reg.healthy_volunteers is not None:
            rows.append(("healthy volunteers", "yes" if reg.healthy_volunteers else "no"))
        if reg.std_ages:
            groups = ", ".join(a.lower().replace("_", " ") for a in reg.std_ages)
            rows.append(("age groups", groups))
    origin = info.origin
    where = origin.path + (f":{origin.member}" if origin.member else "")
    where += f" line {origin.line}" if origin.line is not None else ""
    rows.append(("read from", where))
    if doc.provenance is not None:
        p = doc.provenance
        by = p.extractor + (f" ({p.model})" if p.model else "")
        rows.append(("read by", f"{by}, normalizer {p.normalizer_version}"))
    return rows


@cache
def variable_names() -> dict[str, str]:
    """Each catalog variable's label by id (and ``other``)."""
    catalog = load_catalog()
    names = {}
    for var_id in catalog.ids():
        var = catalog.get(var_id)
        assert var is not None
        names[var_id] = var.label
    names["other"] = "other (outside the catalog)"
    return names


@cache
def variable_choices() -> list[tuple[str, str]]:
    """The catalog's variables (id, label), then ``other``."""
    catalog = load_catalog()
    out = []
    for var_id in catalog.ids():
        var = catalog.get(var_id)
        assert var is not None
        unit = f" ({unit_words(var.canonical_unit)})" if var.canonical_unit else ""
        out.append((var_id, f"{var.label}{unit}"))
    out.append(("other", "other (say what in the label)"))
    return out
