"""The gold files: read, checked, and a selection of their cases.

:func:`load_gold` reads JSONL gold files (a fault names file and line),
:func:`gold_problems` lists every problem in them (what ``evals/check_gold.py``
reports), and :func:`select_cases` keeps the cases an id prefix or list names,
then a stable sample.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from ...errors import GoldError
from ...models import GoldCase


def _gold_lines(path: Path) -> list[str]:
    """The lines of a gold file; :class:`GoldError` when it cannot be read as UTF-8 text."""
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{path}: cannot be read as UTF-8 text ({exc})") from None


def load_gold(paths: Sequence[Path]) -> list[GoldCase]:
    """Read JSONL gold files; raise :class:`GoldError` naming file and line on any fault."""
    cases: list[GoldCase] = []
    seen: dict[str, str] = {}
    for path in paths:
        for number, line in enumerate(_gold_lines(path), 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                raw = json.loads(line)
                raw.pop("split", None)
                case = GoldCase.model_validate(raw)
            except json.JSONDecodeError as exc:
                raise GoldError(f"{where}: not JSON ({exc.msg})") from None
            except ValidationError as exc:
                first = exc.errors()[0]
                loc = ".".join(str(p) for p in first["loc"])
                raise GoldError(f"{where}: {loc}: {first['msg']}") from None
            if case.id in seen:
                raise GoldError(f"{where}: duplicate id {case.id!r} (first in {seen[case.id]})")
            seen[case.id] = where
            cases.append(case)
    if not cases:
        raise GoldError(f"no gold cases in {', '.join(str(p) for p in paths)}")
    return cases


def gold_problems(paths: Sequence[Path], shared: Path) -> tuple[list[str], list[GoldCase]]:
    """List every problem in gold files, and the cases read.

    Checks: schema, duplicate ids, text not verbatim in its source, unknown variables,
    invalid UCUM units, constraints without bounds.  ``source`` is relative to ``shared``.
    """
    import jsonschema

    from ...catalog import load_catalog
    from ...schema import gold_schema
    from ...units import is_valid_ucum

    validator = jsonschema.Draft202012Validator(gold_schema())
    catalog = load_catalog()
    seen: dict[str, str] = {}
    problems: list[str] = []
    cases: list[GoldCase] = []
    texts: dict[str, str] = {}
    for path in paths:
        try:
            lines = _gold_lines(path)
        except GoldError as exc:
            problems.append(str(exc))
            continue
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{where}: not JSON ({exc.msg})")
                continue
            if not isinstance(raw, dict):
                problems.append(f"{where}: a gold case is a JSON object, not {type(raw).__name__}")
                continue
            raw.pop("split", None)
            raw.pop("hints", None)
            try:
                validator.validate(raw)
                case = GoldCase.model_validate(raw)
            except (jsonschema.ValidationError, ValueError) as exc:
                problems.append(f"{where}: schema: {str(exc).splitlines()[0]}")
                continue
            if case.id in seen:
                problems.append(f"{where}: duplicate id {case.id} (first at {seen[case.id]})")
            seen[case.id] = where
            source = shared / case.source
            if case.source not in texts:
                texts[case.source] = source.read_bytes().decode("utf-8") if source.is_file() else ""
            if case.text not in texts[case.source]:
                problems.append(f"{where}: text not found verbatim in {case.source}")
            for i, c in enumerate(case.constraints):
                if c.variable != "other" and c.variable not in catalog:
                    problems.append(f"{where}: constraint {i}: unknown variable {c.variable!r}")
                if c.variable == "other" and not c.label:
                    problems.append(f"{where}: constraint {i}: 'other' needs a label")
                if c.unit is not None and not is_valid_ucum(c.unit):
                    problems.append(f"{where}: constraint {i}: unit {c.unit!r} is not UCUM")
                if c.lower is None and c.upper is None:
                    problems.append(f"{where}: constraint {i}: no bound")
                if c.relative_to and c.unit:
                    problems.append(f"{where}: constraint {i}: relative limit with a unit")
            cases.append(case)
    return problems, cases


def _listed_ids(path: Path) -> set[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GoldError(f"{path}: cannot read the id list ({exc.strerror or exc})") from None
    return {line.split("#", 1)[0].strip() for line in lines} - {""}


def select_cases(
    cases: Sequence[GoldCase], only: str | None = None, sample: int | None = None
) -> list[GoldCase]:
    """Cases whose id starts with ``only`` (or listed in FILE, for ``@FILE``), then a sample.

    With ``sample``, a fixed pseudo-random subset: the ``sample`` cases with the
    smallest sha256 of their id, stable across runs and machines, independent of file
    order, for costly (LLM) runs.  A list file holds one id per line (``#`` comments);
    an id it names that no case has is an error, so a list cannot silently shrink
    what is measured.
    """
    if only is not None and only.startswith("@"):
        listed = _listed_ids(Path(only[1:]))
        unknown = sorted(listed - {c.id for c in cases})
        if unknown:
            raise GoldError(
                f"{only[1:]}: {len(unknown)} listed id(s) in no gold case, e.g. {unknown[0]}"
            )
        chosen = [c for c in cases if c.id in listed]
    else:
        chosen = [c for c in cases if only is None or c.id.startswith(only)]
    if sample is not None:
        keep = set(
            sorted((hashlib.sha256(c.id.encode()).hexdigest(), c.id) for c in chosen)[:sample]
        )
        ids = {case_id for _, case_id in keep}
        chosen = [c for c in chosen if c.id in ids]
    return chosen
