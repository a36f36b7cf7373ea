"""Recording cassettes: what a recording cut short keeps.

The endpoint is the FAKE server (``tests/fake_openai.py``, it says it is fake): a
real model cannot be made to hang on the second request on demand.  The cassette
is written to a temporary folder and never committed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

from .fake_openai import Reply, fake_openai

REPO = Path(__file__).resolve().parents[1]


def _answer(quote: str, variable: str, value: int) -> dict[str, object]:
    constraint = {
        "quote": quote, "variable": variable, "label": variable, "comparator": ">=",
        "value": value, "value2": None, "unit": None, "relative_to": None, "qualifier": None,
    }
    return {"items": [{"id": "c1", "constraints": [constraint]}]}


CASES = [("rec-1", "ECOG ≥ 1", "ecog", 1), ("rec-2", "Karnofsky ≥ 70", "karnofsky", 70)]


def _gold(tmp_path: Path) -> Path:
    gold = tmp_path / "gold.jsonl"
    lines = []
    for case_id, text, variable, value in CASES:
        constraint = {"variable": variable, "lower": {"value": value, "inclusive": True},
                      "upper": None, "unit": None, "relative_to": None}
        lines.append(json.dumps({"id": case_id, "source": "test", "section": "inclusion",
                                 "text": text, "constraints": [constraint]}))
    gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return gold


def _eval(url: str, gold: Path, cassette: Path, out: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "normalizer", "eval", "--gold", str(gold),
               "--extractor", "llm", "--base-url", url, "--api-key", "fake",
               "--model", "fake-openai", "--batch-size", "1", "--concurrency", "1",
               "--timeout", "60", "--cassette", str(cassette), "--record",
               "--out", str(out), "-f", "json"]
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def _interactions(cassette: Path) -> list[dict[str, object]]:
    data = yaml.safe_load(cassette.read_text(encoding="utf-8"))
    return list(data["interactions"])


def test_an_interrupted_recording_keeps_the_answers_it_completed(tmp_path: Path) -> None:
    gold, cassette, out = _gold(tmp_path), tmp_path / "c.yaml", tmp_path / "r.json"
    first = Reply("ok", arguments=_answer(*CASES[0][1:]))
    with fake_openai(first, Reply("hang", delay=30)) as srv:
        proc = _eval(srv.url, gold, cassette, out)
        deadline = time.monotonic() + 60
        while len(srv.requests) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert len(srv.requests) == 2, "the second request never reached the server"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGINT, err.decode()
    kept = _interactions(cassette)
    assert len(kept) == 1
    assert "ECOG" in str(kept[0]["request"])

    # the rerun sends only the request the cut run did not complete
    # (on the same port: the cassette matches on host and port)
    port = int(srv.url.rsplit(":", 1)[1].split("/")[0])
    second = Reply("ok", arguments=_answer(*CASES[1][1:]))
    with fake_openai(second, port=port) as srv:
        proc = _eval(srv.url, gold, cassette, out)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        assert len(srv.requests) == 1
        assert "Karnofsky" in json.dumps(srv.requests[0])
    assert len(_interactions(cassette)) == 2
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["cases"] == 2
