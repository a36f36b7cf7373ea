"""Issue 12: a cache that cannot kill a run.  Real SQLite files, real processes,
LLM faults from the FAKE server in ``tests/fake_openai.py``."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from normalizer.llm.cache import ResponseCache, open_cache, request_key

from .conftest import REPO
from .fake_openai import Reply, fake_openai
from .test_llm_faults import GOOD, TEXT, make, read


def fill(path: Path, n: int = 200) -> None:
    cache = ResponseCache(path)
    for k in range(n):
        cache.put(f"k{k}", "m", "p", {"items": [], "pad": "x" * 500})
    cache.close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def test_a_file_that_is_not_a_database_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "llm.sqlite"
    path.write_bytes(b"this is not sqlite at all\n" * 100)
    warnings: list[str] = []
    assert open_cache(path, warn=warnings.append) is None
    assert not path.exists()
    [aside] = list(tmp_path.glob("llm.sqlite.corrupt-*"))
    assert aside.read_bytes().startswith(b"this is not sqlite")
    assert "moved aside" in warnings[0]
    assert open_cache(path, warn=warnings.append) is not None  # the next run starts afresh


def test_a_truncated_database_does_not_end_the_run(tmp_path: Path) -> None:
    path = tmp_path / "llm.sqlite"
    fill(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    warnings: list[str] = []
    cache = open_cache(path, warn=warnings.append)
    if cache is not None:  # the damage may only show when a page is read
        for k in range(200):
            cache.get(f"k{k}")
        cache.put("new", "m", "p", {"items": []})
    assert warnings, "a damaged cache must be reported"


def test_a_damaged_header_is_corruption(tmp_path: Path) -> None:
    path = tmp_path / "llm.sqlite"
    fill(path)
    data = bytearray(path.read_bytes())
    data[0:16] = b"\xff" * 16
    path.write_bytes(bytes(data))
    warnings: list[str] = []
    assert open_cache(path, warn=warnings.append) is None
    assert list(tmp_path.glob("llm.sqlite.corrupt-*")) and "corrupted" in warnings[0]


def test_a_row_that_is_not_json_is_a_miss(tmp_path: Path) -> None:
    path = tmp_path / "llm.sqlite"
    cache = ResponseCache(path)
    cache.put("k", "m", "p", {"items": []})
    con = sqlite3.connect(path)
    con.execute("UPDATE responses SET answer = 'not json {' WHERE key = 'k'")
    con.commit()
    con.close()
    warnings: list[str] = []
    cache = ResponseCache(path, warn=warnings.append)
    assert cache.get("k") is None and "not JSON" in warnings[0]
    cache.put("k", "m", "p", {"items": [1]})
    assert cache.get("k") == {"items": [1]}


def test_an_uncreatable_location_means_no_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where a folder should be")
    warnings: list[str] = []
    assert open_cache(blocker / "sub" / "llm.sqlite", warn=warnings.append) is None
    assert "running without one" in warnings[0]


def test_a_bad_row_through_the_extractor_asks_again(tmp_path: Path) -> None:
    with fake_openai(Reply("ok", arguments=GOOD), Reply("ok", arguments=GOOD)) as srv:
        first = make(srv.url, tmp_path)
        read(first)
        con = sqlite3.connect(tmp_path / "cache.sqlite")
        con.execute("UPDATE responses SET answer = '{\"items\": 3}'")
        con.commit()
        con.close()
        again = make(srv.url, tmp_path)
        constraints, _ = read(again)
    assert len(constraints) == 1 and again.usage.requests == 1


def test_a_malformed_body_is_a_transport_fault_never_cached(tmp_path: Path) -> None:
    with fake_openai(*[Reply("malformed")] * 3, Reply("ok", arguments=GOOD)) as srv:
        broken = make(srv.url, tmp_path)
        _, findings = read(broken)
        healthy = make(srv.url, tmp_path)
        constraints, _ = read(healthy)
    assert [f.code for f in findings] == ["llm-unavailable"]
    assert "not JSON" in findings[0].message
    assert healthy.usage.requests == 1 and healthy.usage.cache_hits == 0
    assert len(constraints) == 1


CHILD = """
import json, sys
from pathlib import Path
from normalizer.llm.cache import ResponseCache
from normalizer.extract.base import CriterionInput
from normalizer.llm import LLMExtractor, LLMSettings
url, cache, text = sys.argv[1:4]
s = LLMSettings(base_url=url, api_key="fake", model="fake-openai", timeout=30,
                transport_attempts=1, reasks=0)
ex = LLMExtractor.from_settings(s, cache=ResponseCache(Path(cache)))
[r] = ex.extract([CriterionInput("inc-1", "inclusion", text, 0)])
print(json.dumps({"constraints": len(r.constraints), "requests": ex.usage.requests,
                  "hits": ex.usage.cache_hits}))
"""


def test_two_processes_on_one_cache_pay_once(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NORMALIZER_"))}
    cache = tmp_path / "shared.sqlite"
    ResponseCache(cache).close()
    # one slow answer (1.5 s) and a second reply that must never be needed
    with fake_openai(Reply("ok", arguments=GOOD, delay=1.5),
                     Reply("ok", arguments=GOOD, delay=1.5)) as srv:
        children = [
            subprocess.Popen([sys.executable, "-c", CHILD, srv.url, str(cache), TEXT],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=REPO, env=env)
            for _ in range(2)
        ]
        results = []
        for child in children:
            out, err = child.communicate(timeout=120)
            assert child.returncode == 0, err
            results.append(json.loads(out))
        received = len(srv.requests)
    assert received == 1, results
    assert sorted(r["requests"] for r in results) == [0, 1]
    assert all(r["constraints"] == 1 for r in results)


def test_a_claim_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    cache = ResponseCache(path)
    con = sqlite3.connect(path)
    import socket

    con.execute("INSERT INTO inflight VALUES ('k', ?, 0)", (f"{socket.gethostname()}:999999",))
    con.commit()
    con.close()
    assert cache.get_or_claim("k") is None  # claimed: this process asks
    key = request_key("m", "p", "tools", [])
    assert cache.claim(key)


def test_cli_runs_on_with_a_corrupted_cache(tmp_path: Path) -> None:
    cache = tmp_path / "llm.sqlite"
    cache.write_bytes(b"\x00garbage" * 1000)
    record = tmp_path / "r.txt"
    record.write_text(f"Inclusion Criteria:\n* {TEXT}\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NORMALIZER_"))}
    with fake_openai(Reply("ok", arguments=GOOD)) as srv:
        done = subprocess.run(
            [sys.executable, "-m", "normalizer", "normalize", str(record), "-x", "llm",
             "--base-url", srv.url, "--api-key", "fake", "--model", "fake-openai",
             "--cache", str(cache), "--timeout", "20"],
            capture_output=True, text=True, cwd=REPO, env=env, timeout=120,
        )
    assert done.returncode == 0, done.stderr
    assert "moved aside" in done.stderr and "Traceback" not in done.stderr
    doc = json.loads(done.stdout)
    assert doc["criteria"][0]["constraints"], doc


def unprivileged(fn):  # type: ignore[no-untyped-def]
    """Run ``fn()`` with effective uid 65534 when we are root (root ignores file modes)."""
    if os.geteuid() != 0:
        return fn()
    os.setegid(65534)
    os.seteuid(65534)
    try:
        return fn()
    finally:
        os.seteuid(0)
        os.setegid(0)


def test_read_only_caches_degrade_with_a_warning() -> None:
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="normalizer-ro-"))
    try:
        full = folder / "full.sqlite"
        cache = ResponseCache(full)
        cache.put("k", "m", "p", {"items": []})
        cache.close()
        con = sqlite3.connect(full)
        con.execute("PRAGMA journal_mode=DELETE")  # a read-only WAL file needs its -shm
        con.close()
        empty = folder / "empty.sqlite"
        empty.write_bytes(b"")
        for path in (full, empty):
            path.chmod(0o444)
        folder.chmod(0o555)
        warnings: list[str] = []

        def use() -> tuple[object, object]:
            ro = open_cache(full, warn=warnings.append)
            got = ro.get("k") if ro is not None else None
            if ro is not None:
                ro.put("k2", "m", "p", {"items": []})  # not stored, no exception
                assert ro.get("k2") is None
            return got, open_cache(empty, warn=warnings.append)

        got, none = unprivileged(use)
        assert none is None
        assert got == {"items": []}  # a read-only cache is still read
        assert len(warnings) >= 2 and all("cache" in w for w in warnings)
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)
