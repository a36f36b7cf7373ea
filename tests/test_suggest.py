"""LLM suggestions in the run store: read for criteria in review, never applied until taken.

The LLM here is the FAKE server (``tests/fake_openai.py``); the browser test takes a
suggestion replayed from a real recording (``test_web_browser.py``).
"""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from normalizer.extract.rules import RulesExtractor
from normalizer.hybrid import LLMWithNotes
from normalizer.review.curate import curated_document
from normalizer.review.decisions import criterion_hash, decisions_for
from normalizer.review.suggest import suggest_store, suggestions_for, take
from normalizer.review.web import create_app
from normalizer.store import Store
from normalizer.store.migrations import MIGRATIONS

from .fake_openai import Reply, fake_openai
from .test_llm_faults import GOOD, make
from .test_web import normalise_into, text_record

IN_REVIEW = "Platelet count ≥ 100 x 10^9/L in 2 labs"
ACCEPTED = "Age ≥ 18 years"
TEXT = f"Inclusion Criteria:\n* {ACCEPTED}\n* {IN_REVIEW}\n"


def _store(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "runs.sqlite")
    normalise_into(store, [text_record("NCT09000001", TEXT)])
    return store


def test_the_suggestions_table_is_migration_3() -> None:
    assert [m.version for m in MIGRATIONS][:3] == [1, 2, 3]
    assert "suggestions" in MIGRATIONS[2].name.lower()


def test_suggest_reads_only_criteria_in_review_and_applies_nothing(tmp_path: Path) -> None:
    store = _store(tmp_path)
    before = curated_document(store, "NCT09000001")
    with fake_openai(Reply("ok", arguments=GOOD)) as srv:
        reader = make(srv.url)
        counts = suggest_store(store, LLMWithNotes(RulesExtractor(), reader),
                               suggested_by="llm:fake-openai")
    assert (counts.criteria, counts.read) == (1, 1)
    assert len(srv.requests) == 1 and IN_REVIEW in str(srv.requests[0]["messages"])
    [suggestion] = suggestions_for(store, "NCT09000001").values()
    assert suggestion.criterion_hash == criterion_hash(IN_REVIEW)
    assert [c.variable for c in suggestion.constraints] == ["platelets"]
    # its own verification: the "2" of "in 2 labs" is a number nobody read
    assert suggestion.status == "needs_review" and suggestion.findings
    # nothing is applied without a curator
    assert decisions_for(store, "NCT09000001") == []
    assert curated_document(store, "NCT09000001") == before
    # a second pass keeps what is there (no request)
    with fake_openai() as srv:
        again = suggest_store(store, LLMWithNotes(RulesExtractor(), make(srv.url)),
                              suggested_by="llm:fake-openai")
    assert (again.kept, again.read, srv.requests) == (1, 0, [])


def test_taking_a_suggestion_is_a_decision_with_suggested_by(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with fake_openai(Reply("ok", arguments=GOOD)) as srv:
        suggest_store(store, LLMWithNotes(RulesExtractor(), make(srv.url)),
                      suggested_by="llm:fake-openai")
    doc = curated_document(store, "NCT09000001")
    assert doc is not None
    crit = next(c for c in doc.criteria if c.text == IN_REVIEW)
    [suggestion] = suggestions_for(store, "NCT09000001").values()
    row = take(store, "NCT09000001", crit, suggestion, 0, curator="ana")
    # the rules read platelets on the same words: the suggestion corrects that reading
    assert (row.action, row.suggested_by, row.curator) == ("correct", "llm:fake-openai", "ana")
    after = curated_document(store, "NCT09000001")
    assert after is not None
    crit = next(c for c in after.criteria if c.text == IN_REVIEW)
    decided = [c for c in crit.constraints if c.decided_by is not None]
    assert decided[0].decided_by is not None
    assert decided[0].decided_by.suggested_by == "llm:fake-openai"


def test_the_page_shows_the_suggestion_and_takes_it(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with fake_openai(Reply("ok", arguments=GOOD)) as srv:
        suggest_store(store, LLMWithNotes(RulesExtractor(), make(srv.url)),
                      suggested_by="llm:fake-openai")
    client = TestClient(create_app(store))
    page = client.get("/record/NCT09000001")
    assert page.status_code == 200
    assert "LLM suggestion" in page.text and "llm:fake-openai" in page.text
    assert 'data-key="t"' in page.text
    assert 'data-key="l"' not in page.text  # no endpoint: no asking on demand
    key = page.text.split('name="form_key" value="')[1].split('"')[0]
    crit_id = page.text.split('data-kind="suggestion" data-crit="')[1].split('"')[0]
    done = client.post(
        "/record/NCT09000001/take",
        data={"form_key": key, "criterion": crit_id, "hash": criterion_hash(IN_REVIEW),
              "index": "0", "curator": "ana"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    [decision] = decisions_for(store, "NCT09000001")
    assert decision.suggested_by == "llm:fake-openai"


def test_the_page_asks_on_demand_when_it_has_an_endpoint(tmp_path: Path) -> None:
    from normalizer.review.web.app import Suggester

    store = _store(tmp_path)
    with fake_openai(Reply("ok", arguments=GOOD)) as srv:
        reader = LLMWithNotes(RulesExtractor(), make(srv.url))
        client = TestClient(create_app(store, suggester=Suggester(reader, "llm:fake-openai")))
        page = client.get("/record/NCT09000001")
        assert 'data-key="l"' in page.text
        key = page.text.split('name="form_key" value="')[1].split('"')[0]
        crit_id = next(c.id for c in store.get_document("NCT09000001").criteria  # type: ignore[union-attr]
                       if c.text == IN_REVIEW)
        done = client.post(
            "/record/NCT09000001/suggest",
            data={"form_key": key, "criterion": crit_id, "hash": criterion_hash(IN_REVIEW)},
        )
    assert done.status_code == 200 and "LLM suggestion" in done.text
    assert len(srv.requests) == 1
    assert list(suggestions_for(store, "NCT09000001")) == [criterion_hash(IN_REVIEW)]
    assert decisions_for(store, "NCT09000001") == []


def test_the_suggestion_eval_scores_the_criteria_the_rules_leave_in_review() -> None:
    from collections.abc import Sequence

    from normalizer.evaluation.suggestions import evaluate_suggestions
    from normalizer.extract.base import CriterionInput, Extraction
    from normalizer.models import Finding

    from .conftest import REPO

    gold = [REPO / "gold" / "dev.jsonl"]
    rules = RulesExtractor()
    # the rules as their own "suggester": every rules reading in review is scored
    same = evaluate_suggestions(gold, rules, rules, {"model": "rules"})
    assert same.in_review > 20 and sum(same.verdicts.values()) == same.in_review
    assert same.verdicts["unavailable"] == 0
    assert all(r.rules_status != "accepted" for r in same.results)
    assert same.gains == 0  # nothing the rules did not already match

    class Down:
        name = "llm"

        def extract(self, criteria: Sequence[CriterionInput]) -> list[Extraction]:
            return [Extraction(findings=[Finding(code="llm-unavailable", severity="warning",
                                                 constraint=None, message="down")],
                               complete=False) for _ in criteria]

    down = evaluate_suggestions(gold, rules, Down(), {"model": "down"}, sample=5)
    assert down.in_review == 5 and down.verdicts["unavailable"] == 5
