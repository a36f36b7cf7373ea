"""Chia: a document per ``NCTxxxxxxxx_inc|exc.txt``, one criterion per line.

The section comes from the file name.  A numeric gold item is a ``Has_value``
relation from a ``Measurement`` or ``Person`` entity to a ``Value`` entity whose text
holds a digit.  Other ``Arg1`` types (Observation, Condition, Procedure...) are left
out: their values are mostly durations, counts or scores of things that are not
measurements; their numbers are kept as the document's ``other_values``.
"""

from __future__ import annotations

import re
from pathlib import Path

from ...models import Section
from ...segment import Segment
from .items import BratDoc, locate, make_item
from .standoff import covering, fragments, parse_ann, read_text
from .values import DIGIT, comparator_of, number_spans, other_readings, unit_tail

__all__ = ["read_chia"]

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_CHIA_ENTITIES = frozenset({"Measurement", "Person"})
_SECTION_OF_SUFFIX: dict[str, Section] = {"inc": "inclusion", "exc": "exclusion"}
_PREFIX: dict[Section, str] = {"inclusion": "inc", "exclusion": "exc", "unknown": "unk"}


def _chia_criteria(text: str, section: Section) -> list[Segment]:
    """One criterion per non-blank line, id ``inc-<line number>`` (1-based, blank lines counted)."""
    criteria: list[Segment] = []
    for lineno, match in enumerate(_LINE.finditer(text), 1):
        if not match.group(0):
            break
        line = match.group(0).rstrip("\r\n")
        body = line.strip()
        if body:
            start = match.start() + len(line) - len(line.lstrip())
            criteria.append(
                Segment(f"{_PREFIX[section]}-{lineno}", section, start, start + len(body), body)
            )
    return criteria


def read_chia(txt: Path) -> BratDoc:
    """Read one Chia ``.txt`` and its ``.ann``."""
    text = read_text(txt)
    section = _SECTION_OF_SUFFIX.get(txt.stem.rsplit("_", 1)[-1].lower(), "unknown")
    doc = BratDoc("chia", txt.stem, txt, text, _chia_criteria(text, section))
    ann = parse_ann(txt.with_suffix(".ann"), text)
    gold_values: set[str] = set()
    for kind, arg1, arg2 in ann.relations:
        if kind != "Has_value" or arg1 not in ann.entities or arg2 not in ann.entities:
            continue
        (entity_type, entity_spans), (value_type, spans) = ann.entities[arg1], ann.entities[arg2]
        if value_type != "Value" or not DIGIT.search(fragments(text, spans)):
            continue
        if entity_type not in _CHIA_ENTITIES:
            continue
        gold_values.add(arg2)
        cover = covering(spans)
        criterion = locate(doc.criteria, cover[0])
        if criterion is None:
            continue  # none in the corpus: every value sits on a criterion line
        gaps = [text[spans[i][1] : spans[i + 1][0]] for i in range(len(spans) - 1)]
        if any(DIGIT.search(gap) for gap in gaps):
            read = fragments(text, spans)  # the gap holds another value: fragments only
        else:
            read = text[cover[0] : cover[1]]
        numbers = number_spans(read)
        if not numbers:
            continue  # a digit only inside a name or a garble ("<ô0")
        spans_in_read = [span for _, span in numbers]
        doc.items.append(
            make_item(
                doc,
                criterion,
                entity_type,
                fragments(text, entity_spans),
                cover,
                numbers,
                comparator_of(read, spans_in_read),
                unit_tail(read, spans_in_read),
            )
        )
    for entity_id, (entity_type, spans) in ann.entities.items():
        if entity_type != "Value" or entity_id in gold_values:
            continue
        written = fragments(text, spans)
        if not DIGIT.search(written):
            continue
        where = locate(doc.criteria, covering(spans)[0])
        if where is not None:
            found = [v for v, _ in number_spans(written)] + list(other_readings(written))
            doc.other_values.setdefault(where.id, []).extend(found)
    doc.items.sort(key=lambda item: (item.value_span, item.entity_text))
    return doc
