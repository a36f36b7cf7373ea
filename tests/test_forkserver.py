"""When ``normalizer run`` starts its workers' forkserver before its own start-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from normalizer.cli_run import _INLINE_BYTES, _more_than_inline


def test_small_files_are_left_to_the_inline_path(tmp_path: Path) -> None:
    small = tmp_path / "one.txt"
    small.write_text("Inclusion Criteria:\n- Age >= 18 years\n", encoding="utf-8")
    assert not _more_than_inline([str(small), str(small)])


def test_big_inputs_folders_lists_and_stdin_start_it_early(tmp_path: Path) -> None:
    big = tmp_path / "studies.jsonl"
    big.write_bytes(b"x" * (_INLINE_BYTES + 1))
    assert _more_than_inline([str(big)])
    assert _more_than_inline([str(tmp_path)])  # a folder: any number of records
    assert _more_than_inline(["-"])
    assert _more_than_inline(["@list.txt"])


def test_the_preload_loads_no_store_and_no_reader() -> None:
    """The workers' preload imports the pipeline, not the parent's store and readers.

    Importing them (SQLAlchemy, the batch runner) made the forkserver 0.17 s slower,
    and the parent waited for it before its first worker started.
    """
    probe = (
        "import sys, normalizer.batch.preload; "
        "print(sorted(m for m in ('sqlalchemy', 'normalizer.store', 'normalizer.batch.runner',"
        " 'normalizer.records') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
    # the package still gives the runner's names, imported when first used
    from normalizer.batch import RunOptions, run_batch

    assert RunOptions().jobs == 1 and callable(run_batch)
