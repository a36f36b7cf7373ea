"""Property-based tests over the public API (hypothesis; fast, in CI).

For any text: no exception but the package's own, spans exact, evidence inside
its criterion, strict JSON that the committed schema accepts.
"""

from __future__ import annotations

import csv
import io
import json
import math

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evals.fuzz_inputs import TOKENS
from normalizer import NormalizerError, RulesExtractor, normalize_text
from normalizer.cli import _csv_cell
from normalizer.schema import committed_schema
from normalizer.segment import segment

RULES = RulesExtractor()
VALIDATOR = jsonschema.Draft202012Validator(committed_schema())
FAST = settings(max_examples=80, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

utf8_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
criteria_text = st.lists(
    st.one_of(st.sampled_from(TOKENS), utf8_text.map(lambda s: s[:20])), max_size=40
).map(" ".join)


def check(source: str) -> None:
    doc = normalize_text(source, name="p", extractor=RULES)
    dumped = doc.model_dump(mode="json")
    text = json.dumps(dumped, allow_nan=False)  # strict JSON or an exception
    VALIDATOR.validate(json.loads(text))
    for crit in doc.criteria:
        start, end = crit.span
        assert source[start:end] == crit.text
        for c in crit.constraints:
            assert start <= c.evidence[0] <= c.evidence[1] <= end
            for bound in (c.lower, c.upper):
                assert bound is None or math.isfinite(bound.value)


@FAST
@given(criteria_text)
def test_any_criteria_text_reads_into_a_valid_document(source: str) -> None:
    check(source)


@FAST
@given(utf8_text)
def test_any_unicode_reads_into_a_valid_document(source: str) -> None:
    check(source)


@FAST
@given(st.text(max_size=50), st.integers(0, 50), st.sampled_from(["\ud800", "\udfff", "\udc80"]))
def test_lone_surrogates_raise_the_packages_error(text: str, at: int, bad: str) -> None:
    source = text[:at] + bad + text[at:]
    try:
        normalize_text(source, name="p", extractor=RULES)
    except NormalizerError:
        return
    raise AssertionError("a lone surrogate was accepted")


@FAST
@given(utf8_text)
def test_segments_are_exact_and_in_order(source: str) -> None:
    last = 0
    for seg in segment(source):
        assert source[seg.start : seg.end] == seg.text and seg.start >= last
        last = seg.end


@FAST
@given(st.lists(st.text(max_size=40), min_size=1, max_size=6))
def test_csv_cells_round_trip_and_never_start_a_formula(cells: list[str]) -> None:
    safe = [_csv_cell(c) for c in cells]
    buffer = io.StringIO()
    csv.writer(buffer).writerow(safe)
    [back] = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert back == [str(c) for c in safe]
    for original, cell in zip(cells, back, strict=True):
        assert not cell.startswith(("=", "+", "-", "@"))
        assert cell in (original, "'" + original)
