"""The seed records' exports are pinned: regenerate with `python scripts/pin_exports.py`."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import pytest

from normalizer.export import export
from normalizer.export.table import read_csv, read_parquet

from .conftest import REPO, need_shared
from .export_data import seed_documents

PINNED = Path(__file__).parent / "data" / "export"
HINT = "seed exports changed: review, then run `python scripts/pin_exports.py`"


def _render(fmt: str) -> str:
    spec = importlib.util.spec_from_file_location(
        "pin_exports", REPO / "scripts" / "pin_exports.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text: str = module.render(fmt)
    return text


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("csv", "seeds.csv"), ("fhir", "seeds.fhir.jsonl"), ("omop", "seeds.omop.jsonl")],
)
def test_seed_exports_are_pinned(fmt: str, name: str) -> None:
    need_shared()
    pinned = (PINNED / name).read_text(encoding="utf-8")
    assert pinned.strip(), "the pinned file is empty"
    assert _render(fmt) == pinned, HINT


def test_seed_parquet_holds_the_pinned_rows() -> None:
    need_shared()
    binary = io.BytesIO()
    export(seed_documents(), "parquet", binary, include_review=True)
    binary.seek(0)
    assert read_parquet(binary) == read_csv(PINNED / "seeds.csv"), HINT
