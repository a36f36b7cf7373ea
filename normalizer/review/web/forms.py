"""The constraint form: what a curator types in the page, read back into a Constraint.

A correction edits every field of a constraint (variable, bounds and whether
they are inclusive, unit, ×ULN/LLN, qualifier); an added constraint also names
its evidence, the words of the criterion that state it.  Bad input is one
:class:`FormError` line that the page shows beside the form; nothing is saved.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from ...catalog import load_catalog
from ...models import Bound, Constraint, Criterion, RelativeTo
from ...units import to_ucum
from ...verify.scan import scan

__all__ = ["FormError", "NumberChoice", "constraint_from_form", "form_values", "free_numbers"]


class FormError(ValueError):
    """A form field that cannot be read; the message names the field."""


def _number(raw: str, field: str) -> float | None:
    text = raw.strip().replace(",", ".") if raw.count(",") == 1 and "." not in raw else raw.strip()
    text = text.replace("−", "-").replace("_", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise FormError(f"{field}: {raw.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise FormError(f"{field}: give a finite number, or leave it empty for no limit")
    return value


def _checked(form: Mapping[str, str], name: str) -> bool:
    return form.get(name, "") in ("on", "true", "1", "yes")


def _evidence(form: Mapping[str, str], criterion: Criterion) -> tuple[int, int]:
    wanted = " ".join(form.get("evidence", "").split())
    if not wanted:
        return criterion.span
    text = criterion.text
    at = text.find(wanted)
    if at < 0:  # the curator may have typed it with other spacing: match word by word
        lowered = text.lower()
        at = lowered.find(wanted.lower())
    if at < 0:
        raise FormError(f"evidence: {wanted!r} is not in the criterion text; copy it from there")
    base = criterion.span[0]
    return (base + at, base + at + len(wanted))


def constraint_from_form(
    form: Mapping[str, str], criterion: Criterion, evidence: tuple[int, int] | None = None
) -> Constraint:
    """The constraint the form describes; ``evidence`` (document offsets) unless it names one."""
    catalog = load_catalog()
    variable = form.get("variable", "").strip()
    if not variable:
        raise FormError("variable: pick the variable the criterion measures")
    var = catalog.get(variable)
    label = form.get("label", "").strip()
    if var is None and variable != "other":
        raise FormError(f"variable: {variable!r} is not in the catalog (pick one, or 'other')")
    if var is not None:
        label = label or var.label
    elif not label:
        raise FormError("label: say what the 'other' variable is")
    lower = _number(form.get("lower", ""), "lower bound")
    upper = _number(form.get("upper", ""), "upper bound")
    raw_unit = form.get("unit", "").strip()
    unit = None
    if raw_unit:
        unit = to_ucum(raw_unit)
        if unit is None:
            raise FormError(f"unit: {raw_unit!r} is not a unit this tool knows (UCUM, e.g. mg/dL)")
    relative = form.get("relative_to", "").strip()
    if relative not in ("", "ULN", "LLN"):
        raise FormError("×ULN: choose ULN, LLN or nothing")
    relative_to: RelativeTo | None = None
    if relative == "ULN":
        relative_to = "ULN"
    elif relative == "LLN":
        relative_to = "LLN"
    if relative_to is not None and unit is not None:
        raise FormError("unit: a limit relative to ULN/LLN has no unit of its own")
    if form.get("evidence", "").strip() or evidence is None:
        evidence = _evidence(form, criterion)
    return Constraint(
        variable=variable,
        label=label,
        lower=None if lower is None else Bound(value=lower, inclusive=_checked(form, "lower_inc")),
        upper=None if upper is None else Bound(value=upper, inclusive=_checked(form, "upper_inc")),
        unit=unit,
        relative_to=relative_to,
        qualifier=form.get("qualifier", "").strip() or None,
        evidence=evidence,
        extracted_by=[],
    )


def _fmt(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:g}"


def form_values(c: Constraint | None, criterion: Criterion) -> dict[str, str]:
    """A form's starting values: those of ``c``, or an empty form (``lower`` inclusive)."""
    if c is None:
        return {
            "variable": "", "label": "", "lower": "", "lower_inc": "on", "upper": "",
            "upper_inc": "on", "unit": "", "relative_to": "", "qualifier": "", "evidence": "",
        }
    base = criterion.span[0]
    return {
        "variable": c.variable,
        "label": c.label,
        "lower": "" if c.lower is None else _fmt(c.lower.value),
        "lower_inc": "on" if c.lower is None or c.lower.inclusive else "",
        "upper": "" if c.upper is None else _fmt(c.upper.value),
        "upper_inc": "on" if c.upper is None or c.upper.inclusive else "",
        "unit": c.unit or "",
        "relative_to": c.relative_to or "",
        "qualifier": c.qualifier or "",
        "evidence": criterion.text[c.evidence[0] - base : c.evidence[1] - base],
    }


@dataclass(frozen=True)
class NumberChoice:
    """A number of a criterion that no constraint reads: one a curator may dismiss."""

    start: int
    end: int
    """Document offsets of the number."""
    text: str
    context: str


def free_numbers(criterion: Criterion) -> list[NumberChoice]:
    """The numbers of ``criterion`` (as verification scans them) outside every evidence."""
    base = criterion.span[0]
    spans = [(c.evidence[0] - base, c.evidence[1] - base) for c in criterion.constraints]
    dismissed = {d.evidence for d in criterion.decisions if d.evidence is not None}
    out: list[NumberChoice] = []
    text = criterion.text
    for q in scan(text).quantities:
        if q.implicit or any(q.start < e and q.end > s for s, e in spans):
            continue
        doc_span = (base + q.start, base + q.end)
        if doc_span in dismissed:
            continue
        left, right = max(0, q.start - 25), min(len(text), q.stop + 25)
        context = ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")
        out.append(NumberChoice(doc_span[0], doc_span[1], text[q.start : q.end], context))
    return out
