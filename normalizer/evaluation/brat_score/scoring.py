"""Score an extractor on brat documents: run it over every criterion, count, classify errors."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from ...errors import ExtractorError, InputError
from ...extract.base import Extractor as ExtractorProtocol
from ...models import Constraint, Section
from ...segment import Segment
from ..brat import BratDoc, BratNumeric, detect_corpus, iter_documents
from ..split import Split, split_of
from .matching import Bounded, _bound_on, _shape_hit, _value_hit
from .models import (
    BratReport,
    Counts,
    EntityRow,
    ErrorClass,
    ErrorExample,
    ErrorKind,
    Rate,
    VariableRow,
)

Extractor = Callable[[list[tuple[str, Section]]], list[list[Constraint]]]


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


def score_extractor(
    corpus_dir: Path | str,
    extractor: ExtractorProtocol,
    *,
    split: Split | None = None,
    max_documents: int | None = None,
) -> BratReport:
    """Score a :class:`~normalizer.extract.base.Extractor` (rules, llm, hybrid) on a corpus."""
    from ...extract.base import CriterionInput

    def extract(batch: list[tuple[str, Section]]) -> list[list[Constraint]]:
        inputs = [CriterionInput(f"b{n}", sec, text, 0) for n, (text, sec) in enumerate(batch)]
        return [e.constraints for e in extractor.extract(inputs)]

    return score_corpus(
        extract, corpus_dir, split=split, label=extractor.name, max_documents=max_documents
    )
