"""Answer budgets: how many tokens one request's answer may take.

A request's ``max_tokens`` grows with what its criteria hold (numbers and list
items), never over ``--max-tokens``; an answer cut off at it is
:class:`AnswerTruncated`, asked once more with twice the budget, and never kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = [
    "ANSWER_OVERHEAD",
    "MIN_CRITERION_TOKENS",
    "TOKENS_PER_ITEM",
    "AnswerTruncated",
    "answer_budget",
    "criterion_items",
]

_POWER = re.compile(r"10\s*(?:\^|\*\*?|\s)\s*\d+|\b10(?:9|12)(?=\s*/)")
"""A power of ten inside a unit ("10^9/L", "10*9/L", "109/L"): part of a unit, not a value."""
_ITEM = re.compile(r"\d+(?:[.,]\d+)?|[,;]|(?<=[A-Za-z])/(?=[A-Z])")
"""A number, or a list separator ("AST/ALT", not "mg/dL"): each list item can be a
constraint of its own."""

ANSWER_OVERHEAD = 120
"""Tokens of one answer's wrapper (the tool call, ``items``)."""
TOKENS_PER_ITEM = 25
"""Answer tokens per number or list item of a criterion.  Items outnumber constraints
(a range has two numbers; prose has commas): on the recorded gold answers a criterion of
8 items took 213 tokens and one of 6 took 286, while each of four of 8 to 13 items
overflowed the old flat 200; an answer that still overflows is asked again with twice
the budget."""
MIN_CRITERION_TOKENS = 200
"""Tokens for a criterion of up to 8 numbers and list items (the old flat budget)."""


def criterion_items(text: str) -> int:
    """What a criterion holds that can each become a constraint: numbers and list items.

    Powers of ten inside a unit ("× 10^9/L") are not counted.
    """
    return len(_ITEM.findall(_POWER.sub(" ", text)))


def answer_budget(texts: Sequence[str], cap: int) -> int:
    """``max_tokens`` for one request, never over ``cap``.

    The wrapper's 120 tokens plus, per criterion, 25 tokens per item (at least 200).
    """
    need = ANSWER_OVERHEAD + sum(
        max(MIN_CRITERION_TOKENS, TOKENS_PER_ITEM * criterion_items(t)) for t in texts
    )
    return min(cap, need)


class AnswerTruncated(Exception):
    """The answer was cut off at its token budget (finish_reason "length", or cut JSON)."""

    def __init__(self, budget: int) -> None:
        """Cut off at ``budget`` tokens."""
        self.budget = budget
        super().__init__(
            f"the LLM's answer was cut off at its budget of {budget} tokens before it was "
            "complete, and was not kept (raise --max-tokens, or review the criterion by hand)"
        )
