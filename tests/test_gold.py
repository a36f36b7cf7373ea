"""The gold files: valid against the schema, unique ids, every text verbatim in its source."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from normalizer.errors import GoldError
from normalizer.evaluation.gold import gold_problems, load_gold
from normalizer.evaluation.split import split_of

from .conftest import REPO, SHARED, need_shared

GOLD = [REPO / "gold" / "dev.jsonl", REPO / "gold" / "test.jsonl"]


def test_gold_files_are_valid_unique_and_verbatim() -> None:
    need_shared()
    problems, cases = gold_problems(GOLD, SHARED)
    assert problems == []
    assert len(cases) >= 400
    assert sum(bool(c.constraints) for c in cases) >= 150


def test_splits_are_by_trial_and_seeds_are_dev() -> None:
    for path, split in zip(GOLD, ("dev", "test"), strict=True):
        for case in load_gold([path]):
            if case.id.startswith("seed-"):
                assert split == "dev"
            else:
                assert split_of(case.id.split("-")[1]) == split, case.id


def test_every_seed_criterion_is_gold() -> None:
    need_shared()
    from normalizer.segment import segment

    ids = {c.id for c in load_gold(GOLD)}
    for seed in sorted((SHARED / "seeds").glob("*.txt")):
        text = seed.read_bytes().decode("utf-8")
        for seg in segment(text):
            assert f"seed-{seed.name[:3]}-{seg.id}" in ids


def test_broken_gold_is_refused_with_file_and_line(tmp_path) -> None:
    good = json.loads((REPO / "gold" / "dev.jsonl").read_text("utf-8").splitlines()[0])
    path = tmp_path / "g.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(good) + "\n", encoding="utf-8")
    with pytest.raises(GoldError, match=r"g.jsonl:2: duplicate id"):
        load_gold([path])
    bad = {**good, "constraints": [{"variable": "age", "lower": {"value": "x", "inclusive": True}}]}
    path.write_text(json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(GoldError, match=r"g.jsonl:1: constraints.0.lower.value"):
        load_gold([path])
    path.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(GoldError, match=r"g.jsonl:1: not JSON"):
        load_gold([path])


def test_only_at_file_selects_the_listed_ids_and_refuses_unknown_ones(tmp_path: Path) -> None:
    from normalizer.evaluation.gold import select_cases

    cases = load_gold([REPO / "gold" / "dev.jsonl"])
    listed = tmp_path / "ids.txt"
    listed.write_text(f"# recorded\n{cases[3].id}\n\n{cases[0].id}  # a seed\n", encoding="utf-8")
    assert [c.id for c in select_cases(cases, f"@{listed}")] == [cases[0].id, cases[3].id]
    listed.write_text(f"{cases[0].id}\nno-such-case\n", encoding="utf-8")
    with pytest.raises(GoldError, match="1 listed id"):
        select_cases(cases, f"@{listed}")
    with pytest.raises(GoldError, match="cannot read"):
        select_cases(cases, f"@{tmp_path / 'missing.txt'}")


def test_gold_problems_names_broken_lines_and_unreadable_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1\n[1]\n', encoding="utf-8")
    problems, cases = gold_problems([bad, tmp_path / "missing.jsonl"], SHARED)
    assert cases == []
    assert len(problems) == 3
    assert problems[:2] == [
        f"{bad}:1: not JSON (Expecting ',' delimiter)",
        f"{bad}:2: a gold case is a JSON object, not list",
    ]
    assert problems[2].startswith(f"{tmp_path / 'missing.jsonl'}: cannot be read")
