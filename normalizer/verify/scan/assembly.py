"""The quantities of a criterion read together: :func:`scan`.

The comparator that governs each quantity (its own, before or after it, with a
negation turning it round), the two ends of a range and the values of a list,
the unit a range or a pair of limits shares, and the comparator one quantity
carries over to the next.
"""

from __future__ import annotations

import itertools
import re

from ...models import RelativeTo
from ...reader import shared_reference
from ..lexicon import load_evidence
from .model import Op, Quantity, Reading, Scan, _lexicon
from .tokens import _implicit_limits, _number_tokens, _quantity, _word_quantities

_UNIT_LINK = re.compile(
    r"\s*(?:,\s*)?(?:or|and|to|-|/|,)\s*(?P<cmp>[^\w\s]{1,3}|[A-Za-z][A-Za-z ]{0,30}?)?\s*",
    re.IGNORECASE,
)
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and/or|or|and)?|and/or|or|/)\s*", re.IGNORECASE)
_STRONG_LINK = re.compile(r"\s*,?\s*(?:or|\(|/|or\s*\()\s*", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:not|no)\s+$", re.IGNORECASE)
_MULTIPLIER_GAP = re.compile(r"\s*[xX*]\s*")  # "> x3 upper normal limit"
_NAMED_GAP = 120  # characters: fillers and one variable's name between a comparator and its value
_INVERT: dict[str, Op] = {"gt": "le", "lt": "ge", "ge": "lt", "le": "gt"}


def _comparators(view: str, quantities: list[Quantity]) -> None:
    lex = _lexicon()
    prev = 0
    for q in quantities:
        best: re.Match[str] | None = None
        for m in lex.before.finditer(view, prev, q.start):
            if (
                lex.filler_gap.fullmatch(view, m.end(), q.start)
                or _MULTIPLIER_GAP.fullmatch(view, m.end(), q.start)
                or _restated(view, m.end(), q)
                or _named_between(view, m.end(), q.start)
            ):
                best = m
        q.after = q.stop
        if best is not None:
            _set_op(q, "before", best.group(), view, best.start())
        else:
            # "18 or older"; not after a value with its own comparator ("below 18 and
            # above 45": "and above" is the next value's)
            post = lex.after.match(view, q.stop)
            if post is None and (letters := lex.letters.match(view, q.stop)) is not None:
                post = lex.after.match(view, letters.end())  # "24 letters or over"
            if post is not None:
                _set_op(q, "after", post.group(), view, post.start())
                q.after = post.end()
            elif q.inside is not None:  # "3 times higher than the ULN"
                _set_op(q, "before", q.inside, view, q.start)
        prev = max(prev, q.after)


_FLIP: dict[str, Op] = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le"}


def _chained(view: str, quantities: list[Quantity]) -> None:
    """'18 ≤ age ≤ 75': a comparator after a value, then a name, then the next limit.

    The first value's comparator is written after it and reads the other way round
    (18 ≤ age: age ≥ 18); the two limits share the unit written after the second.
    """
    lex = _lexicon()
    for a, b in itertools.pairwise(quantities):
        if a.op is not None or b.op is None or a.role != "own" or a.implicit:
            continue
        gap = view[a.stop : b.start]
        first = lex.before.match(view, a.stop + len(gap) - len(gap.lstrip()))
        if first is None or first.end() == first.start() or first.end() > b.start:
            continue
        meaning = lex.comparator("before", first.group().strip())
        if meaning is None or meaning.op not in _FLIP:
            continue
        second = None
        for m in lex.before.finditer(view, first.end(), b.start):
            if m.end() > m.start() and lex.filler_gap.fullmatch(view, m.end(), b.start):
                second = m
        if second is None or not _named_between(view, first.end(), second.start()):
            continue
        if (meaning.op in ("lt", "le")) != (b.op in ("lt", "le")):
            continue
        a.op, a.phrase = _FLIP[meaning.op], first.group().strip()
        _share_unit(a, b)


def _relative_of(q: Quantity) -> RelativeTo | None:
    return next((r.relative for r in q.readings if r.relative is not None), None)


def _names_a_reference(quantities: list[Quantity]) -> bool:
    for q in quantities:
        for r in q.readings:
            if r.relative is not None:
                return True
    return False


def _shared_reference(view: str, quantities: list[Quantity]) -> None:
    """'Bilirubin <2x, AST <3x, creatinine <2x ULN': a multiple of the list's reference."""
    if not _names_a_reference(quantities):
        return  # nothing to share
    plain = [q for q in quantities if not q.implicit and all(r.unit is None for r in q.readings)]
    for q, end, reference in shared_reference(
        view, _lexicon().dangling, plain, lambda q: q.stop, _relative_of
    ):
        q.readings = q.readings + [Reading(v, None, reference) for v in q.values()]
        q.stop = end


def _named_between(view: str, start: int, end: int) -> bool:
    """'greater than NYHA 2': only fillers and one variable's name between."""
    if end - start > _NAMED_GAP:
        return False  # fillers and one name are short: a long gap is never one
    names = list(_lexicon().mentions.pattern.finditer(view, start, end))
    if len(names) != 1:
        return False
    m = names[0]
    lex = _lexicon()
    return bool(
        lex.filler_gap.fullmatch(view, start, m.start())
        and lex.filler_gap.fullmatch(view, m.end(), end)
    )


def _restated(view: str, start: int, q: Quantity) -> bool:
    """'three (3)': the gap before ``q`` is the same number in words and a '('."""
    m = re.fullmatch(r"\s*([A-Za-z][A-Za-z\s-]*?)\s*\(\s*", view[start : q.start])
    if m is None:
        return False
    value = load_evidence().value_of(m.group(1))
    return value is not None and value in q.values()


def _set_op(q: Quantity, position: str, phrase: str, view: str, where: int) -> None:
    meaning = _lexicon().comparator(position, phrase.strip())
    if meaning is None:
        return
    op: Op = meaning.op
    phrase = phrase.strip()
    negation = _NEGATION.search(view, 0, where)
    if op in _INVERT and negation is not None and not re.match(r"(?i)(?:not|no)\b", phrase):
        op = _INVERT[op]
        phrase = f"{negation.group().strip()} {phrase}"
    q.op, q.phrase, q.ambiguous = op, phrase, meaning.ambiguous


def _ranges_and_lists(view: str, quantities: list[Quantity]) -> None:
    lex = _lexicon()
    n = len(quantities)
    i = 0
    while i < n - 1:
        a, b = quantities[i], quantities[i + 1]
        gap = lex.range_gap.fullmatch(view, a.after, b.start)
        if gap is None and a.op is None and b.op in ("le", "lt") and b.role == "own":
            # "4 to < 17 years": a range whose upper end has its own comparator
            sep = lex.range_gap.match(view, a.after, b.start)
            word = sep.group().strip().lower() if sep is not None else ""
            if sep is not None and word not in ("and", "") and lex.before.match(view, sep.end()):
                a.role = "range-lo"
                a.group = (i, i + 1)
                _share_unit(a, b)
                i += 2
                continue
        if (
            gap is not None
            and (a.op is None or (a.op in ("ge", "gt") and not a.ambiguous))
            and not a.implicit
            and not b.implicit
            and a.values()[0] <= b.values()[-1]
            and (
                not re.fullmatch(r"\s*and\s*", gap.group(), re.IGNORECASE)
                or lex.range_opener.search(view, 0, a.start)
            )
        ):
            b.op = None
            a.role, b.role = "range-lo", "range-hi"
            a.group = b.group = (i, i + 1)
            _share_unit(a, b)
            i += 2
            continue
        i += 1
    i = 0
    while i < n - 1:
        chain = [i]
        while chain[-1] + 1 < n:
            x, y = quantities[chain[-1]], quantities[chain[-1] + 1]
            if not (
                _LIST_GAP.fullmatch(view, x.after, y.start)
                and (x.op is None or (x.op == "eq" and len(chain) == 1))
                and y.op is None
                and x.role == "own"
                and y.role == "own"
                and not x.implicit
                and not y.implicit
                and all(v.is_integer() for v in x.values() + y.values())
                and max(x.values()) < min(y.values())
            ):
                break
            chain.append(chain[-1] + 1)
        if len(chain) > 1:
            for k in chain:
                quantities[k].role = "list-mid"
                quantities[k].group = tuple(chain)
            quantities[chain[0]].role = "list-lo"
            quantities[chain[-1]].role = "list-hi"
        i = chain[-1] + 1


def _share_unit(a: Quantity, b: Quantity) -> None:
    """'18-75 years': the first value takes the unit written after the second."""
    units = {r.unit for r in b.readings if r.unit is not None}
    rel = {r.relative for r in b.readings if r.relative is not None}
    if any(r.unit or r.relative for r in a.readings):
        return
    extra = [Reading(r.value, u, None) for r in a.readings for u in units]
    extra += [Reading(r.value, None, x) for r in a.readings for x in rel]
    a.readings = a.readings + extra


def _inherit(view: str, quantities: list[Quantity]) -> None:
    lex = _lexicon()
    for prev, q in itertools.pairwise(quantities):
        link = _UNIT_LINK.fullmatch(view, prev.after, q.start)
        if link is not None and q.op is not None and prev.role == "own":
            # "< 3.5 or > 5.1 mEq/L": two limits written with one unit
            only = link.group("cmp")
            if only is None or lex.before.fullmatch(only.strip()):
                _share_unit(prev, q)
        if (
            q.op is not None
            or q.role != "own"
            or prev.op is None
            or prev.role
            not in (
                "own",
                "inherited",
                "carried",
            )
        ):
            continue
        if prev.ambiguous:
            continue
        if _STRONG_LINK.fullmatch(view, prev.after, q.start):
            q.role = "inherited"
        elif lex.clause_break.search(view, prev.after, q.start) is None:
            q.role = "carried"
        else:
            continue
        q.op, q.phrase = prev.op, prev.phrase


def scan(text: str) -> Scan:
    """Every quantity of ``text`` with its readings and comparator."""
    view = _lexicon().view(text)
    if not _lexicon().may_hold_limit(view):
        return Scan(text, view)  # no number, no number word, no ULN: no quantity
    quantities: list[Quantity] = []
    for start, end, values, pair in _number_tokens(view):
        if quantities and start < quantities[-1].stop:
            continue  # a digit inside the previous quantity's unit or power
        q = _quantity(view, text, start, end, values)
        q.pair = pair
        quantities.append(q)
    quantities += _word_quantities(view, text, quantities)
    quantities += _implicit_limits(view, text, quantities)
    quantities.sort(key=lambda q: q.start)
    _shared_reference(view, quantities)
    _comparators(view, quantities)
    _chained(view, quantities)
    _ranges_and_lists(view, quantities)
    _inherit(view, quantities)
    return Scan(text, view, quantities)
