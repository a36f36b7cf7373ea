"""The page scanner against json.loads: every chunk boundary, nasty strings, bad slots."""

from __future__ import annotations

import io
import json

import pytest

from normalizer.records import jsonstream
from normalizer.records.jsonstream import StreamError, iter_studies

NASTY = ['plain', 'a "quoted" word', 'back\\slash\\', '{[not structure]}', 'ends with \\\\',
         'üñí©ødé ≥ 18', '\\"', 'comma, and "studies": [1]']


def page() -> bytes:
    studies = [{"protocolSection": {"identificationModule": {"nctId": f"NCT{i:08d}"},
                                    "eligibilityModule": {"eligibilityCriteria": text,
                                                          "stdAges": [[], {}]}}}
               for i, text in enumerate(NASTY)]
    doc = {"totalCount": 8, "meta": {"studies": ["decoy"]}, "studies": studies,
           "nextPageToken": "x\\\"y"}
    return json.dumps(doc, ensure_ascii=False).encode()


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 13, 64, 1 << 20])
def test_every_chunk_size_gives_the_studies_json_loads_gives(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonstream, "CHUNK", chunk)
    data = page()
    got = list(iter_studies(b"", io.BytesIO(data), 10_000))
    expected = json.loads(data)["studies"]
    assert [i for i, _ in got] == list(range(len(NASTY)))
    assert [json.loads(item) for _, item in got] == expected


def test_scalars_in_the_array_an_empty_page_and_not_an_object() -> None:
    data = b'{"studies": [{"a": 1}, 7, "s", [1], {"b": 2}]}'
    got = list(iter_studies(b"", io.BytesIO(data), 100))
    assert [(i, isinstance(x, StreamError)) for i, x in got] == [
        (0, False), (1, True), (2, True), (3, True), (4, False)]
    assert list(iter_studies(b"", io.BytesIO(b'{"studies": []}'), 100)) == [
        (None, "a search page with no studies")]
    assert list(iter_studies(b"", io.BytesIO(b"[1, 2]"), 100)) == [(None, "not a JSON object")]
