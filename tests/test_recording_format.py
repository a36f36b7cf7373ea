"""Cassettes store JSON bodies readable and read them back byte for byte.

``normalizer.recording.READABLE_YAML`` writes a compact-JSON body as the parsed
document (``body: {json: ...}``) and reads it back to the same bytes; any other
body stays vcrpy's string.  Every recorded cassette goes through it here, and one
is replayed through ``replaying`` in the new form.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.serialize import deserialize, serialize
from vcr.serializers import yamlserializer

from normalizer.recording import READABLE_YAML, replaying

from .conftest import REPO

CASSETTES = sorted((REPO / "tests" / "cassettes").rglob("*.yaml"))


def stock(path: Path) -> tuple[list[Any], list[Any]]:
    """What vcrpy's own YAML serializer reads from a cassette."""
    requests, responses = deserialize(path.read_text(encoding="utf-8"), yamlserializer)
    return requests, responses


def as_tuples(requests: list[Any]) -> list[tuple[object, ...]]:
    return [(r.method, r.uri, r.body, sorted(r.headers.items())) for r in requests]


def test_there_are_cassettes() -> None:
    assert len(CASSETTES) >= 7


def stored_readable(path: Path) -> bool:
    """Recorded (or topped up) since the recorder writes bodies readable."""
    return "\n    body:\n      json:\n" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_a_cassette_reads_as_before_and_round_trips_byte_for_byte(path: Path) -> None:
    if stored_readable(path):
        # written by the recorder in the readable form: each body reads back to the bytes
        # the client sent (compact JSON), and writing it again changes nothing
        requests, responses = deserialize(path.read_text(encoding="utf-8"), READABLE_YAML)
        assert requests and len(requests) == len(responses)
        for r in requests:
            assert isinstance(r.body, bytes)
            assert json.dumps(json.loads(r.body), separators=(",", ":"), ensure_ascii=False) \
                == r.body.decode("utf-8")
        text = serialize({"requests": requests, "responses": responses}, READABLE_YAML)
        back_requests, back_responses = deserialize(text, READABLE_YAML)
        # serialize decoded the bodies in place: compare with a fresh read
        requests, responses = deserialize(path.read_text(encoding="utf-8"), READABLE_YAML)
        assert as_tuples(back_requests) == as_tuples(requests) and back_responses == responses
        assert text.count("\n    body:\n      json:\n") == 2 * len(requests)
        return
    requests, responses = stock(path)
    assert requests
    # a cassette recorded before reads exactly as vcrpy's own serializer reads it
    same = deserialize(path.read_text(encoding="utf-8"), READABLE_YAML)
    assert as_tuples(same[0]) == as_tuples(requests) and same[1] == responses
    # written readable, it comes back identical: request bodies (what replay matches on)
    # and responses, byte for byte
    text = serialize({"requests": requests, "responses": responses}, READABLE_YAML)
    back_requests, back_responses = deserialize(text, READABLE_YAML)
    requests, responses = stock(path)  # vcrpy's serialize decoded the bodies in place
    assert as_tuples(back_requests) == as_tuples(requests)
    assert back_responses == responses
    # and the bodies are documents, not escaped strings: one per request and response
    assert text.count("\n    body:\n      json:\n") == 2 * len(requests)
    assert '\\"' not in text.split("headers:")[0]


@pytest.mark.parametrize(
    "body",
    [
        '{"a": 1}',  # JSON written with spaces would not come back byte for byte
        '{"a":1.0e0}',
        '{"a":1,"a":2}',
        '{"a":"\\u2265"}',  # an escaped character
        "not json",
        "",
        None,
        b"\xff\xfe binary",
    ],
)
def test_a_body_that_would_not_come_back_stays_a_string(body: object) -> None:
    from vcr.request import Request

    request = Request("POST", "http://127.0.0.1:1/v1", body, {"content-type": "application/json"})
    response = {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": body}}
    text = serialize({"requests": [request], "responses": [response]}, READABLE_YAML)
    assert "json:" not in text
    [back], [answer] = deserialize(text, READABLE_YAML)
    want = body.encode("utf-8") if isinstance(body, str) else body
    assert back.body == want
    assert answer["body"]["string"] == want


def test_a_readable_cassette_replays(tmp_path: Path) -> None:
    """A recorded exchange, rewritten readable, replays through ``replaying`` (record
    mode none: the request body must match), and a changed body does not."""
    recorded = REPO / "tests" / "cassettes" / "test_llm_recorded"
    source = recorded / "test_an_answer_cut_off_at_the_old_cap_is_reported_as_truncated.yaml"
    requests, responses = stock(source)
    readable = tmp_path / "readable.yaml"
    text = serialize({"requests": requests, "responses": responses}, READABLE_YAML)
    readable.write_text(text, encoding="utf-8")
    requests, responses = stock(source)
    first = requests[0]
    headers = {"content-type": "application/json"}
    with replaying(readable), httpx.Client() as client:
        answer = client.post(first.uri, content=first.body, headers=headers)
        assert answer.content == responses[0]["body"]["string"]
        # vcrpy's body matcher compares JSON bodies parsed: spacing does not count ...
        spaced = first.body.replace(b'"messages":', b'"messages": ', 1)
        assert client.post(first.uri, content=spaced, headers=headers).content == answer.content
        # ... any other change does
        other = first.body.replace(b'"max_tokens":320', b'"max_tokens":321', 1)
        assert other != first.body
        with pytest.raises(CannotOverwriteExistingCassetteException, match="body"):
            client.post(first.uri, content=other, headers=headers)


@pytest.mark.vcr
def test_pytest_recording_reads_and_writes_the_same_way(vcr: Any) -> None:
    """The tests' cassettes (pytest-recording, tests/conftest.py) use the same serializer."""
    assert vcr._serializer is READABLE_YAML
