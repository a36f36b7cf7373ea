"""The rules extractor on real registry language, one construction per case.

Every text is a criterion (or a clause of one) from a *dev* document of the Chia or
LCT corpus (split_of(nct) == "dev"), cited by its NCT id; the expected constraints
are what a curator records.  Non-constraint numbers (windows, stages, editions,
references, grades) must give notes, not constraints.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources

import pytest
from pydantic import ValidationError

from normalizer.evaluation.split import split_of
from normalizer.extract.base import CriterionInput, Extraction
from normalizer.extract.rules import RulesExtractor
from normalizer.extract.rules.lexicon import Patterns, compile_patterns, load_lexicon

from .test_rules_seeds import Want, got

ULN = "ULN"


@pytest.fixture(scope="module")
def rules() -> RulesExtractor:
    return RulesExtractor()


def read(rules: RulesExtractor, text: str, start: int = 0) -> Extraction:
    return rules.extract([CriterionInput("c", "inclusion", text, start)])[0]


# (NCT id of the dev document, text, constraints a curator records)
CASES: list[tuple[str, str, list[Want]]] = [
    # comparators as words and symbols
    (
        "NCT00094861",
        "Hemoglobin (hgb) greater than or equal to 10 g/dL without transfusional "
        "support or growth factor use in the 4 weeks before study randomization",
        [Want("hemoglobin", ge=10, unit="g/dL")],
    ),
    (
        "NCT00094861",
        "Life expectancy greater than or equal to 6 months",
        [Want("life_expectancy", ge=6, unit="mo")],
    ),
    ("NCT03077204", "Age>18 years", [Want("age", gt=18, unit="a")]),
    (
        "NCT03862027",
        "Adult patients (age >/= 18) admitted to the Neuro ICU",
        [Want("age", ge=18, unit="a")],
    ),
    ("NCT01942109", "creatinine > 2,5 mg/dl", [Want("creatinine", gt=2.5, unit="mg/dL")]),
    (
        "NCT03868046",
        "Life expectancy lower than 3 months from the initiation of treatment with ICIs.",
        [Want("life_expectancy", lt=3, unit="mo")],
    ),
    # the value before its variable
    ("NCT00094861", "18 years of age or older", [Want("age", ge=18, unit="a")]),
    (
        "NCT01803438",
        "Subject is at least 18 and not older than 75years old.",
        [Want("age", ge=18, le=75, unit="a")],
    ),
    (
        "NCT03865537",
        "Any patient ≥18 who presents for a colonoscopy",
        [Want("age", ge=18, unit="a")],
    ),
    (
        "NCT03866213",
        "The patient is less than 28 days old (neonate).",
        [Want("age", lt=28, unit="d")],
    ),
    # ranges
    (
        "NCT01322464",
        "Healthy males between 18 and 45 years of age (inclusive).",
        [Want("age", ge=18, le=45, unit="a")],
    ),
    (
        "NCT02969876",
        "Men and women between ages >=18 and 65.",
        [Want("age", ge=18, le=65, unit="a")],
    ),
    (
        "NCT03867942",
        "SBP 90~150mmHg, DBP 60-95mmHg",
        [Want("sbp", ge=90, le=150, unit="mm[Hg]"), Want("dbp", ge=60, le=95, unit="mm[Hg]")],
    ),
    ("NCT03860064", "18-35-year-old women", [Want("age", ge=18, le=35, unit="a")]),
    ("NCT01943812", "BMI > 18,5 <30 kg/m2", [Want("bmi", gt=18.5, lt=30, unit="kg/m2")]),
    # scores
    (
        "NCT00094861",
        "Eastern Cooperative Oncology Group (ECOG) performance status of 0 - 2",
        [Want("ecog", ge=0, le=2)],
    ),
    (
        "NCT01909934",
        "An Eastern Cooperative Oncology Group (ECOG) performance status of 0 or 1",
        [Want("ecog", ge=0, le=1)],
    ),
    # x ULN, lists sharing one limit, qualified alternatives
    (
        "NCT00094861",
        "Serum bilirubin less than or equal to 1.5 x institutional upper limit of normal (ULN)",
        [Want("bilirubin", le=1.5, rel=ULN)],
    ),
    (
        "NCT01850147",
        "Neutrophils > 1.5 109/l, Platelets > 100 109/l, Hemoglobin > 9g/dl, Total "
        "bilirubin < 1.5 UNL, AST (SGOT) and ALT (SGPT) < 2.5 UNL, Alkaline phosphatases < 5 UNL, "
        "Creatinine < 1 UNL",
        [
            Want("anc", gt=1.5, unit="10*9/L"),
            Want("platelets", gt=100, unit="10*9/L"),
            Want("hemoglobin", gt=9, unit="g/dL"),
            Want("bilirubin", lt=1.5, rel=ULN),
            Want("ast", lt=2.5, rel=ULN),
            Want("alt", lt=2.5, rel=ULN),
            Want("alp", lt=5, rel=ULN),
            Want("creatinine", lt=1, rel=ULN),
        ],
    ),
    (
        "NCT01082549",
        "Alanine aminotransferase (ALT) and aspartate aminotransferase (AST) ≤2.5 "
        "times the upper limit of normal if no liver involvement or ≤5 times the upper limit of "
        "normal with liver involvement.",
        [
            Want("alt", le=2.5, rel=ULN, qualifier="if no liver involvement"),
            Want("ast", le=2.5, rel=ULN, qualifier="if no liver involvement"),
            Want("alt", le=5, rel=ULN, qualifier="with liver involvement"),
            Want("ast", le=5, rel=ULN, qualifier="with liver involvement"),
        ],
    ),
    (
        "NCT02426034",
        "ALT and AST <2.5 × ULN; liver metastases, if any, the ALT and AST<5 × ULN",
        [
            Want("alt", lt=2.5, rel=ULN),
            Want("ast", lt=2.5, rel=ULN),
            Want("alt", lt=5, rel=ULN, qualifier="liver metastases, if any"),
            Want("ast", lt=5, rel=ULN, qualifier="liver metastases, if any"),
        ],
    ),
    (
        "NCT03867942",
        "Body weight: 55kg or higher(female: 50kg or higher) and BMI 18~27kg/m2",
        [
            Want("weight", ge=55, unit="kg"),
            Want("weight", ge=50, unit="kg", qualifier="female"),
            Want("bmi", ge=18, le=27, unit="kg/m2"),
        ],
    ),
    (
        "NCT01891513",
        "Serum creatinine >2.5 mg/dL in men, or >2.0 mg/dL in women",
        [
            Want("creatinine", gt=2.5, unit="mg/dL", qualifier="in men"),
            Want("creatinine", gt=2.0, unit="mg/dL", qualifier="in women"),
        ],
    ),
    # one comparator, two values; the same limit in two units
    (
        "NCT02634541",
        "Age <18 years or >75 years",
        [Want("age", lt=18, unit="a"), Want("age", gt=75, unit="a")],
    ),
    (
        "NCT03866447",
        "Patients below 18 and above 45years.",
        [Want("age", lt=18, unit="a"), Want("age", gt=45, unit="a")],
    ),
    (
        "NCT02531971",
        "Temperature 35-37.9°C (95-100.3°F)",
        [Want("temperature", ge=35, le=37.9, unit="Cel")],
    ),
    (
        "NCT03864562",
        "Hemoglobin A1c (HbA1c) >47mmol/mol (>6.4%)",
        [Want("hba1c", gt=47, unit="mmol/mol")],
    ),
    # counts keep their power of ten; pairs; thousands
    (
        "NCT00094861",
        "Absolute neutrophil count (ANC) greater than or equal to 1.5 x 10^9/L",
        [Want("anc", ge=1.5, unit="10*9/L")],
    ),
    (
        "NCT03929159",
        "Leukocytes > 12,000/mm^3 or < 4,000/mm^3",
        [Want("wbc", gt=12000, unit="/mm3"), Want("wbc", lt=4000, unit="/mm3")],
    ),
    (
        "NCT02102243",
        "Blood pressure averaging > 159/99 mmHg",
        [Want("sbp", gt=159, unit="mm[Hg]"), Want("dbp", gt=99, unit="mm[Hg]")],
    ),
    # things outside the catalog: `other`, only when clearly measured
    (
        "NCT00094861",
        "Estimated weight loss less than or equal to 10% in the 3 months before "
        "study randomization",
        [Want("other", le=10, unit="%")],
    ),
    (
        "NCT03928093",
        "Pain intensity of > 4/10 on a 0-10 VAS scale measured daily",
        [Want("other", gt=4)],
    ),
    ("NCT03925142", "Drinking more than 2 alcoholic drinks per day", [Want("other", gt=2)]),
    # numbers that are not constraints
    (
        "NCT01994382",
        "Persistent, unresolved NCI CTCAE v4.0 ≥ Grade 2, previous drug-related toxicity",
        [],
    ),
    (
        "NCT03663387",
        "Chronic kidney disease in stages = 4, as defined per National Kidney Foundation (8).",
        [],
    ),
    (
        "NCT02884401",
        "Residual alveolar width = 4 mm (Milinkovic and Cordaro, 2014)",
        [Want("other", ge=4, le=4, unit="mm")],
    ),
    ("NCT02785549", "Planned removal of more than 10 lung lesions", []),
    # durations are not measurements; a qualified duration or a gestation is
    ("NCT02695992", "Symptomatic, permanent AF of at least three months duration", []),
    ("NCT02462590", "Invasively mechanically ventilated >72 hours at the time of screening;", []),
    (
        "NCT03253796",
        "Has physician-diagnosed active nr-axSpA with disease duration <= 5 years",
        [Want("other", le=5, unit="a")],
    ),
    # doses of drugs other than corticosteroids ("dosage" does not end in the head "age")
    ("NCT01742117", "Inability to take aspirin at a dosage of 100 mg or less", []),
    (
        "NCT00576173",
        "Patients who have taken either morphine with daily dose more than 120mg or Fentanyl "
        "with daily dose more than 50ug/hr",
        [],
    ),
    # counts of a set
    (
        "NCT03253796",
        "Has a HLA-B27+ gene and 2 or more of the SpA characteristics listed above",
        [],
    ),
    (
        "NCT01217671",
        "History of at least two moderate or severe exacerbations that required change in "
        "treatment (antibiotics, systemic steroids, hospitalization) in the last 18 months prior "
        "to date of screening , with at least one of these occurring within the last 12 months",
        [],
    ),
    # thousands written with blanks or dots; a flattened power after a blank
    (
        "NCT00720031",
        "leucocytes ³ 2000 elements per mm3, hemoglobin ³ 10.5g/dl, platelets ³ 100 000 per mm3",
        [
            Want("wbc", ge=2000, unit="/mm3"),
            Want("hemoglobin", ge=10.5, unit="g/dL"),
            Want("platelets", ge=100000, unit="/mm3"),
        ],
    ),
    (
        "NCT01743755",
        "Leukocytosis (>10.000 cells/mm3), leftward shift (>10%) or leucopenia (<4000 cells/mm3)",
        [
            Want("wbc", gt=10000, unit="/mm3"),
            Want("other", gt=10, unit="%"),
            Want("wbc", lt=4000, unit="/mm3"),
        ],
    ),
    (
        "NCT01850147",
        "Neutrophils > 1.5 109/l, Platelets > 100 109/l",
        [Want("anc", gt=1.5, unit="10*9/L"), Want("platelets", gt=100, unit="10*9/L")],
    ),
    ("NCT02419378", "1. =2 MS relapses within 24 months", []),  # MS is no unit
    (
        "NCT03366779",
        "Subject has a life expectancy of less than three (3) years.",
        [Want("life_expectancy", lt=3, unit="a")],
    ),
    # ratios: a Snellen fraction is no value; a titre limits its dilution
    (
        "NCT02678962",
        "The potential postoperative visual acuity of 20/40 or better in both eyes;",
        [],
    ),
    (
        "NCT02609048",
        "Positive Anti-Mitochondrial Antibodies (AMA) titers (>1/40 on immunofluorescence",
        [Want("other", gt=40)],
    ),
    # whose limit: an aside, an uncatalogued name in between, an alternative after
    (
        "NCT00391690",
        "Corrected (adjusted for serum albumin) serum calcium concentration < 8.0 mg/dl "
        "(2.00 mmol/L) or ≥ 12.0 mg/dl (3.00 mmol/L).",
        [Want("calcium", lt=8, unit="mg/dL"), Want("calcium", ge=12, unit="mg/dL")],
    ),
    (
        "NCT02118467",
        "Shock will be defined as mean arterial pressure less than 70 mmHg or systolic blood "
        "pressure less than 100 mmHg",
        [Want("other", lt=70, unit="mm[Hg]"), Want("sbp", lt=100, unit="mm[Hg]")],
    ),
    (
        "NCT02118467",
        "urine output < 0.5 mL/kg body weight for one hour, or a serum lactate level of > 2",
        [Want("other", lt=0.5, unit="mL/kg"), Want("other", gt=2)],
    ),
]


def test_cases_come_from_dev_documents() -> None:
    assert all(split_of(nct) == "dev" for nct, _, _ in CASES)


@pytest.mark.parametrize(("nct", "text", "want"), CASES, ids=[c[1][:40] for c in CASES])
def test_constructions(rules: RulesExtractor, nct: str, text: str, want: list[Want]) -> None:
    extraction = read(rules, text)
    assert sorted(map(repr, map(got, extraction.constraints))) == sorted(
        repr(w.key()) for w in want
    )


@pytest.mark.parametrize(
    ("text", "reasons"),
    [
        ("Previous malignancies within 2 yrs.", {"temporal"}),
        (
            "Patients who have participated in clinical trials within 30 days before the first "
            "dose",
            {"temporal"},
        ),
        ("Chronic kidney disease in stages = 4", {"staging"}),
        ("Resectable T2-4aN0 or T1-4aN+ patients (AJCC 8th edition)", {"staging", "edition"}),
        ("NCI CTCAE version 4.0 ≥ Grade 2", {"edition", "grade"}),
        ("Trachea and aorta were invaded (Annex 5).", {"reference"}),
        ("(Milinkovic and Cordaro, 2014)", {"date"}),
    ],
)
def test_non_constraint_numbers_are_notes(
    rules: RulesExtractor, text: str, reasons: set[str]
) -> None:
    extraction = read(rules, text)
    assert extraction.constraints == []
    assert {n.reason for n in extraction.notes} == reasons
    assert extraction.complete


def test_evidence_is_in_document_offsets(rules: RulesExtractor) -> None:
    text = "Platelets > 100 109/l, Hemoglobin > 9g/dl"
    extraction = read(rules, text, start=1000)
    spans = [c.evidence for c in extraction.constraints]
    assert spans == [(1000, 1000 + text.index(",")), (1000 + text.index("Hem"), 1000 + len(text))]


def test_qualified_limits_are_read_with_their_condition(rules: RulesExtractor) -> None:
    # the `qualified` warning itself is verification's, the same for every extractor
    extraction = read(rules, "Serum creatinine >2.5 mg/dL in men, or >2.0 mg/dL in women")
    assert [c.qualifier for c in extraction.constraints] == ["in men", "in women"]


def test_default_unit_is_inferred_with_a_finding(rules: RulesExtractor) -> None:
    extraction = read(rules, "Age 18-64")
    assert [c.unit for c in extraction.constraints] == ["a"]
    assert [f.code for f in extraction.findings] == ["unit-inferred"]


def test_a_bare_value_is_read_as_equal_and_flagged(rules: RulesExtractor) -> None:
    extraction = read(rules, "Hemoglobin 9 g/dL")
    assert [got(c) for c in extraction.constraints] == [
        Want("hemoglobin", ge=9, le=9, unit="g/dL").key()
    ]
    assert [f.code for f in extraction.findings] == ["comparator-missing"]
    assert not extraction.complete


def test_an_unexplained_number_makes_the_extraction_incomplete(rules: RulesExtractor) -> None:
    extraction = read(rules, "Score 7 on the questionnaire at screening")
    assert extraction.constraints == []
    assert not extraction.complete
    assert [n.reason for n in extraction.notes] == ["other"]


def test_a_criterion_without_digits_is_skipped(rules: RulesExtractor) -> None:
    assert read(rules, "Informed notification and signed informed consent.") == Extraction()


# --- the lexicon: data with a schema -----------------------------------------


def packaged_patterns() -> dict[str, object]:
    raw = resources.files("normalizer").joinpath("data/patterns.toml").read_text("utf-8")
    return tomllib.loads(raw)


def test_patterns_load_and_compile() -> None:
    lexicon = load_lexicon()
    assert lexicon.version
    assert lexicon.comparator("before", "no less than").op == "ge"
    assert lexicon.comparator("after", "or older").implies == "age"
    assert lexicon.comparator("before", "acuity").ambiguous


def test_a_broken_regex_is_rejected() -> None:
    data = packaged_patterns()
    data["link"] = "(unclosed"
    with pytest.raises(ValidationError, match="does not compile"):
        Patterns.model_validate(data)


def test_translations_keep_offsets() -> None:
    data = packaged_patterns()
    data["translate"] = {"≥": ">="}
    with pytest.raises(ValidationError, match="one character"):
        Patterns.model_validate(data)
    lexicon = compile_patterns(Patterns.model_validate(packaged_patterns()))
    text = "ANC≥1.5×109/L; \\<8cm; leucocytes ³ 2000; －ｘ＞"
    view = lexicon.view(text)
    assert len(view) == len(text)
    assert re.search(r"ANC≥1\.5x109/L; +<8cm; leucocytes ≥ 2000", view)
