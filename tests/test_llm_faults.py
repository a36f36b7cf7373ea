"""Transport and answer faults, against a FAKE OpenAI-compatible server on 127.0.0.1.

These faults cannot be recorded from a real endpoint on demand, so they come from
``tests/fake_openai.py``, which says it is fake.  Real answers are in the cassette
tests (``test_llm_recorded.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from normalizer.extract.base import CriterionInput
from normalizer.llm import LLMExtractor, LLMSettings
from normalizer.llm.cache import ResponseCache

from .fake_openai import Reply, fake_openai

TEXT = "Platelet count ≥ 100 x 10^9/L"
GOOD = {
    "items": [
        {
            "id": "c1",
            "constraints": [
                {
                    "quote": "Platelet count ≥ 100 x 10^9/L",
                    "variable": "platelets",
                    "label": "Platelet count",
                    "comparator": ">=",
                    "value": 100,
                    "value2": None,
                    "unit": "x 10^9/L",
                    "relative_to": None,
                    "qualifier": None,
                }
            ],
        }
    ]
}


def make(url: str, tmp_path: Path | None = None, **settings: object) -> LLMExtractor:
    s = LLMSettings(base_url=url, api_key="fake", model="fake-openai", timeout=2,
                    transport_attempts=3, reasks=1, batch_size=1, concurrency=1, **settings)
    cache = ResponseCache(tmp_path / "cache.sqlite") if tmp_path else None
    waits: list[float] = []
    ex = LLMExtractor.from_settings(s, cache=cache)
    ex.transport.sleep = waits.append  # no real waiting in tests; the waits are inspected
    ex.waits = waits  # type: ignore[attr-defined]
    return ex


def read(ex: LLMExtractor, text: str = TEXT) -> tuple[list, list]:
    [result] = ex.extract([CriterionInput("inc-1", "inclusion", text, 0)])
    return result.constraints, result.findings


def test_good_answer_becomes_a_contract_constraint() -> None:
    with fake_openai(Reply("ok", arguments=GOOD)) as srv:
        ex = make(srv.url)
        constraints, findings = read(ex)
    assert findings == []
    [c] = constraints
    assert c.lower is not None
    assert (c.variable, c.lower.value, c.lower.inclusive, c.unit) == (
        "platelets", 100, True, "10*9/L"
    )
    assert c.evidence == (0, len(TEXT)) and c.extracted_by == ["llm"]
    request = srv.requests[0]
    assert request["temperature"] == 0 and request["seed"] == 0
    assert TEXT in request["messages"][1]["content"]
    assert ex.usage.calls == 1 and ex.usage.prompt_tokens == 100


def test_429_with_retry_after_is_retried_after_the_stated_wait() -> None:
    with fake_openai(
        Reply("status", status=429, headers={"Retry-After": "7"}), Reply("ok", arguments=GOOD)
    ) as srv:
        ex = make(srv.url)
        constraints, findings = read(ex)
    assert len(constraints) == 1 and findings == []
    assert ex.waits == [7.0]  # type: ignore[attr-defined]
    assert ex.usage.calls == 2 and ex.usage.transport_retries == 1


def test_5xx_twice_then_success() -> None:
    with fake_openai(Reply("status", status=500), Reply("status", status=503),
                     Reply("ok", arguments=GOOD)) as srv:
        ex = make(srv.url)
        constraints, _ = read(ex)
    assert len(constraints) == 1
    assert ex.usage.calls == 3 and len(ex.waits) == 2  # type: ignore[attr-defined]
    assert all(0 < w <= 30 for w in ex.waits)  # type: ignore[attr-defined]


def test_persistent_5xx_gives_needs_review_not_a_crash() -> None:
    with fake_openai(*[Reply("status", status=502)] * 3) as srv:
        ex = make(srv.url)
        constraints, findings = read(ex)
    assert constraints == []
    assert [f.code for f in findings] == ["llm-unavailable"]
    assert findings[0].severity == "warning" and "502" in findings[0].message
    assert ex.usage.calls == 3 and ex.usage.failed_transport == 1


def test_timeout_is_retried_then_reported() -> None:
    with fake_openai(Reply("hang", delay=3), Reply("hang", delay=3), Reply("hang", delay=3)) as srv:
        ex = make(srv.url)
        constraints, findings = read(ex)
    assert constraints == [] and [f.code for f in findings] == ["llm-unavailable"]
    assert "Timeout" in findings[0].message


@pytest.mark.parametrize("kind", ["malformed", "truncated"])
def test_broken_body_is_retried_or_reported(kind: str) -> None:
    with fake_openai(Reply(kind, arguments=GOOD), Reply("ok", arguments=GOOD)) as srv:
        ex = make(srv.url)
        constraints, findings = read(ex)
    # a body that cannot be parsed is either retried (transport) or re-asked: the
    # second, good answer is used either way, and nothing crashes
    assert len(constraints) == 1, findings


def test_wrong_schema_is_reasked_with_the_error() -> None:
    wrong = {"items": [{"id": "c1", "constraints": [{"variable": "platelets", "value": "lots"}]}]}
    with fake_openai(Reply("ok", arguments=wrong), Reply("ok", arguments=GOOD)) as srv:
        ex = make(srv.url)
        constraints, findings = read(ex)
    assert len(constraints) == 1 and findings == []
    reask = srv.requests[1]["messages"]
    assert len(reask) > 2, "the re-ask must carry the validation error back to the model"
    assert "quote" in json_text(reask) or "comparator" in json_text(reask)


def test_hallucinated_quote_is_reasked_then_reported() -> None:
    invented = {"items": [{"id": "c1", "constraints": [
        {**GOOD["items"][0]["constraints"][0], "quote": "Platelet count ≥ 150 x 10^9/L",
         "value": 150}]}]}
    with fake_openai(Reply("ok", arguments=invented), Reply("ok", arguments=invented)) as srv:
        ex = make(srv.url)
        constraints, findings = read(ex)
    assert constraints == []
    assert [f.code for f in findings] == ["llm-invalid-output"]
    assert "not in the criterion" in json_text(srv.requests[1]["messages"])


def test_warm_cache_makes_zero_calls(tmp_path: Path) -> None:
    with fake_openai(Reply("ok", arguments=GOOD)) as srv:
        first = make(srv.url, tmp_path)
        read(first)
        second = make(srv.url, tmp_path)
        constraints, _ = read(second)
    assert first.usage.calls == 1
    assert second.usage.calls == 0 and second.usage.cache_hits == 1 and len(constraints) == 1


def test_criteria_without_numbers_are_not_sent() -> None:
    with fake_openai() as srv:
        ex = make(srv.url)
        constraints, findings = read(ex, "Signed informed consent")
    assert constraints == [] and findings == [] and srv.requests == []


def json_text(messages: list) -> str:
    import json

    return json.dumps(messages)


def test_an_answer_that_stayed_invalid_is_cached_but_an_outage_is_not(tmp_path: Path) -> None:
    invented = {"items": [{"id": "c1", "constraints": [
        {**GOOD["items"][0]["constraints"][0], "quote": "Platelets above 150", "value": 150}]}]}
    with fake_openai(Reply("ok", arguments=invented), Reply("ok", arguments=invented),
                     *[Reply("status", status=503)] * 3) as srv:
        first = make(srv.url, tmp_path)
        _, findings = read(first)
        again = make(srv.url, tmp_path)
        _, findings_again = read(again)
        outage = make(srv.url, tmp_path)
        _, down = read(outage, "ANC >= 1.5 x 10^9/L")
    assert [f.code for f in findings] == [f.code for f in findings_again] == ["llm-invalid-output"]
    assert first.usage.calls == 2 and again.usage.calls == 0 and again.usage.cache_hits == 1
    assert [f.code for f in down] == ["llm-unavailable"]
    assert outage.usage.calls == 3
    cache = ResponseCache(tmp_path / "cache.sqlite")
    from normalizer.llm.cache import request_key

    key = request_key("fake-openai", outage.prompt_id, "tools",
                      [{"id": "c1", "text": "ANC >= 1.5 x 10^9/L"}])
    assert cache.get(key) is None  # an outage is asked again next time
