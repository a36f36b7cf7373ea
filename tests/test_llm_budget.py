"""Answer budgets, truncated answers, concurrency defaults and the run's stats.

Truncation and failures on demand come from the FAKE server (``tests/fake_openai.py``,
which says it is fake); a real truncation recorded from the local model is in
``test_llm_recorded.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from normalizer.llm import LLMSettings, answer_budget, criterion_items
from normalizer.llm.cache import ResponseCache, request_key
from normalizer.llm.settings import is_loopback

from .conftest import REPO
from .fake_openai import Reply, fake_openai
from .test_llm_faults import GOOD, TEXT, make, read

# seed 001's laboratory criterion: eight limits, cut off at the old 320-token budget
EIGHT_LIMITS = (
    "Neutrophil count ≥1.5\\*109/L, platelet count ≥10.0\\*109/L, hemochrome ≥9g/dL; "
    "Serum creatinine ≤1.5 times the upper limit of normal value; Bilirubin ≤1.5 times the "
    "upper limit of normal value, AST, ALT, AKP≤2.5 times the upper limit of normal value."
)


def test_budget_scales_with_numbers_and_list_items() -> None:
    assert criterion_items("Age ≥ 18 years") == 1
    # the power of ten in a unit is not a value
    assert criterion_items("Platelet count ≥ 100 x 10^9/L") == 1
    assert criterion_items("ANC ≥1.5\\*109/L") == 1
    assert criterion_items("AST, ALT, ALP ≤ 2.5 x ULN") == 3
    # a small criterion keeps the old budget (120 + 200)
    assert answer_budget(["Age ≥ 18 years"], 2048) == 320
    big = answer_budget([EIGHT_LIMITS], 2048)
    assert big == 120 + 25 * criterion_items(EIGHT_LIMITS) > 320, big
    assert answer_budget([EIGHT_LIMITS], 400) == 400  # never over the cap
    assert answer_budget(["Age ≥ 18", "Age ≤ 75"], 2048) == 120 + 2 * 200


def test_the_request_carries_the_scaled_budget() -> None:
    with fake_openai(Reply("ok", arguments=GOOD)) as srv:
        read(make(srv.url))
    assert srv.requests[0]["max_tokens"] == answer_budget([TEXT], 2048)


def test_a_truncated_answer_is_retried_once_with_twice_the_budget(tmp_path: Path) -> None:
    cut = Reply("ok", finish_reason="length", raw_arguments='{"items": [{"id": "c1", "constr')
    with fake_openai(cut, Reply("ok", arguments=GOOD)) as srv:
        ex = make(srv.url, tmp_path)
        constraints, findings = read(ex)
    assert len(constraints) == 1 and findings == []
    first, second = (r["max_tokens"] for r in srv.requests)
    assert second == 2 * first
    assert len(srv.requests[1]["messages"]) == 2, "a larger budget, not a re-ask"
    assert ex.usage.truncated_retries == 1 and ex.usage.failed == 0


def test_an_answer_truncated_twice_is_reported_as_such_and_never_cached(tmp_path: Path) -> None:
    cut = Reply("ok", finish_reason="length", raw_arguments='{"items": [{"id": "c1", "constr')
    with fake_openai(cut, cut, Reply("ok", arguments=GOOD)) as srv:
        ex = make(srv.url, tmp_path)
        constraints, findings = read(ex)
        again = make(srv.url, tmp_path)
        constraints_again, _ = read(again)
    assert constraints == []
    assert [f.code for f in findings] == ["llm-answer-truncated"]
    assert "cut off at its budget" in findings[0].message
    assert ex.usage.failed_truncated == 1 and ex.usage.failed == 1
    # not cached: the next run asks again (and here gets a whole answer)
    assert again.usage.cache_hits == 0 and len(constraints_again) == 1
    cache = ResponseCache(tmp_path / "cache.sqlite")
    key = request_key("fake-openai", ex.prompt_id, "tools", [{"id": "c1", "text": TEXT}])
    assert cache.get(key) is not None  # the whole answer, stored by the second run


def test_a_truncation_the_server_does_not_flag_is_seen_by_its_tokens() -> None:
    """llama.cpp says finish_reason "tool_calls" for a tool call cut at max_tokens."""
    cut = Reply("ok", finish_reason="length", raw_arguments='{"items": [{"id": "c1"')
    with fake_openai(cut, cut) as srv:
        ex = make(srv.url, max_tokens=320)
        _, findings = read(ex)
    # at the cap already: no larger budget to retry with
    assert len(srv.requests) == 1 and srv.requests[0]["max_tokens"] == 320
    assert [f.code for f in findings] == ["llm-answer-truncated"]


@pytest.mark.parametrize(("url", "local"), [
    ("http://127.0.0.1:8011/v1", True), ("http://localhost:8000/v1", True),
    ("http://[::1]:8000/v1", True), ("https://api.openai.com/v1", False),
    ("http://10.0.0.5:8000/v1", False), (None, False),
])
def test_concurrency_is_one_for_a_local_server(url: str | None, local: bool) -> None:
    assert is_loopback(url) is local
    settings = LLMSettings(base_url=url)
    assert settings.in_flight == (1 if local else 4)
    assert LLMSettings(base_url=url, concurrency=3).in_flight == 3


def test_the_timeout_runs_from_when_the_request_is_sent() -> None:
    ex = make("http://127.0.0.1:9/v1")
    timeout = ex.transport.client.timeout
    assert timeout.read == 2 and timeout.pool is None  # type: ignore[union-attr]


def test_help_documents_the_concurrency_default() -> None:
    done = subprocess.run([sys.executable, "-m", "normalizer", "normalize", "--help"],
                          capture_output=True, text=True, cwd=REPO, timeout=60,
                          env={**os.environ, "COLUMNS": "200", "TERM": "dumb"})
    text = " ".join(done.stdout.split())
    assert "1 for a server on this machine" in text, text
    assert "--max-tokens" in text


# -- the stats, live and in the summary ------------------------------------------------


def _run(record: Path, cache: Path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NORMALIZER_"))}
    return subprocess.run(
        [sys.executable, "-m", "normalizer", "normalize", str(record),
         "--base-url", url, "--api-key", "fake", "--model", "fake-openai",
         "--cache", str(cache), "--timeout", "20", *extra],
        capture_output=True, text=True, cwd=REPO, env={**env, "NORMALIZER_PROGRESS_EVERY": "0"},
        timeout=120,
    )


def test_stats_count_routed_skipped_sent_and_failures_replayed_from_the_cache(
    tmp_path: Path,
) -> None:
    invented = {"items": [{"id": "c1", "constraints": [
        {**GOOD["items"][0]["constraints"][0], "quote": "Platelets above 150", "value": 150}]}]}
    record = tmp_path / "r.txt"
    # the LLM invents a quote twice: invalid, and that answer is cached
    record.write_text("Inclusion Criteria:\n* " + TEXT + "\n", encoding="utf-8")
    cache = tmp_path / "llm.sqlite"
    with fake_openai(Reply("ok", arguments=invented), Reply("ok", arguments=invented)) as srv:
        first = _run(record, cache, srv.url, "-x", "llm")
        second = _run(record, cache, srv.url, "-x", "llm")
    assert first.returncode == 0, first.stderr
    assert len(srv.requests) == 2, "the second run replays the failed answer from the cache"
    summary = [line for line in first.stderr.splitlines() if line.startswith("llm fake-openai")]
    assert summary, first.stderr
    assert "1 criteria routed, 0 skipped (no number), 1 sent (0 from the cache)" in summary[0]
    assert "1 failed (1 invalid)" in summary[0]
    again = [line for line in second.stderr.splitlines() if line.startswith("llm fake-openai")]
    assert "1 sent (1 from the cache)" in again[0], again
    assert "1 failed (1 invalid; 1 replayed from the cache)" in again[0], again
    # the live line came before the summary, during the run
    live = [line for line in first.stderr.splitlines() if line.startswith("llm: ")]
    assert live and "1 answered, 1 failed" in live[-1], first.stderr


def test_stats_count_skipped_criteria_and_endpoint_failures(tmp_path: Path) -> None:
    record = tmp_path / "r.txt"
    record.write_text("Inclusion Criteria:\n* Signed informed consent\n* " + TEXT + "\n",
                      encoding="utf-8")
    cache = tmp_path / "llm.sqlite"
    with fake_openai(*[Reply("status", status=503)] * 4) as srv:
        done = _run(record, cache, srv.url, "-x", "llm")
    summary = [line for line in done.stderr.splitlines() if line.startswith("llm fake-openai")]
    assert "2 criteria routed, 1 skipped (no number), 1 sent (0 from the cache)" in summary[0]
    assert "1 failed (1 endpoint)" in summary[0], summary
    assert json.loads(done.stdout)["criteria"][1]["status"] == "needs_review"
