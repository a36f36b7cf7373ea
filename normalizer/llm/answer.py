"""What the model fills in, and the validators that send a wrong answer back.

The answer's schema (:class:`LLMAnswer` of :class:`LLMItem` of
:class:`LLMConstraint`) is what instructor asks for.  Its validators read the
criteria through the validation context (``{"texts": {id: text}}``): a quote that
is not in the criterion, a number that is not in the quote, or an id that was not
asked is an error fed back to the model, not a hope.
"""

from __future__ import annotations

import contextlib
import re
from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from ..catalog import load_catalog

__all__ = ["Comparator", "LLMAnswer", "LLMConstraint", "LLMItem", "locate_quote"]

Comparator = Literal[">=", ">", "<=", "<", "=", "range"]


def _squash(text: str) -> tuple[str, list[int]]:
    """Lower-case, drop markdown backslashes, fold blanks; keep a map to the original."""
    out: list[str] = []
    index: list[int] = []
    last_space = True
    for i, ch in enumerate(text):
        if ch == "\\":
            continue
        if ch.isspace():
            if last_space:
                continue
            out.append(" ")
            index.append(i)
            last_space = True
            continue
        out.append(ch.lower())
        index.append(i)
        last_space = False
    return "".join(out), index


_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _unescape(text: str) -> str:
    r"""Undo JSON ``\uXXXX`` escapes that a model wrote literally inside a string."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def locate_quote(text: str, quote: str) -> tuple[int, int] | None:
    r"""``[start, end)`` of ``quote`` in ``text``: exact, else ignoring case, blanks, ``\\``."""
    quote = _unescape(quote).strip()
    if not quote:
        return None
    at = text.find(quote)
    if at >= 0:
        return at, at + len(quote)
    squashed, index = _squash(text)
    needle, _ = _squash(quote)
    needle = needle.strip()
    at = squashed.find(needle) if needle else -1
    if at < 0:
        return None
    return index[at], index[at + len(needle) - 1] + 1


_NUM = re.compile(r"\d+(?:[.,]\d+)*")


def _numbers(quote: str) -> set[float]:
    """Numbers in a quote, with the registry's lost-superscript garbles undone."""
    found: set[float] = set()
    tokens = [m.group(0) for m in _NUM.finditer(quote)]
    values: list[float] = []
    for tok in tokens:
        try:
            values.append(float(tok.replace(",", "")))
        except ValueError:
            continue
        if "," in tok:
            with contextlib.suppress(ValueError):
                values.append(float(tok.replace(",", ".")))
    found.update(values)
    for tok in tokens:
        if re.fullmatch(r"10\d{1,2}", tok):  # "109/L" is 10^9/L, "104 copies" is 10^4
            power = 10.0 ** int(tok[2:])
            found.add(power)
            found.update(v * power for v in values)
    return found


def _grounded(value: float, numbers: set[float]) -> bool:
    return any(abs(value - n) <= 1e-9 * max(1.0, abs(n)) for n in numbers)


class LLMConstraint(BaseModel):
    """One constraint as the model states it (converted to the contract in code)."""

    quote: str = Field(description="The exact words of the criterion that state the constraint.")
    variable: str = Field(description="A variable id from the list, or 'other'.")
    label: str = Field(description="The variable's name as written.")
    comparator: Comparator
    value: float
    value2: float | None = Field(default=None, description="High end of a range, else null.")
    unit: str | None = Field(default=None, description="Unit as written, or null.")
    relative_to: Literal["ULN", "LLN"] | None = None
    qualifier: str | None = None

    @field_validator("variable")
    @classmethod
    def _known_variable(cls, v: str) -> str:
        return v if v in load_catalog() else "other"

    @field_validator("quote", "label", "unit", "qualifier")
    @classmethod
    def _no_escapes(cls, v: str | None) -> str | None:
        return None if v is None else _unescape(v)


class LLMItem(BaseModel):
    """The constraints of one criterion, by its id."""

    id: str
    constraints: list[LLMConstraint]

    @model_validator(mode="after")
    def _grounded_in_text(self, info: ValidationInfo) -> LLMItem:
        texts: dict[str, str] = (info.context or {}).get("texts", {})
        text = texts.get(self.id)
        if text is None:
            raise ValueError(f"there is no criterion with id {self.id!r}")
        problems: list[str] = []
        for n, c in enumerate(self.constraints):
            if locate_quote(text, c.quote) is None:
                problems.append(
                    f"constraint {n} of {self.id}: quote {c.quote!r} is not in the criterion "
                    "text; copy the words exactly"
                )
                continue
            numbers = _numbers(c.quote)
            for name, value in (("value", c.value), ("value2", c.value2)):
                if value is None or _grounded(value, numbers):
                    continue
                if c.relative_to and name == "value" and value == 1.0:
                    continue  # "<= ULN" states a multiple of one
                problems.append(
                    f"constraint {n} of {self.id}: {name} {value:g} does not appear in the quote "
                    f"{c.quote!r}"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self


class LLMAnswer(BaseModel):
    """The answer to one request: one item per criterion id, in order."""

    items: list[LLMItem]

    @model_validator(mode="after")
    def _all_ids(self, info: ValidationInfo) -> LLMAnswer:
        expected = list((info.context or {}).get("texts", {}))
        got = [item.id for item in self.items]
        if got != expected:
            raise ValueError(f"answer one item for each id, in this order: {expected}; got {got}")
        return self
