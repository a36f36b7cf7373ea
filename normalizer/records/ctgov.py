"""ClinicalTrials.gov API v2: a study, a search page or JSON Lines of them, as records.

A study is ``{"protocolSection": {...}}``; a search page is ``{"studies": [...],
"nextPageToken": ...}``.  The record's text is
``protocolSection.eligibilityModule.eligibilityCriteria`` exactly as decoded from
JSON (spans index into it); the structured fields (minimum and maximum age as
written, sex, healthy volunteers, standard age groups), the NCT id, brief title
and conditions go to :class:`~normalizer.models.RecordInfo`.  A study without
criteria text is a record with ``text=None`` and a note; a study that is not a
study (no ``protocolSection``, a field of the wrong type) is a
:class:`~.base.ReadFailure` naming it.

A JSON document no larger than ``max_bytes`` is decoded whole; a larger one is
read as a stream of studies (:mod:`.jsonstream`), each at most ``max_bytes``.
JSON Lines are read line by line, each line at most ``max_bytes``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO, Literal

from ..models import RecordInfo, RecordOrigin, RegistryFields, Section
from .base import Limits, ReadFailure, Record, failure, where_of
from .jsonstream import StreamError, iter_studies

__all__ = ["read_json", "read_jsonl", "records_of_json", "study_record"]

_SEX: dict[str, Literal["all", "female", "male"]] = {
    "ALL": "all", "FEMALE": "female", "MALE": "male",
}


class _Bad(Exception):
    """A field of a study that is not what API v2 gives."""


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _module(section: dict[str, object], name: str) -> dict[str, object]:
    value = section.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Bad(f"protocolSection.{name} is {_type_name(value)}, not an object")
    return value


def _str(module: dict[str, object], path: str, key: str) -> str | None:
    value = module.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Bad(f"{path}.{key} is {_type_name(value)}, not a string")
    return value


def _strings(module: dict[str, object], path: str, key: str) -> list[str]:
    value = module.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        what = "a list with a non-string item" if isinstance(value, list) else _type_name(value)
        raise _Bad(f"{path}.{key} is {what}, not a list of strings")
    return list(value)


def _encodable(text: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _Bad(
            f"{what} cannot be encoded as UTF-8 (lone surrogate U+{ord(text[exc.start]):04X} "
            f"at offset {exc.start})"
        ) from None


def study_record(
    study: object, origin: RecordOrigin, default_section: Section
) -> Record | ReadFailure:
    """One API v2 study as a record, or a failure naming it (its NCT id when known)."""
    if not isinstance(study, dict):
        return failure(origin, f"a study is a JSON object, not {_type_name(study)}")
    section = study.get("protocolSection")
    if not isinstance(section, dict):
        what = "no protocolSection" if section is None else (
            f"protocolSection is {_type_name(section)}, not an object")
        return failure(origin, f"{what}: not a ClinicalTrials.gov API v2 study")
    nct_id: str | None = None
    try:
        ident = _module(section, "identificationModule")
        raw_id = ident.get("nctId")
        nct_id = raw_id if isinstance(raw_id, str) and raw_id.strip() else None
        _str(ident, "identificationModule", "nctId")
        title = _str(ident, "identificationModule", "briefTitle")
        conditions = _strings(
            _module(section, "conditionsModule"), "conditionsModule", "conditions"
        )
        elig = _module(section, "eligibilityModule")
        path = "eligibilityModule"
        text = _str(elig, path, "eligibilityCriteria")
        sex = _str(elig, path, "sex")
        if sex is not None and sex not in _SEX:
            raise _Bad(f"{path}.sex is {sex!r}, not ALL, FEMALE or MALE")
        healthy = elig.get("healthyVolunteers")
        if healthy is not None and not isinstance(healthy, bool):
            raise _Bad(f"{path}.healthyVolunteers is {_type_name(healthy)}, not a boolean")
        registry = RegistryFields(
            minimum_age=_str(elig, path, "minimumAge"),
            maximum_age=_str(elig, path, "maximumAge"),
            sex=_SEX[sex] if sex is not None else None,
            healthy_volunteers=healthy,
            std_ages=_strings(elig, path, "stdAges"),
        )
        if text is not None:
            _encodable(text, f"{path}.eligibilityCriteria")
    except _Bad as exc:
        return failure(origin, f"{nct_id}: {exc}" if nct_id else str(exc))
    note = None
    if text is None or not text.strip():
        note = (
            "no eligibility criteria text (eligibilityModule.eligibilityCriteria is "
            + ("missing" if text is None else "empty")
            + "): only the structured fields were read"
        )
        text = None
    info = RecordInfo(
        id=nct_id or where_of(origin),
        nct_id=nct_id,
        title=title,
        conditions=conditions,
        origin=origin,
        registry=registry,
        note=note,
    )
    return Record(info=info, text=text, default_section=default_section)


def records_of_json(
    value: object, origin: RecordOrigin, default_section: Section
) -> Iterator[Record | ReadFailure]:
    """A decoded JSON value: a search page's studies (indexed), or one study."""
    if isinstance(value, dict) and "studies" in value and "protocolSection" not in value:
        studies = value["studies"]
        if not isinstance(studies, list):
            yield failure(origin, f"'studies' is {_type_name(studies)}, not a list")
            return
        if not studies:
            yield failure(origin, "a search page with no studies")
            return
        for index, study in enumerate(studies):
            yield study_record(study, origin.model_copy(update={"index": index}), default_section)
        return
    yield study_record(value, origin, default_section)


def _decode(data: bytes, origin: RecordOrigin) -> object | ReadFailure:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return failure(
            origin, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        value: object = json.loads(text)
        return value
    except json.JSONDecodeError as exc:
        return failure(origin, f"malformed JSON: {exc.msg} (line {exc.lineno} column {exc.colno})")
    except RecursionError:
        return failure(origin, "malformed JSON: nested too deeply")


def read_json(
    handle: BinaryIO, size: int | None, origin: RecordOrigin, limits: Limits,
    default_section: Section,
) -> Iterator[Record | ReadFailure]:
    """One JSON document (a study or a search page); a large one is streamed study by study."""
    head = handle.read(limits.max_bytes + 1)
    if len(head) <= limits.max_bytes:
        value = _decode(head, origin)
        if isinstance(value, ReadFailure):
            yield value
        else:
            yield from records_of_json(value, origin, default_section)
        return
    for index, item in iter_studies(head, handle, limits.max_bytes):
        at = origin.model_copy(update={"index": index}) if index is not None else origin
        if isinstance(item, StreamError):
            if index is None:
                extent = f"{size:,}-byte " if size is not None else ""
                item = StreamError(
                    f"{item}: a {extent}JSON document over the {limits.max_bytes:,}-byte limit "
                    "is read only as a search page of studies")
            yield failure(at, item)
            continue
        value = _decode(item, at)
        yield value if isinstance(value, ReadFailure) else study_record(value, at, default_section)


def read_jsonl(
    handle: BinaryIO, origin: RecordOrigin, limits: Limits, default_section: Section,
    first_line: int = 1,
) -> Iterator[Record | ReadFailure]:
    """JSON Lines: one study (or search page) per line; a bad line fails alone."""
    number = first_line - 1
    seen = False
    while True:
        line = handle.readline(limits.max_bytes + 1)
        if not line:
            break
        number += 1
        at = origin.model_copy(update={"line": number})
        if len(line) > limits.max_bytes and not line.endswith(b"\n"):
            while True:  # drain the rest of the over-long line without keeping it
                rest = handle.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
            seen = True
            yield failure(at, f"line longer than the {limits.max_bytes:,}-byte limit")
            continue
        if not line.strip():
            continue
        seen = True
        value = _decode(line, at)
        if isinstance(value, ReadFailure):
            yield value
        else:
            yield from records_of_json(value, at, default_section)
    if not seen:
        yield failure(origin, "empty file")
