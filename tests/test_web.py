"""The review page over a real store, through HTTP (Starlette's client, no browser).

Stores are built the way ``normalizer run`` builds them: real registry texts
(Chia trials of the dev split, or texts written here) normalised by the rules
extractor and saved with :meth:`Store.save_document`.  The browser session is
``test_web_browser.py``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from normalizer.evaluation.split import split_of
from normalizer.extract.rules import RulesExtractor
from normalizer.models import Criterion, Document, RecordInfo, RecordOrigin, RegistryFields
from normalizer.pipeline import normalize_record
from normalizer.records import Record
from normalizer.review.curate import curated_document
from normalizer.review.decisions import decisions_for
from normalizer.review.web import create_app
from normalizer.review.web.charts import bar_chart
from normalizer.review.web.forms import FormError, constraint_from_form, free_numbers
from normalizer.review.web.server import check_binding, free_port
from normalizer.store import Store
from normalizer.store.fingerprint import content_hash, versions_key, versions_of

from .conftest import CHIA, need_shared

# -- building stores (shared with the browser test and the benchmark's idea) ---------------


def chia_records(count: int, *, skip: int = 0) -> list[Record]:
    """``count`` real registry records: Chia trials of the dev split, inclusion + exclusion."""
    need_shared()
    ids = sorted({p.name.split("_")[0] for p in CHIA.glob("NCT*_inc.txt")})
    ids = [i for i in ids if split_of(i) == "dev"][skip : skip + count]
    return [chia_record(nct) for nct in ids]


def chia_record(nct: str, *, edit: tuple[str, str] | None = None) -> Record:
    """One Chia trial as a registry record; ``edit`` replaces one piece of its text."""
    inc = (CHIA / f"{nct}_inc.txt").read_text("utf-8").strip()
    exc_path = CHIA / f"{nct}_exc.txt"
    exc = exc_path.read_text("utf-8").strip() if exc_path.exists() else ""
    text = f"Inclusion Criteria:\n{inc}\n\nExclusion Criteria:\n{exc}\n"
    if edit is not None:
        assert edit[0] in text, "the edit must change the record's text"
        text = text.replace(edit[0], edit[1], 1)
    info = RecordInfo(id=nct, nct_id=nct, origin=RecordOrigin(path=f"chia/{nct}.txt"))
    return Record(info=info, text=text)


def text_record(nct: str, text: str) -> Record:
    """A record whose eligibility text (and registry fields) the test writes."""
    info = RecordInfo(
        id=nct, nct_id=nct, title="A trial written for this test", conditions=["Anaemia"],
        origin=RecordOrigin(path=f"{nct}.txt"),
        registry=RegistryFields(minimum_age="18 Years", sex="all", std_ages=["ADULT"]),
    )
    return Record(info=info, text=text)


def normalise_into(store: Store, records: Sequence[Record]) -> list[Document]:
    """Normalise ``records`` and (re)save each document, as ``normalizer run --force`` does."""
    extractor = RulesExtractor()
    run = store.begin_run("test", {})
    docs = []
    for record in records:
        doc = normalize_record(record, extractor=extractor)
        assert doc.provenance is not None
        store.save_document(
            doc, record_id=record.info.id, content_hash=content_hash(record),
            versions_key=versions_key(versions_of(doc.provenance)), seconds=0.0, run_id=run,
        )
        docs.append(doc)
    store.finish_run(run, {"records": len(docs)})
    return docs


BOUNDARY = (
    "Inclusion Criteria:\n- Age >= 18 years\n- Patients aged 18 years or older\n"
    "- Platelets >= 100 x 10^9/L\nExclusion Criteria:\n- Age <= 18 years\n"
    "- Creatinine > 2 mg/dL\n- Pregnancy within 3 months\n"
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "runs.sqlite")
    yield s
    s.close()


def client(store: Store, token: str | None = None) -> TestClient:
    return TestClient(create_app(store, token=token))


def form_key(page: str) -> str:
    found = re.search(r'name="form_key" value="([^"]+)"', page)
    assert found, "every page carries the form key"
    return found.group(1)


def first_constraint(doc: Document) -> tuple[Criterion, int]:
    for crit in doc.criteria:
        if crit.constraints:
            return crit, 0
    raise AssertionError("the record has no constraint")


def post_decision(
    c: TestClient, key: str, record_id: str, crit: Criterion, **fields: str
) -> object:
    from normalizer.review.decisions import criterion_hash

    data = {"form_key": key, "criterion": crit.id, "hash": criterion_hash(crit.text), **fields}
    return c.post(f"/record/{record_id}/decide", data=data, follow_redirects=False)


# -- the queue -------------------------------------------------------------------------------


def test_queue_groups_by_record_and_merges_document_findings(store: Store) -> None:
    normalise_into(store, [text_record("NCT09000001", BOUNDARY)])
    page = client(store).get("/").text
    section = page.split("NCT09000001", 1)[1]
    roots = re.findall(r'<span class="badge">root cause</span> <code>([^<]+)</code>', section)
    # one boundary finding (inc-1 and inc-2 against exc-1) sits on all three: listed once
    assert roots.count("eligibility-boundary") == 1
    assert "(inc-1, inc-2, exc-1)" in section
    # root causes come before the record's criteria
    assert section.index("root cause") < section.index('class="crits"')


def test_queue_filters_and_pages(store: Store) -> None:
    records = chia_records(30)
    normalise_into(store, records)
    c = client(store)
    everything = c.get("/?status=all").text
    assert "of 30 records" in everything and "page 1 of 2" in everything
    second = c.get("/?status=all&page=2").text
    shown_first = set(re.findall(r'class="nct">(NCT\d+)<', everything))
    shown_second = set(re.findall(r'class="nct">(NCT\d+)<', second))
    assert len(shown_first) == 20 and len(shown_second) == 10 and not shown_first & shown_second
    # a finding code: only records with a criterion that has it
    only = c.get("/?status=all&code=unit-inferred").text
    for nct in re.findall(r'class="nct">(NCT\d+)<', only):
        doc = store.get_document(nct)
        assert doc is not None
        assert any(f.code == "unit-inferred" for cr in doc.criteria for f in cr.findings)
    # a variable, and a record
    ages = c.get("/?status=all&variable=age").text
    assert re.findall(r'class="nct">(NCT\d+)<', ages)
    one = records[3].info.id
    just = c.get(f"/?status=all&record={one}").text
    assert re.findall(r'class="nct">(NCT\d+)<', just) == [one]
    # the default status lists only what is open, and the counts say so
    open_page = c.get("/").text
    counted = re.search(r"<strong>(\d+)</strong> criteria in <strong>(\d+)</strong>", open_page)
    assert counted is not None
    total_open = sum(
        1 for r in records for cr in (store.get_document(r.info.id) or Document(source="")).criteria
        if cr.status != "accepted"
    )
    assert int(counted.group(1)) == total_open


def test_record_page_shows_words_canonical_registry_and_what_to_do(store: Store) -> None:
    normalise_into(store, [text_record("NCT09000001", BOUNDARY)])
    page = client(store).get("/record/NCT09000001").text
    assert "Age ≥ 18 years" in page or "age ≥ 18 years" in page
    assert "≥ 100 ×10⁹/L" in page  # the words a clinician reads, not '10*9/L'
    assert '<mark class="ev" data-k="0"' in page  # evidence highlighted
    assert "what to do:" in page
    from normalizer.verify import load_findings

    boundary = load_findings().get("eligibility-boundary").action
    assert boundary.replace("'", "&#39;") in page  # the code's 'what to do' text
    assert "A trial written for this test" in page and "Anaemia" in page
    assert "18 Years to no maximum" in page and "adult" in page  # registry fields


def test_record_page_says_when_any_one_limit_suffices(store: Store) -> None:
    text = (
        "Inclusion Criteria:\n- Creatinine < 2.0 mg/dL, or creatinine clearance > 40 mL/min\n"
        "- Age >= 18 years\n"
    )
    normalise_into(store, [text_record("NCT09000002", text)])
    page = client(store).get("/record/NCT09000002").text
    assert page.count('class="any-of"') == 1  # on the creatinine criterion, not on age
    assert "met by <strong>any one</strong> of these limits</p>" in page
    normalise_into(store, [text_record("NCT09000003", "Inclusion Criteria:\n- HbA1c >= 8.0% or "
                                       "diagnosed with T2D and taking diabetes medication\n")])
    page = client(store).get("/record/NCT09000003").text
    assert "or by “diagnosed with T2D and taking diabetes medication” (no constraint" in page


# -- decisions through HTTP -------------------------------------------------------------------


def test_decisions_saved_undone_and_conflicts_shown(store: Store) -> None:
    normalise_into(store, [text_record("NCT09000001", BOUNDARY)])
    c = client(store)
    key = form_key(c.get("/").text)
    doc = store.get_document("NCT09000001")
    assert doc is not None
    crit, k = first_constraint(doc)
    # no curator yet: one clear line, nothing saved
    no_name = post_decision(c, key, "NCT09000001", crit, action="accept", target=str(k))
    assert no_name.status_code == 422  # type: ignore[attr-defined]
    assert "give your name" in no_name.text  # type: ignore[attr-defined]
    assert decisions_for(store, "NCT09000001") == []
    c.cookies.set("normalizer_curator", "ana")
    done = post_decision(c, key, "NCT09000001", crit, action="accept", target=str(k))
    assert done.status_code == 303  # type: ignore[attr-defined]
    saved = decisions_for(store, "NCT09000001")
    assert [(d.action, d.curator, d.version) for d in saved] == [("accept", "ana", 1)]
    # a second curator who saw the page before ana saved: a conflict, nothing overwritten
    other = client(store)
    other.cookies.set("normalizer_curator", "ben")
    clash = post_decision(other, form_key(other.get("/").text), "NCT09000001", crit,
                          action="reject", target=str(k))
    assert clash.status_code == 409  # type: ignore[attr-defined]
    assert "Conflict" in clash.text and "ana" in clash.text  # type: ignore[attr-defined]
    assert [d.action for d in decisions_for(store, "NCT09000001")] == ["accept"]
    # ben reloads, sees version 1 and decides on it
    fine = post_decision(other, form_key(other.get("/").text), "NCT09000001", crit,
                         action="reject", target=str(k), version="1")
    assert fine.status_code == 303  # type: ignore[attr-defined]
    now = decisions_for(store, "NCT09000001")
    assert [(d.action, d.curator, d.version) for d in now] == [("reject", "ben", 2)]
    # undo
    undone = c.post("/record/NCT09000001/undo", data={
        "form_key": key, "decision": str(now[0].id), "version": "2"}, follow_redirects=False)
    assert undone.status_code == 303
    assert decisions_for(store, "NCT09000001") == []
    page = c.get("/record/NCT09000001").text
    assert "undo ana" not in page and "ben" in page  # the history names who did what


def test_correction_is_checked_before_saving(store: Store) -> None:
    normalise_into(store, [text_record("NCT09000001", BOUNDARY)])
    c = client(store)
    key = form_key(c.get("/").text)
    doc = store.get_document("NCT09000001")
    assert doc is not None
    crit, k = first_constraint(doc)
    from normalizer.review.decisions import criterion_hash

    fields = {
        "form_key": key, "criterion": crit.id, "hash": criterion_hash(crit.text),
        "target": str(k), "variable": "age", "lower": "18", "lower_inc": "on",
        "upper": "500", "upper_inc": "on", "unit": "years",
    }
    check = c.post("/record/NCT09000001/check", data=fields).text
    assert "value-impossible" in check or "value-unusual" in check
    assert "reads as" in check and "500 years" in check
    invented = c.post("/record/NCT09000001/check", data={**fields, "upper": "75"}).text
    assert "number-not-in-evidence" in invented  # 75 is not in 'Age >= 18 years'
    fine = c.post("/record/NCT09000001/check", data={**fields, "upper": ""}).text
    assert "verification finds nothing" in fine
    assert decisions_for(store, "NCT09000001") == []  # checking saves nothing
    bad = c.post("/record/NCT09000001/check", data={**fields, "lower": "eighteen"}).text
    assert "lower bound: &#39;eighteen&#39; is not a number" in bad


def test_posts_need_the_form_key_and_the_token(store: Store) -> None:
    normalise_into(store, [text_record("NCT09000001", BOUNDARY)])
    c = client(store)
    c.cookies.set("normalizer_curator", "ana")
    doc = store.get_document("NCT09000001")
    assert doc is not None
    crit, _ = first_constraint(doc)
    forged = post_decision(c, "not-the-key", "NCT09000001", crit, action="accept", target="0")
    assert forged.status_code == 403  # type: ignore[attr-defined]
    assert decisions_for(store, "NCT09000001") == []
    guarded = client(store, token="a-long-team-secret")
    assert guarded.get("/").status_code == 401
    assert "token" in guarded.get("/summary").text
    entry = guarded.get("/?token=a-long-team-secret", follow_redirects=False)
    assert entry.status_code == 303 and entry.headers["location"] == "/"
    assert guarded.get("/").status_code == 200  # the cookie carries it from now on
    assert guarded.get("/", headers={"authorization": "Bearer wrong"}).status_code == 200
    fresh = client(store, token="a-long-team-secret")
    assert fresh.get("/", headers={"authorization": "Bearer a-long-team-secret"}).status_code == 200
    assert fresh.get("/?token=wrong").status_code == 401


def test_summary_counts_and_draws_charts(store: Store) -> None:
    normalise_into(store, chia_records(10))
    page = client(store).get("/summary").text
    assert page.count("<svg") == 3
    rows = store.stored()
    assert f'<span class="n">{len(rows)}</span> records' in page
    open_count = re.search(r'<span class="n">(\d+)</span> criteria to review', page)
    assert open_count is not None and int(open_count.group(1)) > 0
    assert 'href="/?code=' in page  # each bar opens the filtered queue


def test_missing_record_is_one_clear_page(store: Store) -> None:
    answer = client(store).get("/record/NCT99999999")
    assert answer.status_code == 404 and "No record NCT99999999" in answer.text


# -- pieces ------------------------------------------------------------------------------------


def test_bar_chart_escapes_and_scales() -> None:
    svg = str(bar_chart("t", [("<b>", 10), ("a&b", 5)], link="/?code={}"))
    assert "<b>" not in svg.replace("<b>", "", 0) or "&lt;b&gt;" in svg
    assert "&lt;b&gt;" in svg and "a&amp;b" in svg
    widths = [float(w) for w in re.findall(r'<rect x="\d+" y="[\d.]+" width="([\d.]+)"', svg)]
    assert widths[0] == pytest.approx(2 * widths[1])
    assert "nothing to review" in str(bar_chart("t", []))


def test_constraint_form_reads_fields_and_refuses_bad_ones() -> None:
    crit = Criterion(id="inc-1", section="inclusion", text="Platelets >= 100 x 10^9/L",
                     span=(10, 35))
    got = constraint_from_form(
        {"variable": "platelets", "lower": "100", "lower_inc": "on", "unit": "x10^9/L",
         "evidence": "100 x 10^9/L"}, crit)
    assert got.unit == "10*9/L" and got.lower is not None and got.lower.inclusive
    assert got.evidence == (23, 35) and got.label
    for form, says in [
        ({"variable": ""}, "variable: pick"),
        ({"variable": "nope"}, "not in the catalog"),
        ({"variable": "other"}, "label: say what"),
        ({"variable": "alt", "upper": "2.5", "relative_to": "ULN", "unit": "U/L"}, "ULN/LLN"),
        ({"variable": "age", "lower": "inf"}, "finite"),
        ({"variable": "age", "unit": "furlongs per ounce"}, "unit:"),
        ({"variable": "age", "evidence": "not there"}, "not in the criterion text"),
    ]:
        with pytest.raises(FormError, match=says):
            constraint_from_form(form, crit)


def test_free_numbers_are_those_no_constraint_reads() -> None:
    text = "Inclusion Criteria:\n- Age >= 18 years, no surgery within 3 months\n"
    doc = normalize_record(text_record("NCT09000002", text), extractor=RulesExtractor())
    crit = doc.criteria[0]
    assert [c.variable for c in crit.constraints] == ["age"]
    free = free_numbers(crit)
    assert [n.text for n in free] == ["3"]
    assert text[free[0].start : free[0].end] == "3"  # document offsets


# -- serving ----------------------------------------------------------------------------------


def test_binding_other_than_loopback_needs_a_token() -> None:
    from normalizer.errors import ConfigError

    check_binding("127.0.0.1", 8765, None)
    check_binding("::1", 8765, None)
    check_binding("0.0.0.0", 8765, "a-long-team-secret")
    with pytest.raises(ConfigError, match="--token"):
        check_binding("0.0.0.0", 8765, None)
    with pytest.raises(ConfigError, match="12 characters"):
        check_binding("0.0.0.0", 8765, "short")
    from normalizer.cli import app

    result = CliRunner().invoke(app, ["review", "--serve", "--store", "x.sqlite",
                                      "--host", "192.168.0.10"])
    assert result.exit_code == 2 and "--token" in result.output
    result = CliRunner().invoke(app, ["review", "--serve"])
    assert result.exit_code == 2 and "--store" in result.output


def test_review_serve_answers_on_loopback_and_stops(tmp_path: Path) -> None:
    target = tmp_path / "runs.sqlite"
    s = Store.open(target)
    normalise_into(s, [text_record("NCT09000001", BOUNDARY)])
    s.close()
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "normalizer", "review", "--serve", "--store", str(target),
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        page = _wait_for(f"http://127.0.0.1:{port}/record/NCT09000001")
        assert "NCT09000001" in page and "Age" in page
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert f"http://127.0.0.1:{port}/" in out


def _wait_for(url: str, seconds: float = 30.0) -> str:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                return str(answer.read().decode("utf-8"))
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_curated_documents_carry_the_page_decisions(store: Store) -> None:
    normalise_into(store, [text_record("NCT09000001", BOUNDARY)])
    c = client(store)
    c.cookies.set("normalizer_curator", "ana")
    key = form_key(c.get("/").text)
    doc = store.get_document("NCT09000001")
    assert doc is not None
    crit, k = first_constraint(doc)
    post_decision(c, key, "NCT09000001", crit, action="accept", target=str(k))
    curated = curated_document(store, "NCT09000001")
    assert curated is not None
    decided = curated.criteria[0].constraints[0].decided_by
    assert decided is not None and decided.action == "accept" and decided.curator == "ana"


def test_two_curators_on_one_team_store(store_target: str) -> None:
    """Two review servers (two curators) over one store: SQLite, and PostgreSQL for a team."""
    first, second = Store.open(store_target), Store.open(store_target)
    try:
        normalise_into(first, [text_record("NCT09000001", BOUNDARY)])
        ana, ben = client(first), client(second)
        ana.cookies.set("normalizer_curator", "ana")
        ben.cookies.set("normalizer_curator", "ben")
        keys = form_key(ana.get("/record/NCT09000001").text), form_key(
            ben.get("/record/NCT09000001").text)
        doc = first.get_document("NCT09000001")
        assert doc is not None
        crit, k = first_constraint(doc)
        saved = post_decision(ana, keys[0], "NCT09000001", crit, action="accept", target=str(k))
        assert saved.status_code == 303  # type: ignore[attr-defined]
        # ben decides on what he saw before ana saved: a conflict that names her
        clash = post_decision(ben, keys[1], "NCT09000001", crit, action="reject", target=str(k))
        assert clash.status_code == 409  # type: ignore[attr-defined]
        assert "ana saved &#39;accept&#39;" in clash.text  # type: ignore[attr-defined]
        assert [(d.action, d.curator) for d in decisions_for(second, "NCT09000001")] == [
            ("accept", "ana")]
        # ben's server sees ana's decision in its queue and on the page
        decided = ben.get("/?status=decided").text
        assert 'class="nct">NCT09000001<' in decided
        assert "dec-accept" in ben.get("/record/NCT09000001").text
    finally:
        first.close()
        second.close()


def test_record_ids_with_slashes_and_spaces(store: Store) -> None:
    record = text_record("NCT09000003", BOUNDARY)
    odd = Record(info=record.info.model_copy(update={"id": "trials/a b.txt", "nct_id": None}),
                 text=record.text)
    normalise_into(store, [odd])
    c = client(store)
    queue = c.get("/?status=all").text
    assert 'href="/record/trials%2Fa%20b.txt?' in queue
    page = c.get("/record/trials%2Fa%20b.txt")
    assert page.status_code == 200 and "trials/a b.txt" in page.text
    c.cookies.set("normalizer_curator", "ana")
    doc = store.get_document("trials/a b.txt")
    assert doc is not None
    crit, k = first_constraint(doc)
    from normalizer.review.decisions import criterion_hash

    done = c.post("/record/trials%2Fa%20b.txt/decide", follow_redirects=False, data={
        "form_key": form_key(queue), "criterion": crit.id, "hash": criterion_hash(crit.text),
        "action": "accept", "target": str(k)})
    assert done.status_code == 303
    assert done.headers["location"].startswith("/record/trials%2Fa%20b.txt?")
    assert [d.action for d in decisions_for(store, "trials/a b.txt")] == ["accept"]


def test_decision_on_a_criterion_the_record_no_longer_has_is_shown_stale(store: Store) -> None:
    normalise_into(store, [text_record("NCT09000001", BOUNDARY)])
    c = client(store)
    c.cookies.set("normalizer_curator", "ana")
    key = form_key(c.get("/").text)
    doc = store.get_document("NCT09000001")
    assert doc is not None
    platelets = next(cr for cr in doc.criteria if "Platelets" in cr.text)
    post_decision(c, key, "NCT09000001", platelets, action="accept", target="0")
    assert "stale" not in c.get("/?status=stale").text.split('class="counts"')[1][:200]
    gone = BOUNDARY.replace("- Platelets >= 100 x 10^9/L\n", "")
    normalise_into(store, [text_record("NCT09000001", gone)])
    queue = c.get("/?status=stale").text
    assert 'class="nct">NCT09000001<' in queue
    assert "on criteria this record no longer has" in queue
    page = c.get("/record/NCT09000001").text
    assert "Stale decisions on criteria this record no longer has" in page
    assert "criterion then: “Platelets &gt;= 100 x 10^9/L”" in page
    assert [d.action for d in decisions_for(store, "NCT09000001")] == ["accept"]  # kept


def test_a_correction_edits_every_field(store: Store) -> None:
    text = "Inclusion Criteria:\n- ALT <= 2.5 x ULN\n"
    normalise_into(store, [text_record("NCT09000004", text)])
    c = client(store)
    c.cookies.set("normalizer_curator", "ana")
    key = form_key(c.get("/").text)
    doc = store.get_document("NCT09000004")
    assert doc is not None
    crit, k = first_constraint(doc)
    read = crit.constraints[k]
    assert read.relative_to == "ULN" and read.upper is not None and read.upper.inclusive
    saved = post_decision(
        c, key, "NCT09000004", crit, action="correct", target=str(k), variable="ast",
        label="AST", upper="2.5", relative_to="ULN", qualifier="in patients with liver metastases",
        note="the registry's protocol says AST",
    )
    assert saved.status_code == 303  # type: ignore[attr-defined]
    curated = curated_document(store, "NCT09000004")
    assert curated is not None
    fixed = curated.criteria[0].constraints[k]
    assert (fixed.variable, fixed.label, fixed.relative_to) == ("ast", "AST", "ULN")
    assert fixed.upper is not None and not fixed.upper.inclusive  # the box was not ticked
    assert fixed.qualifier == "in patients with liver metastases" and fixed.lower is None
    assert fixed.decided_by is not None and fixed.decided_by.was is not None
    assert fixed.decided_by.was.variable == read.variable  # what was read, kept beside it
    assert fixed.decided_by.note == "the registry's protocol says AST"
    page = c.get("/record/NCT09000004").text
    assert "read as:" in page and "AST &lt; 2.5 × ULN" in page


def test_the_store_is_read_in_the_background_and_pages_say_how_far(store: Store) -> None:
    normalise_into(store, chia_records(6))
    app = create_app(store, background=True)  # what `review --serve` starts
    c = TestClient(app)
    deadline = time.monotonic() + 60
    while (status := c.get("/status").json())["records"] < 6 or status["loading"]:
        assert time.monotonic() < deadline, status
        time.sleep(0.05)
    assert "of 6 records" in c.get("/?status=all").text
    app.state.review.index.loading = (2000, 10000)  # as during the first read of a big store
    assert "Reading the store: 2,000 of 10,000 records so far" in c.get("/").text


def test_record_page_shows_the_record_against_its_registry_fields(store: Store) -> None:
    # no criterion states an age: the registry's 18 Years is the record's own finding
    normalise_into(store, [text_record("NCT09000002", "Inclusion Criteria:\n"
                                       "- Platelets >= 100 x 10^9/L\n")])
    page = client(store).get("/record/NCT09000002").text
    assert "The record against its registry fields" in page
    assert "<code>registry-age-only</code>" in page
    assert "the registry says at least 18 years (minimum age 18 Years)" in page.replace(
        "&#39;", "'")
