"""Issue 12: special files, every way the process ends, output a signal cannot cut.

Real processes, real files, real signals.  The README's exit-code table is checked
against :mod:`normalizer.exits` and each code is produced here at least once.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from normalizer.errors import InputError
from normalizer.io import read_source

from .conftest import REPO

GOOD = "Inclusion Criteria:\n* Age 18-75 years\n* Platelets >= 100 x 10^9/L\n"


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NORMALIZER_"))}


def run(*args: str, timeout: float = 120, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "normalizer", *args], capture_output=True, text=True,
        cwd=REPO, env=env(), timeout=timeout, **kw,
    )


def as_other_user(*args: str) -> subprocess.CompletedProcess[str]:
    """The CLI with an unprivileged effective user (root reads any file whatever its mode).

    The interpreter starts as us (it may live under a private home), warms up, then
    drops to uid 65534 before the run, so that file permissions apply.
    """
    code = (
        "import os, sys\n"
        "import normalizer.cli as cli\n"
        "from normalizer import RulesExtractor, normalize_text\n"
        "normalize_text('Age > 18', name='warm', extractor=RulesExtractor())\n"
        # the CLI imports these when a command runs; the other user may not read them
        "import rich.progress, normalizer.render, normalizer.review.queue\n"
        "if os.geteuid() == 0:\n    os.setegid(65534); os.seteuid(65534)\n"
        f"sys.argv = ['normalizer', *{list(args)!r}]\n"
        "cli.main()\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, env=env(), timeout=120)


# -- special files ----------------------------------------------------------------


def test_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    done = run("normalize", str(fifo), str(good), "-f", "jsonl", timeout=60)
    assert done.returncode == 1, done.stderr
    assert "FIFO" in done.stderr and len(done.stdout.splitlines()) == 1


def test_dev_zero_is_a_device_not_a_memory_error() -> None:
    with pytest.raises(InputError, match="is a device"):
        read_source(Path("/dev/zero"))
    done = run("normalize", "/dev/zero")
    assert done.returncode == 3 and "Traceback" not in done.stderr
    assert "is a device" in done.stderr


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_named_as_such(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(GOOD.encode(encoding))
    with pytest.raises(InputError, match="looks like UTF-16"):
        read_source(path)


def test_binary_is_still_binary(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InputError, match="binary file"):
        read_source(path)


def test_size_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("Age > 18\n" * 20, encoding="utf-8")
    with pytest.raises(InputError, match="larger than the 100-byte limit"):
        read_source(path, max_bytes=100)


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX users")
def test_an_unreadable_file_is_a_per_file_error_not_a_usage_error() -> None:
    import shutil
    import tempfile

    tmp_path = Path(tempfile.mkdtemp(prefix="normalizer-perm-"))  # pytest's is private
    tmp_path.chmod(0o755)
    try:
        check_unreadable(tmp_path)
    finally:
        shutil.rmtree(tmp_path)


def check_unreadable(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(GOOD, encoding="utf-8")
    secret.chmod(0o000)
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    good.chmod(0o644)
    done = as_other_user("normalize", str(secret), str(good), "-f", "jsonl")
    assert done.returncode == 1, done.stderr
    assert "permission denied" in done.stderr and len(done.stdout.splitlines()) == 1


# -- exit codes ---------------------------------------------------------------------


def readme_codes() -> dict[int, str]:
    text = (REPO / "README.md").read_text("utf-8")
    section = text.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    return {int(m.group(1)): m.group(2) for m in re.finditer(r"^\| (\d+) \| (.+) \|$",
                                                            section, re.MULTILINE)}


def test_the_readme_table_lists_every_exit_code() -> None:
    from normalizer import exits

    declared = {v for k, v in vars(exits).items() if k.startswith("EXIT_")}
    assert set(readme_codes()) == declared | {130, 143}


def test_exit_0_1_2_3(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    assert run("normalize", str(good)).returncode == 0
    assert run("normalize", str(good), str(tmp_path / "missing.txt")).returncode == 1
    assert run("normalize", str(good), "--format", "nope").returncode == 2
    assert run("normalize", str(tmp_path / "missing.txt")).returncode == 3


def test_exit_4_below_a_floor(tmp_path: Path) -> None:
    floors = tmp_path / "t.toml"
    floors.write_text("[impossible]\n'micro.f1' = 1.01\n")
    done = run("eval", "--gold", "gold/dev.jsonl", "--only", "seed-001", "--thresholds",
               str(floors), "--gate", "impossible")
    assert done.returncode == 4, done.stderr


def test_exit_5_internal_error_is_one_line(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    # a bug planted in the pipeline, for this child process only
    code = (
        "import sys, normalizer.cli as cli, normalizer.pipeline as pipeline\n"
        "def broken(*a, **k):\n    raise RuntimeError('planted bug')\n"
        "pipeline.normalize_record = broken\n"
        f"sys.argv = ['normalizer', 'normalize', {str(good)!r}]\n"
        "cli.main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, env=env(), timeout=120)
    assert done.returncode == 5
    assert "internal error (RuntimeError: planted bug)" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def many_files(tmp_path: Path, n: int = 400) -> list[str]:
    text = GOOD + "".join(f"* Creatinine < {k}.5 mg/dL\n" for k in range(30))
    paths = []
    for k in range(n):
        path = tmp_path / f"r{k:04d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    return paths


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_mid_run_leaves_a_valid_json_array(
    tmp_path: Path, signum: int, code: int
) -> None:
    out = tmp_path / "out.json"
    with out.open("w") as sink:
        child = subprocess.Popen(
            [sys.executable, "-m", "normalizer", "normalize", *many_files(tmp_path)],
            stdout=sink, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env(),
        )
        deadline = time.monotonic() + 120
        while out.stat().st_size < 2000 and time.monotonic() < deadline:
            time.sleep(0.05)
        child.send_signal(signum)
        _, err = child.communicate(timeout=60)
    assert child.returncode == code, err
    docs = json.loads(out.read_text("utf-8"))  # a whole array, closed
    assert isinstance(docs, list) and 1 <= len(docs) < 400
    assert "interrupted" in err and "Traceback" not in err


def test_a_closed_stdout_ends_quietly_with_sigpipe(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "normalizer", "normalize", "-f", "jsonl",
         *many_files(tmp_path, 200)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO, env=env(),
    )
    assert child.stdout is not None
    child.stdout.read(100)
    child.stdout.close()
    _, err = child.communicate(timeout=120)
    assert child.returncode == -signal.SIGPIPE  # a shell shows 141
    assert b"Traceback" not in err


def test_json_for_several_files_is_one_array(tmp_path: Path) -> None:
    paths = many_files(tmp_path, 3)
    done = run("normalize", *paths)
    assert done.returncode == 0
    assert [d["source"] for d in json.loads(done.stdout)] == paths


# -- what people read ---------------------------------------------------------------


def test_csv_cells_cannot_be_formulas_and_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text(
        "Inclusion Criteria:\n* =HYPERLINK(\"http://x\") platelets > 100\n"
        "* +1 blood pressure < 140 mmHg\n* @SUM(A1) age < 75\n* -5 karnofsky > 60\n",
        encoding="utf-8",
    )
    done = run("review", str(path), "-f", "csv", "--include-accepted")
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    text_column = rows[0].index("text")
    texts = [r[text_column] for r in rows[1:]]
    assert len(set(texts)) == 4  # a row per constraint: every criterion is there
    for cell in (c for r in rows for c in r):
        assert not cell.startswith(("=", "+", "-", "@")), cell
    assert "'=HYPERLINK(\"http://x\") platelets > 100" in texts


def test_tables_at_20_columns_stack_and_keep_every_word() -> None:
    from rich.console import Console

    from normalizer import RulesExtractor, normalize_text
    from normalizer.render import document_table, queue_table
    from normalizer.review.queue import queue_rows

    doc = normalize_text(GOOD, name="g", extractor=RulesExtractor())
    console = Console(width=20, record=True, force_terminal=False)
    console.print(document_table(doc, width=20))
    shown = console.export_text()
    assert max(len(line) for line in shown.splitlines()) <= 20
    for word in ("inc-1", "Platelets", "100", "criterion:", "accepted"):
        assert word in shown
    rows = queue_rows([doc], include_accepted=True)
    assert rows
    console = Console(width=20, record=True)
    console.print(queue_table(rows, width=20))
    shown = console.export_text()
    assert max(len(line) for line in shown.splitlines()) <= 20
    for word in ("inc-1", "reading:", "status:"):
        assert word in shown


def test_a_signal_inside_the_serialiser_is_an_interruption_not_a_bug() -> None:
    """Pydantic wraps an exception raised inside its serialiser (a signal handler run by a
    callback) into PydanticSerializationError: `normalize` ended such a run as an internal
    error (status 5) instead of 130, once in a while (CI saw it).  The writer raises the
    interruption again.  SIGALRM stands in for a SIGINT that another thread received (the
    writer holds SIGINT and SIGTERM off in its own thread)."""
    from normalizer.cli_normalize import document_json
    from normalizer.exits import Interrupted, handle_signals
    from normalizer.extract.rules import RulesExtractor
    from normalizer.pipeline import normalize_text

    text = "Inclusion Criteria:\n" + "".join(
        f"* Creatinine < {k}.5 mg/dL and ALT <= 2.5 x ULN\n" for k in range(200)
    )
    doc = normalize_text(text, name="t", extractor=RulesExtractor())
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM)}
    caught: dict[str, int] = {}
    try:
        handle_signals()
        signal.signal(signal.SIGALRM, signal.getsignal(signal.SIGINT))
        signal.setitimer(signal.ITIMER_REAL, 0.0007, 0.0007)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and sum(caught.values()) < 200:
            try:
                document_json(doc, indent=2)
            except BaseException as error:  # what the writer lets out, whatever it is
                caught[type(error).__name__] = caught.get(type(error).__name__, 0) + 1
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        for signum, handler in saved.items():
            signal.signal(signum, handler)
    assert caught.get("Interrupted", 0) > 0, caught
    assert set(caught) == {"Interrupted"}, caught
    assert Interrupted  # the class the CLI maps to 128 + signal
