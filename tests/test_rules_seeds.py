"""Every numeric constraint of the two seed records, criterion by criterion.

Pinned as a curator records them (shared/spec/CONTRACT.md section 1): the
condition as the criterion states it, bounds with their inclusiveness, the unit
as a UCUM code (null for scores and for ULN-relative limits, whose bounds are the
multiplier), and the findings the rules extractor owes the curator.  Criteria not
listed here hold no numeric constraint (staging, editions, annexes, grades and
time windows are notes, never constraints).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from normalizer.extract.base import CriterionInput, Extraction
from normalizer.extract.rules import RulesExtractor
from normalizer.models import Constraint
from normalizer.segment import Segment, segment

from .conftest import SEEDS, need_shared

S0 = "000_79b1477fd8f1d6d3.txt"
S1 = "001_1264358aa91b314b.txt"


@dataclass(frozen=True)
class Want:
    """An expected constraint: ``ge=18`` is lower {18, inclusive}, ``lt=8`` upper {8, open}."""

    variable: str
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    unit: str | None = None
    rel: str | None = None
    qualifier: str | None = None

    def key(self) -> tuple[object, ...]:
        lower = (self.ge, True) if self.ge is not None else (self.gt, False)
        upper = (self.le, True) if self.le is not None else (self.lt, False)
        return (
            self.variable,
            (float(lower[0]), lower[1]) if lower[0] is not None else None,
            (float(upper[0]), upper[1]) if upper[0] is not None else None,
            self.unit,
            self.rel,
            self.qualifier,
        )


def got(c: Constraint) -> tuple[object, ...]:
    return (
        c.variable,
        (c.lower.value, c.lower.inclusive) if c.lower else None,
        (c.upper.value, c.upper.inclusive) if c.upper else None,
        c.unit,
        c.relative_to,
        c.qualifier,
    )


ULN = "ULN"
EXPECTED: dict[tuple[str, str], list[Want]] = {
    (S0, "inc-1"): [Want("ecog", ge=0, le=2)],
    (S0, "inc-2"): [Want("age", gt=18, unit="a")],
    (S0, "inc-7"): [Want("life_expectancy", ge=3, unit="mo")],
    (S0, "inc-8"): [
        Want("hemoglobin", ge=90, unit="g/L"),
        Want("anc", ge=1.5, unit="10*9/L"),
        Want("platelets", ge=80, unit="10*9/L"),
        Want("alt", le=2.5, rel=ULN),
        Want("ast", le=2.5, rel=ULN),
        Want("bilirubin", le=1.5, rel=ULN),
        Want("creatinine", le=1.5, rel=ULN),
        Want("creatinine_clearance", ge=60, unit="mL/min"),
    ],
    (S0, "exc-1"): [Want("age", lt=18, unit="a"), Want("ecog", gt=2)],
    (S0, "exc-5"): [Want("steroid_dose", gt=10, unit="mg/d")],
    (S0, "exc-6"): [
        Want("hbv_dna", ge=10000, unit="{copies}/mL"),
        Want("hbv_dna", ge=2000, unit="[IU]/mL"),
    ],
    (S1, "inc-1"): [Want("age", ge=18, le=75, unit="a")],
    (S1, "inc-3"): [Want("ecog", ge=0, le=1)],
    (S1, "inc-5"): [Want("lesion_size", lt=8, unit="cm")],
    (S1, "inc-7"): [
        Want("anc", ge=1.5, unit="10*9/L"),
        Want("platelets", ge=10.0, unit="10*9/L"),
        Want("hemoglobin", ge=9, unit="g/dL"),
        Want("creatinine", le=1.5, rel=ULN),
        Want("bilirubin", le=1.5, rel=ULN),
        Want("ast", le=2.5, rel=ULN),
        Want("alt", le=2.5, rel=ULN),
        Want("alp", le=2.5, rel=ULN),
    ],
    (S1, "inc-8"): [Want("bmi", ge=18.5, unit="kg/m2")],
    (S1, "exc-1"): [Want("lesion_size", gt=8, unit="cm")],
    (S1, "exc-9"): [
        Want("hbv_dna", ge=2000, unit="[IU]/mL"),
        Want("hbv_dna", gt=10000, unit="{copies}/mL"),
    ],
    (S1, "exc-12"): [Want("qtc", ge=470, unit="ms")],
}

# Findings the extractor itself owes (verification adds its own later).
FINDINGS: dict[tuple[str, str], set[str]] = {
    (S1, "inc-1"): {"unit-inferred"},
    (S1, "inc-8"): {"comparator-ambiguous"},
    (S1, "exc-12"): {"comparator-ambiguous"},
}

# Numbers that are knowingly not constraints, with why.
NOTES: dict[tuple[str, str], set[str]] = {
    (S0, "inc-5"): {"staging", "edition"},
    (S0, "inc-9"): {"temporal"},
    (S0, "inc-10"): {"temporal"},
    (S0, "inc-12"): {"grade"},
    (S0, "exc-5"): {"temporal"},
    (S0, "exc-6"): {"grade"},
    (S0, "exc-9"): {"temporal"},
    (S1, "inc-4"): {"staging", "edition"},
    (S1, "exc-2"): {"reference"},
    (S1, "exc-5"): {"edition", "reference"},
    (S1, "exc-10"): {"temporal"},
    (S1, "exc-11"): {"temporal"},
    (S1, "exc-12"): {"temporal"},
    (S1, "exc-15"): {"temporal"},
}

# A reading that rests on a catalog name this catalog version may lack.
def read_seed(name: str) -> tuple[str, list[Segment], list[Extraction]]:
    need_shared()
    source = (SEEDS / name).read_text("utf-8")
    segments = segment(source)
    inputs = [CriterionInput(s.id, s.section, s.text, s.start) for s in segments]
    return source, segments, RulesExtractor().extract(inputs)


def all_criteria() -> list[tuple[str, str]]:
    """(seed, criterion id) of every criterion; one placeholder when shared/ is absent."""
    if not SEEDS.is_dir():
        return [(S0, "inc-1")]
    return [(name, s.id) for name in (S0, S1) for s in segment((SEEDS / name).read_text("utf-8"))]


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


@pytest.mark.parametrize(("name", "criterion"), all_criteria())
def test_seed_constraints(
    seeds: dict[str, tuple[str, list[Segment], list[Extraction]]], name: str, criterion: str
) -> None:
    source, segments, extractions = seeds[name]
    index = [s.id for s in segments].index(criterion)
    seg, extraction = segments[index], extractions[index]
    want = sorted(repr(w.key()) for w in EXPECTED.get((name, criterion), []))
    assert sorted(repr(got(c)) for c in extraction.constraints) == want, seg.text
    assert {f.code for f in extraction.findings} == FINDINGS.get((name, criterion), set())
    assert {n.reason for n in extraction.notes} == NOTES.get((name, criterion), set())
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
        for seg, extraction in zip(segments, extractions, strict=True):
            ambiguous = any(f.code == "comparator-ambiguous" for f in extraction.findings)
            assert extraction.complete is not ambiguous, (name, seg.id, seg.text)
