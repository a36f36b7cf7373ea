"""Documents for the export tests: real records (seeds, CT.gov corpus) and gold cases."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from normalizer import RulesExtractor
from normalizer.models import (
    Bound,
    Constraint,
    Criterion,
    Decision,
    Document,
    GoldCase,
    RecordInfo,
    RecordOrigin,
    RegistryFields,
)
from normalizer.pipeline import canonical_of, normalize_record
from normalizer.records import Record, read_records

from .conftest import REPO, SEEDS, SHARED

CTGOV = SHARED / "corpus" / "ctgov_v2"
GOLD = [REPO / "gold" / "dev.jsonl", REPO / "gold" / "test.jsonl"]


def seed_records() -> list[Record]:
    """The seed texts, as records with made-up NCT-like ids and registry fields."""
    out = []
    for number, path in enumerate(sorted(SEEDS.glob("*.txt"))):
        nct = f"NCT9000000{number}"
        info = RecordInfo(
            id=nct,
            nct_id=nct,
            title=f"Seed record {path.stem}",
            conditions=["seed condition"],
            origin=RecordOrigin(path=f"seeds/{path.name}"),
            registry=RegistryFields(minimum_age="18 Years", sex="all"),
        )
        out.append(Record(info=info, text=path.read_text(encoding="utf-8")))
    return out


def ctgov_records() -> list[Record]:
    """Every study of the CT.gov API v2 corpus with criteria text, read by the package's
    own reader (single gets and search pages), the first copy of each NCT id."""
    seen: dict[str, Record] = {}
    for item in read_records([str(CTGOV)], glob="*.json"):
        assert isinstance(item, Record), f"the real corpus reads: {item}"
        if item.text and item.info.id not in seen:
            seen[item.info.id] = item
    return list(seen.values())


@cache
def real_documents() -> tuple[Document, ...]:
    """Seeds and corpus records normalised with the rules extractor."""
    extractor = RulesExtractor()
    records = seed_records() + ctgov_records()
    return tuple(normalize_record(r, extractor=extractor) for r in records)


@cache
def seed_documents() -> tuple[Document, ...]:
    extractor = RulesExtractor()
    return tuple(normalize_record(r, extractor=extractor) for r in seed_records())


def _gold_cases() -> list[GoldCase]:
    cases = []
    for path in GOLD:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                cases.append(GoldCase.model_validate_json(line))
    return cases


@cache
def gold_documents() -> tuple[Document, ...]:
    """One document per gold case: the gold constraints as an accepted criterion."""
    docs = []
    for case in _gold_cases():
        constraints = []
        for g in case.constraints:
            c = Constraint(
                variable=g.variable,
                label=g.label or g.variable,
                lower=g.lower,
                upper=g.upper,
                unit=g.unit,
                relative_to=g.relative_to,
                qualifier=g.qualifier,
                evidence=(0, len(case.text)),
                extracted_by=["rules"],
            )
            constraints.append(c.model_copy(update={"canonical": canonical_of(c)}))
        crit = Criterion(
            id=case.id,
            section=case.section,
            text=case.text,
            span=(0, len(case.text)),
            constraints=constraints,
        )
        info = RecordInfo(id=case.id, origin=RecordOrigin(path=case.source))
        docs.append(Document(source=case.source, record=info, criteria=[crit]))
    return tuple(docs)


def decision(
    action: str, *, stale: bool = False, at: str = "2026-12-01T10:00:00+00:00"
) -> Decision:
    return Decision(action=action, curator="ana", at=at, stale=stale)  # type: ignore[arg-type]


def constraint(variable: str = "platelets", **kw: object) -> Constraint:
    base: dict[str, object] = {
        "variable": variable,
        "label": variable,
        "lower": Bound(value=100, inclusive=True),
        "unit": "10*9/L",
        "evidence": (0, 5),
    }
    base.update(kw)
    return Constraint.model_validate(base)


def criterion(
    cid: str,
    section: str,
    constraints: list[Constraint],
    status: str = "accepted",
    text: str = "Platelets >= 100",
    **kw: object,
) -> Criterion:
    return Criterion.model_validate(
        {
            "id": cid,
            "section": section,
            "text": text,
            "span": (0, len(text)),
            "constraints": constraints,
            "status": status,
            **kw,
        }
    )


def document(*criteria: Criterion, record_id: str = "NCT01234567") -> Document:
    info = RecordInfo(id=record_id, nct_id=record_id, origin=RecordOrigin(path="x.json"))
    return Document(source="x.json", record=info, criteria=list(criteria))


def write_jsonl(path: Path, docs: tuple[Document, ...] | list[Document]) -> Path:
    path.write_text("".join(d.model_dump_json() + "\n" for d in docs), encoding="utf-8")
    return path
