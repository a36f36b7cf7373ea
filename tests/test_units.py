"""Unit spellings from registry text to UCUM, and conversion to canonical units."""

from __future__ import annotations

import pytest

from normalizer.units import (
    convert,
    dimensionality,
    is_valid_ucum,
    load_unit_table,
    normalise_key,
    to_ucum,
    unit_fits,
)

# --------------------------------------------------------------------------
# Spellings -> UCUM (surfaces copied from the seed records and the corpora)
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("surface", "code"),
    [
        # lost superscripts, as in "ANC≥1.5×109/L" and "PLT ≥80×109/L"
        ("×109/L", "10*9/L"),
        ("x109/L", "10*9/L"),
        ("*109/L", "10*9/L"),  # "Neutrophil count ≥1.5\*109/L"
        ("109/l", "10*9/L"),  # "> 1.5 109/l, Platelets > 100 109/l"
        ("*10 9 /l", "10*9/L"),  # "leukocytosis > 10*10 9 /l"
        ("x1012/L", "10*12/L"),
        ("x106/mL", "10*6/mL"),
        ("x 103/µL", "10*3/uL"),
        ("×103IU/ml", "10*3.[IU]/mL"),  # "HBV DNA≥2×103IU/ml"
        # powers of ten written out
        ("×10⁹/L", "10*9/L"),
        ("x 10^9/L", "10*9/L"),
        ("x10e9/L", "10*9/L"),
        ("x10(9)/L", "10*9/L"),
        ("10^9 cells/L", "10*9/L"),
        ("10*9/L", "10*9/L"),
        ("x10^3/µL", "10*3/uL"),
        ("×10⁴/μL", "10*4/uL"),
        ("K/uL", "10*3/uL"),
        ("K/cumm", "10*3/mm3"),  # "Platelets <100 K/cumm"
        # counts per volume
        ("cells/mm3", "/mm3"),
        ("cells/mm³", "/mm3"),
        ("cels/mm3", "/mm3"),  # misspelling in "< 150.000 cels/mm3"
        ("/mm3", "/mm3"),
        ("cells/µl", "/uL"),
        ("cells/μL", "/uL"),  # Greek mu, not the micro sign
        ("/µL", "/uL"),
        ("/mcL", "/uL"),
        ("/㎕", "/uL"),  # "less than 3000/㎕"
        # concentrations
        ("g/l", "g/L"),
        ("g/dl", "g/dL"),
        ("gm/dl", "g/dL"),
        ("g / dL", "g/dL"),
        ("g%", "g/dL"),
        ("mg/dl", "mg/dL"),
        ("mg / dl", "mg/dL"),
        ("mg⁄dL", "mg/dL"),  # fraction slash U+2044
        ("µmol/l", "umol/L"),
        ("umol/l", "umol/L"),
        ("μmol / L", "umol/L"),
        ("mmol/l", "mmol/L"),
        ("mM", "mmol/L"),
        ("mEq/L", "meq/L"),
        ("meq / L", "meq/L"),
        ("mmol/mol", "mmol/mol"),
        ("ng/ml", "ng/mL"),
        ("ng/dL", "ng/dL"),
        # activities, international units, viral loads
        ("U/L", "U/L"),
        ("IU/L", "[IU]/L"),
        ("mIU/L", "m[IU]/L"),
        ("µIU/mL", "u[IU]/mL"),
        ("IU/ml", "[IU]/mL"),
        ("IU/mL", "[IU]/mL"),
        ("copies/ml", "{copies}/mL"),
        ("copies/mL", "{copies}/mL"),
        ("copy numbers /ml", "{copies}/mL"),  # "HBV-DNA≥104 copy numbers /ml"
        # clearance
        ("ml/min", "mL/min"),
        ("mL /min", "mL/min"),
        ("mL/min/1.73m2", "mL/min/{1.73_m2}"),
        ("mL/min/1.73 m²", "mL/min/{1.73_m2}"),
        ("ml/min/1.73m^2", "mL/min/{1.73_m2}"),
        ("mL /min /1,73m", "mL/min/{1.73_m2}"),  # "Cl Cr < 60 mL /min /1,73m"
        # body and vital signs
        ("kg/m2", "kg/m2"),
        ("kg/m²", "kg/m2"),
        ("kg / m2", "kg/m2"),
        ("kg", "kg"),
        ("lbs", "[lb_av]"),
        ("cm", "cm"),
        ("mm", "mm"),
        ("mmHg", "mm[Hg]"),
        ("mm Hg", "mm[Hg]"),
        ("mmHG.", "mm[Hg]"),
        ("bpm", "/min"),
        ("beats per minute", "/min"),
        ("beats/min", "/min"),
        ("°C", "Cel"),
        ("ºC", "Cel"),  # masculine ordinal, "<36ºC"
        ("°F", "[degF]"),
        ("%", "%"),
        ("percent", "%"),
        # time
        ("years", "a"),
        ("year", "a"),
        ("yrs", "a"),
        ("y", "a"),
        ("y.o.", "a"),
        ("months", "mo"),
        ("weeks", "wk"),
        ("days", "d"),
        ("hours", "h"),
        ("ms", "ms"),
        ("msec", "ms"),
        # per day
        ("mg/day", "mg/d"),
        ("mg/ day", "mg/d"),  # "doses \>10mg/ day of prednisone"
        ("mg/d", "mg/d"),
        ("g/24h", "g/(24.h)"),
        ("g/24 hours", "g/(24.h)"),
        # already UCUM
        ("Cel", "Cel"),
        ("mm[Hg]", "mm[Hg]"),
        ("mL/min/{1.73_m2}", "mL/min/{1.73_m2}"),
        ("[IU]/mL", "[IU]/mL"),
        ("{copies}/mL", "{copies}/mL"),
        ("a", "a"),
    ],
)
def test_to_ucum(surface: str, code: str) -> None:
    assert to_ucum(surface) == code
    assert is_valid_ucum(code)


@pytest.mark.parametrize(
    "surface",
    [
        "",
        "   ",
        "points",
        "cigarettes",
        "103/µL",  # could be a real count of 103/uL: no repair without a multiplication sign
        "103/mL",  # UCUM would read a factor 103: refused
        "log10 copies/mL",
        "degrees",  # angle or temperature: the text must say
        "/90",  # "140/90 mmHg": a number, though UCUM would read 'per 90'
        "in",
    ],
)
def test_to_ucum_refuses(surface: str) -> None:
    assert to_ucum(surface) is None


def test_normalised_key() -> None:
    assert normalise_key("mL/min/1.73 m²") == normalise_key("ML/MIN/1.73M^2")
    assert normalise_key("µmol/L") == normalise_key("μmol/l") == "umol/l"
    assert normalise_key("× 10⁹/L") == "x10^9/l"
    assert normalise_key("mg/dL.") == "mg/dl"


def test_unit_table_targets_are_valid_ucum() -> None:
    table = load_unit_table()
    bad = {s: c for s, c in {**table.aliases, **table.exact}.items() if not is_valid_ucum(c)}
    assert bad == {}
    for garble in table.garbles:
        assert garble.why and garble.examples


# --------------------------------------------------------------------------
# Conversions (expected values worked by hand)
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code", "var", "expected"),
    [
        # 1.5 mg/dL = 15 mg/L; / 113.12 g/mol = 0.13260 mmol/L = 132.6 umol/L
        (1.5, "mg/dL", "creatinine", 132.60),
        # 1 mg/dL = 10 mg/L / 584.66 g/mol = 17.10 umol/L
        (1.0, "mg/dL", "bilirubin", 17.104),
        # 126 mg/dL = 1260 mg/L / 180.16 g/mol = 6.994 mmol/L
        (126, "mg/dL", "glucose", 6.994),
        # 10 mg/dL = 100 mg/L / 40.078 g/mol = 2.495 mmol/L
        (10, "mg/dL", "calcium", 2.4951),
        # calcium is divalent: 5 mEq/L = 2.5 mmol/L
        (5, "meq/L", "calcium", 2.5),
        # potassium is monovalent: 4.5 mEq/L = 4.5 mmol/L
        (4.5, "meq/L", "potassium", 4.5),
        # 200 mg/dL = 2000 mg/L / 386.65 g/mol = 5.173 mmol/L
        (200, "mg/dL", "total_cholesterol", 5.1726),
        # 150 mg/dL = 1500 mg/L / 885.7 g/mol = 1.6936 mmol/L
        (150, "mg/dL", "triglycerides", 1.6936),
        # 6 mg/dL = 60 mg/L / 168.11 g/mol = 0.35691 mmol/L = 356.9 umol/L
        (6, "mg/dL", "uric_acid", 356.91),
        # 1.7 nmol/L x 288.42 g/mol = 490.3 ng/L = 49.03 ng/dL
        (1.7, "nmol/L", "testosterone", 49.031),
        # 9 g/dL = 90 g/L
        (9, "g/dL", "hemoglobin", 90),
        # 6.2 mmol/L (haem monomer) x 16114.5 g/mol = 99.91 g/L
        (6.2, "mmol/L", "hemoglobin", 99.91),
        # counts: 1500 /uL = 1500 x 10^6 /L = 1.5 x 10^9/L
        (1500, "/uL", "anc", 1.5),
        # 100,000 /mm3 = 100,000 /uL = 100 x 10^9/L
        (100_000, "/mm3", "platelets", 100),
        # 10^3/uL = 10^3 x 10^6 /L = 10^9/L
        (100, "10*3/uL", "platelets", 100),
        # 10 x 10^4/uL = 10^5 /uL = 100 x 10^9/L
        (10, "10*4/uL", "platelets", 100),
        # 0.2 x 10^9/L = 200 /uL
        (0.2, "10*9/L", "cd4", 200),
        # time: 6 months = 0.5 years; 12 weeks = 84 d / 30.4375 d = 2.76 months
        (6, "mo", "age", 0.5),
        (12, "wk", "life_expectancy", 2.7598),
        (2, "a", "life_expectancy", 24),
        # (100.4 - 32) x 5/9 = 38.0 °C
        (100.4, "[degF]", "temperature", 38.0),
        # 0.47 s = 470 ms
        (0.47, "s", "qtc", 470),
        # 500 mg/24 h = 0.5 g/24 h; 1 g/d = 1 g/24 h
        (500, "mg/(24.h)", "urine_protein", 0.5),
        (1, "g/d", "urine_protein", 1),
        # 2 x 10^3 IU/mL = 2000 IU/mL
        (2, "10*3.[IU]/mL", "hbv_dna", 2000),
        # uIU/mL = mIU/L
        (4.5, "u[IU]/mL", "tsh", 4.5),
        # 150 lb x 0.45359237 = 68.04 kg
        (150, "[lb_av]", "weight", 68.039),
    ],
)
def test_convert(value: float, code: str, var: str, expected: float) -> None:
    assert unit_fits(var, code)
    assert convert(value, code, var) == pytest.approx(expected, rel=1e-4)


@pytest.mark.parametrize(
    ("ifcc", "ngsp"),
    [
        (53, 7.0),  # 0.09148 x 53 + 2.152 = 7.0004
        (48, 6.5),  # 0.09148 x 48 + 2.152 = 6.5430
        (64, 8.0),  # 0.09148 x 64 + 2.152 = 8.0067
    ],
)
def test_hba1c_ifcc_to_ngsp_by_the_master_equation(ifcc: float, ngsp: float) -> None:
    result = convert(ifcc, "mmol/mol", "hba1c")
    assert result == pytest.approx(ngsp, abs=0.05)
    assert result != pytest.approx(ifcc / 10, abs=0.05), "not a factor of ten"
    assert convert(7.0, "%", "hba1c") == 7.0


@pytest.mark.parametrize(
    ("code", "var"),
    [
        ("mL/min/{1.73_m2}", "egfr"),
        ("mL/min", "egfr"),  # "eGFR >= 60 mL/min" drops the /1.73 m2
        ("mL/min", "creatinine_clearance"),
        ("mL/min/{1.73_m2}", "creatinine_clearance"),  # read 1:1
    ],
)
def test_filtration_rates_keep_their_number(code: str, var: str) -> None:
    assert convert(60, code, var) == 60


@pytest.mark.parametrize(
    ("code", "var"),
    [("[IU]/L", "alt"), ("[IU]/L", "ast"), ("[IU]/L", "alp"), ("mU/L", "tsh")],
)
def test_international_and_enzyme_units_read_one_to_one(code: str, var: str) -> None:
    assert convert(40, code, var) == 40


@pytest.mark.parametrize(
    ("code", "var"),
    [
        ("{copies}/mL", "hbv_dna"),  # copies are not IU: the contract forbids converting
        ("{copies}/mL", "hcv_rna"),
        ("[IU]/mL", "hiv_rna"),
        ("/mL", "hiv_rna"),
        ("g/dL", "platelets"),  # a mass concentration is not a count
        ("mg/dL", "albumin_x"),  # unknown variable
        ("mL/min", "creatinine"),
        ("mmol/L", "albumin"),  # no molar mass in the catalog for albumin
        ("mmol/L", "crp"),
        ("mL/min/{1.73_m2}", "weight"),
        ("%", "ecog"),  # scores have no unit
        ("mg/dL", "inr"),
        ("not-a-unit", "creatinine"),
        ("", "creatinine"),
    ],
)
def test_no_conversion(code: str, var: str) -> None:
    assert not unit_fits(var, code)
    assert convert(1.0, code, var) is None


def test_annotations_matter_but_counted_things_do_not() -> None:
    assert dimensionality("{copies}/mL") == dimensionality("[IU]/mL")  # pint cannot tell
    assert not unit_fits("hcv_rna", "{copies}/mL")
    assert unit_fits("cd4", "{cells}/uL")
    assert convert(350, "{cells}/uL", "cd4") == 350


def test_validity() -> None:
    assert is_valid_ucum("10*9/L")
    assert is_valid_ucum("mL/min/{1.73_m2}")
    assert not is_valid_ucum("mEq/L")  # UCUM is case-sensitive: meq/L
    assert not is_valid_ucum("mmHg")
    assert not is_valid_ucum(" g/L")
    assert dimensionality("nonsense") is None
    assert dimensionality("g/dL") == "[mass] / [length] ** 3"


@pytest.mark.parametrize("word", ["at", "A", "T", "as", "of", "N", "st"])
def test_english_words_are_not_units(word: str) -> None:
    """Lone UCUM atoms (technical atmosphere, ampere, tesla) are words in criteria."""
    assert to_ucum(word) is None


def test_degree_look_alikes() -> None:
    assert to_ucum("ºF") == "[degF]"  # masculine ordinal, not 'of'
    assert to_ucum("˚C") == "Cel"


def test_centigray_reads_as_ucum_cgy() -> None:
    """Issue 16: 'cGy' (prior radiotherapy dose) was reported as an unreadable unit."""
    from normalizer.extract.base import CriterionInput
    from normalizer.llm.answer import LLMItem
    from normalizer.llm.convert import to_extraction
    from normalizer.units import dimensionality, to_ucum

    assert to_ucum("cGy") == "cGy" and to_ucum("centigray") == "cGy"
    assert to_ucum("Gy") == "Gy" and dimensionality("cGy") == dimensionality("Gy")
    text = "Prior radiotherapy > 3000 cGy to the spinal cord"
    item = LLMItem.model_construct(id="c1", constraints=[{
        "quote": "radiotherapy > 3000 cGy", "variable": "other", "label": "radiotherapy",
        "comparator": ">", "value": 3000.0, "unit": "cGy"}])
    from normalizer.llm.answer import LLMConstraint

    item.constraints = [LLMConstraint(**c) for c in item.constraints]  # type: ignore[arg-type]
    read = to_extraction(item, CriterionInput("exc-1", "exclusion", text, 0))
    assert [c.unit for c in read.constraints] == ["cGy"]
    assert "unit-unreadable" not in {f.code for f in read.findings}


def test_a_code_the_grammar_refuses_does_not_build_the_registry() -> None:
    """'mg*' and 'mL/min/1.7m2' are not UCUM: the grammar alone says so (0.15 s), without
    the pint registry (0.4 to 1 s, which a batch worker paid for the first such code)."""
    import subprocess
    import sys

    probe = (
        "from normalizer.units import ucum\n"
        "assert ucum.precomputed().code('mg*') is ucum.MISSING\n"
        "assert not ucum.is_valid_ucum('mg*')\n"
        "assert not ucum.is_valid_ucum('mL/min/1.7m2')\n"
        "assert ucum._grammar.cache_info().currsize == 1, 'the grammar read them'\n"
        "assert ucum._ucum.cache_info().currsize == 0, 'the registry was built'\n"
        "assert ucum.is_valid_ucum('kg.m')\n"
        "assert ucum._ucum.cache_info().currsize == 1\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
