"""The case files under tests/cases: every one fits the schema, and every one is run."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import pytest

from normalizer.extract.base import NumberReason
from normalizer.models import RelativeTo, Status

from .case_files import CASES, SCHEMA_PATH, CaseFileError, case_files, read_case_file

# each file, and the test that runs its cases
RUNNERS = {
    "verify/findings.toml": "tests/test_verify.py::test_each_finding_code_on_real_text",
    "verify/clean.toml": "tests/test_verify.py::test_clean_real_criteria_draw_no_warning",
    "verify/comparators.toml": "tests/test_verify.py::test_comparator_direction_and_inclusiveness",
    "rules/constructions.toml": "tests/test_rules.py::test_constructions",
    "rules/notes.toml": "tests/test_rules.py::test_non_constraint_numbers_are_notes",
    "seeds/rules.toml": "tests/test_rules_seeds.py::test_seed_constraints",
}
KIND = {"verify": "verify", "rules": "rules", "seeds": "seed"}


def test_every_case_file_has_a_runner() -> None:
    found = sorted(p.relative_to(CASES).as_posix() for p in CASES.rglob("*.toml"))
    assert found == sorted(RUNNERS)


@pytest.mark.parametrize("folder", sorted(KIND))
def test_every_case_file_fits_the_schema(folder: str) -> None:
    files = case_files(folder)  # raises on a file that does not fit, or a repeated id
    assert {f.kind for f in files} == {KIND[folder]}
    assert all(f.cases for f in files)


def test_the_schema_says_what_the_package_says() -> None:
    """The schema's enums are the models' literals, so a case cannot expect what cannot be."""
    defs = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))["$defs"]
    assert defs["status"]["enum"] == list(typing.get_args(Status))
    assert defs["relative_to"]["enum"] == list(typing.get_args(RelativeTo))
    notes = defs["rules_expect"]["properties"]["notes"]["items"]["enum"]
    assert notes == list(typing.get_args(NumberReason))


@pytest.mark.parametrize(
    ("edit", "error"),
    [
        ('id = "bad id"', r"\$\.case\[0\]\.id: 'bad id' does not match"),
        ('expect = { status = "ok" }', r"\$\.case\[0\]\.expect\.status: 'ok' is not one of"),
        ("lower = { value = 18 }", r"\$\.case\[0\]\.constraints\[0\]\.lower: 'inclusive'"),
        ('unti = "a"', r"\$\.case\[0\]\.constraints\[0\]: Additional properties"),
    ],
)
def test_a_case_that_does_not_fit_is_named(tmp_path: Path, edit: str, error: str) -> None:
    good = {
        "id": 'id = "age-over-18"',
        "expect": 'expect = { status = "accepted" }',
        "lower": "lower = { value = 18, inclusive = false }",
        "unti": 'unit = "a"',
    }
    key = edit.split(" ", 1)[0]
    parts = {**good, key: edit}
    path = tmp_path / "bad.toml"
    path.write_text(
        'kind = "verify"\n[[case]]\n'
        f'{parts["id"]}\ntext = "Age over 18 years old"\n{parts["expect"]}\n'
        f'[[case.constraints]]\nvariable = "age"\nat = "Age over 18"\n'
        f'{parts["lower"]}\n{parts["unti"]}\n',
        encoding="utf-8",
    )
    with pytest.raises(CaseFileError, match=error) as caught:
        read_case_file(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert "\n" not in str(caught.value)
    path.write_text(path.read_text(encoding="utf-8").replace(edit, good[key]), encoding="utf-8")
    assert read_case_file(path).cases[0]["id"] == "age-over-18"


def test_repeated_ids_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "verify"
    folder.mkdir()
    case = '[[case]]\nid = "same"\ntext = "Age 18"\nexpect = { status = "accepted" }\n'
    (folder / "a.toml").write_text('kind = "verify"\n' + case, encoding="utf-8")
    (folder / "b.toml").write_text('kind = "verify"\n' + case, encoding="utf-8")
    monkeypatch.setattr("tests.case_files.CASES", tmp_path)
    with pytest.raises(CaseFileError, match="repeated case ids: same"):
        case_files("verify")

