"""The command line as a curator runs it: real processes, real files, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema

from normalizer.schema import document_schema

from .conftest import REPO, SEEDS, need_shared

SEED = "001_1264358aa91b314b.txt"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NORMALIZER_"))}
    return subprocess.run(
        [sys.executable, "-m", "normalizer", *args],
        capture_output=True, text=True, cwd=REPO, env={**base, **(env or {})}, timeout=300,
    )


def test_normalize_a_seed_prints_contract_json() -> None:
    need_shared()
    done = run("normalize", str(SEEDS / SEED))
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    jsonschema.validate(doc, document_schema())
    assert doc["source"].endswith(SEED)
    assert doc["provenance"]["extractor"] == "rules"
    text = (SEEDS / SEED).read_bytes().decode("utf-8")
    for crit in doc["criteria"]:
        assert text[crit["span"][0] : crit["span"][1]] == crit["text"]
        for c in crit["constraints"]:
            assert crit["span"][0] <= c["evidence"][0] <= c["evidence"][1] <= crit["span"][1]
    bmi = next(c for c in doc["criteria"] if c["text"].startswith("BMI acuity"))
    assert bmi["status"] == "needs_review"
    assert bmi["constraints"][0]["lower"] == {"value": 18.5, "inclusive": True}
    assert "rules only" in done.stderr  # the one-line hint: no endpoint configured


def test_jsonl_keeps_input_order_and_bad_files_do_not_stop_the_run(tmp_path: Path) -> None:
    need_shared()
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02 not text")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Âge ≥ 18 ans".encode()[:2] + b"\xe9\xff")
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    big = tmp_path / "big.txt"
    big.write_bytes(b"Age >= 18\n" * 520_000)  # 5.2 MB
    missing = tmp_path / "missing.txt"
    nothing = tmp_path / "nothing"  # a directory is read recursively (issue 10): this one is empty
    nothing.mkdir()
    files = [SEEDS / "000_79b1477fd8f1d6d3.txt", binary, latin1, empty, big, missing, nothing,
             SEEDS / SEED]
    done = run("normalize", "-f", "jsonl", *map(str, files))
    assert done.returncode == 1
    docs = [json.loads(line) for line in done.stdout.splitlines()]
    assert [Path(d["source"]).name for d in docs] == ["000_79b1477fd8f1d6d3.txt", SEED]
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 6, done.stderr
    for path, word in [(binary, "binary"), (latin1, "UTF-8"), (empty, "empty"),
                       (big, "larger"), (missing, "no such file"), (nothing, "directory")]:
        assert any(str(path) in e and word in e for e in errors), (path, errors)
    assert "Traceback" not in done.stderr


def test_nothing_readable_exits_3(tmp_path: Path) -> None:
    done = run("normalize", str(tmp_path / "nope.txt"))
    assert done.returncode == 3 and done.stdout == ""
    assert done.stderr.strip().splitlines()[-1].startswith("error:")


def test_llm_without_an_endpoint_is_a_clear_error() -> None:
    need_shared()
    done = run("normalize", "--extractor", "llm", str(SEEDS / SEED))
    assert done.returncode == 3
    assert "needs an LLM endpoint" in done.stderr and "Traceback" not in done.stderr


def test_review_queue_lists_what_needs_a_look_with_why() -> None:
    need_shared()  # the queue's formats in detail: tests/test_review_cli.py
    done = run("review", "-f", "jsonl", str(SEEDS / SEED))
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert rows and all(r["status"] != "accepted" for r in rows)
    assert any(r["reading"] == "BMI ≥ 18.5 kg/m²" and r["findings"] for r in rows)
    csv_run = run("review", "-f", "csv", str(SEEDS / SEED))
    assert csv_run.stdout.splitlines()[0].startswith("record,nct_id,criteria,section,status")


def test_schema_command_prints_the_committed_schema() -> None:
    done = run("schema")
    committed = json.loads((REPO / "normalizer/schema/document.schema.json").read_text("utf-8"))
    assert json.loads(done.stdout) == committed


def test_eval_gates_on_thresholds(tmp_path: Path) -> None:
    need_shared()
    gold = REPO / "gold" / "dev.jsonl"
    floors = tmp_path / "t.toml"
    floors.write_text("[rules]\n'micro.f1' = 0.0\n[impossible]\n'micro.f1' = 1.01\n")
    out = tmp_path / "r.json"
    ok = run("eval", "--gold", str(gold), "--thresholds", str(floors), "--out", str(out))
    assert ok.returncode == 0, ok.stderr
    report = json.loads(out.read_text("utf-8"))
    assert report["cases"] > 300 and report["stamp"]["extractor"] == "rules"
    bad = run("eval", "--gold", str(gold), "--thresholds", str(floors), "--gate", "impossible")
    assert bad.returncode == 4 and "below the floor" in bad.stderr
    same = run("eval", "--compare", str(out), str(out), "-f", "json")
    assert json.loads(same.stdout)["worse"] == []


def test_help_imports_neither_the_store_nor_the_models() -> None:
    # regression: `run` imported the store (SQLAlchemy, ~0.7 s) and the pipeline at CLI
    # import, so every `--help` and `normalize` paid for them
    probe = (
        "import sys; sys.argv = ['normalizer', '--help']\n"
        "from normalizer.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = {'sqlalchemy', 'normalizer.store', 'normalizer.batch', 'normalizer.models',"
        " 'normalizer.pipeline'}\n"
        "print(sorted(heavy & set(sys.modules)), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr


def test_normalize_to_json_does_not_import_rich() -> None:
    # rich (20 ms of a start) is for tables, live lines and errors; a one-record
    # normalize to JSON writes its one note as a plain line
    need_shared()
    seed = sorted(SEEDS.glob("*.txt"))[0]
    probe = (
        f"import sys; sys.argv = ['normalizer', 'normalize', {str(seed)!r}, '--format', 'json']\n"
        "from normalizer.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich'), file=sys.stderr)"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_BASE_URL"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=False, timeout=120, env=env)
    lines = done.stderr.strip().splitlines()
    assert lines[-1] == "[]", done.stderr
    assert lines[0].startswith("rules only:"), done.stderr  # the note, still written


def test_the_command_has_a_name_no_dependency_takes() -> None:
    """charset-normalizer (via requests) also installs a ``normalizer`` script; the
    package's own ``criteria-normalizer`` is always this tool."""
    from importlib.metadata import entry_points

    ours = {e.name: e.value for e in entry_points(group="console_scripts")
            if e.value == "normalizer.cli:main"}
    assert ours.get("criteria-normalizer") == "normalizer.cli:main"
    taken = [e.name for e in entry_points(group="console_scripts")
             if e.name == "criteria-normalizer" and e.value != "normalizer.cli:main"]
    assert taken == []
