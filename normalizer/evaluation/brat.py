r"""Read the numeric gold items of the two brat corpora (Chia and LCT).

Both corpora are brat standoff: a ``.txt`` and an ``.ann`` per document, with
character offsets into the ``.txt`` exactly as stored (files are read with
``newline=""``: some Chia files use CRLF and brat counts the ``\r``).

What counts as a numeric gold item:

* **Chia** (``NCTxxxxxxxx_inc|exc.txt``, one criterion per line, the section
  from the file name): a ``Has_value`` relation from a ``Measurement`` or
  ``Person`` entity to a ``Value`` entity whose text holds a digit.  Other
  ``Arg1`` types (Observation, Condition, Procedure...) are left out: their
  values are mostly durations, counts or scores of things that are not
  measurements.  ``*\tOR`` group lines are skipped.
* **LCT** (``NCTxxxxxxxx.txt``: whole criteria sections with headers): an
  ``Eq-Comparison`` event reached by a ``Numeric-Filter`` argument of another
  event (Observation, Age, Condition; LCT encodes it as an event argument, never
  as a relation line), whose ``Value*`` arguments hold a digit.  The criterion
  is the :func:`normalizer.segment.segment` segment holding the comparison.

How the value text is read (the same for both corpora):

* ``value_text`` is ``source[value_span]``.  For a discontinuous Chia value the
  span covers all fragments: Chia splits "greater than or equal to 10 g/dL" into
  "greater than 10 g/dL" OR "equal to 10 g/dL", and only the covering text
  keeps the comparator.  When a gap between fragments holds a digit the
  covering text mixes in another value ("at least 60 kg ... and 48 kg"), so
  numbers and comparator are then read from the fragments alone.
* ``values`` are the numbers in the text, in order.  A power-of-ten multiplier
  belongs to the unit, not to the value: "1.5 x 10^9/L", "1.5×109/L" (the
  registry's flattened superscript) and "10.0\*109/L" all give ``[1.5]`` and
  the multiplier goes to ``unit_text``.  "12,000" is 12000, "1,5" is 1.5, a
  dash between two numbers is a range, not a minus sign.  For LCT only numbers
  inside the annotated ``Value*`` arguments count.
* ``comparator`` comes from the :data:`COMPARATOR_PHRASES` table: a phrase
  before a number ("at least", "≥", "more than") or after it ("or older",
  "or more") applies to that number; a lower and an upper bound, "between", or
  a dash/"to" between two numbers make a ``"range"``.  A bare ``=`` sign gives
  ``None``: in this registry text it is mostly a ≥ or ≤ whose glyph was lost
  ("=18 years"), so it cannot be trusted either way; so does a "±" tolerance.
  LCT operators also carry a normalised attribute (``GT``, ``GTEQ``,
  ``BETWEEN``...).  The text wins: it agrees with the attribute on 96% of items
  and the disagreements are attribute slips ("below 9.0" marked ``GT``, "at
  least 18 years" marked ``LTEQ``); the attribute fills in where the text says
  nothing ("within 6 months", "18 and 65" with "between" outside the span).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..errors import InputError
from ..models import Section
from ..segment import Segment, segment

__all__ = [
    "COMPARATOR_PHRASES",
    "BratDoc",
    "BratNumeric",
    "Comparator",
    "Corpus",
    "detect_corpus",
    "iter_documents",
    "nct_id",
    "parse_comparator",
    "parse_numbers",
    "read_document",
]

Corpus = Literal["chia", "lct"]
Comparator = Literal[">", ">=", "<", "<=", "=", "range"]
Span = tuple[int, int]

# "?" marks a bare "=" sign: a lost >= or <= as often as a real equality.
_Cmp = Literal[">", ">=", "<", "<=", "=", "?"]

# (regex, comparator, attaches to): "next" for a phrase before its number
# ("at least 18"), "prev" for one after it ("18 or older").  Matched as one
# alternation, longest first, case-insensitively.
COMPARATOR_PHRASES: tuple[tuple[str, _Cmp, Literal["next", "prev"]], ...] = (
    # >=
    (
        r"≥|⩾|≧|(?<!\w)³(?=\s*\d)|˃\s*=|=\s*/\s*>|>\s*/\s*=|>\s*or\s*=|\\?>\s*_|=\s*>|\\?>\s*=",
        ">=",
        "next",
    ),
    (
        r"\b(?:greater|more|higher|larger|older)\s+(?:than\s+)?(?:or\s+)?equals?(?:\s+to)?\b",
        ">=",
        "next",
    ),
    (
        r"\bequals?\s+(?:to\s+)?or\s+(?:greater|more|higher|larger|older|above|over)(?:\s+than)?\b",
        ">=",
        "next",
    ),
    (
        r"\b(?:at\s+least|no\s+(?:less|fewer|lower)\s+than|not\s+(?:less|fewer|lower)\s+than|"
        r"(?:a\s+)?minimum(?:\s+of)?)",
        ">=",
        "next",
    ),
    (
        r"\b(?:or|and)\s+(?:more|greater|higher|older|above|over|longer|up|bigger|larger)\b",
        ">=",
        "prev",
    ),
    (r"(?<=\d)\s*\+", ">=", "prev"),
    # <=
    (
        r"≤|⩽|≦|£(?=\s*\d)|˂\s*=|=\s*/\s*<|<\s*/\s*=|<\s*or\s*=|\\?<\s*_|=\s*<|\\?<\s*=",
        "<=",
        "next",
    ),
    (
        r"\b(?:less|fewer|lower|smaller|younger)\s+(?:than\s+)?(?:or\s+)?equals?(?:\s+to)?\b",
        "<=",
        "next",
    ),
    (
        r"\bequals?\s+(?:to\s+)?or\s+(?:less|lower|fewer|smaller|younger|below|under)(?:\s+than)?\b",
        "<=",
        "next",
    ),
    (
        r"\b(?:at\s+most|up\s+to|no\s+(?:more|greater|higher)\s+than|"
        r"not\s+(?:more|greater|higher)\s+than|not\s+(?:to\s+)?exceed(?:ing)?|"
        r"(?:does|do|should|must)\s+not\s+exceed|(?:a\s+)?maximum(?:\s+of)?)",
        "<=",
        "next",
    ),
    (r"\b(?:or|and)\s+(?:less|lower|younger|below|under|fewer|shorter|smaller)\b", "<=", "prev"),
    # > and <
    (
        r"\b(?:greater|more|higher|larger|bigger|older|longer)\s+than\b|\bover\b|\babove\b|"
        r"\bexceed(?:s|ing)?\b|\bin\s+excess\s+of\b|\bsuperior\s+to\b|\bbeyond\b|\\?>|＞|˃",
        ">",
        "next",
    ),
    (
        r"\b(?:less|lower|smaller|fewer|younger|shorter)\s+than\b|\bbelow\b|\bunder\b|"
        r"\binferior\s+to\b|\\?<|＜|˂",
        "<",
        "next",
    ),
    # = (words) and the bare, untrustworthy "=" sign
    (r"\b(?:equal\s+to|equals|exactly)\b", "=", "next"),
    (r"=", "?", "next"),
)

_PHRASE = re.compile(
    "|".join(f"({pattern})" for pattern, _, _ in COMPARATOR_PHRASES), re.IGNORECASE
)
_SIDED: dict[_Cmp, Comparator] = {">": ">", ">=": ">=", "<": "<", "<=": "<="}
_LOWER = frozenset({">", ">="})
_UPPER = frozenset({"<", "<="})

# A power-of-ten multiplier: part of the unit, never a value.  Without a caret
# (the registry's flattened "×109/L") only the usual exponents 3, 6, 9, 12 count,
# so "2 x 100 mg" keeps its 100.
_MULTIPLIER = re.compile(
    r"""
    (?:(?:[x×X*]|\\\*)\s*)?
    10\s*(?:\^|\*\*|\*|[eE])\s*\(?[-−]?\d{1,2}\)?(?!\d)
  | (?:[x×X*]|\\\*)\s*10\s*\(\s*[-−]?\d{1,2}\s*\)
  | (?:[x×X*]|\\\*)\s*10(?:3|6|9|12)(?!\d)
  | (?:(?:[x×X*]|\\\*)\s*)?10[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+
  | (?<=\d\s)10(?:3|6|9|12)(?=\s*/)
    """,
    re.VERBOSE,
)
# Numbers that belong to a unit: "mL/min/1.73 m2", "g/24 h".
_IN_UNIT = re.compile(r"(?:/|\bper\b)\s*(?:1[.,]73\s*m(?:2|²|\^2|\*m)?|24\s*-?\s*h)", re.IGNORECASE)
# A number not glued to a preceding letter ("mm3", "HbA1c", "FEV1" and "COVID-19" are
# names, "kg.m-2" a unit).  Thousands: "12,000", "100 000"; a lone comma is a decimal
# comma ("1,5 mg/dL"), the registry's usual meaning.
_NUMBER = re.compile(
    r"(?<![^\W\d_])(?<![.,\d])[-−]?"
    r"(?:\d{1,3}(?:,\d{3})+(?![\d,])|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d.,])"
    r"|\d+(?:[.,]\d+)?|\.\d+)(?!\d)"
)
_UNIT_EXPONENT = re.compile(r"[^\W\d_]-$")
_RANGE_GAP = re.compile(
    r"^[^\d<>≤≥=]{0,12}?(?:-|–|—|~|～|\bto\b|\bthrough\b|\bthru\b)\s*$", re.IGNORECASE
)
_PLUS_MINUS = re.compile(r"±|\+\s*/\s*-|\+\s*-(?!\d)")
_BETWEEN = re.compile(r"\bbetween\b|\bfrom\b.*\bto\b", re.IGNORECASE | re.DOTALL)
_DIGIT = re.compile(r"\d")
_NCT = re.compile(r"NCT\d{8}")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")

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
_CHIA_ENTITIES = frozenset({"Measurement", "Person"})
_LCT_VALUE_ARGS = ("Value",)
_LCT_UNIT_ARGS = ("Unit", "Per", "Temporal-Unit")
_LCT_COMPARISON_ARGS = ("Operator", *_LCT_VALUE_ARGS, *_LCT_UNIT_ARGS)
_SECTION_OF_SUFFIX: dict[str, Section] = {"inc": "inclusion", "exc": "exclusion"}
_PREFIX: dict[Section, str] = {"inclusion": "inc", "exclusion": "exc", "unknown": "unk"}


@dataclass(frozen=True, slots=True)
class BratNumeric:
    """One numeric gold item: a thing (entity) bounded by a value, in one criterion.

    Offsets (``criterion_start``, ``value_span``) are into the document's file;
    ``criterion_text == text[criterion_start:criterion_start + len(criterion_text)]``
    and ``value_text == text[value_span[0]:value_span[1]]``.
    """

    corpus: Corpus
    doc_id: str
    source_path: Path
    section: Section
    criterion_id: str
    criterion_text: str
    criterion_start: int
    entity_type: str
    entity_text: str
    value_text: str
    value_span: Span
    values: tuple[float, ...]
    comparator: Comparator | None
    unit_text: str | None

    @property
    def nct_id(self) -> str:
        """The trial's NCT id."""
        return nct_id(self.doc_id)


@dataclass(frozen=True, slots=True)
class BratDoc:
    """A brat document: its text, its criteria and its numeric gold items."""

    corpus: Corpus
    doc_id: str
    source_path: Path
    text: str
    criteria: list[Segment]
    items: list[BratNumeric] = field(default_factory=list)
    other_values: dict[str, list[float]] = field(default_factory=dict)
    """Chia only: by criterion id, the numbers of the Value entities that are not gold
    items: hung on another entity type (Observation, Drug...) or on no entity at all (the
    annotator marked the Value but drew no relation).  A lenient precision counts them."""

    @property
    def nct_id(self) -> str:
        """The trial's NCT id."""
        return nct_id(self.doc_id)


# --- numbers and comparators -------------------------------------------------------------


def _mask_multipliers(text: str) -> tuple[str, list[Span]]:
    spans = [m.span() for pattern in (_MULTIPLIER, _IN_UNIT) for m in pattern.finditer(text)]
    masked = list(text)
    for start, end in spans:
        masked[start:end] = " " * (end - start)
    return "".join(masked), spans


def _to_float(token: str) -> float:
    token = token.replace("−", "-")
    if re.fullmatch(r"-?\d{1,3}(?:[, \u00a0\u202f]\d{3})+", token):
        return float(re.sub(r"[, \u00a0\u202f]", "", token))
    return float(token.replace(",", "."))


def _numbers(text: str) -> list[tuple[float, Span]]:
    """Numbers in ``text`` with their spans, multipliers masked."""
    masked, _ = _mask_multipliers(text)
    found: list[tuple[float, Span]] = []
    for match in _NUMBER.finditer(masked):
        token, start = match.group(0), match.start()
        if len(token) == 1 and _UNIT_EXPONENT.search(masked[max(0, start - 2) : start]):
            continue  # "kg.m-2", "min-1"
        if token[0] in "-−":
            before = masked[:start].rstrip()
            # "12-65", "18 -65", "0.5% - 1%", "15°-45°": a dash after a number is a range.
            if before and (before[-1].isdigit() or before[-1] in ")%]°'\""):
                token, start = token[1:], start + 1
        found.append((_to_float(token), (start, match.end())))
    return found


def parse_numbers(text: str) -> list[float]:
    """Return the numbers of a value text, in order.

    ``"1.5 x 10^9/L"`` -> ``[1.5]``; ``"0 - 2"`` -> ``[0.0, 2.0]``; ``"<100,000/mm3"`` ->
    ``[100000.0]``.
    """
    return [value for value, _ in _numbers(text)]


def _comparator(text: str, numbers: Sequence[Span]) -> Comparator | None:
    if not numbers or _PLUS_MINUS.search(text):
        return None  # "23 (+/- 4)" is a centre and a tolerance, not a comparison
    masked, _ = _mask_multipliers(text)
    per_number: list[_Cmp | None] = [None] * len(numbers)
    for match in _PHRASE.finditer(masked):
        assert match.lastindex is not None
        _, cmp, attaches = COMPARATOR_PHRASES[match.lastindex - 1]
        if attaches == "next":
            index = next((i for i, (s, _) in enumerate(numbers) if s >= match.end()), None)
            if index is not None:
                per_number[index] = cmp  # the phrase nearest the number wins
        else:
            index = next(
                (i for i in reversed(range(len(numbers))) if numbers[i][1] <= match.start()),
                None,
            )
            if index is not None and per_number[index] in (None, "?", "="):
                per_number[index] = cmp
    if len(numbers) >= 2:
        gaps = [masked[numbers[i][1] : numbers[i + 1][0]] for i in range(len(numbers) - 1)]
        if _BETWEEN.search(masked) or any(_RANGE_GAP.match(gap) for gap in gaps):
            return "range"
    sided = [(_SIDED[cmp], i) for i, cmp in enumerate(per_number) if cmp and cmp in _SIDED]
    lower = next((i for cmp, i in sided if cmp in _LOWER), None)
    upper = next((i for cmp, i in sided if cmp in _UPPER), None)
    if lower is not None and upper is not None:
        # ">= 18 and <= 65" is a range; "< 18 or > 65" is not one interval.
        return "range" if lower < upper else None
    if sided:
        return sided[0][0]
    if "=" in per_number:
        return "="
    return None


def parse_comparator(text: str) -> Comparator | None:
    """Return the comparator of a value text: ``"greater than or equal to 10 g/dL"`` -> ``">="``.

    ``None`` when the text has no number, states no direction (a bare value), or
    only a bare ``=`` sign (see the module docstring).
    """
    return _comparator(text, [span for _, span in _numbers(text)])


def _unit_tail(text: str, numbers: Sequence[Span]) -> str | None:
    """Chia has no unit annotation: the unit is what follows the last number."""
    if not numbers:
        return None
    tail = text[numbers[-1][1] :]
    tail = re.sub(r"^\s*(?:[x×X*]|\\\*)(?=\s|\d|[A-Z])\s*", "", tail)  # "x 10^9/L", "x ULN"
    tail = re.sub(r"\s+", " ", _PHRASE.sub(" ", tail)).strip(" .,;:=")
    if tail.count("(") != tail.count(")"):
        tail = tail.strip(" ()[]")
    return tail or None


# --- brat standoff --------------------------------------------------------------------


@dataclass(slots=True)
class _Ann:
    """The parsed lines of an ``.ann`` file that we use."""

    entities: dict[str, tuple[str, list[Span]]] = field(default_factory=dict)
    events: dict[str, tuple[str, str, list[tuple[str, str]]]] = field(default_factory=dict)
    relations: list[tuple[str, str, str]] = field(default_factory=list)
    attributes: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def _read_text(path: Path) -> str:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read as UTF-8 text ({exc})") from exc


def _parse_ann(path: Path, text: str) -> _Ann:
    ann = _Ann()
    for lineno, line in enumerate(_read_text(path).splitlines(), 1):
        if not line.strip() or line[0] in "*#N":
            continue  # OR groups, notes, normalisations
        parts = line.split("\t")
        try:
            key, body = parts[0], parts[1].split()
            if key[0] == "T":
                kind = parts[1].split(" ", 1)[0]
                spans = [
                    (int(a), int(b))
                    for a, b in (f.split() for f in parts[1].split(" ", 1)[1].split(";"))
                ]
                if any(not 0 <= a <= b <= len(text) for a, b in spans):
                    raise ValueError("span outside the text")
                ann.entities[key] = (kind, spans)
            elif key[0] == "E":
                kind, trigger = body[0].split(":", 1)
                args = [tuple(arg.split(":", 1)) for arg in body[1:]]
                ann.events[key] = (kind, trigger, [(a[0], a[1]) for a in args])
            elif key[0] == "R":
                ann.relations.append((body[0], body[1].split(":", 1)[1], body[2].split(":", 1)[1]))
            elif key[0] == "A":
                value = body[2] if len(body) > 2 else ""
                ann.attributes.setdefault(body[1], []).append((body[0], value))
        except (IndexError, ValueError) as exc:
            raise InputError(f"{path}:{lineno}: not a brat line: {line!r} ({exc})") from exc
    return ann


def _cover(spans: Iterable[Span]) -> Span:
    spans = list(spans)
    return min(s for s, _ in spans), max(e for _, e in spans)


def _fragments(text: str, spans: Sequence[Span]) -> str:
    return " ".join(text[s:e] for s, e in spans)


def nct_id(doc_id: str) -> str:
    """Return the NCT id inside a document id (``"NCT00094861_inc"`` -> ``"NCT00094861"``)."""
    match = _NCT.search(doc_id)
    return match.group(0) if match else doc_id


# Other readings of a value as written, kept beside the literal one: European thousands
# ("150.000 cels/mm3" is 150000) and a power of ten whose superscript was lost ("< 105/mm3"
# is 10^5, "> 103 IU/mL" 10^3).  A prediction on either reading matches.
_DOT_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3})\.(\d{3})(?![\d.,])")
_LOST_POWER = re.compile(r"(?<![\d.,^*x×X])(?<![\dx×X*]\s)10([3-9])(?=\s*(?:/|[A-Za-zµμ]))")


def _other_readings(text: str) -> tuple[float, ...]:
    found = [float(a + b) for a, b in _DOT_THOUSANDS.findall(text)]
    found += [10.0 ** int(exp) for exp in _LOST_POWER.findall(text)]
    return tuple(found)


def _locate(criteria: Sequence[Segment], start: int) -> Segment | None:
    return next((c for c in criteria if c.start <= start < c.end), None)


def _item(
    doc: BratDoc,
    criterion: Segment,
    entity_type: str,
    entity_text: str,
    value_span: Span,
    numbers: list[tuple[float, Span]],
    comparator: Comparator | None,
    unit_text: str | None,
) -> BratNumeric:
    start, end = value_span
    written = doc.text[start:end]
    return BratNumeric(
        corpus=doc.corpus,
        doc_id=doc.doc_id,
        source_path=doc.source_path,
        section=criterion.section,
        criterion_id=criterion.id,
        criterion_text=criterion.text,
        criterion_start=criterion.start,
        entity_type=entity_type,
        entity_text=entity_text,
        value_text=written,
        value_span=value_span,
        values=tuple(value for value, _ in numbers) + _other_readings(written),
        comparator=comparator,
        unit_text=unit_text,
    )


# --- Chia --------------------------------------------------------------------------------


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


def _read_chia(txt: Path) -> BratDoc:
    text = _read_text(txt)
    section = _SECTION_OF_SUFFIX.get(txt.stem.rsplit("_", 1)[-1].lower(), "unknown")
    doc = BratDoc("chia", txt.stem, txt, text, _chia_criteria(text, section))
    ann = _parse_ann(txt.with_suffix(".ann"), text)
    gold_values: set[str] = set()
    for kind, arg1, arg2 in ann.relations:
        if kind != "Has_value" or arg1 not in ann.entities or arg2 not in ann.entities:
            continue
        (entity_type, entity_spans), (value_type, spans) = ann.entities[arg1], ann.entities[arg2]
        if value_type != "Value" or not _DIGIT.search(_fragments(text, spans)):
            continue
        if entity_type not in _CHIA_ENTITIES:
            continue
        gold_values.add(arg2)
        cover = _cover(spans)
        criterion = _locate(doc.criteria, cover[0])
        if criterion is None:
            continue  # none in the corpus: every value sits on a criterion line
        gaps = [text[spans[i][1] : spans[i + 1][0]] for i in range(len(spans) - 1)]
        if any(_DIGIT.search(gap) for gap in gaps):
            read = _fragments(text, spans)  # the gap holds another value: fragments only
        else:
            read = text[cover[0] : cover[1]]
        numbers = _numbers(read)
        if not numbers:
            continue  # a digit only inside a name or a garble ("<ô0")
        spans_in_read = [span for _, span in numbers]
        doc.items.append(
            _item(
                doc,
                criterion,
                entity_type,
                _fragments(text, entity_spans),
                cover,
                numbers,
                _comparator(read, spans_in_read),
                _unit_tail(read, spans_in_read),
            )
        )
    for entity_id, (entity_type, spans) in ann.entities.items():
        if entity_type != "Value" or entity_id in gold_values:
            continue
        written = _fragments(text, spans)
        if not _DIGIT.search(written):
            continue
        where = _locate(doc.criteria, _cover(spans)[0])
        if where is not None:
            found = [v for v, _ in _numbers(written)] + list(_other_readings(written))
            doc.other_values.setdefault(where.id, []).extend(found)
    doc.items.sort(key=lambda item: (item.value_span, item.entity_text))
    return doc


# --- LCT ---------------------------------------------------------------------------------


def _arg_spans(ann: _Ann, args: Iterable[tuple[str, str]], names: Sequence[str]) -> list[Span]:
    """Spans of the arguments named ``names`` or ``names`` + a digit (``Value2``)."""
    spans: list[Span] = []
    for role, target in args:
        if role.rstrip("0123456789") in names and target in ann.entities:
            spans.extend(ann.entities[target][1])
    return spans


def _read_lct(txt: Path) -> BratDoc:
    text = _read_text(txt)
    doc = BratDoc("lct", txt.stem, txt, text, segment(text))
    ann = _parse_ann(txt.with_suffix(".ann"), text)
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
            if not any(_DIGIT.search(text[s:e]) for s, e in value_spans):
                continue
            own = _arg_spans(ann, eq_args, _LCT_COMPARISON_ARGS)
            cover = _cover(ann.entities[eq_trigger][1] + own)
            criterion = _locate(doc.criteria, cover[0])
            if criterion is None:
                continue
            read = text[cover[0] : cover[1]]
            numbers = [
                (value, (s + cover[0], e + cover[0]))
                for value, (s, e) in _numbers(read)
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
            comparator = _comparator(read, local) or _lct_comparator(ops)
            doc.items.append(
                _item(
                    doc,
                    criterion,
                    ann.entities[trigger][0],
                    _fragments(text, ann.entities[trigger][1]),
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
    if _LOWER.intersection(found) and _UPPER.intersection(found):
        return "range"
    if len(set(found)) == 1:
        return found[0]
    return next((cmp for cmp in found if cmp in _LOWER | _UPPER), None)


def _lct_unit(text: str, ann: _Ann, args: Sequence[tuple[str, str]], cover: Span) -> str | None:
    spans = _arg_spans(ann, args, _LCT_UNIT_ARGS)
    if not spans:
        return None
    start, end = _cover(spans)
    # "<100x109/L": the annotation marks only "L"; the multiplier belongs to the unit.
    for match in _MULTIPLIER.finditer(text, cover[0], start):
        if not text[match.end() : start].strip(" /"):
            digits = re.search(r"10", match.group(0))
            start = match.start() + (digits.start() if digits else 0)
            break
    return text[start:end]


# --- documents -----------------------------------------------------------------------------


def detect_corpus(corpus_dir: Path | str) -> Corpus:
    """``"chia"`` for a folder of ``NCT*_inc.txt`` files, ``"lct"`` for ``NCT*.txt`` ones."""
    root = Path(corpus_dir)
    if not root.is_dir():
        raise InputError(f"{root}: not a directory")
    if next(root.rglob("NCT*_inc.ann"), None) or next(root.rglob("NCT*_exc.ann"), None):
        return "chia"
    if next(root.rglob("NCT*.ann"), None):
        return "lct"
    raise InputError(f"{root}: no brat NCT*.ann files (neither Chia nor LCT)")


def read_document(txt: Path, corpus: Corpus) -> BratDoc:
    """Read one ``.txt`` and its ``.ann`` as a document of ``corpus``."""
    return _read_chia(txt) if corpus == "chia" else _read_lct(txt)


def iter_documents(corpus_dir: Path | str, corpus: Corpus | None = None) -> Iterator[BratDoc]:
    """Yield every document under ``corpus_dir`` (recursively), sorted by path.

    For LCT this includes the ``training`` folder beside ``batch*``.  The corpus is
    detected from the file names unless given.
    """
    root = Path(corpus_dir)
    corpus = corpus or detect_corpus(root)
    for ann in sorted(root.rglob("NCT*.ann")):
        txt = ann.with_suffix(".txt")
        if txt.is_file():
            yield read_document(txt, corpus)
