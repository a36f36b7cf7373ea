"""When a predicted constraint matches a brat gold item.

A bound matches a gold number within :data:`REL_TOLERANCE`; a constraint has an
item's shape when its bounds agree with the item's comparator.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from ...models import Bound, Constraint
from ..brat import BratNumeric

REL_TOLERANCE = 0.005


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
