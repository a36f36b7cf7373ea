"""Severities come only from findings.toml: no severity is written in code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from normalizer.findings import finding, load_findings, severity_of

PACKAGE = Path(__file__).resolve().parents[1] / "normalizer"
SEVERITIES = {"error", "warning", "info"}
CODES = {spec.code for spec in load_findings().findings}


def written_severities(source: str) -> list[tuple[int, str]]:
    """Where a severity literal is given to a finding: ``severity="warning"``, or a
    tuple that pairs a finding code with a severity (``("unit-inferred", "info", ...)``)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.keyword)
            and node.arg == "severity"
            and isinstance(node.value, ast.Constant)
            and node.value.value in SEVERITIES
        ):
            found.append((node.value.lineno, f"severity={node.value.value!r}"))
        if isinstance(node, ast.Tuple | ast.List | ast.Call):
            items = node.elts if not isinstance(node, ast.Call) else node.args
            strings = [e.value for e in items if isinstance(e, ast.Constant)]
            if set(strings) & CODES and set(strings) & SEVERITIES:
                found.append((node.lineno, f"{strings}"))
    return found


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_no_severity_is_written_in_code(path: Path) -> None:
    assert written_severities(path.read_text("utf-8")) == []


def test_the_check_sees_a_written_severity() -> None:
    planted = (
        "Finding(code='x', severity='warning', constraint=None, message='m')\n"
        "findings.append(('unit-inferred', 'info', said))\n"
    )
    assert [line for line, _ in written_severities(planted)] == [1, 2]


def test_finding_takes_its_severity_from_the_data() -> None:
    for spec in load_findings().findings:
        assert finding(spec.code, "m").severity == spec.severity == severity_of(spec.code)
    with pytest.raises(KeyError, match="not declared"):
        finding("no-such-code", "m")
