"""Curator decisions on SQLite and PostgreSQL: saved, locked, applied, kept across reruns."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert

from normalizer import RulesExtractor
from normalizer.models import Bound, Constraint, Criterion, Document, RecordInfo, RecordOrigin
from normalizer.pipeline import normalize_record
from normalizer.records import Record
from normalizer.review.curate import (
    curate,
    curated_document,
    curated_documents,
    kept,
    settled,
    verify_correction,
)
from normalizer.review.decisions import (
    DecisionConflict,
    DecisionError,
    decide,
    decisions_for,
    history,
    undo,
)
from normalizer.store import Store, now, store_url, tables
from normalizer.store.migrations import MIGRATIONS

from .conftest import SEEDS

SEED = (SEEDS / "001_1264358aa91b314b.txt").read_text(encoding="utf-8")
RECORD = "NCT01306084"


def _normalise(text: str, record_id: str = RECORD) -> Document:
    record = Record(
        info=RecordInfo(id=record_id, nct_id=record_id, origin=RecordOrigin(path="x.json")),
        text=text,
    )
    return normalize_record(record, extractor=RulesExtractor())


def _save(store: Store, doc: Document, record_id: str = RECORD) -> None:
    run = store.begin_run("test", {})
    store.save_document(
        doc, record_id=record_id, content_hash="h", versions_key="v", seconds=0.0, run_id=run
    )


def _criterion(doc: Document, starts: str) -> Criterion:
    return next(c for c in doc.criteria if c.text.startswith(starts))


def test_decisions_survive_a_rerun_that_shifts_criterion_ids(store_target: str) -> None:
    store = Store.open(store_target)
    doc = _normalise(SEED)
    _save(store, doc)
    bmi = _criterion(doc, "BMI acuity")
    assert bmi.status == "needs_review"
    labs = _criterion(doc, "Neutrophil count")
    k = next(i for i, c in enumerate(labs.constraints) if c.variable == "platelets")
    assert labs.constraints[k].lower == Bound(value=10.0, inclusive=True)
    fixed = labs.constraints[k].model_copy(update={"lower": Bound(value=100.0, inclusive=True)})
    decide(store, RECORD, bmi, action="accept", target=0, curator="ana", note="acuity = at least")
    decide(store, RECORD, labs, action="correct", target=k, constraint=fixed, curator="bo")

    # a rerun where segmentation gives every criterion a new id and new offsets
    shifted = SEED.replace("Inclusion Criteria:", "Inclusion Criteria:\n\n* Signed consent.", 1)
    assert shifted != SEED
    rerun = _normalise(shifted)
    assert _criterion(rerun, "BMI acuity").id != bmi.id
    _save(store, rerun)
    curated = curated_document(store, RECORD)
    assert curated is not None
    bmi2 = _criterion(curated, "BMI acuity")
    assert bmi2.constraints[0].decided_by is not None
    assert bmi2.constraints[0].decided_by.action == "accept"
    assert bmi2.constraints[0].decided_by.note == "acuity = at least"
    assert bmi2.status == "accepted"  # the curator settled the comparator finding
    labs2 = _criterion(curated, "Neutrophil count")
    platelets = labs2.constraints[k]
    assert platelets.lower == Bound(value=100.0, inclusive=True)
    assert platelets.decided_by is not None and platelets.decided_by.action == "correct"
    assert platelets.decided_by.was is not None
    assert platelets.decided_by.was.lower == Bound(value=10.0, inclusive=True)
    # the corrected constraint sits where the rerun put the criterion, verified again
    start, end = platelets.evidence
    was_start, was_end = labs.constraints[k].evidence
    assert start != was_start and shifted[start:end] == SEED[was_start:was_end]
    assert [f.code for f in labs2.findings if f.constraint == k] == ["number-not-in-evidence"]
    assert not [d for d in curated.decisions if d.stale]
    # nothing else was touched
    assert all(c.decided_by is None for c in labs2.constraints if c is not platelets)
    store.close()


def test_a_changed_criterion_makes_its_decision_stale_with_both_versions(
    store_target: str,
) -> None:
    store = Store.open(store_target)
    doc = _normalise(SEED)
    _save(store, doc)
    bmi = _criterion(doc, "BMI acuity")
    decide(store, RECORD, bmi, action="accept", target=0, curator="ana")
    edited = SEED.replace("BMI acuity 18.5 kg/m2", "BMI acuity 20 kg/m2", 1)
    _save(store, _normalise(edited))
    curated = curated_document(store, RECORD)
    assert curated is not None
    now_bmi = _criterion(curated, "BMI acuity")
    assert now_bmi.constraints[0].decided_by is None  # never applied to the new reading
    assert now_bmi.status == "needs_review"
    [stale] = now_bmi.decisions
    assert stale.stale and stale.action == "accept" and stale.curator == "ana"
    assert stale.criterion_text == bmi.text  # the version it was decided on ...
    assert stale.was is not None and stale.was.lower == Bound(value=18.5, inclusive=True)
    assert now_bmi.text != bmi.text  # ... beside the one there is now
    # a criterion that disappeared entirely: the decision stays on the document
    gone = edited.replace(now_bmi.text, "", 1)
    _save(store, _normalise(gone))
    curated = curated_document(store, RECORD)
    assert curated is not None
    assert [d.criterion_text for d in curated.decisions if d.stale] == [bmi.text]
    store.close()


def test_a_constraint_no_longer_produced_is_stale_not_misapplied(store_target: str) -> None:
    store = Store.open(store_target)
    doc = _normalise(SEED)
    _save(store, doc)
    labs = _criterion(doc, "Neutrophil count")
    k = next(i for i, c in enumerate(labs.constraints) if c.variable == "hemoglobin")
    decide(store, RECORD, labs, action="reject", target=k, curator="ana")
    # new rules read the same evidence differently (g/L instead of g/dL)
    other = doc.model_copy(deep=True)
    crit = _criterion(other, "Neutrophil count")
    crit.constraints[k] = crit.constraints[k].model_copy(update={"unit": "g/L"})
    curated = curate(other, decisions_for(store, RECORD))
    crit = _criterion(curated, "Neutrophil count")
    assert crit.constraints and all(c.decided_by is None for c in crit.constraints)
    [stale] = crit.decisions
    assert stale.stale and stale.action == "reject" and stale.criterion_text is None
    assert stale.was is not None and stale.was.unit == "g/dL"
    assert stale.evidence == labs.constraints[k].evidence
    # and gone altogether
    missing = doc.model_copy(deep=True)
    del _criterion(missing, "Neutrophil count").constraints[k]
    gone = curate(missing, decisions_for(store, RECORD))
    assert [d.action for d in _criterion(gone, "Neutrophil count").decisions] == ["reject"]
    store.close()


# two criteria of real records (NCT06382129, NCT02576665)
URINE = "Urine protein ≤2+ or \\< 1000mg/24h;"
TOCA = "Patient has previously participated in the Toca 5 trial (Tg 511-15-01)."


def test_reject_add_and_not_a_constraint_are_applied_and_settle_findings(
    store_target: str,
) -> None:
    store = Store.open(store_target)
    doc = _normalise(f"Inclusion Criteria:\n* {URINE}\n\nExclusion Criteria:\n* {TOCA}\n")
    _save(store, doc)
    urine, toca = doc.criteria
    assert [f.code for f in urine.findings] == ["unit-missing", "unparsed-number"]
    assert [f.code for f in toca.findings] == ["unparsed-number"]
    # the dipstick grade "2+" is no limit in g/24 h; the 24-hour limit was missed
    base = urine.span[0]
    at = urine.text.index("1000mg/24h")
    added = Constraint(
        variable="urine_protein", label="urine protein", unit="mg/(24.h)",
        upper=Bound(value=1000, inclusive=False),
        evidence=(base + at - 3, base + at + len("1000mg/24h")),
    )
    assert [f.code for f in verify_correction(added, urine)] == []
    decide(store, RECORD, urine, action="reject", target=0, curator="ana", note="a dipstick grade")
    decide(store, RECORD, urine, action="add", constraint=added, curator="ana")
    # the trial code's numbers are not limits: three marks, one per number
    marks = [m.span() for m in __import__("re").finditer(r"\d+", TOCA)][1:]
    assert [TOCA[s:e] for s, e in marks] == ["511", "15", "01"]
    tbase = toca.span[0]
    for s, e in marks[:2]:
        decide(store, RECORD, toca, action="not_a_constraint", evidence=(tbase + s, tbase + e),
               curator="bo")
    curated = curated_document(store, RECORD)
    assert curated is not None
    urine2, toca2 = curated.criteria
    assert urine2.status == "accepted" and all(settled(urine2))
    assert [(c.decided_by.action if c.decided_by else None) for c in urine2.constraints] == [
        "reject", "add"]
    assert urine2.constraints[0].decided_by is not None
    assert urine2.constraints[0].decided_by.note == "a dipstick grade"
    assert kept(urine2) == [urine2.constraints[1]]  # what an export writes
    assert kept(urine) == urine.constraints
    assert urine2.constraints[1].canonical is not None
    assert urine2.constraints[1].canonical.upper == 1.0  # 1000 mg/24 h = 1 g/24 h
    [limit] = [e for e in curated.eligibility if e.variable == "urine_protein"]
    assert [i.upper for i in limit.intervals] == [Bound(value=1.0, inclusive=False)]
    assert toca2.status == "needs_review"  # '01' is not accounted for yet
    s, e = marks[2]
    decide(store, RECORD, toca, action="not_a_constraint", evidence=(tbase + s, tbase + e),
           curator="bo", note="a protocol number")
    curated = curated_document(store, RECORD)
    assert curated is not None
    toca3 = curated.criteria[1]
    assert toca3.status == "accepted" and all(settled(toca3))
    assert [(d.action, d.evidence_text) for d in toca3.decisions] == [
        ("not_a_constraint", "511"), ("not_a_constraint", "15"), ("not_a_constraint", "01")]
    assert toca3.decisions[2].evidence == (tbase + marks[2][0], tbase + marks[2][1])
    store.close()


def test_correcting_an_added_constraint_adds_it_again(store_target: str) -> None:
    store = Store.open(store_target)
    doc = _normalise(f"Inclusion Criteria:\n* {URINE}\n")
    _save(store, doc)
    [urine] = doc.criteria
    at = urine.span[0] + urine.text.index("1000mg/24h")
    added = Constraint(variable="urine_protein", label="urine protein", unit="mg/(24.h)",
                       upper=Bound(value=100, inclusive=False), evidence=(at - 3, at + 10))
    first = decide(store, RECORD, urine, action="add", constraint=added, curator="ana")
    curated = curated_document(store, RECORD)
    assert curated is not None
    shown = curated.criteria[0]
    k = len(shown.constraints) - 1
    assert shown.constraints[k].decided_by is not None
    assert shown.constraints[k].decided_by.version == 1
    fixed = added.model_copy(update={"upper": Bound(value=1000, inclusive=False)})
    again = decide(store, RECORD, shown, action="correct", target=k, constraint=fixed,
                   curator="bo", expected_version=1)
    assert (again.id, again.action, again.version) == (first.id, "add", 2)
    curated = curated_document(store, RECORD)
    assert curated is not None
    [mine] = [c for c in curated.criteria[0].constraints if c.decided_by is not None]
    assert mine.upper == Bound(value=1000, inclusive=False) and mine.decided_by is not None
    assert mine.decided_by.curator == "bo"
    with pytest.raises(DecisionError, match="undo the addition instead"):
        decide(store, RECORD, curated.criteria[0], action="reject", target=k, curator="bo")
    store.close()


def test_second_curator_on_the_same_constraint_gets_a_conflict(store_target: str) -> None:
    store = Store.open(store_target)
    doc = _normalise(SEED)
    _save(store, doc)
    bmi = _criterion(doc, "BMI acuity")
    first = decide(store, RECORD, bmi, action="accept", target=0, curator="ana")
    with pytest.raises(DecisionConflict, match="ana saved 'accept'") as caught:
        decide(store, RECORD, bmi, action="reject", target=0, curator="bo")
    assert caught.value.current == first
    # bo reloads (sees version 1) and decides: that works, and ana's stale save then fails
    second = decide(store, RECORD, bmi, action="reject", target=0, curator="bo",
                    expected_version=1)
    assert second.version == 2
    with pytest.raises(DecisionConflict, match="bo saved 'reject'"):
        decide(store, RECORD, bmi, action="accept", target=0, curator="ana",
               expected_version=1)
    [only] = decisions_for(store, RECORD)
    assert (only.action, only.curator, only.version) == ("reject", "bo", 2)
    store.close()


@pytest.mark.parametrize("seen", [None, 1])
def test_concurrent_sessions_one_wins_and_the_other_conflicts(
    store_target: str, seen: int | None
) -> None:
    setup = Store.open(store_target)
    doc = _normalise(SEED)
    _save(setup, doc)
    bmi = _criterion(doc, "BMI acuity")
    if seen is not None:  # both curators saw version 1 and change it at once
        decide(setup, RECORD, bmi, action="accept", target=0, curator="carl")
    setup.close()
    sessions = [Store.open(store_target), Store.open(store_target)]  # two connection pools
    barrier = threading.Barrier(2)
    results: list[object] = []

    def save(store: Store, curator: str, action: str) -> None:
        barrier.wait()
        try:
            results.append(decide(store, RECORD, bmi, action=action,  # type: ignore[arg-type]
                                  target=0, curator=curator, expected_version=seen))
        except DecisionConflict as exc:
            results.append(exc)

    threads = [
        threading.Thread(target=save, args=(sessions[0], "ana", "reject")),
        threading.Thread(target=save, args=(sessions[1], "bo", "accept")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    conflicts = [r for r in results if isinstance(r, DecisionConflict)]
    saved = [r for r in results if not isinstance(r, DecisionConflict)]
    assert len(results) == 2 and len(conflicts) == 1 and len(saved) == 1, results
    [stored] = decisions_for(sessions[0], RECORD)
    assert stored == saved[0]
    assert stored.version == (1 if seen is None else 2)
    assert len(history(sessions[0], RECORD)) == (1 if seen is None else 2)
    for s in sessions:
        s.close()


@pytest.mark.parametrize("seen", [None, 1])
def test_both_read_before_either_writes_still_one_conflict(
    store_target: str, seen: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race itself: both sessions read the key, then both write (forced interleaving)."""
    from normalizer.review import decisions as module

    setup = Store.open(store_target)
    doc = _normalise(SEED)
    _save(setup, doc)
    bmi = _criterion(doc, "BMI acuity")
    if seen is not None:
        decide(setup, RECORD, bmi, action="accept", target=0, curator="carl")
    setup.close()
    both_read = threading.Barrier(2, timeout=30)
    original = module._get
    local = threading.local()

    def read_then_wait(*args: object) -> object:
        found = original(*args)  # type: ignore[arg-type]
        if not getattr(local, "waited", False):
            local.waited = True
            both_read.wait()  # neither writes before both have read
        return found

    monkeypatch.setattr(module, "_get", read_then_wait)
    sessions = [Store.open(store_target), Store.open(store_target)]
    results: list[object] = []

    def save(store: Store, curator: str) -> None:
        try:
            results.append(decide(store, RECORD, bmi, action="reject", target=0,
                                  curator=curator, expected_version=seen))
        except DecisionConflict as exc:
            results.append(exc)

    threads = [threading.Thread(target=save, args=(s, name))
               for s, name in zip(sessions, ("ana", "bo"), strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    conflicts = [r for r in results if isinstance(r, DecisionConflict)]
    assert len(results) == 2 and len(conflicts) == 1, results
    assert conflicts[0].current is not None  # it names the decision that won
    monkeypatch.undo()
    [stored] = decisions_for(sessions[0], RECORD)
    assert stored.curator in ("ana", "bo") and stored.version == (1 if seen is None else 2)
    assert conflicts[0].current == stored
    for s in sessions:
        s.close()


def test_undo_and_history_keep_who_changed_what(store_target: str) -> None:
    store = Store.open(store_target)
    doc = _normalise(SEED)
    _save(store, doc)
    bmi = _criterion(doc, "BMI acuity")
    row = decide(store, RECORD, bmi, action="accept", target=0, curator="ana")
    gone = undo(store, row.id, curator="bo")
    assert gone.undone and gone.version == 2
    assert decisions_for(store, RECORD) == []
    assert decisions_for(store, RECORD, include_undone=True) == [gone]
    curated = curated_document(store, RECORD)
    assert curated is not None
    assert _criterion(curated, "BMI acuity").constraints[0].decided_by is None
    with pytest.raises(DecisionConflict):
        undo(store, row.id, curator="ana")  # already withdrawn
    again = decide(store, RECORD, bmi, action="reject", target=0, curator="ana")
    assert again.id == row.id and again.version == 3
    steps = history(store, RECORD)
    assert [(h.change, h.curator, h.version) for h in steps] == [
        ("decide", "ana", 1), ("undo", "bo", 2), ("decide", "ana", 3)]
    assert steps[0].before is None and steps[0].after["action"] == "accept"
    assert steps[1].before is not None and steps[1].before["undone"] is False
    assert steps[2].before is not None and steps[2].before["action"] == "accept"
    assert steps[2].after["action"] == "reject"
    store.close()


def test_two_readings_of_one_evidence_are_two_decisions(store_target: str) -> None:
    store = Store.open(store_target)
    doc = _normalise(SEED)
    # an extractor read the same words twice as one variable, differently
    crit = _criterion(doc, "BMI acuity")
    twin = crit.constraints[0].model_copy(update={"lower": Bound(value=18, inclusive=True)})
    crit.constraints.append(twin)
    _save(store, doc)
    first = decide(store, RECORD, crit, action="accept", target=0, curator="ana")
    second = decide(store, RECORD, crit, action="reject", target=1, curator="ana")
    assert first.id != second.id and first.slot != second.slot
    curated = curate(doc, decisions_for(store, RECORD))
    shown = _criterion(curated, "BMI acuity").constraints
    assert [c.decided_by.action if c.decided_by else None for c in shown] == ["accept", "reject"]
    store.close()


def test_bad_decisions_are_one_clear_error(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.sqlite")
    doc = _normalise(SEED)
    bmi = _criterion(doc, "BMI acuity")
    with pytest.raises(DecisionError, match="has no constraint 3"):
        decide(store, RECORD, bmi, action="accept", target=3, curator="ana")
    with pytest.raises(DecisionError, match="give the corrected constraint"):
        decide(store, RECORD, bmi, action="correct", target=0, curator="ana")
    with pytest.raises(DecisionError, match="is not inside criterion"):
        decide(store, RECORD, bmi, action="not_a_constraint", evidence=(0, 2), curator="ana")
    with pytest.raises(DecisionError, match="curator's name"):
        decide(store, RECORD, bmi, action="accept", target=0, curator=" ")
    assert decisions_for(store, RECORD) == []
    store.close()


def test_verify_correction_shows_findings_before_saving() -> None:
    doc = _normalise(SEED)
    bmi = _criterion(doc, "BMI acuity")
    good = bmi.constraints[0]
    # written by a curator, not the extractor: the unclear 'acuity' is said again
    assert [(f.code, f.constraint) for f in verify_correction(good, bmi, 0)] == [
        ("comparator-unclear", 0)]
    wrong = good.model_copy(update={"lower": Bound(value=185, inclusive=True)})
    codes = [f.code for f in verify_correction(wrong, bmi, 0)]
    assert "number-not-in-evidence" in codes and "value-impossible" in codes


def test_curated_documents_read_many_records_with_their_decisions(store_target: str) -> None:
    store = Store.open(store_target)
    ids = [f"NCT{n:08d}" for n in range(1, 8)]
    for record_id in ids:
        _save(store, _normalise(SEED, record_id), record_id)
    bmi = _criterion(_normalise(SEED, ids[3]), "BMI acuity")
    decide(store, ids[3], bmi, action="accept", target=0, curator="ana")
    docs = list(curated_documents(store, batch=3))
    assert [d.record.id for d in docs if d.record] == ids
    decided = [d.record.id for d in docs if d.record and any(
        c.decided_by for crit in d.criteria for c in crit.constraints)]
    assert decided == [ids[3]]
    assert [d.record.id for d in curated_documents(store, [ids[3]]) if d.record] == [ids[3]]
    store.close()


def test_a_store_created_at_version_1_is_migrated(store_target: str) -> None:
    engine = create_engine(store_url(store_target))
    with engine.begin() as conn:  # what a version-1 store holds
        tables.migrations_table.create(conn)
        MIGRATIONS[0].apply(conn)
        conn.execute(insert(tables.migrations_table).values(
            version=1, name=MIGRATIONS[0].name, applied_at=now()))
    old = Store(engine)
    assert old.schema_version() == 1
    doc = _normalise(SEED)
    _save(old, doc)
    engine.dispose()
    store = Store.open(store_target)
    assert store.schema_version() == MIGRATIONS[-1].version >= 2
    assert store.get_document(RECORD) == doc  # what was stored is still there
    bmi = _criterion(doc, "BMI acuity")
    decide(store, RECORD, bmi, action="accept", target=0, curator="ana")
    assert len(decisions_for(store, RECORD)) == 1
    store.close()


def test_the_module_examples_run() -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module("normalizer.review.decisions"))
    assert result.attempted > 0 and result.failed == 0


def test_how_limits_combine_is_read_again_on_the_kept_constraints(store_target: str) -> None:
    """A curator rejects the clearance reading of "Creatinine < 2.0 mg/dL, or creatinine
    clearance > 40 mL/min": the text still offers it, now as an alternative no constraint
    reads, so the creatinine limit is still not required of every patient."""
    store = Store.open(store_target)
    doc = _normalise(
        "Inclusion Criteria:\n* Creatinine < 2.0 mg/dL, or creatinine clearance > 40 mL/min\n"
    )
    _save(store, doc)
    [crit] = doc.criteria
    assert (crit.any_of, crit.alternative) == (True, None)
    assert doc.eligibility == []
    decide(store, RECORD, crit, action="reject", target=1, curator="ana", note="misread")
    curated = curated_document(store, RECORD)
    assert curated is not None
    [crit2] = curated.criteria
    assert (crit2.any_of, crit2.alternative) == (True, "creatinine clearance > 40 mL/min")
    assert curated.eligibility == []
    [note] = [f for f in crit2.findings if f.code == "eligibility-alternatives"]
    assert "creatinine clearance > 40 mL/min" in note.message
    store.close()
