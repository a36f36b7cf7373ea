"""Issue 12: reading is linear, one record cannot cost like thousands, numbers stay finite.

Time here is only a loose regression bound (an exponential or quadratic pattern
coming back takes tens of seconds); the figures are evals/bench_scaling.py's.
"""

from __future__ import annotations

import json
import time

import pytest

from normalizer import NormalizerError, RulesExtractor, normalize_text
from normalizer.guard import MAX_CRITERION_CHARS
from normalizer.segment import header_of

from .pathological import FAMILIES, ISSUE_SIZES

RULES = RulesExtractor()
LOOSE_SECONDS = 10.0


def run(text: str) -> tuple[dict, float]:
    normalize_text("Age >= 18", name="warm", extractor=RULES)
    start = time.perf_counter()
    doc = normalize_text(text, name="x", extractor=RULES)
    elapsed = time.perf_counter() - start
    return json.loads(json.dumps(doc.model_dump(mode="json"), allow_nan=False)), elapsed


@pytest.mark.parametrize("family", sorted(ISSUE_SIZES))
def test_issue_inputs_finish_and_stay_small(family: str) -> None:
    text = FAMILIES[family](ISSUE_SIZES[family])
    doc, elapsed = run(text)
    assert elapsed < LOOSE_SECONDS, f"{family}: {elapsed:.1f} s"
    for crit in doc["criteria"]:
        assert text[crit["span"][0] : crit["span"][1]] == crit["text"]
    size = len(json.dumps(doc))
    assert size < 200 * len(text) + 100_000, f"{family}: output of {size:,} bytes"


def test_a_thousand_equal_bullets_give_one_duplicate_finding_each() -> None:
    doc, _ = run(FAMILIES["bullets"](1000))
    assert len(doc["criteria"]) == 1000
    for crit in doc["criteria"]:
        dup = [f for f in crit["findings"] if f["code"] == "eligibility-duplicate"]
        assert len(dup) == 1, crit["findings"]
        assert "and 997 more" in dup[0]["message"] and "(1000 criteria)" in dup[0]["message"]


def test_boundaries_between_many_criteria_are_counted_not_paired() -> None:
    doc, _ = run(FAMILIES["bullets-both"](200))
    for crit in doc["criteria"]:
        codes = [f["code"] for f in crit["findings"]]
        # ">= 18" against "< 18": the exclusion restates the inclusion, once per criterion
        assert codes.count("eligibility-duplicate") <= 2, codes
    messages = {f["message"] for c in doc["criteria"] for f in c["findings"]}
    assert any("inclusion inc-1, inc-2, inc-3 and 197 more" in m for m in messages)


def test_two_criteria_still_name_each_other() -> None:
    doc, _ = run("Inclusion Criteria:\n* Age > 18\n* Age > 18\n")
    [dup] = [f for f in doc["criteria"][0]["findings"] if f["code"] == "eligibility-duplicate"]
    assert dup["message"] == "inc-1 and inc-2 both state age > 18 years"


def test_a_criterion_over_the_cap_is_kept_but_not_read() -> None:
    text = "Age > 18 and " * (MAX_CRITERION_CHARS // 13 + 1)
    doc, _ = run(text)
    [crit] = doc["criteria"]
    assert crit["text"] == text.rstrip() and crit["constraints"] == []
    assert [f["code"] for f in crit["findings"]] == ["criterion-too-long"]
    assert crit["status"] == "needs_review"


def test_a_long_real_criterion_under_the_cap_is_read() -> None:
    text = "Age > 18 and " * 100 + "creatinine < 1.5 mg/dL"
    doc, _ = run(text)
    assert doc["criteria"][0]["constraints"], doc["criteria"][0]["findings"]


@pytest.mark.parametrize("digits", [309, 400, 2000])
def test_a_number_too_large_for_a_double_is_a_finding_not_infinity(digits: int) -> None:
    text = f"Inclusion Criteria:\n* Age > {'9' * digits} years\n* Platelets > 100 x 10^9/L\n"
    doc = normalize_text(text, name="x", extractor=RULES)
    out = json.dumps(doc.model_dump(mode="json"), allow_nan=False)  # raises on Infinity
    assert "Infinity" not in out and "NaN" not in out
    first, second = doc.criteria
    assert first.constraints == [] and "number-too-large" in {f.code for f in first.findings}
    assert first.status == "needs_review"
    assert [c.variable for c in second.constraints] == ["platelets"]


def test_a_canonical_value_that_overflows_is_dropped_too() -> None:
    # 1e307 mg/dL is a finite double; in umol/L (x 88.4) it is not
    doc = normalize_text("* creatinine < 1" + "0" * 307 + " mg/dL", name="x", extractor=RULES)
    json.dumps(doc.model_dump(mode="json"), allow_nan=False)
    [crit] = doc.criteria
    assert crit.constraints == [] and "number-too-large" in {f.code for f in crit.findings}


@pytest.mark.parametrize(
    "line",
    [
        "Patients' inclusion criteria:",
        "Patient's Inclusion Criteria",
        "Key patients exclusion criteria:",
        "Main study inclusion criteria:",
    ],
)
def test_header_words_still_read_after_the_rewrite(line: str) -> None:
    assert header_of(line) is not None


@pytest.mark.parametrize("text", ["Age > 18 \ud800", "\udfff", "ok\ud83d"])
def test_api_rejects_text_that_is_not_utf8_with_its_own_error(text: str) -> None:
    with pytest.raises(NormalizerError, match="cannot be encoded as UTF-8"):
        normalize_text(text, name="x", extractor=RULES)


def test_api_rejects_bytes_with_its_own_error() -> None:
    with pytest.raises(NormalizerError, match="must be a str"):
        normalize_text(b"Age > 18", name="x", extractor=RULES)  # type: ignore[arg-type]
