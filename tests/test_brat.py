"""brat readers (Chia, LCT), value/comparator parsing, the split, and the brat scorer."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from normalizer.errors import ExtractorError, InputError
from normalizer.evaluation.brat import (
    BratNumeric,
    detect_corpus,
    iter_documents,
    parse_comparator,
    parse_numbers,
)
from normalizer.evaluation.brat_score import precision_on, render, score_corpus
from normalizer.evaluation.split import split_of
from normalizer.models import Bound, Constraint, Section

from .conftest import CHIA, LCT, need_shared

DATA = Path(__file__).parent / "data" / "brat"

Row = tuple[str, str, str, str, tuple[int, int], tuple[float, ...], str | None, str | None]


def rows(items: list[BratNumeric]) -> list[Row]:
    return [
        (
            i.criterion_id,
            i.entity_type,
            i.entity_text,
            i.value_text,
            i.value_span,
            i.values,
            i.comparator,
            i.unit_text,
        )
        for i in items
    ]


def check_offsets(text: str, items: list[BratNumeric]) -> None:
    for i in items:
        start, end = i.value_span
        assert text[start:end] == i.value_text
        c_end = i.criterion_start + len(i.criterion_text)
        assert text[i.criterion_start : c_end] == i.criterion_text
        assert i.criterion_start <= start < c_end


# --- readers on real excerpts -------------------------------------------------------------


def test_chia_items_read_exactly() -> None:
    docs = {doc.doc_id: doc for doc in iter_documents(DATA / "chia")}
    assert sorted(docs) == ["NCT00094861_inc", "NCT02315287_inc"]
    doc = docs["NCT00094861_inc"]
    assert doc.corpus == "chia" and doc.nct_id == "NCT00094861"
    assert len(doc.criteria) == 16 and doc.criteria[6].id == "inc-7"
    assert doc.criteria[6].text == "18 years of age or older"  # trailing blank not kept
    assert {i.section for i in doc.items} == {"inclusion"}
    check_offsets(doc.text, doc.items)
    assert rows(doc.items) == [
        ("inc-5", "Measurement", "Estimated weight loss", "less than or equal to 10%",
         (308, 333), (10.0,), "<=", "%"),
        ("inc-7", "Person", "age", "18 years of age or older",
         (398, 422), (18.0,), ">=", "years of age"),
        ("inc-8", "Measurement", "Eastern Cooperative Oncology Group performance status",
         "0 - 2", (488, 493), (0.0, 2.0), "range", None),
        # discontinuous "greater than 10 g/dL": the covering text keeps "or equal to"
        ("inc-9", "Measurement", "Hemoglobin", "greater than or equal to 10 g/dL",
         (512, 544), (10.0,), ">=", "g/dL"),
        ("inc-10", "Measurement", "Absolute neutrophil count",
         "greater than or equal to 1.5 x 10^9/L", (671, 708), (1.5,), ">=", "10^9/L"),
        ("inc-11", "Measurement", "Platelet count", "greater than or equal to 100 x 10^9/L",
         (793, 830), (100.0,), ">=", "10^9/L"),
        ("inc-12", "Measurement", "Serum bilirubin",
         "less than or equal to 1.5 x institutional upper limit of normal (ULN)",
         (848, 917), (1.5,), "<=", "institutional upper limit of normal (ULN)"),
        ("inc-13", "Measurement", "Serum creatinine", "equal to 2.0 mg/dL",
         (949, 967), (2.0,), "=", "mg/dL"),
        # a gap holding another number: read from the fragments "greater than 1.4 mg/dL"
        ("inc-13", "Measurement", "serum creatinine",
         "greater than or equal to 1.4 and less than or equal to 2.0 mg/dL",
         (1008, 1072), (1.4,), ">", "mg/dL"),
        ("inc-13", "Measurement", "serum creatinine", "less than or equal to 2.0 mg/dL",
         (1041, 1072), (2.0,), "<=", "mg/dL"),
        ("inc-13", "Measurement", "24-hour urinary creatinine clearance",
         "greater than or equal to 50 mL/min", (1129, 1163), (50.0,), ">=", "mL/min"),
    ]  # fmt: skip


def test_chia_crlf_offsets_and_bare_equals() -> None:
    doc = next(d for d in iter_documents(DATA / "chia") if d.doc_id == "NCT02315287_inc")
    assert "\r\n" in doc.text  # brat counts the CR: reading must not translate newlines
    check_offsets(doc.text, doc.items)
    assert [c.id for c in doc.criteria] == ["inc-1", "inc-2", "inc-3"]
    assert rows(doc.items) == [
        ("inc-1", "Measurement", "HbA1c", "> 13.0 %", (6, 14), (13.0,), ">", "%"),
        # "20 = Age": a lost "<=" glyph; a bare "=" is not trusted either way
        ("inc-3", "Person", "Age", "20 =", (71, 75), (20.0,), None, None),
    ]


def test_lct_items_read_exactly() -> None:
    docs = {doc.doc_id: doc for doc in iter_documents(DATA / "lct")}
    assert sorted(docs) == ["NCT03860428", "NCT03861286"]
    doc = docs["NCT03860428"]
    check_offsets(doc.text, doc.items)
    sections = Counter(i.section for i in doc.items)
    assert sections == {"inclusion": 4, "exclusion": 5}
    assert rows(doc.items) == [
        ("inc-1", "Observation", "Gestational age", "< 32 weeks", (41, 51), (32.0,), "<", "weeks"),
        ("inc-2", "Observation", "Birthweight", "<1500 g", (69, 76), (1500.0,), "<", "g"),
        ("inc-3", "Age", "Age", "less than 72 hours", (86, 104), (72.0,), "<", "hours"),
        ("inc-4", "Observation", "diameter", "> 1.5 mm", (123, 131), (1.5,), ">", "mm"),
        ("exc-1", "Observation", "Birthweight", "≥ 1500 g", (225, 233), (1500.0,), ">=", "g"),
        ("exc-1", "Observation", "gestation age", "≥ 32 weeks", (255, 265), (32.0,), ">=",
         "weeks"),
        ("exc-6", "Observation", "platelet count", "< 50,000/mm3", (561, 573), (50000.0,), "<",
         "mm3"),
        ("exc-7", "Observation", "serum creatinine concentration", "> 110 μmol/L", (615, 627),
         (110.0,), ">", "μmol/L"),
        ("exc-8", "Observation", "Oliguria", "<1 ml/kg/h", (642, 652), (1.0,), "<", "ml/kg/h"),
    ]  # fmt: skip
    # "<100x109/L": the annotation's Value2 "109" is a flattened 10^9, part of the unit
    (platelets,) = docs["NCT03861286"].items
    assert (platelets.section, platelets.values, platelets.comparator, platelets.unit_text) == (
        "exclusion", (100.0,), "<", "109/L",
    )  # fmt: skip
    assert platelets.criterion_text == "Patients with a baseline platelet count of <100x109/L"


def test_detect_corpus(tmp_path: Path) -> None:
    assert detect_corpus(DATA / "chia") == "chia"
    assert detect_corpus(DATA / "lct") == "lct"
    with pytest.raises(InputError):
        detect_corpus(tmp_path)


def test_broken_ann_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "NCT00000001_inc.txt").write_text("Age > 18\n", encoding="utf-8")
    (tmp_path / "NCT00000001_inc.ann").write_text("T1\tValue 4 99\t> 18\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"NCT00000001_inc\.ann:1"):
        list(iter_documents(tmp_path))


def test_chia_other_readings_and_unlinked_values(tmp_path: Path) -> None:
    """Lost powers and dot thousands keep both readings; a Value with no Has_value
    relation (or on another entity type) is annotated, not gold: only the lenient
    precision counts it."""
    text = (
        "Age >18\nPlatelets < 105/mm3\nplatelets < 150.000 cels/mm3\n"
        "Life expectancy > 3 months\n"
    )
    ann = "\n".join(
        [
            "T1\tPerson 0 3\tAge",
            "T2\tValue 4 7\t>18",
            "T3\tMeasurement 8 17\tPlatelets",
            "T4\tValue 18 27\t< 105/mm3",
            "T5\tMeasurement 28 37\tplatelets",
            "T6\tValue 38 56\t< 150.000 cels/mm3",
            "T7\tObservation 57 72\tLife expectancy",
            "T8\tValue 73 83\t> 3 months",
            "R1\tHas_value Arg1:T3 Arg2:T4\t",
            "R2\tHas_value Arg1:T5 Arg2:T6\t",
            "R3\tHas_value Arg1:T7 Arg2:T8\t",
        ]
    )
    (tmp_path / "NCT00000001_inc.txt").write_text(text, encoding="utf-8")
    (tmp_path / "NCT00000001_inc.ann").write_text(ann + "\n", encoding="utf-8")
    (doc,) = iter_documents(tmp_path)
    check_offsets(doc.text, doc.items)
    assert [(i.criterion_id, i.values) for i in doc.items] == [
        ("inc-2", (105.0, 100000.0)),
        ("inc-3", (150.0, 150000.0)),
    ]
    assert doc.other_values == {"inc-1": [18.0], "inc-4": [3.0]}

    def constraint(variable: str, value: float) -> Constraint:
        bound = Bound(value=value, inclusive=False)
        return Constraint(variable=variable, label=variable, lower=bound, evidence=(0, 1))

    predicted = {
        "inc-1": [constraint("age", 18)],
        "inc-2": [constraint("platelets", 100000)],
        "inc-3": [constraint("platelets", 150000)],
        "inc-4": [constraint("life_expectancy", 3), constraint("other", 7)],
    }
    strict, lenient = precision_on([doc], lambda _, c: predicted.get(c.id))
    assert (strict.hits, lenient.hits, strict.total) == (2, 4, 5)
    skipped, _ = precision_on([doc], lambda _, c: predicted.get(c.id) if c.id == "inc-2" else None)
    assert (skipped.hits, skipped.total) == (1, 1)


# --- value and comparator parsing (real value strings from Chia and LCT) -------------------


@pytest.mark.parametrize(
    ("text", "numbers", "comparator"),
    [
        ("greater than or equal to 10 g/dL", [10.0], ">="),
        ("greater than or equal to 1.5 x 10^9/L", [1.5], ">="),
        ("<100x109/L", [100.0], "<"),
        ("> 100 109/l", [100.0], ">"),  # the flattened power after a blank is no number
        ("≥10.0\\*109/L", [10.0], ">="),
        ("0 - 2", [0.0, 2.0], "range"),
        ("< 18 years", [18.0], "<"),
        ("18 years or older", [18.0], ">="),
        ("at least 18 years", [18.0], ">="),
        ("more than 40kg", [40.0], ">"),
        ("over 40", [40.0], ">"),
        ("up to 75 years", [75.0], "<="),
        ("60+ years", [60.0], ">="),
        ("18 or above", [18.0], ">="),
        ("between 18 and 65 years", [18.0, 65.0], "range"),
        ("between ≥20 and ≤45 years", [20.0, 45.0], "range"),
        ("≥ 12 to < 18 years", [12.0, 18.0], "range"),
        ("17.1～25.8", [17.1, 25.8], "range"),
        ("15°-45°", [15.0, 45.0], "range"),
        ("< 18 and > 62 years", [18.0, 62.0], None),  # outside an interval
        ("<80,000 or >700,000 cells/mm3", [80000.0, 700000.0], None),
        ("=18 years", [18.0], None),  # the "≥" glyph was lost
        ("23 (+/- 4)", [23.0, 4.0], None),
        (">_70%", [70.0], ">="),
        ("less than equals to (<=) 5.0", [5.0], "<="),
        ("˂5.8", [5.8], "<"),
        ("equal or above 18 years", [18.0], ">="),
        ("£ 1 time 1/2 compared to the normal", [1.0, 1.0, 2.0], "<="),
        ("= 1,5 ng/mL", [1.5], None),
        ("<50,000 / mm3", [50000.0], "<"),
        ("< 60 ml/min/1,73 m2", [60.0], "<"),
        ("> 30 kg.m-2", [30.0], ">"),
        ("z-score < +1.5", [1.5], "<"),
        ("T-score < -2.5", [-2.5], "<"),
        ("equal to 2.0 mg/dL", [2.0], "="),
        ("190 IU/L", [190.0], None),
    ],
)
def test_parse_value_text(text: str, numbers: list[float], comparator: str | None) -> None:
    assert parse_numbers(text) == numbers
    assert parse_comparator(text) == comparator


# --- split -----------------------------------------------------------------------------------


def test_split_is_stable_and_about_thirty_percent() -> None:
    # Pinned first bytes of sha256(id): NCT00094861 233, NCT00000002 252,
    # NCT00000004 4, NCT00000021 76 (the last one below the threshold of 77).
    assert split_of("NCT00094861") == split_of("NCT00000002") == "dev"
    assert split_of("NCT00000004") == split_of("NCT00000021") == "test"
    assert split_of("NCT00094861_inc") == split_of("NCT00094861_exc") == "dev"
    assert split_of("chia-NCT00000004-inc-3") == split_of("nct00000004") == "test"
    share = sum(split_of(f"NCT{n:08d}") == "test" for n in range(20000)) / 20000
    assert 0.28 < share < 0.32


# --- scorer ----------------------------------------------------------------------------------


def bound(value: float, inclusive: bool = True) -> Bound:
    return Bound(value=value, inclusive=inclusive)


def constraint(variable: str, lower: Bound | None = None, upper: Bound | None = None) -> Constraint:
    return Constraint(variable=variable, label=variable, lower=lower, upper=upper, evidence=(0, 1))


# criterion text prefix -> what the fake extractor "finds"
FAKE: dict[str, list[Constraint]] = {
    "Hemoglobin": [constraint("hemoglobin", lower=bound(10))],  # right
    "Platelet count": [constraint("platelets", upper=bound(100))],  # value right, side wrong
    "Eastern Cooperative": [constraint("ecog", lower=bound(0), upper=bound(2))],  # right range
    "18 years of age": [constraint("age", lower=bound(18, False))],  # > for >=: wrong
    "HbA1c": [constraint("hba1c", lower=bound(14, False))],  # wrong value
    "20 = Age": [constraint("age", lower=bound(20), upper=bound(80, False))],  # bare gold: ok
    "Measurable disease": [constraint("other", lower=bound(1))],  # nothing to find
}


def fake_extract(batch: list[tuple[str, Section]]) -> list[list[Constraint]]:
    return [
        next((found for prefix, found in FAKE.items() if text.startswith(prefix)), [])
        for text, _ in batch
    ]


def test_scorer_exact_figures() -> None:
    report = score_corpus(fake_extract, DATA / "chia", label="fake", batch_size=5)
    c = report.counts
    assert (c.documents, c.trials, c.criteria, c.criteria_with_gold) == (2, 2, 19, 10)
    assert (c.gold_items, c.bare_items, c.predictions) == (13, 1, 7)
    assert (report.value_recall.hits, report.value_recall.total) == (5, 13)
    assert (report.comparator_recall.hits, report.comparator_recall.total) == (3, 13)
    assert report.bare_value_recalled == 1
    assert (report.precision.hits, report.precision.total) == (5, 7)
    assert report.precision.rate == pytest.approx(5 / 7)

    errors = {(e.kind, e.reason): e.count for e in report.errors}
    assert errors == {
        ("missed", "no constraint in criterion"): 7,
        ("missed", "value not found"): 1,
        ("comparator-wrong", "gold >="): 2,
        ("false-positive", "hba1c"): 1,
        ("false-positive", "other"): 1,
    }
    assert report.errors[0].count == 7  # largest class first
    wrong = next(e for e in report.errors if e.kind == "comparator-wrong")
    assert [ex.predicted for ex in wrong.examples] == [["age >18"], ["platelets <=100"]]

    by_variable = {row.variable: (row.predicted, row.precision.hits) for row in report.by_variable}
    assert by_variable == {
        "age": (2, 2), "hemoglobin": (1, 1), "platelets": (1, 1), "ecog": (1, 1),
        "hba1c": (1, 0), "other": (1, 0),
    }  # fmt: skip
    by_entity = {e.entity: (e.gold, e.value_recall.hits) for e in report.by_entity}
    assert by_entity["serum creatinine"] == (3, 0)
    assert by_entity["hemoglobin"] == (1, 1)

    dumped = report.model_dump(mode="json")
    assert dumped["label"] == "fake" and dumped["corpus"] == "chia"
    from rich.console import Console

    console = Console(record=True, width=140)
    render(report, console)
    assert "value recall" in console.export_text()


def test_scorer_split_filter_and_bad_extractor() -> None:
    # both Chia excerpts are dev trials: the test split is empty
    assert split_of("NCT00094861") == split_of("NCT02315287") == "dev"
    assert score_corpus(fake_extract, DATA / "chia", split="dev").counts.documents == 2
    with pytest.raises(InputError):
        score_corpus(fake_extract, DATA / "chia", split="test")
    with pytest.raises(ExtractorError):
        score_corpus(lambda batch: [], DATA / "lct")


# --- the whole shared corpus -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("corpus_dir", "documents", "min_items", "max_items"),
    [
        # SOURCES.md: 2,043 Measurement->Value pairs with a digit over the full Chia
        # corpus (+ 752 Person->Value pairs of any kind); this folder is ~70% of it.
        (CHIA, 1444, 1800, 2800),
        # SOURCES.md: 1,962 Numeric-Filter links over the full LCT corpus, not all numeric.
        (LCT, 715, 1000, 1962),
    ],
    ids=["chia", "lct"],
)
def test_full_corpus_loads_fast(
    corpus_dir: Path, documents: int, min_items: int, max_items: int
) -> None:
    need_shared()
    started = time.perf_counter()
    docs = list(iter_documents(corpus_dir))
    elapsed = time.perf_counter() - started
    items = [item for doc in docs for item in doc.items]
    by_split = Counter(split_of(doc.doc_id) for doc in docs)
    print(
        f"{corpus_dir.name}: {len(docs)} documents, {sum(len(d.criteria) for d in docs)} criteria, "
        f"{len(items)} items ({Counter(i.entity_type for i in items)}), "
        f"splits {dict(by_split)}, {elapsed:.2f}s"
    )
    assert len(docs) == documents
    assert min_items <= len(items) <= max_items
    assert elapsed < 15
    assert all(item.values for item in items)
    for doc in docs:
        check_offsets(doc.text, doc.items)
    assert 0.2 < by_split["test"] / len(docs) < 0.4
