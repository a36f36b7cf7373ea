"""Issue 12: LLM answers out of proportion are cut down to size, each with a finding.
Answers come from the FAKE server in ``tests/fake_openai.py``."""

from __future__ import annotations

import copy
import json

from normalizer.llm.convert import MAX_CONSTRAINTS, MAX_TEXT

from .fake_openai import Reply, fake_openai
from .test_llm_faults import GOOD, make, read


def answer(constraints: list[dict]) -> dict:
    return {"items": [{"id": "c1", "constraints": constraints}]}


ONE = GOOD["items"][0]["constraints"][0]


def test_three_thousand_identical_constraints_are_kept_once() -> None:
    with fake_openai(Reply("ok", arguments=answer([ONE] * 3000))) as srv:
        constraints, findings = read(make(srv.url))
    assert len(constraints) == 1
    assert [f.code for f in findings] == ["llm-duplicates-collapsed"]
    assert "3000 constraints of which 1 differ" in findings[0].message


def test_more_constraints_than_any_criterion_states_are_capped() -> None:
    many = [{**ONE, "label": f"Platelet count {k}"} for k in range(MAX_CONSTRAINTS + 15)]
    with fake_openai(Reply("ok", arguments=answer(many))) as srv:
        constraints, findings = read(make(srv.url))
    assert len(constraints) == MAX_CONSTRAINTS
    assert "llm-too-many-constraints" in {f.code for f in findings}


def test_a_three_megabyte_label_is_cut() -> None:
    huge = copy.deepcopy(ONE)
    huge["label"] = "P" * 3_000_000
    huge["qualifier"] = "if " + "q" * 1000
    with fake_openai(Reply("ok", arguments=answer([huge]))) as srv:
        constraints, findings = read(make(srv.url))
    [c] = constraints
    assert len(c.label) <= MAX_TEXT + 1 and c.qualifier is not None
    assert len(c.qualifier) <= MAX_TEXT + 1
    assert "llm-text-truncated" in {f.code for f in findings}
    assert len(json.dumps(c.model_dump(mode="json"))) < 2000
