"""Synthetic ClinicalTrials.gov studies around real criteria text, for tests and benchmarks.

:func:`build_ctgov_studies` wraps texts (e.g. :func:`corpus_texts`: the seeds,
Chia, LCT and fb_ctparser under ``shared/corpus``) in the API v2 study shape,
with NCT ids, ages, sex and healthy-volunteer flags that vary deterministically
with the index; :func:`write_jsonl`, :func:`write_zip` (one JSON per study, as
the bulk download), :func:`write_page` and :func:`write_aact` lay them out as
each reader expects.  Same arguments, same bytes.
"""

from __future__ import annotations

import csv
import json
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "AACT_HEADER",
    "build_ctgov_studies",
    "corpus_texts",
    "nct_id",
    "write_aact",
    "write_jsonl",
    "write_page",
    "write_zip",
]

Study = dict[str, Any]

AACT_HEADER = (
    "id", "nct_id", "sampling_method", "gender", "minimum_age", "maximum_age",
    "healthy_volunteers", "population", "criteria", "gender_description", "gender_based",
    "adult", "child", "older_adult",
)
_AGES: tuple[tuple[str | None, str | None], ...] = (
    ("18 Years", None), ("18 Years", "75 Years"), ("6 Months", "17 Years"),
    ("65 Years", None), (None, "99 Years"), ("12 Years", "45 Years"), ("21 Years", "65 Years"),
)
_SEXES = ("ALL", "ALL", "FEMALE", "ALL", "MALE")
_CONDITIONS = (
    ["Non-small Cell Lung Cancer"], ["Type 2 Diabetes"], ["COVID-19", "Pneumonia, Viral"],
    ["Hypertension"], ["Melanoma"], ["Chronic Kidney Disease", "Anemia"],
)


def nct_id(index: int) -> str:
    """A distinct NCT id per index below 10**8 (a fixed permutation, not a count)."""
    return f"NCT{(index * 7_919 + 1_234_567) % 100_000_000:08d}"


def _years(age: str | None) -> float | None:
    if age is None:
        return None
    number, unit = age.split()
    return float(number) / (12 if unit.startswith("Month") else 1)


def _std_ages(low: str | None, high: str | None) -> list[str]:
    lo, hi = _years(low) or 0.0, _years(high) or 200.0
    groups = [("CHILD", 0.0, 17.99), ("ADULT", 18.0, 64.99), ("OLDER_ADULT", 65.0, 200.0)]
    return [name for name, a, b in groups if lo <= b and hi >= a]


def build_ctgov_studies(n: int, texts: Sequence[str]) -> list[Study]:
    """``n`` API v2 studies, study ``i`` carrying ``texts[i % len(texts)]`` as its criteria."""
    if not texts:
        raise ValueError("build_ctgov_studies needs at least one text")
    studies: list[Study] = []
    for i in range(n):
        low, high = _AGES[i % len(_AGES)]
        elig: dict[str, Any] = {
            "eligibilityCriteria": texts[i % len(texts)],
            "healthyVolunteers": i % 4 == 0,
            "sex": _SEXES[i % len(_SEXES)],
        }
        if low is not None:
            elig["minimumAge"] = low
        if high is not None:
            elig["maximumAge"] = high
        elig["stdAges"] = _std_ages(low, high)
        studies.append({"protocolSection": {
            "identificationModule": {"nctId": nct_id(i), "briefTitle": f"Synthetic study {i}"},
            "conditionsModule": {"conditions": list(_CONDITIONS[i % len(_CONDITIONS)])},
            "eligibilityModule": elig,
        }})
    return studies


def write_jsonl(path: Path, studies: Iterable[Study]) -> Path:
    """One study per line, compact, UTF-8."""
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for study in studies:
            out.write(json.dumps(study, ensure_ascii=False) + "\n")
    return path


def write_zip(path: Path, studies: Iterable[Study]) -> Path:
    """One ``NCTxxxxxxxx.json`` member per study (deflated), as the bulk download."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for study in studies:
            name = study["protocolSection"]["identificationModule"]["nctId"] + ".json"
            info = zipfile.ZipInfo(name, date_time=(2026, 8, 11, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, json.dumps(study, ensure_ascii=False, indent=2))
    return path


def write_page(path: Path, studies: Iterable[Study], next_token: str | None = None) -> Path:
    """A search page: ``{"studies": [...], "nextPageToken": ...}``."""
    page: dict[str, Any] = {"studies": list(studies)}
    if next_token is not None:
        page["nextPageToken"] = next_token
    path.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
    return path


def write_aact(path: Path, studies: Iterable[Study]) -> Path:
    """AACT's ``eligibilities.txt``: pipe-delimited, header row, criteria quoted over lines."""
    sexes = {"ALL": "All", "FEMALE": "Female", "MALE": "Male"}
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter="|", lineterminator="\n")
        writer.writerow(AACT_HEADER)
        for i, study in enumerate(studies, 1):
            section = study["protocolSection"]
            elig = section["eligibilityModule"]
            ages = elig.get("stdAges", [])
            writer.writerow([
                i, section["identificationModule"]["nctId"], "", sexes[elig["sex"]],
                elig.get("minimumAge", "N/A"), elig.get("maximumAge", "N/A"),
                "Accepts Healthy Volunteers" if elig["healthyVolunteers"] else "No", "",
                elig["eligibilityCriteria"], "", "",
                *("t" if g in ages else "f" for g in ("ADULT", "CHILD", "OLDER_ADULT")),
            ])
    return path


def corpus_texts(shared: Path, limit: int | None = None) -> list[str]:
    """Real criteria texts from ``shared``: seeds, LCT trials, Chia trials, fb_ctparser CSV.

    Chia gives a trial's inclusion and exclusion criteria as two files; they are
    joined under the two headers a registry record has.  Sorted, deterministic.
    """
    texts: list[str] = []
    seeds = shared / "seeds"
    texts += [p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))]
    lct = shared / "corpus" / "lct" / "leaf_clinical_trials"
    texts += [p.read_text(encoding="utf-8") for p in sorted(lct.glob("batch*/*.txt"))]
    chia = shared / "corpus" / "chia" / "chia_without_scope"
    for inc in sorted(chia.glob("*_inc.txt")):
        exc = inc.with_name(inc.name.replace("_inc.txt", "_exc.txt"))
        body = "Inclusion Criteria:\n" + inc.read_text(encoding="utf-8")
        if exc.is_file():
            body += "\nExclusion Criteria:\n" + exc.read_text(encoding="utf-8")
        texts.append(body)
    table = shared / "corpus" / "fb_ctparser" / "data" / "input" / "clinical_trials.csv"
    if table.is_file():
        with open(table, encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                if row and not row[0].startswith("#") and len(row) == 5:
                    texts.append(row[4])
    texts = [t for t in texts if t.strip()]
    return texts[:limit] if limit is not None else texts
