"""normalizer.budget: a per-record time budget with real worker processes."""

from __future__ import annotations

import time

import pytest

from normalizer import RulesExtractor, normalize_text
from normalizer.budget import Budgeted, BudgetExceeded


def slow(seconds: float) -> str:
    time.sleep(seconds)
    return "done"


def boom() -> None:
    raise ValueError("from the worker")


def test_work_within_budget_returns_and_the_worker_is_reused() -> None:
    with Budgeted(seconds=60) as run:
        doc = run(normalize_text, "Inclusion Criteria:\n* Age >= 18 years", name="r",
                  extractor=RulesExtractor())
        again = run(normalize_text, "* ECOG 0-1", name="s", extractor=RulesExtractor())
    assert doc.criteria[0].constraints[0].variable == "age"
    assert again.criteria[0].constraints[0].variable == "ecog"


def test_overrunning_work_is_stopped_and_the_next_call_works() -> None:
    with Budgeted(seconds=1.0, preload=("tests.test_budget",)) as run:
        assert run(slow, 0) == "done"
        started = time.monotonic()
        with pytest.raises(BudgetExceeded, match="1-second budget"):
            run(slow, 60)
        assert time.monotonic() - started < 30
        assert run(slow, 0) == "done"


def test_an_exception_in_the_work_is_raised_here() -> None:
    with Budgeted(seconds=60) as run, pytest.raises(ValueError, match="from the worker"):
        run(boom)
