"""LCT: a document per ``NCTxxxxxxxx.txt``, whole criteria sections with headers.

A numeric gold item is an ``Eq-Comparison`` event reached by a ``Numeric-Filter``
argument of another event (Observation, Age, Condition; LCT encodes it as an event
argument, never as a relation line), whose ``Value*`` arguments hold a digit.  The
criterion is the :func:`normalizer.segment.segment` segment holding the comparison.

LCT operators also carry a normalised attribute (``GT``, ``GTEQ``, ``BETWEEN``...).
The text wins: it agrees with the attribute on 96% of items and the disagreements
are attribute slips ("below 9.0" marked ``GT``, "at least 18 years" marked
``LTEQ``); the attribute fills in where the text says nothing ("within 6 months",
"18 and 65" with "between" outside the span).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from ...segment import segment
from .items import BratDoc, locate, make_item
from .standoff import Standoff, covering, fragments, parse_ann, read_text
from .values import DIGIT, LOWER, MULTIPLIER, UPPER, Comparator, Span, comparator_of, number_spans

__all__ = ["read_lct"]

# LCT's Eq-Operator-Value attribute.
_LCT_OPERATORS: dict[str, Comparator | None] = {
    "GT": ">",
    "GTEQ": ">=",
    "LT": "<",
    "LTEQ": "<=",
    "EQ": "=",
    "BETWEEN": "range",
    "PLUS-MINUS": None,
}
_LCT_VALUE_ARGS = ("Value",)
_LCT_UNIT_ARGS = ("Unit", "Per", "Temporal-Unit")
_LCT_COMPARISON_ARGS = ("Operator", *_LCT_VALUE_ARGS, *_LCT_UNIT_ARGS)


def _arg_spans(ann: Standoff, args: Iterable[tuple[str, str]], names: Sequence[str]) -> list[Span]:
    """Spans of the arguments named ``names`` or ``names`` + a digit (``Value2``)."""
    spans: list[Span] = []
    for role, target in args:
        if role.rstrip("0123456789") in names and target in ann.entities:
            spans.extend(ann.entities[target][1])
    return spans


def read_lct(txt: Path) -> BratDoc:
    """Read one LCT ``.txt`` and its ``.ann``."""
    text = read_text(txt)
    doc = BratDoc("lct", txt.stem, txt, text, segment(text))
    ann = parse_ann(txt.with_suffix(".ann"), text)
    for kind, trigger, args in ann.events.values():
        if kind == "Eq-Comparison" or trigger not in ann.entities:
            continue
        for role, target in args:
            if role.rstrip("0123456789") != "Numeric-Filter" or target not in ann.events:
                continue
            eq_kind, eq_trigger, eq_args = ann.events[target]
            if eq_kind != "Eq-Comparison" or eq_trigger not in ann.entities:
                continue
            value_spans = _arg_spans(ann, eq_args, _LCT_VALUE_ARGS)
            if not any(DIGIT.search(text[s:e]) for s, e in value_spans):
                continue
            own = _arg_spans(ann, eq_args, _LCT_COMPARISON_ARGS)
            cover = covering(ann.entities[eq_trigger][1] + own)
            criterion = locate(doc.criteria, cover[0])
            if criterion is None:
                continue
            read = text[cover[0] : cover[1]]
            numbers = [
                (value, (s + cover[0], e + cover[0]))
                for value, (s, e) in number_spans(read)
                if any(vs <= s + cover[0] and e + cover[0] <= ve for vs, ve in value_spans)
            ]
            if not numbers:
                continue  # digits only inside a multiplier or a name
            ops = [
                value
                for role_, op in eq_args
                if role_.rstrip("0123456789") == "Operator"
                for name, value in ann.attributes.get(op, [])
                if name == "Eq-Operator-Value"
            ]
            local = [(s - cover[0], e - cover[0]) for _, (s, e) in numbers]
            comparator = comparator_of(read, local) or _lct_comparator(ops)
            doc.items.append(
                make_item(
                    doc,
                    criterion,
                    ann.entities[trigger][0],
                    fragments(text, ann.entities[trigger][1]),
                    cover,
                    numbers,
                    comparator,
                    _lct_unit(text, ann, eq_args, cover),
                )
            )
    doc.items.sort(key=lambda item: (item.value_span, item.entity_text))
    return doc


def _lct_comparator(ops: Sequence[str]) -> Comparator | None:
    if not ops:
        return None
    found = [_LCT_OPERATORS.get(op) for op in ops]
    if LOWER.intersection(found) and UPPER.intersection(found):
        return "range"
    if len(set(found)) == 1:
        return found[0]
    return next((cmp for cmp in found if cmp in LOWER | UPPER), None)


def _lct_unit(text: str, ann: Standoff, args: Sequence[tuple[str, str]], cover: Span) -> str | None:
    spans = _arg_spans(ann, args, _LCT_UNIT_ARGS)
    if not spans:
        return None
    start, end = covering(spans)
    # "<100x109/L": the annotation marks only "L"; the multiplier belongs to the unit.
    for match in MULTIPLIER.finditer(text, cover[0], start):
        if not text[match.end() : start].strip(" /"):
            digits = re.search(r"10", match.group(0))
            start = match.start() + (digits.start() if digits else 0)
            break
    return text[start:end]
