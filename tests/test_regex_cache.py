"""Compiled patterns kept between processes give exactly what re.compile gives."""

from __future__ import annotations

import marshal
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import normalizer
from normalizer.data_files import data_toml
from normalizer.regex_cache import cache_file, kept_regexes

from .conftest import SEEDS, need_shared

SEED = SEEDS / "001_1264358aa91b314b.txt"

PATTERNS = [
    (r"(?P<op>>=|<=|[<>])\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>mg/dL|g/L)?", 0),
    (r"(?i:between)\s+(\d+)\s+(?:and|to)\s+(\d+)", re.MULTILINE),
    (r"(?<![\w])(?:ULN|upper\s+limit\s+of\s+normal)(?![\w])", re.IGNORECASE),
]
TEXTS = ["Hb >= 9.5 g/L", "between 18 and 65", "AST <= 2.5 x ULN", "upper  limit of normal"]


def _compiled(monkeypatch: pytest.MonkeyPatch, folder: Path) -> list[re.Pattern[str]]:
    monkeypatch.setenv("NORMALIZER_REGEX_CACHE", str(folder))
    re.purge()
    with kept_regexes():
        return [re.compile(p, f) for p, f in PATTERNS]


def _same(a: re.Pattern[str], b: re.Pattern[str]) -> None:
    assert (a.pattern, a.flags, a.groups, a.groupindex) == (b.pattern, b.flags, b.groups,
                                                            b.groupindex)
    for text in TEXTS:
        found = [(m.span(), m.groups()) for m in a.finditer(text)]
        assert found == [(m.span(), m.groups()) for m in b.finditer(text)]


def test_patterns_from_the_file_match_as_compiled_ones(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = _compiled(monkeypatch, tmp_path)
    path = cache_file()
    assert path is not None and path.is_file()  # kept for the next process
    again = _compiled(monkeypatch, tmp_path)  # this time from the file
    re.purge()
    plain = [re.compile(p, f) for p, f in PATTERNS]
    for a, b, c in zip(first, again, plain, strict=True):
        _same(a, c)
        _same(b, c)


def test_a_damaged_file_or_off_falls_back_to_re(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _compiled(monkeypatch, tmp_path)
    path = cache_file()
    assert path is not None
    path.write_bytes(b"\x00not marshal")
    re.purge()
    for got, (p, f) in zip(_compiled(monkeypatch, tmp_path), PATTERNS, strict=True):
        _same(got, re.compile(p, f))
    monkeypatch.setenv("NORMALIZER_REGEX_CACHE", "off")
    assert cache_file() is None
    with kept_regexes():
        assert re.compile("a+b").match("aab")
    assert getattr(re, "_compiler").compile.__module__ == "re._compiler"  # noqa: B009  (restored)


def test_remembered_answers_come_back_from_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from normalizer.regex_start import required_words, start_class

    monkeypatch.setenv("NORMALIZER_REGEX_CACHE", str(tmp_path))
    questions = [(p, f) for p, f in PATTERNS] + [(r"(?:ULN|upper limit)", re.IGNORECASE)]
    plain = [(start_class(p, f), required_words(p, f)) for p, f in questions]
    with kept_regexes():  # first process: computed and kept (flags given as re.RegexFlag)
        first = [(start_class(p, f), required_words(p, f)) for p, f in questions]
    path = cache_file()
    assert path is not None and path.is_file()
    calls: list[str] = []
    real = getattr(re, "_parser").parse  # noqa: B009

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(str(args[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(getattr(re, "_parser"), "parse", counting)  # noqa: B009
    with kept_regexes():  # next process: every answer from the file, no pattern parsed
        again = [(start_class(p, f), required_words(p, f)) for p, f in questions]
    assert calls == []
    assert first == plain and again == plain
    assert any(answer is not None for answer, _ in plain)  # the questions have answers


def test_a_file_past_its_size_keeps_only_what_its_last_writer_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import marshal

    from normalizer import regex_cache

    monkeypatch.setenv("NORMALIZER_REGEX_CACHE", str(tmp_path))
    re.purge()
    with kept_regexes():
        re.compile("(?:alpha|beta)+gamma")
    path = cache_file()
    assert path is not None
    assert ("(?:alpha|beta)+gamma", 0) in marshal.loads(path.read_bytes())
    re.purge()
    with kept_regexes():  # under the size: both kept
        re.compile("delta[0-9]+")
    assert len(marshal.loads(path.read_bytes())) == 2
    monkeypatch.setattr(regex_cache, "_MAX_BYTES", 10)
    re.purge()
    with kept_regexes():  # past it: only what this process used
        re.compile("epsilon?")
    assert set(marshal.loads(path.read_bytes())) == {("epsilon?", 0)}


def _one_record_run(folder: Path, seed: int) -> None:
    need_shared()
    env = {**os.environ, "NORMALIZER_REGEX_CACHE": str(folder), "PYTHONHASHSEED": str(seed)}
    done = subprocess.run(
        [sys.executable, "-m", "normalizer", "normalize", str(SEED), "--format", "json"],
        env=env, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr


def test_a_second_process_with_another_hash_seed_finds_every_pattern(tmp_path: Path) -> None:
    """Alternations built from sets once came out in a new order in every process: each
    start recompiled them and rewrote a growing file (1.0 to 2.0 MB, then trimmed)."""
    _one_record_run(tmp_path, 1)
    (path,) = tmp_path.glob("regex-*.marshal")
    first = marshal.loads(path.read_bytes())
    stamp = path.stat().st_mtime_ns
    _one_record_run(tmp_path, 2)
    assert path.stat().st_mtime_ns == stamp, "the second process added patterns"
    assert marshal.loads(path.read_bytes()).keys() == first.keys()


def test_every_packaged_data_file_parses_to_what_marshal_writes() -> None:
    """data_toml's parses are kept in the cache file; one value marshal cannot write (a
    TOML date) would make the whole file unwritable."""
    names = sorted(p.name for p in Path(normalizer.__file__).parent.joinpath("data").glob("*.toml"))
    assert "patterns.toml" in names and "catalog.toml" in names
    for name in names:
        parsed = data_toml(name)
        assert marshal.loads(marshal.dumps(parsed)) == parsed, name
