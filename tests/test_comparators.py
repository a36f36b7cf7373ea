"""Comparator phrases read as patterns.toml says: every entry's examples, end to end.

Also the comparator a registry lost ("Age  18 years"): flagged, never read as "=".
"""

from __future__ import annotations

import pytest

from normalizer.extract.rules import RulesExtractor
from normalizer.models import Constraint, Document
from normalizer.patterns import load_patterns
from normalizer.pipeline import normalize_text

CASES = [
    (entry.op, text)
    for entry in load_patterns().comparators
    if not entry.ambiguous
    for text in entry.examples
]


def normalized(text: str) -> Document:
    return normalize_text(f"Inclusion Criteria:\n- {text}\n", name="t", extractor=RulesExtractor())


def reads(c: Constraint, op: str) -> bool:
    lo, hi = c.lower, c.upper
    if op == "eq":
        return lo is not None and hi is not None and lo.value == hi.value
    if op in ("ge", "gt"):
        return lo is not None and lo.inclusive == (op == "ge") and (hi is None or op == "gt")
    return hi is not None and hi.inclusive == (op == "le")


def test_every_comparator_family_has_examples() -> None:
    ops = {op for op, _ in CASES}
    assert ops >= {"ge", "gt", "le", "lt"}


@pytest.mark.parametrize(("op", "text"), CASES)
def test_comparator_example(op: str, text: str) -> None:
    (crit,) = normalized(text).criteria
    assert crit.constraints, crit.findings
    assert any(reads(c, op) for c in crit.constraints), crit.constraints
    assert not any(f.code.startswith("comparator-") for f in crit.findings), crit.findings


@pytest.mark.parametrize(
    ("text", "value"),
    [("Age  18 years", "18"), ("Hemoglobin  9 g/dL", "9"), ("Age:  65 years or younger", None)],
)
def test_stripped_comparator_is_flagged_never_equal(text: str, value: str | None) -> None:
    (crit,) = normalized(text).criteria
    if value is None:  # a comparator written after the value: nothing was lost
        assert crit.constraints and not any(f.code == "comparator-stripped" for f in crit.findings)
        return
    assert "comparator-stripped" in [f.code for f in crit.findings]
    assert crit.status != "accepted"
    assert not [c for c in crit.constraints if c.lower and c.upper and c.lower == c.upper]


def test_one_blank_is_not_a_stripped_comparator() -> None:
    (crit,) = normalized("Age 18 years").criteria
    assert "comparator-stripped" not in [f.code for f in crit.findings]
