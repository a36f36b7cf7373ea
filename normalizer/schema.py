"""JSON Schemas generated from the models; the committed copies must not drift."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from .models import Document, GoldCase

__all__ = ["committed_schema", "document_schema", "gold_schema"]


def document_schema() -> dict[str, Any]:
    """JSON Schema of a normalised document, generated from :class:`Document`."""
    schema = Document.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def gold_schema() -> dict[str, Any]:
    """JSON Schema of one gold case (one JSONL line), generated from :class:`GoldCase`."""
    schema = GoldCase.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def committed_schema() -> dict[str, Any]:
    """Read the document schema committed in ``normalizer/schema/document.schema.json``."""
    raw = resources.files("normalizer").joinpath("schema/document.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(raw)
    return loaded
