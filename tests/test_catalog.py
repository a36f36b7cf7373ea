"""The variable catalog against the contract (shared/spec/CONTRACT.md section 3)."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import pytest

from normalizer.catalog import Catalog, Variable, load_catalog
from normalizer.units import is_valid_ucum, unit_fits

from .conftest import need_shared

CONTRACT = Path(__file__).parents[1].parent / "shared/spec/CONTRACT.md"


def contract_table() -> list[tuple[str, str, str]]:
    """(id, canonical unit cell, LOINC cell) rows of the section-3 table, in order."""
    need_shared()
    section = CONTRACT.read_text("utf-8").split("## 3. Variables", 1)[1]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] != "id" and not cells[0].startswith("-"):
            rows.append((cells[0], cells[2], cells[3]))
    return rows


def test_contract_table_is_parsed() -> None:
    rows = contract_table()
    assert len(rows) >= 50
    assert rows[0][0] == "age" and rows[-1][0] == "steroid_dose"


def test_catalog_ids_are_the_contract_ids_in_order() -> None:
    catalog = load_catalog()
    contract = [row[0] for row in contract_table()]
    assert [v.id for v in catalog.contract_variables()] == contract
    # the ids added since come after the contract's, each with the version that added it
    assert catalog.ids()[: len(contract)] == contract


def test_added_ids_are_documented_in_the_readme_with_their_schema_version() -> None:
    from normalizer.models import SCHEMA_VERSION

    readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    contract_section = readme.split("## Output contract", 1)[1].split("\n## ", 1)[0]
    added = [v for v in load_catalog().variables if v.added_in is not None]
    assert added, "schema 5 added ids"
    for var in added:
        assert var.added_in is not None and 5 <= var.added_in <= SCHEMA_VERSION, var.id
        assert f"| `{var.id}` |" in contract_section, f"{var.id} is not in README's table"
        assert var.loinc is None or f"LOINC {var.loinc}" in (var.notes or ""), var.id


def test_canonical_units_are_the_contracts() -> None:
    catalog = load_catalog()
    for var_id, unit_cell, _ in contract_table():
        var = catalog.get(var_id)
        assert var is not None
        if unit_cell.startswith("("):  # (score 0-5), (ratio), (count): no unit
            assert var.canonical_unit is None, var_id
            assert var.kind != "quantity", var_id
        else:  # the code is the cell's first word ("[IU]/mL (copies/mL is ...)")
            assert var.canonical_unit == unit_cell.split()[0], var_id


def test_loinc_codes_are_exactly_the_contracts() -> None:
    catalog = load_catalog()
    for var_id, _, loinc in contract_table():
        var = catalog.get(var_id)
        assert var is not None
        assert var.loinc == (loinc or None), var_id


@pytest.mark.parametrize("var", load_catalog().variables, ids=lambda v: v.id)
def test_units_are_valid_ucum_and_fit(var: Variable) -> None:
    if var.canonical_unit is None:
        assert var.units == [] and var.default_unit is None and var.molar_mass is None
        return
    assert is_valid_ucum(var.canonical_unit)
    assert var.canonical_unit in var.units, "the canonical unit is an accepted unit"
    for code in var.units:
        assert is_valid_ucum(code), code
        assert unit_fits(var.id, code), f"{var.id}: {code} does not convert to canonical"
    if var.default_unit is not None:
        assert var.default_unit in var.units


@pytest.mark.parametrize("var", load_catalog().variables, ids=lambda v: v.id)
def test_ranges_nest_and_kinds_agree(var: Variable) -> None:
    lo, hi = var.usual
    assert var.possible[0] <= lo < hi <= var.possible[1]
    assert var.integer == (var.kind in ("score", "count")), var.id
    assert var.names, "every variable has at least one full name"
    lowered = [n.casefold() for n in var.names]
    assert len(lowered) == len(set(lowered)), "names are case-insensitive: no duplicates"
    assert len(var.abbreviations) == len(set(var.abbreviations))


def test_no_spelling_names_two_variables() -> None:
    owner: dict[str, str] = {}
    for var in load_catalog().variables:
        for name in var.names:
            key = name.casefold()
            assert owner.setdefault(key, var.id) == var.id, f"{name!r}: {owner[key]} and {var.id}"
        for abbr in var.abbreviations:
            key = "abbr:" + abbr
            assert owner.setdefault(key, var.id) == var.id, f"{abbr!r}: {owner[key]} and {var.id}"


def test_spellings_seen_in_registry_text_are_present() -> None:
    """The spellings of the seed records and the brief resolve to the right ids."""
    catalog = load_catalog()
    expect = {
        "hemoglobin": (["haemoglobin", "hemochrome", "hemoglobin level"], ["HB", "Hb", "Hgb"]),
        "platelets": (["platelet count", "platelets", "thrombocytes"], ["PLT"]),
        "anc": (
            ["absolute neutrophil count", "neutrophil count", "absolute granulocyte count"],
            ["ANC"],
        ),
        "creatinine": (["serum creatinine", "plasma creatinine"], ["Cr", "SCr"]),
        "creatinine_clearance": (["creatinine clearance"], ["CCr", "CrCl"]),
        "bilirubin": (["total bilirubin"], ["TBIL", "TBil"]),
        "alp": (["alkaline phosphatase"], ["AKP", "ALP"]),
        "ecog": (
            [
                "ECOG performance status",
                "Eastern Cooperative Oncology Group",
                "ECOG ps",
                "performance status",
            ],
            ["ECOG"],
        ),
        "life_expectancy": (["expected survival", "life expectancy"], []),
        "hba1c": (["glycated hemoglobin"], ["HbA1c", "A1c"]),
        "egfr": (["estimated glomerular filtration rate"], ["eGFR", "GFR"]),
    }
    for var_id, (names, abbrs) in expect.items():
        var = catalog.get(var_id)
        assert var is not None
        lowered = {n.casefold() for n in var.names}
        for name in names:
            assert name.casefold() in lowered, f"{var_id}: {name}"
        for abbr in abbrs:
            assert abbr in var.abbreviations, f"{var_id}: {abbr}"


def test_ambiguous_short_forms_are_left_out() -> None:
    """EGFR is a receptor, TB tuberculosis, TC a chemotherapy regimen."""
    every = {a for v in load_catalog().variables for a in v.abbreviations}
    assert not every & {"EGFR", "TB", "TC", "K", "Na", "Ca", "UA"}


def test_molar_masses_where_mass_and_substance_units_meet() -> None:
    catalog = load_catalog()
    for var_id, grams_per_mol in [
        ("creatinine", 113.12),
        ("bilirubin", 584.66),
        ("glucose", 180.16),
        ("uric_acid", 168.11),
        ("calcium", 40.078),
        ("magnesium", 24.305),
        ("total_cholesterol", 386.65),
        ("ldl", 386.65),
        ("hdl", 386.65),
        ("triglycerides", 885.7),
    ]:
        var = catalog.get(var_id)
        assert var is not None and var.molar_mass == grams_per_mol, var_id


def test_catalog_file_matches_the_model_without_extra_keys() -> None:
    raw = resources.files("normalizer").joinpath("data/catalog.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    assert data["version"] == "2026.12.8"
    Catalog.model_validate(data)  # extra="forbid": a typo'd key would raise
