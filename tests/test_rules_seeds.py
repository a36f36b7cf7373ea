"""Every criterion of the two seed records, read by the rules extractor.

What a curator records for each (constraints, the findings the rules extractor owes
the curator, the reasons of numbers that are not constraints) is data:
``tests/cases/seeds/rules.toml``, one case per criterion, checked against
``tests/cases/schema.json``.  Staging, editions, annexes, grades and time windows are
notes, never constraints.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from normalizer.extract.base import CriterionInput, Extraction
from normalizer.extract.rules import RulesExtractor
from normalizer.segment import Segment, segment

from .case_files import cases, expected_keys, params, read_keys
from .conftest import SEEDS, need_shared

S0 = "000_79b1477fd8f1d6d3.txt"
S1 = "001_1264358aa91b314b.txt"
SEED_CASES = params("seeds", "rules")


def read_seed(name: str) -> tuple[str, list[Segment], list[Extraction]]:
    need_shared()
    source = (SEEDS / name).read_text("utf-8")
    segments = segment(source)
    inputs = [CriterionInput(s.id, s.section, s.text, s.start) for s in segments]
    return source, segments, RulesExtractor().extract(inputs)


def written_forms(value: float) -> set[str]:
    """How a bound can be written in the evidence, lost superscripts included."""
    forms = {f"{value:g}", f"{value:.1f}"}
    if value >= 1000 and value == int(value):
        exponent = int(math.log10(value))
        mantissa = value / 10**exponent
        forms |= {f"10{exponent}", f"10^{exponent}", f"{mantissa:g}x10{exponent}"}
    return forms


@pytest.fixture(scope="module")
def seeds() -> dict[str, tuple[str, list[Segment], list[Extraction]]]:
    return {name: read_seed(name) for name in (S0, S1)}


def test_the_cases_are_the_seeds_criteria(
    seeds: dict[str, tuple[str, list[Segment], list[Extraction]]],
) -> None:
    """One case per criterion, with its text: a criterion no case names is not tested."""
    listed = [(c["seed"], c["criterion"], c["text"]) for c in cases("seeds", "rules")]
    segmented = [(name, s.id, s.text) for name, (_, segs, _) in seeds.items() for s in segs]
    assert listed == segmented


@pytest.mark.parametrize("case", SEED_CASES)
def test_seed_constraints(
    seeds: dict[str, tuple[str, list[Segment], list[Extraction]]], case: dict[str, Any]
) -> None:
    source, segments, extractions = seeds[case["seed"]]
    index = [s.id for s in segments].index(case["criterion"])
    seg, extraction = segments[index], extractions[index]
    expect = case["expect"]
    assert read_keys(extraction.constraints) == expected_keys(expect["constraints"]), seg.text
    assert {f.code for f in extraction.findings} == set(expect["findings"])
    assert {n.reason for n in extraction.notes} == set(expect["notes"])
    for c in extraction.constraints:
        start, end = c.evidence
        assert seg.start <= start < end <= seg.end, "evidence outside the criterion"
        evidence = source[start:end].replace("\\", "").replace("×", "x").replace("*", "x")
        for bound in (c.lower, c.upper):
            if bound is not None:
                forms = written_forms(bound.value)
                assert any(f in evidence for f in forms), f"{bound.value:g} not in {evidence!r}"
        assert c.extracted_by == ["rules"]


def test_seed_extractions_are_complete_unless_ambiguous(
    seeds: dict[str, tuple[str, list[Segment], list[Extraction]]],
) -> None:
    for name, (_, segments, extractions) in seeds.items():
        assert segments, name
        for seg, extraction in zip(segments, extractions, strict=True):
            ambiguous = any(f.code == "comparator-ambiguous" for f in extraction.findings)
            assert extraction.complete is not ambiguous, (name, seg.id, seg.text)
