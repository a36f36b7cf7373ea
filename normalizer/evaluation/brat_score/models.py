"""The report of an extractor scored on a brat corpus, and its parts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..brat import Corpus
from ..split import Split

ErrorKind = Literal["missed", "comparator-wrong", "false-positive"]


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
