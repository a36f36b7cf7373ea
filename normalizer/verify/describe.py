"""How findings quote numbers, units and constraints to a curator."""

from __future__ import annotations

import math

from ..models import Bound, Constraint

__all__ = ["bound_text", "num", "quote", "reading", "with_unit"]


def num(value: float) -> str:
    """A number as a person writes it: 18, 2.5, 100000, 1e+10."""
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value.is_integer() and abs(value) < 1e12:
        return str(int(value))
    return f"{value:.6g}"


def with_unit(value: float, unit: str | None) -> str:
    """'90 g/L', '2.5' (no unit)."""
    return num(value) if not unit else f"{num(value)} {unit}"


def quote(text: str, limit: int = 90) -> str:
    """Text in single quotes, shortened in the middle when long."""
    text = " ".join(text.split())
    if len(text) > limit:
        half = (limit - 5) // 2
        text = f"{text[:half]} ... {text[-half:]}"
    return f"'{text}'"


def bound_text(side: str, bound: Bound) -> str:
    """'>= 18', '< 75'."""
    if side == "lower":
        return (">= " if bound.inclusive else "> ") + num(bound.value)
    return ("<= " if bound.inclusive else "< ") + num(bound.value)


def reading(c: Constraint) -> str:
    """A constraint in one line: 'ALT <= 2.5 x ULN', 'age >= 18 and <= 75 a', 'ECOG = 2'."""
    suffix = f" x {c.relative_to}" if c.relative_to else (f" {c.unit}" if c.unit else "")
    lo, hi = c.lower, c.upper
    if lo is not None and hi is not None and lo.value == hi.value and lo.inclusive and hi.inclusive:
        body = f"= {num(lo.value)}"
    else:
        parts = [bound_text(s, b) for s, b in (("lower", lo), ("upper", hi)) if b is not None]
        body = " and ".join(parts) if parts else "(no bounds)"
    name = c.label or c.variable
    q = f" [if {c.qualifier}]" if c.qualifier else ""
    return f"{name} {body}{suffix}{q}"
