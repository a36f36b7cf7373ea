"""The precomputed UCUM table (normalizer/data/unit_table.json) against pint itself."""

from __future__ import annotations

from importlib import resources

import pytest
from ucumvert.xml_util import get_prefixes, get_units

from normalizer import units
from normalizer.unit_table import MISSING, precomputed
from normalizer.unit_table_build import build_table, table_text


def test_committed_table_equals_a_fresh_build() -> None:
    committed = resources.files("normalizer").joinpath("data/unit_table.json").read_text("utf-8")
    assert committed == table_text(build_table()), (
        "normalizer/data/unit_table.json is stale: run scripts/build_unit_table.py"
    )


def test_the_table_is_in_use() -> None:
    table = precomputed()
    assert table.words is not None, "table ignored: its sources digest does not match"
    assert table.code("10*9/L") not in (None, MISSING)
    assert table.plan("platelets", "/uL") == pytest.approx((0.001, 0.0))


@pytest.mark.parametrize(
    "code",
    ["mg/dL", "10*9/L", "mL/min/{1.73_m2}", "[IU]/mL", "Cel", "mm[Hg]", "umol/L", "%"],
)
def test_held_codes_answer_as_pint_does(code: str) -> None:
    unit = units._parse(code)
    assert unit is not None
    assert units.dimensionality(code) == str(unit.dimensionality)
    assert units.is_valid_ucum(code)


def test_the_word_filter_never_rejects_valid_ucum() -> None:
    """Every prefixed UCUM atom that pint reads passes ``could_be_ucum`` (a necessary test)."""
    table = precomputed()
    for prefix in ["", *get_prefixes()[:: max(1, len(get_prefixes()) // 6)], "m", "u", "k"]:
        for atom in get_units():
            for code in (prefix + atom, f"{prefix}{atom}/mL", f"10*3.{prefix}{atom}"):
                if units._parse(code) is not None:
                    assert table.could_be_ucum(code), code


# strings that reached pint in a rules run over the seeds, Chia, LCT and gold inputs
@pytest.mark.parametrize(
    "text",
    [
        ". Patients who", "CFU/mL", "/mm3 or", "cells/mm3 at", "mg/d (total)", "-10.0%",
        "-100.3°F", "-47mmol/mol", "/ab.", "/wk.", "A.", "Kg/", "Kg/mm", "Ohm.", "h-1.",
        "kg.m2.", "m-550m.", "mL/", "ml/min/", "ml•min-1•1.73m-2", "mm3.",
        "~27kg/m2", "µmol/L/", "KG", "ML/MIN",
    ],
)
def test_text_that_cannot_be_ucum_never_reaches_pint(text: str) -> None:
    assert not precomputed().could_be_ucum(text)
    assert units._parse(text) is None  # and pint agrees
