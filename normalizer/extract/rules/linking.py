"""Linking: how neighbouring limits of one clause relate.

Two limits may be alternatives ("≥ 10^4 copies/ml or 2000 IU/ml"), the same limit in
another unit ("9 g/dL (5.6 mmol/L)"), the two ends of one range ("≥ 18 and ≤ 75",
"ECOG 0 or 1"), or limits under a condition ("> 2.5 mg/dL in men, or > 2.0 mg/dL
in women"; a later clause on the same variable, "if any, the ALT <5 × ULN").
"""

from __future__ import annotations

import bisect
import re
from collections import Counter

from ...catalog import Catalog
from ...models import Bound
from ...phrases import Mention
from .lexicon import Lexicon
from .limits import Limit
from .naming import NOWHERE, Reading

__all__ = ["Links", "clean", "closing"]

_DIGIT = re.compile(r"\d")
_MAX_QUALIFIER = 40  # characters of a condition between two limits on one variable
_TRAILING = re.compile(r"[\s,(]*([^;,.()]*)")
_LINK_WORDS = re.compile(
    r"^(?:[\s,;(]|or\b|and\b|but\b)+|(?:[\s,;:()]|\bor|\band|\bbut|\bthe|\ba|\ban)+$", re.I
)


class Links:
    """Tells how two limits are linked, and joins or qualifies them."""

    def __init__(self, lexicon: Lexicon, catalog: Catalog) -> None:
        self._lex = lexicon
        self._catalog = catalog

    def link(
        self,
        view: str,
        first: Limit,
        second: Limit,
        breaks: list[int],
        mentions: list[Mention],
    ) -> str | None:
        """How two limits of one clause are linked, if they are.

        ``"plain"``: only link words between them ("or", "and", "("); ``"qualified"``: a
        short condition without numbers or variables ("in men, ", "(women) and").
        """
        if any(first.end <= b < second.start for b in breaks):
            return None
        gap = view[first.end : second.start]
        if self._lex.link_gap.fullmatch(gap) is not None:
            # a bare number after a mere blank is no alternative limit ("≥80 years 2.Brain")
            return "plain" if gap.strip() or (first.explicit and second.explicit) else None
        condition = clean(gap) or ""
        if (
            len(gap) <= _MAX_QUALIFIER
            and not _DIGIT.search(gap)
            and not any(first.end <= m.start < second.start for m in mentions)
            and (
                gap.lstrip(" ,").startswith("(")
                or self._lex.qualifier_lead.match(condition)
                or self._lex.person.match(condition)
            )
        ):
            return "qualified"
        return None

    def equivalent(self, view: str, first: Limit, second: Limit) -> bool:
        """The same limit in another unit: "9 g/dL (5.6 mmol/L)", ">47 mmol/mol (>6.4%)"."""
        same_shape = (
            not second.explicit
            or (first.ranged and second.ranged)
            or (first.cmp is not None and second.cmp is not None and first.cmp.op == second.cmp.op)
        )
        return (
            same_shape
            and first.explicit
            and second.unit is not None
            and first.unit is not None
            and second.unit != first.unit
            and "(" in view[first.end : second.start]
        )

    def range_end(self, view: str, first: Limit, limit: Limit) -> bool:
        """Whether ``limit`` is the upper end of a range that ``first`` opens.

        "between >=18 and 65", ">7 to 15".
        """
        gap = view[first.end : limit.start].strip().lower()
        if gap in ("to", "-", "~"):
            return True
        return gap == "and" and self._lex.range_opener.search(view, 0, first.start) is not None

    def qualifier(self, view: str, first: Limit, limit: Limit) -> str | None:
        """The condition of an alternative limit: "(≤ 5 x ULN with liver metastases)"."""
        gap = view[first.end : limit.start]
        if "(" in gap and ")" not in gap[gap.rfind("(") :]:  # the limit opens a parenthesis
            inside = gap[gap.rfind("(") + 1 :]
            return clean(f"{inside} {view[limit.end : closing(view, limit.end) - 1]}")
        after = _TRAILING.match(view, limit.end)
        if after is None:
            return None
        text = after.group(1)
        words = text.split()
        if self._lex.qualifier_lead.match(text) or (words and self._lex.person.fullmatch(words[0])):
            return clean(text)
        return None

    def merge(self, previous: Reading, reading: Reading) -> bool:
        """Join "≥ 18 and ≤ 75" into one range, and "ECOG 0 or 1" into 0..1."""
        a, b = previous.limit, reading.limit
        if [t.variable for t in previous.targets] != [t.variable for t in reading.targets]:
            return False
        if (
            reading.qualifier
            or a.relative != b.relative
            or (a.unit and b.unit and a.unit != b.unit)
        ):
            return False
        merged: tuple[Bound | None, Bound | None] | None = None
        if a.cmp is not None and b.cmp is not None and not a.ranged and not b.ranged:
            if a.lower and not a.upper and b.upper and not b.lower:
                merged = (a.lower, b.upper)
            elif a.upper and not a.lower and b.lower and not b.upper:
                merged = (b.lower, a.upper)
        elif not b.explicit and (a.ranged or not a.explicit):
            variable = previous.targets[0].variable
            var = self._catalog.get(variable)
            listed = False  # a list of values a range can stand for
            step: float | None = None
            if var is not None and var.kind == "score":
                listed, step = True, (var.step if var.integer else None)
            elif variable == "other" and a.lower and a.upper and b.upper and all(
                x.is_integer() for x in (a.lower.value, a.upper.value, b.upper.value)
            ):
                listed, step = True, 1.0  # an uncatalogued class listed "1, 2, or 3"
            if (
                listed
                and a.lower
                and a.upper
                and b.upper
                and _adjoins(a.lower.value, a.upper.value, b.upper.value, step)
            ):
                low = min(a.lower.value, b.upper.value)
                high = max(a.upper.value, b.upper.value)
                merged = (Bound(value=low, inclusive=True), Bound(value=high, inclusive=True))
                a.ranged = True
        if merged is None or (merged[0] and merged[1] and merged[0].value > merged[1].value):
            return False
        a.lower, a.upper = merged
        a.end = b.end
        a.unit = a.unit or b.unit
        a.quantities = a.quantities + b.quantities
        return True

    def qualify_repeats(self, view: str, readings: list[Reading], breaks: list[int]) -> None:
        """Give a qualifier to a later clause that limits the same variable again.

        "ALT <2.5 × ULN; liver metastases, if any, the ALT <5 × ULN".
        """
        # earlier readings by (variable, relative, sides), with how many of each limit:
        # "an earlier reading with another limit" is then a count, not a scan (linear)
        earlier: dict[tuple[object, ...], Counter[tuple[object, ...]]] = {}
        for reading in readings:
            key, limit = _side_key(reading), _limit_key(reading)
            seen = earlier.setdefault(key, Counter())
            other = sum(seen.values()) - seen[limit] > 0
            seen[limit] += 1
            target = reading.targets[0]
            if reading.qualifier or target.start == NOWHERE or not other:
                continue
            at = bisect.bisect_right(breaks, target.start)
            if not at:
                continue
            text = clean(view[breaks[at - 1] + 1 : target.start])
            if text and len(text) <= _MAX_QUALIFIER and not _DIGIT.search(text):
                reading.qualifier = text

    def qualify_conditions(self, view: str, readings: list[Reading]) -> None:
        """Give a limit the condition written right after it: "Hb < 12 g/dL in women"."""
        for reading in readings:
            if reading.qualifier is None:
                # after the evidence: a name written after the value comes first ("5
                # standard drinks for men")
                named = [t.end for t in reading.targets if t.start != NOWHERE]
                end = max([reading.limit.end, *named])
                found = self._lex.reader.condition.match(view, end)
                if found is not None and not _leads_next(found, reading, readings):
                    reading.qualifier = clean(found.group("condition"))


def _leads_next(found: re.Match[str], reading: Reading, readings: list[Reading]) -> bool:
    """Whether a condition after ``reading`` leads the next limit on the same variable.

    "ALT ≤ 2.5 x ULN (in case of liver metastases < 5 x ULN)": the condition is the
    second limit's, not the first's.  A limit on another variable after it leaves it to
    the first ("Beighton score ≥ 5 for women up to the age of 50 years").
    """
    variables = {t.variable for t in reading.targets}
    return any(
        r is not reading
        and found.start("condition") <= r.limit.start <= found.end() + 2
        and variables & {t.variable for t in r.targets}
        for r in readings
    )


def _adjoins(low: float, high: float, value: float, step: float | None) -> bool:
    """Whether a listed score value extends ``low..high`` without a gap.

    ``step`` is the distance between an integer score's neighbouring values (None: not
    an integer score).  "ECOG 0, 1 or 2" is 0..2 and "KPS 80 or 90" 80..90; "ECOG 0 or
    2" and "GCS 3-8 or 13" are no ranges (the values between are excluded), so they are
    not merged into one.
    """
    if step is None:
        return low <= value <= high
    return low - step <= value <= high + step


def _side_key(r: Reading) -> tuple[object, ...]:
    """Readings that bound the same variable on the same side share this key."""
    x = r.limit
    return (r.targets[0].variable, x.relative, x.lower is None, x.upper is None)


def _limit_key(r: Reading) -> tuple[object, ...]:
    x = r.limit
    return tuple(None if b is None else (b.value, b.inclusive) for b in (x.lower, x.upper))


def clean(text: str) -> str | None:
    """A qualifier without the link words and brackets around it."""
    return _LINK_WORDS.sub("", " ".join(text.replace(")", " ").split())) or None


def closing(view: str, pos: int) -> int:
    """The offset just after the ``)`` that closes a parenthesis open at ``pos``."""
    close = view.find(")", pos)
    return len(view) if close < 0 else close + 1
