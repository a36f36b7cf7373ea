"""`normalizer normalize` over every kind of input, as a curator runs it: processes, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from normalizer.records.synth import build_ctgov_studies, write_jsonl, write_zip

from .conftest import REPO, SEEDS, need_shared
from .records_util import CTGOV, FB_CSV, study

GOOD = "Inclusion Criteria:\n* Age 18-75 years\n* Platelets >= 100 x 10^9/L\n"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NORMALIZER_"))}
    done = subprocess.run([sys.executable, "-m", "normalizer", *args], input=stdin,
                          capture_output=True, cwd=REPO, env=env, timeout=300)
    out = subprocess.CompletedProcess(done.args, done.returncode,
                                      done.stdout.decode(), done.stderr.decode())
    assert "Traceback" not in out.stderr
    return out


def docs(done: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in done.stdout.splitlines()]


def errors(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.startswith("error:")]


def test_stdin_text_and_jsonl() -> None:
    done = run("normalize", "-f", "jsonl", "-", stdin=GOOD.encode())
    assert done.returncode == 0, done.stderr
    (doc,) = docs(done)
    assert doc["source"] == "-" and doc["record"]["origin"] == {
        "path": "-", "line": None, "member": None, "index": None}
    assert GOOD[doc["criteria"][0]["span"][0] : doc["criteria"][0]["span"][1]] == (
        doc["criteria"][0]["text"])
    lines = (json.dumps(study("NCT00000001")) + "\n{broken\n" + json.dumps(study("NCT00000002"))
             + "\n").encode()
    done = run("normalize", "-f", "jsonl", "-", stdin=lines)
    assert done.returncode == 1
    assert [d["source"] for d in docs(done)] == ["-:1", "-:3"]
    assert [d["record"]["id"] for d in docs(done)] == ["NCT00000001", "NCT00000002"]
    (err,) = errors(done)
    assert err.startswith("error: -:2: malformed JSON")


def test_a_list_file_a_directory_with_glob_and_exit_codes(tmp_path: Path) -> None:
    need_shared()
    tree = tmp_path / "tree"
    (tree / "b").mkdir(parents=True)
    (tree / "b" / "two.txt").write_text(GOOD, encoding="utf-8")
    (tree / "a.txt").write_text(GOOD, encoding="utf-8")
    (tree / "skip.md").write_text("not matched", encoding="utf-8")
    done = run("normalize", "-f", "jsonl", "--glob", "*.txt", str(tree))
    assert done.returncode == 0, done.stderr
    assert [d["source"] for d in docs(done)] == [f"{tree}/a.txt", f"{tree}/b/two.txt"]
    listing = tmp_path / "inputs.txt"
    listing.write_text(f"{SEEDS / '000_79b1477fd8f1d6d3.txt'}\n{tmp_path / 'gone.txt'}\n"
                       f"{CTGOV / 'get_nct06604689_20260811.json'}\n", encoding="utf-8")
    done = run("normalize", "-f", "jsonl", f"@{listing}")
    assert done.returncode == 1
    assert [d["record"]["id"] for d in docs(done)] == [
        str(SEEDS / "000_79b1477fd8f1d6d3.txt"), "NCT06604689"]
    assert errors(done) == [f"error: {tmp_path / 'gone.txt'}: no such file"]
    done = run("normalize", str(tmp_path / "gone.txt"), f"@{tmp_path / 'nolist'}")
    assert done.returncode == 3 and done.stdout == "" and len(errors(done)) == 2


def test_zip_and_jsonl_with_a_bad_study(tmp_path: Path) -> None:
    studies = build_ctgov_studies(4, [GOOD])
    studies[2] = {"derivedSection": {}}
    archive = write_zip(tmp_path / "bulk.zip", [s for s in studies if "protocolSection" in s])
    lines = write_jsonl(tmp_path / "s.jsonl", studies)
    done = run("normalize", "-f", "jsonl", str(archive), str(lines))
    assert done.returncode == 1
    got = docs(done)
    assert [d["source"] for d in got] == [
        f"{archive}:NCT01234567.json", f"{archive}:NCT01242486.json",
        f"{archive}:NCT01258324.json", f"{lines}:1", f"{lines}:2", f"{lines}:4"]
    assert got[0]["record"]["registry"] == {
        "minimum_age": "18 Years", "maximum_age": None, "sex": "all",
        "healthy_volunteers": True, "std_ages": ["ADULT", "OLDER_ADULT"]}
    assert got[0]["record"]["origin"]["member"] == "NCT01234567.json"
    (err,) = errors(done)
    assert err.startswith(f"error: {lines}:3: no protocolSection")


def test_json_output_is_an_array_for_a_page_and_an_object_for_a_text_file() -> None:
    need_shared()
    done = run("normalize", str(CTGOV / "search_keytruda_limit3_20260811.json"))
    assert done.returncode == 0, done.stderr
    page = json.loads(done.stdout)
    assert [d["record"]["nct_id"] for d in page] == ["NCT05431270", "NCT03590054", "NCT04795661"]
    assert all(d["criteria"] == [] and "no eligibility criteria text" in d["record"]["note"]
               for d in page)
    done = run("normalize", str(CTGOV / "get_nct02576665_20260811.json"), "-f", "table")
    assert done.returncode == 0 and "get_nct02576665_20260811.json" in done.stdout
    seed = run("normalize", str(SEEDS / "001_1264358aa91b314b.txt"), "--format", "table")
    assert seed.returncode == 0 and "BMI" in seed.stdout


def test_csv_with_text_column_and_input_format_override(tmp_path: Path) -> None:
    need_shared()
    done = run("normalize", "-f", "jsonl", str(FB_CSV))
    assert done.returncode == 0, done.stderr
    assert len(docs(done)) == 20 and docs(done)[0]["source"] == f"{FB_CSV}:2"
    custom = tmp_path / "t.dat"
    custom.write_text('key,body\nR1,"Age >= 18 years"\n', encoding="utf-8")
    done = run("normalize", "-f", "jsonl", "--input-format", "csv", "--text-column", "body",
               "--id-column", "key", str(custom))
    assert done.returncode == 0, done.stderr
    (doc,) = docs(done)
    assert doc["record"]["id"] == "R1" and doc["criteria"][0]["text"] == "Age >= 18 years"
    done = run("normalize", "--input-format", "csv", str(custom))
    assert done.returncode == 3 and "give --text-column" in done.stderr
    done = run("normalize", "--input-format", "xml", str(custom))
    assert done.returncode == 2
