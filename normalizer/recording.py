"""Replaying recorded LLM responses (vcrpy cassettes), shared by the tests and the CLI.

Cassettes are recorded against a real model (``scripts/llm/``) and replayed with
record mode ``none``: a request whose method, URL or body differs from every
recorded one fails instead of reaching the network, so an edited prompt cannot
silently replay an old answer.  Authorization headers are never stored.

Cassettes are YAML (vcrpy's format) with JSON bodies stored readable
(``READABLE_YAML``): a request or response body that is compact JSON is written as
``body: {json: ...}``, the parsed document, its multi-line strings (the prompt) as
YAML blocks, and read back to the very same bytes.  A body that would not come back
byte for byte (not JSON, or JSON written another way) stays the string vcrpy
stores, so every cassette recorded before reads as it always did.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = ["READABLE_YAML", "VCR_CONFIG", "ReadableYaml", "replaying"]

VCR_CONFIG: dict[str, Any] = {
    "match_on": ["method", "scheme", "host", "port", "path", "query", "body"],
    "filter_headers": ["authorization", "api-key", "x-api-key", "openai-organization", "cookie"],
    "decode_compressed_response": True,
    "record_on_exception": False,
}


def _compact(document: object) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def _readable(body: object) -> object:
    """``{"json": document}`` when ``body`` is JSON that ``_compact`` writes back exactly."""
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            return body
    if not isinstance(body, str) or not body.startswith(("{", "[")):
        return body
    try:
        document = json.loads(body)
    except ValueError:
        return body
    return {"json": document} if _compact(document) == body else body


def _stored(body: object) -> object:
    """The body as vcrpy stores it: the inverse of ``_readable``."""
    if isinstance(body, dict) and set(body) == {"json"}:
        return _compact(body["json"])
    return body


class ReadableYaml:
    """A vcrpy serializer: vcrpy's YAML, with JSON bodies stored as documents."""

    @staticmethod
    def serialize(cassette: dict[str, Any]) -> str:
        """YAML text of a cassette (vcrpy's dict of interactions)."""
        yaml: Any = importlib.import_module("yaml")  # PyYAML comes with vcrpy (dev)

        dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

        class Dumper(dumper):  # type: ignore[misc]
            pass

        def text(d: Any, value: str) -> Any:
            style = "|" if "\n" in value else None
            return d.represent_scalar("tag:yaml.org,2002:str", value, style=style)

        Dumper.add_representer(str, text)
        interactions = []
        for item in cassette["interactions"]:
            request = {**item["request"], "body": _readable(item["request"]["body"])}
            response = dict(item["response"])
            body = response.get("body")
            if isinstance(body, dict) and set(body) == {"string"}:
                readable = _readable(body["string"])
                response["body"] = readable if isinstance(readable, dict) else body
            interactions.append({"request": request, "response": response})
        out = {**cassette, "interactions": interactions}
        dumped: str = yaml.dump(
            out, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100
        )
        return dumped

    @staticmethod
    def deserialize(text: str) -> dict[str, Any]:
        """The cassette dict vcrpy expects, bodies as it stores them."""
        from vcr.serializers import yamlserializer

        cassette: dict[str, Any] = yamlserializer.deserialize(text)
        for item in cassette.get("interactions", []):
            item["request"]["body"] = _stored(item["request"]["body"])
            body = item["response"].get("body")
            if isinstance(body, dict) and set(body) == {"json"}:
                item["response"]["body"] = {"string": _stored(body)}
        return cassette


READABLE_YAML = ReadableYaml()
"""Registered as vcrpy's ``yaml`` serializer by ``replaying`` and by the tests'
pytest-recording hook: cassettes keep their ``.yaml`` name."""


@contextmanager
def replaying(cassette: Path | None, record: bool = False) -> Iterator[None]:
    """Replay ``cassette`` (record mode ``none``); with ``record``, add new interactions.

    A recording cut short (Ctrl-C, SIGTERM, an error) still saves the interactions
    it completed: each is a whole answer of the real endpoint, and a rerun then asks
    only for what is missing.
    """
    if cassette is None:
        yield
        return
    try:
        import vcr
    except ImportError:
        raise ConfigError("--cassette needs vcrpy: pip install -e '.[dev]'") from None
    if not record and not cassette.is_file():
        raise ConfigError(f"{cassette}: no such cassette")
    config = {**VCR_CONFIG, "record_on_exception": record}
    recorder = vcr.VCR(record_mode="new_episodes" if record else "none", **config)
    recorder.register_serializer("yaml", READABLE_YAML)
    with recorder.use_cassette(str(cassette), allow_playback_repeats=True):
        yield
