"""Score an extractor against the numeric items of a brat corpus (Chia or LCT).

The corpora annotate *values*, not full constraints, so the figures here are
about finding the right numbers with the right direction; variable ids and units
are scored on curated gold cases elsewhere.  Per criterion (see
:mod:`normalizer.evaluation.brat` for what a gold item is):

* **value recall**: a gold item is recalled when some predicted constraint of
  its criterion has a bound whose value equals one of the item's numbers within
  0.5%.  Values compare as written: "1.5 x 10^9/L" is 1.5, so a predicted
  ``lower 1.5`` in ``10*9/L`` matches; no unit conversion takes place.
* **comparator recall**: the value is recalled *and* a constraint with that
  value has the gold item's shape: ``>=`` a lower inclusive bound, ``>`` a lower
  exclusive one, ``<=``/``<`` the same for upper, ``range`` both bounds on gold
  numbers, ``=`` lower = upper.  An item without a comparator (a bare value)
  counts as matched when its value is; ``bare_items`` says how many such there are.
* **precision**: the share of predicted constraints, over every criterion of the
  scored documents, with a bound equal to a number of some gold item of the
  same criterion.

Tune rules on ``split="dev"`` only; ``"test"`` stays for honest figures.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field
from rich.console import Console
from rich.table import Table

from ..errors import ExtractorError, InputError
from ..extract.base import Extractor as ExtractorProtocol
from ..models import Bound, Constraint, Section
from ..segment import Segment
from .brat import BratDoc, BratNumeric, Corpus, detect_corpus, iter_documents
from .split import Split, split_of

__all__ = [
    "REL_TOLERANCE",
    "Bounded",
    "BratReport",
    "Counts",
    "EntityRow",
    "ErrorClass",
    "ErrorExample",
    "Extractor",
    "Rate",
    "VariableRow",
    "precision_on",
    "render",
    "score_corpus",
    "score_documents",
    "score_extractor",
]

Extractor = Callable[[list[tuple[str, Section]]], list[list[Constraint]]]
ErrorKind = Literal["missed", "comparator-wrong", "false-positive"]

REL_TOLERANCE = 0.005


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Rate(_Model):
    """``hits`` out of ``total``; ``rate`` is ``None`` when ``total`` is 0."""

    hits: int
    total: int
    rate: float | None

    @classmethod
    def of(cls, hits: int, total: int) -> Rate:
        """Build a rate from counts."""
        return cls(hits=hits, total=total, rate=hits / total if total else None)


class Counts(_Model):
    """What was scored."""

    documents: int
    trials: int
    criteria: int
    criteria_with_gold: int
    gold_items: int
    bare_items: int
    predictions: int


class VariableRow(_Model):
    """Precision of the constraints predicted for one variable id."""

    variable: str
    predicted: int
    precision: Rate


class EntityRow(_Model):
    """Recall of the gold items of one (normalised) entity text."""

    entity: str
    gold: int
    value_recall: Rate
    comparator_recall: Rate


class ErrorExample(_Model):
    """One instance of an error class."""

    doc_id: str
    criterion_id: str
    text: str
    gold: str | None
    predicted: list[str]


class ErrorClass(_Model):
    """A group of errors with a coarse, computable reason."""

    kind: ErrorKind
    reason: str
    count: int
    examples: list[ErrorExample]


class BratReport(_Model):
    """The figures of one extractor on one corpus (and split)."""

    corpus: Corpus
    corpus_dir: str
    split: Split | None
    label: str | None
    counts: Counts
    value_recall: Rate
    comparator_recall: Rate
    bare_value_recalled: int
    precision: Rate
    precision_any_value: Rate = Field(
        description="Chia: a prediction also counts when it matches any number the "
        "annotators marked as a Value in its criterion, whether the Value hangs on a "
        "Measurement/Person, another entity type (Observation, Drug...) or no entity at all; "
        "LCT: = precision."
    )
    by_variable: list[VariableRow]
    by_entity: list[EntityRow]
    errors: list[ErrorClass]


# --- matching ---------------------------------------------------------------------------


def _same(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= REL_TOLERANCE * max(abs(a), abs(b))


def _on_gold(value: float, numbers: Iterable[float]) -> bool:
    return any(_same(value, number) for number in numbers)


class Bounded(Protocol):
    """Anything with bounds: a predicted constraint, or a gold one."""

    @property
    def lower(self) -> Bound | None:
        """The lower bound, if any."""

    @property
    def upper(self) -> Bound | None:
        """The upper bound, if any."""


def _bound_values(constraint: Bounded) -> list[float]:
    return [b.value for b in (constraint.lower, constraint.upper) if b is not None]


def _bound_on(constraint: Bounded, numbers: Sequence[float]) -> bool:
    """Whether a bound of ``constraint`` equals one of ``numbers``."""
    return any(_on_gold(v, numbers) for v in _bound_values(constraint))


def _value_hit(item: BratNumeric, constraints: Sequence[Constraint]) -> bool:
    return any(_bound_on(c, item.values) for c in constraints)


def _shape_hit(item: BratNumeric, c: Constraint) -> bool:
    lower, upper, numbers = c.lower, c.upper, item.values
    match item.comparator:
        case ">=" | ">":
            return (
                lower is not None
                and lower.inclusive == (item.comparator == ">=")
                and _on_gold(lower.value, numbers)
            )
        case "<=" | "<":
            return (
                upper is not None
                and upper.inclusive == (item.comparator == "<=")
                and _on_gold(upper.value, numbers)
            )
        case "range":
            return (
                lower is not None
                and upper is not None
                and _on_gold(lower.value, numbers)
                and _on_gold(upper.value, numbers)
            )
        case "=":
            return (
                lower is not None
                and upper is not None
                and _same(lower.value, upper.value)
                and _on_gold(lower.value, numbers)
            )
        case None:
            return _bound_on(c, numbers)


def _normalise_entity(text: str) -> str:
    text = re.sub(r"\([^)]*\)", " ", text.lower())
    return " ".join(re.sub(r"[^\w%]+", " ", text).split()) or text.strip()


def _describe(c: Constraint) -> str:
    def num(value: float) -> str:
        return f"{value:g}"

    if c.lower is not None and c.upper is not None:
        body = (
            f"{'[' if c.lower.inclusive else '('}{num(c.lower.value)}, "
            f"{num(c.upper.value)}{']' if c.upper.inclusive else ')'}"
        )
    elif c.lower is not None:
        body = f"{'>=' if c.lower.inclusive else '>'}{num(c.lower.value)}"
    elif c.upper is not None:
        body = f"{'<=' if c.upper.inclusive else '<'}{num(c.upper.value)}"
    else:
        body = "(no bound)"
    unit = f"x{c.relative_to}" if c.relative_to else (c.unit or "")
    return " ".join(part for part in (c.variable, body, unit) if part)


def _describe_gold(item: BratNumeric) -> str:
    return f"{item.entity_text}: {item.value_text!r} ({item.comparator or 'bare'})"


# --- scoring ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Errors:
    per_class: dict[tuple[ErrorKind, str], list[ErrorExample]]
    counts: Counter[tuple[ErrorKind, str]]
    keep: int

    def add(
        self,
        kind: ErrorKind,
        reason: str,
        doc: BratDoc,
        criterion: Segment,
        gold: str | None,
        predicted: Sequence[Constraint],
    ) -> None:
        key = (kind, reason)
        self.counts[key] += 1
        examples = self.per_class.setdefault(key, [])
        if len(examples) < self.keep:
            examples.append(
                ErrorExample(
                    doc_id=doc.doc_id,
                    criterion_id=criterion.id,
                    text=criterion.text,
                    gold=gold,
                    predicted=[_describe(c) for c in predicted],
                )
            )


def _predict(
    extract: Extractor, docs: Sequence[BratDoc], batch_size: int
) -> list[list[list[Constraint]]]:
    """Run ``extract`` over every criterion, in batches; results per document, per criterion."""
    flat = [(criterion.text, criterion.section) for doc in docs for criterion in doc.criteria]
    results: list[list[Constraint]] = []
    for start in range(0, len(flat), batch_size):
        batch = flat[start : start + batch_size]
        out = extract(batch)
        if len(out) != len(batch):
            raise ExtractorError(
                f"extractor returned {len(out)} results for a batch of {len(batch)} criteria"
            )
        results.extend(out)
    per_doc: list[list[list[Constraint]]] = []
    at = 0
    for doc in docs:
        per_doc.append(results[at : at + len(doc.criteria)])
        at += len(doc.criteria)
    return per_doc


def precision_on(
    docs: Iterable[BratDoc],
    predict: Callable[[BratDoc, Segment], Sequence[Bounded] | None],
) -> tuple[Rate, Rate]:
    """Precision and any-value precision of ``predict`` over the criteria it answers.

    ``predict`` returns the constraints of one criterion, or ``None`` to leave the
    criterion out: how the curated gold cases of some criteria score under this
    scorer, beside an extractor on the same criteria.
    """
    total = strict = lenient = 0
    for doc in docs:
        numbers: dict[str, list[float]] = defaultdict(list)
        for item in doc.items:
            numbers[item.criterion_id].extend(item.values)
        for criterion in doc.criteria:
            constraints = predict(doc, criterion)
            if constraints is None:
                continue
            gold = numbers.get(criterion.id, [])
            annotated = gold + doc.other_values.get(criterion.id, [])
            for c in constraints:
                total += 1
                strict += _bound_on(c, gold)
                lenient += _bound_on(c, annotated)
    return Rate.of(strict, total), Rate.of(lenient, total)


def score_documents(
    extract: Extractor,
    docs: Iterable[BratDoc],
    *,
    corpus_dir: Path | str = "",
    split: Split | None = None,
    label: str | None = None,
    batch_size: int = 256,
    top_entities: int = 25,
    max_error_classes: int = 12,
    examples: int = 3,
) -> BratReport:
    """Score ``extract`` on ``docs`` (already read), keeping those of ``split`` if given."""
    chosen = [doc for doc in docs if split is None or split_of(doc.doc_id) == split]
    if not chosen:
        raise InputError(f"no documents to score in {corpus_dir or 'the input'} (split {split})")
    corpus = chosen[0].corpus
    predictions = _predict(extract, chosen, batch_size)

    errors = _Errors({}, Counter(), examples)
    value_hits = comparator_hits = bare = bare_hits = 0
    n_pred = n_pred_hit = n_pred_any = 0
    var_total: Counter[str] = Counter()
    var_hit: Counter[str] = Counter()
    entity_stats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    n_items = criteria_with_gold = 0

    for doc, per_criterion in zip(chosen, predictions, strict=True):
        by_criterion: dict[str, list[BratNumeric]] = defaultdict(list)
        for item in doc.items:
            by_criterion[item.criterion_id].append(item)
        for criterion, constraints in zip(doc.criteria, per_criterion, strict=True):
            items = by_criterion.get(criterion.id, [])
            criteria_with_gold += bool(items)
            for item in items:
                n_items += 1
                stats = entity_stats[_normalise_entity(item.entity_text)]
                stats[0] += 1
                bare += item.comparator is None
                if not _value_hit(item, constraints):
                    reason = "no constraint in criterion" if not constraints else "value not found"
                    errors.add("missed", reason, doc, criterion, _describe_gold(item), constraints)
                    continue
                value_hits += 1
                stats[1] += 1
                bare_hits += item.comparator is None
                if any(_shape_hit(item, c) for c in constraints):
                    comparator_hits += 1
                    stats[2] += 1
                else:
                    errors.add(
                        "comparator-wrong",
                        f"gold {item.comparator}",
                        doc,
                        criterion,
                        _describe_gold(item),
                        constraints,
                    )
            gold_numbers = [n for item in items for n in item.values]
            annotated = gold_numbers + doc.other_values.get(criterion.id, [])
            for c in constraints:
                n_pred += 1
                var_total[c.variable] += 1
                n_pred_any += _bound_on(c, annotated)
                if _bound_on(c, gold_numbers):
                    n_pred_hit += 1
                    var_hit[c.variable] += 1
                else:
                    gold = "; ".join(_describe_gold(i) for i in items) or None
                    errors.add("false-positive", c.variable, doc, criterion, gold, [c])

    ranked = sorted(errors.counts.items(), key=lambda kv: (-kv[1], kv[0]))[:max_error_classes]
    return BratReport(
        corpus=corpus,
        corpus_dir=str(corpus_dir),
        split=split,
        label=label,
        counts=Counts(
            documents=len(chosen),
            trials=len({doc.nct_id for doc in chosen}),
            criteria=sum(len(doc.criteria) for doc in chosen),
            criteria_with_gold=criteria_with_gold,
            gold_items=n_items,
            bare_items=bare,
            predictions=n_pred,
        ),
        value_recall=Rate.of(value_hits, n_items),
        comparator_recall=Rate.of(comparator_hits, n_items),
        bare_value_recalled=bare_hits,
        precision=Rate.of(n_pred_hit, n_pred),
        precision_any_value=Rate.of(n_pred_any, n_pred),
        by_variable=[
            VariableRow(variable=v, predicted=n, precision=Rate.of(var_hit[v], n))
            for v, n in sorted(var_total.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        by_entity=[
            EntityRow(
                entity=entity,
                gold=g,
                value_recall=Rate.of(v, g),
                comparator_recall=Rate.of(c, g),
            )
            for entity, (g, v, c) in sorted(
                entity_stats.items(), key=lambda kv: (-kv[1][0], kv[0])
            )[:top_entities]
        ],
        errors=[
            ErrorClass(kind=kind, reason=reason, count=n, examples=errors.per_class[(kind, reason)])
            for (kind, reason), n in ranked
        ],
    )


def score_corpus(
    extract: Extractor,
    corpus_dir: Path | str,
    *,
    split: Split | None = None,
    label: str | None = None,
    max_documents: int | None = None,
    batch_size: int = 256,
) -> BratReport:
    """Score ``extract`` on a Chia or LCT folder (detected), optionally one split only.

    ``max_documents`` keeps the first documents (by path) of the split: handy for
    a quick, costly (LLM) run; figures are then on that subset only.
    """
    corpus = detect_corpus(corpus_dir)
    docs = (
        d
        for d in iter_documents(corpus_dir, corpus)
        if split is None or split_of(d.doc_id) == split
    )
    chosen = list(islice(docs, max_documents)) if max_documents else list(docs)
    return score_documents(
        extract, chosen, corpus_dir=corpus_dir, split=split, label=label, batch_size=batch_size
    )


# --- rendering --------------------------------------------------------------------------


def _pct(rate: Rate) -> str:
    return "-" if rate.rate is None else f"{100 * rate.rate:.1f}%"


def render(report: BratReport, console: Console) -> None:
    """Print ``report`` as rich tables."""
    c = report.counts
    title = f"{report.corpus} {report.split or 'all'}" + (
        f" — {report.label}" if report.label else ""
    )
    summary = Table(title=title)
    summary.add_column("metric")
    summary.add_column("value", justify="right")
    summary.add_column("hits / total", justify="right")
    for name, rate in (
        ("value recall", report.value_recall),
        ("comparator recall", report.comparator_recall),
        ("precision", report.precision),
        ("precision, any annotated value", report.precision_any_value),
    ):
        summary.add_row(name, _pct(rate), f"{rate.hits} / {rate.total}")
    summary.add_row(
        "bare gold items (no comparator)",
        str(c.bare_items),
        f"{report.bare_value_recalled} recalled",
    )
    console.print(summary)
    console.print(
        f"{c.documents} documents, {c.trials} trials, {c.criteria} criteria "
        f"({c.criteria_with_gold} with gold), {c.gold_items} gold items, "
        f"{c.predictions} predicted constraints"
    )

    variables = Table(title="precision by predicted variable")
    for col in ("variable", "predicted", "precision"):
        variables.add_column(col, justify="left" if col == "variable" else "right")
    for row in report.by_variable:
        variables.add_row(row.variable, str(row.predicted), _pct(row.precision))
    console.print(variables)

    entities = Table(title="recall by gold entity")
    for col in ("entity", "gold", "value recall", "comparator recall"):
        entities.add_column(col, justify="left" if col == "entity" else "right")
    for e in report.by_entity:
        entities.add_row(e.entity, str(e.gold), _pct(e.value_recall), _pct(e.comparator_recall))
    console.print(entities)

    errors = Table(title="largest error classes", show_lines=True)
    for col in ("kind", "reason", "count", "examples"):
        errors.add_column(col, justify="right" if col == "count" else "left")
    for err in report.errors:
        shown = "\n".join(
            f"{ex.text[:120]!r}\n  gold: {ex.gold or '-'}\n  got: {', '.join(ex.predicted) or '-'}"
            for ex in err.examples
        )
        errors.add_row(err.kind, err.reason, str(err.count), shown)
    console.print(errors)


def score_extractor(
    corpus_dir: Path | str,
    extractor: ExtractorProtocol,
    *,
    split: Split | None = None,
    max_documents: int | None = None,
) -> BratReport:
    """Score a :class:`~normalizer.extract.base.Extractor` (rules, llm, hybrid) on a corpus."""
    from ..extract.base import CriterionInput

    def extract(batch: list[tuple[str, Section]]) -> list[list[Constraint]]:
        inputs = [CriterionInput(f"b{n}", sec, text, 0) for n, (text, sec) in enumerate(batch)]
        return [e.constraints for e in extractor.extract(inputs)]

    return score_corpus(
        extract, corpus_dir, split=split, label=extractor.name, max_documents=max_documents
    )
