"""Emission: the constraints, findings and number notes of one criterion.

Each bound limit becomes one constraint per variable, with the findings of its
reading (a unit inferred, a comparator ambiguous, missing or stripped).  Every
number no constraint used gets a note with its reason; one that has none makes the
extraction incomplete, as does a low-confidence reading.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from ...catalog import Catalog, Variable
from ...findings import finding
from ...models import Constraint, Section
from ...words import unit_words
from ..base import Extraction, NumberNote, NumberReason
from .contexts import Contexts, Note
from .lexicon import Lexicon
from .limits import Limit
from .naming import NOWHERE, Reading
from .quantities import NEXT_WORD, NUMBER, Quantities

__all__ = ["Emitter"]

_STRIPPED_REACH = 12
"""Characters before a bare value read for the blanks of a lost comparator."""

_MAX_UNIT_WORD = 4


class Emitter:
    """Writes what one criterion's readings say into its :class:`Extraction`."""

    def __init__(
        self, lexicon: Lexicon, catalog: Catalog, contexts: Contexts, quantities: Quantities
    ) -> None:
        self._lex = lexicon
        self._catalog = catalog
        self._contexts = contexts
        self._quantities = quantities

    def emit(
        self,
        text: str,
        view: str,
        offset: int,
        reading: Reading,
        out: Extraction,
        section: Section = "unknown",
    ) -> None:
        """Add the constraints of ``reading`` to ``out``, one per variable, with findings.

        A bare '=' before the value of a measured quantity with an abnormal side
        (catalog ``abnormal``) is read as the side the criterion's ``section`` states
        (inclusion: the normal side; exclusion: the abnormal one), with a
        ``comparator-unclear`` warning: registries write '=' where a ≥ or ≤ was lost.
        """
        limit = reading.limit
        if not limit.explicit and self._lex.stripped_comparator.search(
            view, max(0, limit.value_start - _STRIPPED_REACH), limit.value_start
        ):
            # "Age  18 years": a comparator lost where the blanks are; never "= 18"
            value = limit.quantities[0].value
            out.findings.append(
                finding(
                    "comparator-stripped",
                    f"no comparator before {value:g}, only blanks where one was probably "
                    f"lost; not read as = {value:g}",
                    None,
                )
            )
            out.complete = False
            return
        unread = limit.unit is None and limit.relative is None and self._unread_unit(view, limit)
        for target in reading.targets:
            var = self._catalog.get(target.variable)
            unit = None if limit.relative else limit.unit
            findings: list[tuple[str, str]] = []
            if var is not None and var.kind != "quantity":
                unit = None
            elif unread:
                out.complete = False  # "18 ans", "1 gram/day": a unit we cannot read
            elif unit is None and not limit.relative and var is not None and var.default_unit:
                unit = var.default_unit
                said = f"no unit written; read as {unit_words(unit)}"
                findings.append(("unit-inferred", said))
            if limit.cmp is not None and limit.cmp.ambiguous:
                written = text[limit.start : limit.value_start].strip()
                findings.append(
                    (
                        "comparator-ambiguous",
                        f"{written!r} is not a comparator; read as ≥ from context",
                    )
                )
                out.complete = False
            if not limit.explicit:
                code, said = self._bare_finding(view, var, limit)
                findings.append((code, said))
                out.complete = out.complete and code == "score-value"
            lower, upper = limit.lower, limit.upper
            side = self._lost_side(view, limit, var, section)
            if side is not None and limit.lower is not None:
                value = limit.lower.value
                lower, upper = (limit.lower, None) if side == "lower" else (None, limit.upper)
                sign = "≥" if side == "lower" else "≤"
                label = self._catalog.label(target.variable)
                if var is not None and var.abnormal is None:
                    end_of = "minimum" if side == "lower" else "maximum"
                    why = f"an inclusion criterion stating one {label} states the {end_of}"
                else:
                    state = "normal" if section == "inclusion" else "abnormal"
                    why = f"an {section} criterion states the {state} side of {label}"
                findings.append(
                    (
                        "comparator-unclear",
                        f"'=' before {value:g} read as {sign} {value:g}: registries write '=' "
                        f"where a ≥ or ≤ was lost, and {why}",
                    )
                )
            start, end = limit.start, limit.end
            if target.start != NOWHERE:
                start, end = min(start, target.start), max(end, target.end)
            label = target.label or text[target.start : target.end]
            ends = [(lower, upper, unit, start, end)]
            if limit.upper_unit is not None and unit is not None:
                # one unit each, and each end its own evidence: a constraint dropped
                # leaves its number uncovered (verification then says so)
                middle = limit.quantities[0].end
                ends = [
                    (lower, None, unit, start, middle),
                    (None, upper, limit.upper_unit, limit.quantities[1].start, end),
                ]
            for low, high, end_unit, first, last in ends:
                out.constraints.append(
                    Constraint(
                        variable=target.variable,
                        label=label,
                        lower=low,
                        upper=high,
                        unit=end_unit,
                        relative_to=limit.relative,
                        qualifier=reading.qualifier,
                        evidence=(offset + first, offset + last),
                        extracted_by=["rules"],
                    )
                )
                index = len(out.constraints) - 1
                out.findings.extend(finding(code, message, index) for code, message in findings)

    def _lost_side(
        self, view: str, limit: Limit, var: Variable | None, section: Section
    ) -> str | None:
        """"lower" or "upper" when a bare '=' on ``var`` stands for a lost ≥ or ≤."""
        if (
            var is None
            or var.kind not in ("quantity", "score")
            or section not in ("inclusion", "exclusion")
            or limit.cmp is None
            or limit.cmp.op != "eq"
            or limit.ranged
            or limit.lower is None
            or limit.upper is None
            or view[limit.start : limit.value_start].strip() != "="
        ):
            return None
        if var.kind == "score" and var.possible and limit.lower.value in var.possible:
            return None  # "ECOG = 0": an end of the scale, where '=' and '≤' read the same
        if var.abnormal is None:
            return var.inclusion_side if section == "inclusion" else None
        high_is_abnormal = var.abnormal == "high"
        return "upper" if high_is_abnormal == (section == "inclusion") else "lower"

    def _unread_unit(self, view: str, limit: Limit) -> bool:
        """Whether a unit-like word no unit spelling knows follows the last value.

        Short, lower case, or with a slash or digit: "18 ans", "1 gram/day", "<1500 mm3".
        """
        match = NEXT_WORD.match(view, limit.quantities[-1].number_end)
        if match is None:
            return False
        word = match.group(1)
        if (
            word[0].isupper()
            or word.split("/")[0].lower() in self._lex.next_word_ok | self._lex.label_stop
        ):
            return False
        return len(word) <= _MAX_UNIT_WORD or any(c == "/" or c.isdigit() for c in word)

    def _bare_finding(self, view: str, var: Variable | None, limit: Limit) -> tuple[str, str]:
        value = limit.quantities[0].value
        if var is not None and var.kind == "score":
            goes_on = self._lex.unread_comparison.match(view, limit.end)
            if goes_on is not None:
                # "34 letters or better": a comparison in words no comparator form reads
                said = " ".join(goes_on.group().split())
                return (
                    "comparator-missing",
                    f"{said!r} after {value:g} is not read as a comparator; read as = {value:g}",
                )
            return ("score-value", f"a single score value, read as = {value:g}")
        return ("comparator-missing", f"no comparator written; read as = {value:g}")

    def explain(
        self,
        view: str,
        offset: int,
        numbers: list[tuple[int, int]],
        notes: list[Note],
        used: list[tuple[int, int]],
        out: Extraction,
        dosed: Sequence[int] = (),
    ) -> None:
        """A note for every number no constraint used; unexplained ones make it incomplete.

        ``dosed``: where names of catalog variables measured as doses end ("steroids
        less than 0.5 mg/kg/day"): a dose after one, in its clause, is that variable's
        limit, which the rules could not read; it is left unexplained (to review).
        """
        fallbacks: list[Note] | None = None
        covered = _Cover(used)
        for start, end in numbers:
            if covered.holds(start):
                continue
            reason: NumberReason | None = next(
                (n.reason for n in notes if n.start <= start < n.end), None
            )
            if reason is None:
                if fallbacks is None:
                    fallbacks = self._contexts.fallback_notes(view)
                reason = next((n.reason for n in fallbacks if n.start <= start < n.end), None)
            if reason is None:
                reason = self._unit_reason(view, start)
                if reason == "dose" and any(
                    0 <= start - end <= _DOSE_REACH and not _CLAUSE_END.search(view, end, start)
                    for end in dosed
                ):
                    reason = None
            if reason is None:
                reason = "other"
                out.complete = False
            out.notes.append(NumberNote((offset + start, offset + end), reason))

    def explain_words(
        self,
        view: str,
        offset: int,
        words: list[tuple[int, int]],
        notes: list[Note],
        used: list[tuple[int, int]],
        out: Extraction,
    ) -> None:
        """A note for a number word a context explains ("within four weeks")."""
        for start, end in words:
            if any(a <= start < b for a, b in used):
                continue
            reason = next((n.reason for n in notes if n.start <= start < n.end), None)
            if reason is None:
                unit = self._quantities.unit(view, end)
                if unit is not None and unit[0] in self._lex.time_units:
                    reason = "temporal"  # "for at least four weeks", as "4 weeks" is
            if reason is not None:
                out.notes.append(NumberNote((offset + start, offset + end), reason))

    def _unit_reason(self, view: str, start: int) -> NumberReason | None:
        """A dose or a duration, by the number's unit alone, when no context explained it.

        Not a dose when a volume has a comparator of its own ("FEV1 > 0.8 L"): that is
        how limits on the patient's volumes are written, and a limit on a variable the
        rules cannot name is left unexplained (to review), not explained away by its
        unit.  (A duration with a comparator, "lasting longer than 30 s", stays temporal.)
        """
        match = NUMBER.match(view, start)
        if match is None:
            return None
        unit = self._quantities.quantity(view, match).unit
        if unit in self._lex.dose_units:
            if unit in self._lex.volume_units and _OWN_COMPARATOR.search(
                view, max(0, start - 16), start
            ):
                return None
            return "dose"
        if unit in self._lex.time_units:
            return "temporal"
        return None


_DOSE_REACH = 40  # characters from a dose variable's name to its value
_CLAUSE_END = re.compile(r"[;.]\s")

_OWN_COMPARATOR = re.compile(
    r"(?:[<>≤≥≦≧]=?|=<|=>|\b(?:than|at least|at most|no more than|no less than|up to|over|above|"
    r"under|below|exceeding|minimum of|maximum of))\s*$",
    re.I,
)


class _Cover:
    """Is a position inside any of some ``[a, b)`` spans?  A bisect, not a scan of them all."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for a, b in sorted(spans):
            if b <= a:
                continue
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self._starts = [a for a, _ in merged]
        self._ends = [b for _, b in merged]

    def holds(self, pos: int) -> bool:
        k = bisect.bisect_right(self._starts, pos) - 1
        return k >= 0 and pos < self._ends[k]
