"""The rules' outputs over the seeds and every gold input equal the committed ones.

A refactor that changes any output fails here.  When a change is intended,
regenerate with ``scripts/golden.py`` and explain each changed output in the commit.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "golden.py"


def _golden() -> ModuleType:
    spec = importlib.util.spec_from_file_location("golden", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GOLDEN = _golden()
OUTPUTS = GOLDEN.outputs()


def test_every_seed_is_covered() -> None:
    assert len(GOLDEN.seeds()) >= 2
    assert {f"seed-{p.stem}.json" for p in GOLDEN.seeds()} <= set(OUTPUTS)


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_output_is_unchanged(name: str) -> None:
    committed = (GOLDEN.GOLDEN / name).read_text("utf-8")
    assert GOLDEN.text_of(OUTPUTS[name]) == committed, (
        f"{name} changed: if intended, run scripts/golden.py and explain it in the commit"
    )
