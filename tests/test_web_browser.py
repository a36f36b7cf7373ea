"""The review page in a real headless Chromium (Debian's, driven by Playwright).

The done-when session of issue 13: a store of real records, one record worked
through with the keyboard (accept, edit a bound, reject, add a missed
constraint, mark a number "not a constraint"), the page reloaded, the same
input run again with ``normalizer run --force`` (a real run of the command, as a
curator does it: every document normalised afresh and re-saved) and every
decision found re-applied; then one criterion's text changed in the input, the
input run again, and its decision found stale.
The queue and summary screenshots are written by this test
(``NORMALIZER_SCREENSHOTS=docs`` writes the README's, under ``docs/``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from normalizer.models import Document
from normalizer.review.curate import curated_document
from normalizer.review.decisions import criterion_hash, decisions_for
from normalizer.review.web import create_app
from normalizer.review.web.forms import free_numbers
from normalizer.review.web.server import free_port
from normalizer.store import Store

from .conftest import REPO
from .test_web import chia_records

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI must run the browser tests; .ci/run installs chromium)")
    pytest.skip(what)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[dev]')")
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        _missing(f"no chromium at {path}")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def write_studies(
    path: Path, records: list[Any], edit: tuple[str, str, str] | None = None
) -> Path:
    """The records as ClinicalTrials.gov API v2 studies, one per line (JSON Lines).

    ``edit`` (record id, old, new) replaces a piece of one record's text, as a registry
    update does.
    """
    with open(path, "w", encoding="utf-8") as out:
        for record in records:
            text = record.text
            if edit is not None and record.info.id == edit[0]:
                assert edit[1] in text, "the edit must change the record's text"
                text = text.replace(edit[1], edit[2], 1)
            study = {"protocolSection": {
                "identificationModule": {"nctId": record.info.id},
                "eligibilityModule": {"eligibilityCriteria": text},
            }}
            out.write(json.dumps(study, ensure_ascii=False) + "\n")
    return path


def normalizer_run(studies: Path, *args: str) -> dict[str, Any]:
    """``normalizer run STUDIES ARGS`` in a child process; its --summary-json (beside STUDIES)."""
    summary = studies.with_suffix(".summary.json")
    done = subprocess.run(
        [
            sys.executable, "-m", "normalizer", "run", str(studies), *args,
            "--summary-json", str(summary),
        ],
        capture_output=True, text=True, cwd=REPO, timeout=600,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(summary.read_text("utf-8"))
    return result


class Served:
    """The review app on a free loopback port (uvicorn in a thread), stopped at the end."""

    def __init__(self, store: Store) -> None:
        import uvicorn

        self.port = free_port()
        config = uvicorn.Config(
            create_app(store), host="127.0.0.1", port=self.port, log_level="warning",
            access_log=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the review app did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        assert not self.thread.is_alive(), "the review app did not stop"


@dataclass(frozen=True)
class Plan:
    """Where in one record each of the five decisions goes."""

    record_id: str
    accept: tuple[str, int]
    edit: tuple[str, int]
    reject: tuple[str, int]
    dismiss: tuple[str, str]
    """criterion id, and the number's 'start:end' (the first free number of it)."""
    add: tuple[str, str]
    """criterion id, and the number's text the added constraint reads."""


def plan_for(doc: Document, record_id: str) -> Plan | None:
    """A record with three constraints (the accepted one alone in its criterion) and two
    free numbers elsewhere, or None."""
    constraints = [(c.id, k) for c in doc.criteria for k in range(len(c.constraints))]
    numbers = [
        (c.id, n) for c in doc.criteria for n in free_numbers(c)
        if n.text.replace(".", "", 1).isdigit()
    ]
    for accept in constraints:
        rest = [x for x in constraints if x[0] != accept[0]]
        bounded = [
            x for x in rest
            if next(c for c in doc.criteria if c.id == x[0]).constraints[x[1]].lower is not None
        ]
        if not bounded:
            continue
        edit = bounded[0]
        others = [x for x in rest if x != edit]
        loose = [x for x in numbers if x[0] != accept[0]]
        if not others or len({x[0] for x in loose}) < 2:
            continue
        first = loose[0]
        second = next(x for x in loose if x[0] != first[0])
        return Plan(
            record_id, accept, edit, others[0],
            (first[0], f"{first[1].start}:{first[1].end}"), (second[0], second[1].text),
        )
    return None


def _items(page: Any) -> list[str]:
    return list(page.eval_on_selector_all(
        ".item",
        "els => els.map(e => e.dataset.kind === 'constraint' ? "
        "`${e.dataset.crit}/${e.dataset.k}` : (e.dataset.crit || e.dataset.href))",
    ))


def go_to(page: Any, key: str) -> None:
    """Move the selection to an item with j/k only: 'inc-3/0' (a constraint) or 'inc-3'."""
    items = _items(page)
    here = page.evaluate(
        "() => Array.from(document.querySelectorAll('.item')).findIndex("
        "e => e.classList.contains('current'))"
    )
    there = items.index(key)
    step = "j" if there > here else "k"
    for _ in range(abs(there - here)):
        page.keyboard.press(step)
    assert page.evaluate(
        "() => Array.from(document.querySelectorAll('.item')).findIndex("
        "e => e.classList.contains('current'))"
    ) == there


def press_and_wait(page: Any, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def row(page: Any, crit: str, k: int) -> Any:
    return page.locator(f'tr.item[data-crit="{crit}"][data-k="{k}"]')


def shots_dir(tmp_path: Path) -> Path:
    if os.environ.get("NORMALIZER_SCREENSHOTS") == "docs":
        return REPO / "docs"
    return tmp_path


def _check_png(path: Path) -> None:
    raw = path.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(raw[16:20], "big"), int.from_bytes(raw[20:24], "big")
    assert width >= 1200 and height >= 800 and len(raw) > 40_000, "a real, full screenshot"


def test_keyboard_session_decisions_survive_a_rerun(browser: Any, tmp_path: Path) -> None:
    records = chia_records(40)
    target = tmp_path / "runs.sqlite"
    studies = write_studies(tmp_path / "studies.jsonl", records)
    first = normalizer_run(studies, "--store", str(target), "--jobs", "2")
    assert first["records"]["done"] == 40 and first["records"]["failed"] == 0
    store = Store.open(target)
    docs = [store.get_document(r.info.id) for r in records]
    assert all(d is not None for d in docs)
    docs = [d for d in docs if d is not None]
    plans = [p for d, r in zip(docs, records, strict=True) if (p := plan_for(d, r.info.id))]
    assert plans, "some real record has three constraints and two loose numbers"
    plan = plans[0]
    record = next(r for r in records if r.info.id == plan.record_id)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    with Served(store) as app:
        page.goto(app.url + "/")
        page.fill("#curator", "Ana Curator")
        press_and_wait(page, "Enter")
        assert page.get_attribute("body", "data-curator") == "Ana Curator"
        # the queue, filtered on the record, opened with the keyboard
        page.fill('input[name="record"]', plan.record_id)
        press_and_wait(page, "Enter")
        page.keyboard.press("Escape")  # leave the filter field; the first record is selected
        press_and_wait(page, "o")
        assert page.inner_text("h1") == plan.record_id

        # accept
        go_to(page, f"{plan.accept[0]}/{plan.accept[1]}")
        press_and_wait(page, "a")
        assert "accepted" in page.inner_text(".flash")
        # edit a bound: e opens the form on the lower bound; the findings show before saving
        go_to(page, f"{plan.edit[0]}/{plan.edit[1]}")
        page.keyboard.press("e")
        editor = page.locator(f"#edit-{plan.edit[0]}-{plan.edit[1]}")
        assert editor.is_visible()
        lower = editor.locator('input[name="lower"]')
        assert lower.evaluate("el => el === document.activeElement")
        old = float(lower.input_value())
        new = old + 1
        page.keyboard.press("Control+A")
        page.keyboard.type(f"{new:g}")
        editor.locator("[data-check] .reading").wait_for()
        page.wait_for_function(
            "([sel, v]) => document.querySelector(sel + ' [data-check]').innerText.includes(v)",
            arg=[f"#edit-{plan.edit[0]}-{plan.edit[1]}", f"{new:g}"],
        )
        checked = editor.locator("[data-check]").inner_text()
        assert "reads as" in checked  # what verification says, before it is saved
        press_and_wait(page, "Enter")
        assert "corrected" in page.inner_text(".flash")
        # reject
        go_to(page, f"{plan.reject[0]}/{plan.reject[1]}")
        press_and_wait(page, "r")
        assert "rejected" in page.inner_text(".flash")
        # u undoes it (the selection stays on the row), r rejects again
        press_and_wait(page, "u")
        assert "decision undone" in page.inner_text(".flash")
        assert "dec-reject" not in (row(page, *plan.reject).get_attribute("class") or "")
        press_and_wait(page, "r")
        assert "dec-reject" in (row(page, *plan.reject).get_attribute("class") or "")
        # a number that is not a constraint: n picks the number, Enter saves
        go_to(page, plan.dismiss[0])
        page.keyboard.press("n")
        chooser = page.locator(f'.critem[data-crit="{plan.dismiss[0]}"] select[name="number"]')
        assert chooser.evaluate("el => el === document.activeElement")
        assert chooser.input_value() == plan.dismiss[1]
        press_and_wait(page, "Enter")
        assert "not a constraint" in page.inner_text(".flash")
        # add a missed constraint: m opens the form on the variable
        go_to(page, plan.add[0])
        page.keyboard.press("m")
        adder = page.locator(f"#add-{plan.add[0]}")
        assert adder.is_visible()
        variable = adder.locator('select[name="variable"]')
        assert variable.evaluate("el => el === document.activeElement")
        variable.select_option("other")
        page.keyboard.press("Tab")
        page.keyboard.type("count stated in the criterion")
        page.keyboard.press("Tab")
        page.keyboard.type(plan.add[1])
        adder.locator('input[name="evidence"]').fill(plan.add[1])
        adder.locator("[data-check] .reading").wait_for()
        adder.locator('input[name="evidence"]').press("Enter")
        page.wait_for_load_state()
        assert "added" in page.inner_text(".flash")

        def applied() -> None:
            assert "dec-accept" in (row(page, *plan.accept).get_attribute("class") or "")
            edited = row(page, *plan.edit)
            assert "dec-correct" in (edited.get_attribute("class") or "")
            assert f"{new:g}" in edited.locator(".words").inner_text()
            assert "dec-reject" in (row(page, *plan.reject).get_attribute("class") or "")
            added = page.locator(f'tr.item.dec-add[data-crit="{plan.add[0]}"]')
            assert added.count() == 1
            assert "count stated in the criterion" in added.inner_text()
            dismissed = page.locator(f'.critem[data-crit="{plan.dismiss[0]}"] .dismissed')
            assert dismissed.count() == 1 and "is not a constraint" in dismissed.inner_text()

        applied()
        actions = sorted(d.action for d in decisions_for(store, plan.record_id))
        assert actions == ["accept", "add", "correct", "not_a_constraint", "reject"]
        page.reload()
        applied()

        # the same input run again with --force: every document re-saved, every decision
        # re-applied
        before = store.stored()[plan.record_id]
        forced = normalizer_run(studies, "--store", str(target), "--force")
        assert forced["records"]["done"] == 40 and forced["run_id"] == first["run_id"] + 1
        again = store.stored()[plan.record_id]
        assert again.content_hash == before.content_hash
        with store.engine.connect() as conn:
            from normalizer.store import tables

            run_of = conn.execute(
                tables.records.select().where(tables.records.c.record_id == plan.record_id)
            ).mappings().one()["run_id"]
        assert run_of == forced["run_id"], "the document was written again by the forced run"
        page.reload()
        applied()
        assert page.locator(".stale").count() == 0
        curated = curated_document(store, plan.record_id)
        assert curated is not None
        decided = [c.decided_by for cr in curated.criteria for c in cr.constraints if c.decided_by]
        assert sorted(d.action for d in decided) == ["accept", "add", "correct", "reject"]
        assert not any(d.stale for d in decided)

        # screenshots for the README: the queue and the summary (after the session)
        out = shots_dir(tmp_path)
        page.goto(app.url + "/")
        page.screenshot(path=str(out / "review-queue.png"))
        page.goto(app.url + "/summary")
        page.screenshot(path=str(out / "review-summary.png"), full_page=True)
        page.goto(app.url + f"/record/{plan.record_id}#c-{plan.edit[0]}")
        page.screenshot(path=str(out / "review-record.png"))
        for name in ("review-queue.png", "review-summary.png", "review-record.png"):
            _check_png(out / name)

        # one criterion's text changes: its decision is shown stale, with both versions
        crit_text = next(c.text for c in docs[records.index(record)].criteria
                         if c.id == plan.accept[0])
        changed = crit_text.rstrip(".") + " at screening"
        write_studies(studies, records, edit=(plan.record_id, crit_text, changed))
        rerun = normalizer_run(studies, "--store", str(target))
        assert (rerun["records"]["done"], rerun["records"]["skipped"]) == (1, 39)
        page.goto(app.url + f"/record/{plan.record_id}")
        stale = page.locator(".stale")
        assert stale.count() == 1
        shown = stale.inner_text()
        assert "Stale decision" in shown and "accept" in shown
        assert crit_text in shown and changed in shown  # then and now
        # the other four still apply
        assert "dec-reject" in (row(page, *plan.reject).get_attribute("class") or "")
        assert page.locator(f'tr.item.dec-add[data-crit="{plan.add[0]}"]').count() == 1
        queue = page.goto(app.url + "/?status=stale")
        assert queue is not None and plan.record_id in page.inner_text("main")
    page.close()
    store.close()
    assert errors == [], f"the page raised JavaScript errors: {errors}"


SEED_001 = REPO.parent / "shared" / "seeds" / "001_1264358aa91b314b.txt"
SEEDS_CASSETTE = REPO / "tests" / "cassettes" / "gold" / "llm-seeds-b1.yaml"


def suggested_store(path: Path) -> tuple[Store, str]:
    """Seed 001 read by the rules into a store, then `normalizer suggest` on it, its LLM
    answers replayed from the recorded cassette of that record (no network)."""
    import subprocess
    import sys

    from .test_web import normalise_into, text_record

    record_id = "SEED-001"
    store = Store.open(path)
    normalise_into(store, [text_record(record_id, SEED_001.read_text(encoding="utf-8"))])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NORMALIZER_"))}
    done = subprocess.run(
        [sys.executable, "-m", "normalizer", "suggest", "--store", str(path),
         "--cassette", str(SEEDS_CASSETTE), "--base-url", "http://127.0.0.1:8011/v1",
         "--api-key", "sk-local", "--model", "qwen2.5-coder-1.5b-instruct"],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "read by the LLM" in done.stderr, done.stderr
    return store, record_id


def test_a_suggestion_is_taken_with_one_key_and_stored_as_a_decision(
    browser: Any, tmp_path: Path
) -> None:
    from normalizer.review.suggest import suggestions_for

    store, record_id = suggested_store(tmp_path / "runs.sqlite")
    suggestions = suggestions_for(store, record_id)
    doc = curated_document(store, record_id)
    assert doc is not None
    # a criterion in review for which the LLM suggests a constraint
    crit, suggestion = next(
        (c, s) for c in doc.criteria
        if (s := suggestions.get(criterion_hash(c.text))) is not None
        and s.constraints and c.status != "accepted"
    )
    # never applied before a curator takes it
    assert decisions_for(store, record_id) == []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    with Served(store) as app:
        page.goto(app.url + "/")
        page.fill("#curator", "Ana Curator")
        press_and_wait(page, "Enter")
        page.goto(f"{app.url}/record/{record_id}#s-{crit.id}-0")
        shown = page.locator(f'tr.item.sug[data-crit="{crit.id}"][data-k="0"]')
        assert shown.is_visible() and "current" in (shown.get_attribute("class") or "")
        assert "LLM suggestion" in page.inner_text(f"#c-{crit.id} .suggestion")
        press_and_wait(page, "t")
        assert "added" in page.inner_text(".flash") or "corrected" in page.inner_text(".flash")
        assert "taken" in page.inner_text(f'tr.item.sug[data-crit="{crit.id}"][data-k="0"]')
    [decision] = decisions_for(store, record_id)
    assert decision.curator == "Ana Curator"
    assert decision.suggested_by == "llm:qwen2.5-coder-1.5b-instruct"
    assert decision.constraint is not None
    assert decision.constraint.variable == suggestion.constraints[0].variable
    after = curated_document(store, record_id)
    assert after is not None
    taken = [c for k in after.criteria if k.id == crit.id for c in k.constraints
             if c.decided_by is not None]
    assert taken and taken[0].decided_by is not None
    assert taken[0].decided_by.suggested_by == "llm:qwen2.5-coder-1.5b-instruct"
    assert errors == []
