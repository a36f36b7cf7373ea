"""Inputs as named: directories (sorted, recursing, --glob, hidden and symlink loops), @lists."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .records_util import read_all

GOOD = "Inclusion Criteria:\n* Age >= 18 years\n"


def test_directories_recurse_in_sorted_order_with_glob(tmp_path: Path) -> None:
    for rel in ["b/z.txt", "b/a.txt", "a.txt", "c/d/e.txt", ".hidden.txt", ".git/x.txt",
                "notes.md"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(GOOD, encoding="utf-8")
    os.symlink(tmp_path, tmp_path / "c" / "loop")  # a symlinked directory is not followed
    records, failures = read_all(tmp_path, glob="*.txt")
    assert failures == []
    assert [r.source for r in records] == [
        f"{tmp_path}/a.txt", f"{tmp_path}/b/a.txt", f"{tmp_path}/b/z.txt", f"{tmp_path}/c/d/e.txt"]
    nested, _ = read_all(tmp_path, glob="b/*.txt")
    assert [r.source for r in nested] == [f"{tmp_path}/b/a.txt", f"{tmp_path}/b/z.txt"]
    _, none = read_all(tmp_path, glob="*.json")
    assert none[0].where == str(tmp_path) and "no files matching --glob '*.json'" in none[0].message
    # the default takes files named like records: not the LICENSE or notes beside them
    (tmp_path / "LICENSE").write_text("Permission is hereby granted", encoding="utf-8")
    default, _ = read_all(tmp_path)
    assert [r.source for r in default] == [
        f"{tmp_path}/a.txt", f"{tmp_path}/b/a.txt", f"{tmp_path}/b/z.txt", f"{tmp_path}/c/d/e.txt"]
    every, _ = read_all(tmp_path, glob="[Ln]*")
    assert {Path(r.source).name for r in every} == {"LICENSE", "notes.md"}


def test_an_existing_file_named_with_an_at_sign_is_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("@odd.txt").write_text(GOOD, encoding="utf-8")
    Path("odd.txt").write_text("@odd.txt\n", encoding="utf-8")
    records, failures = read_all("@odd.txt")
    assert failures == [] and [r.text for r in records] == [GOOD]
