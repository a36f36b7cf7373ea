"""Which reader a file needs: by its extension, then its first bytes; an option overrides."""

from __future__ import annotations

import json
from typing import Literal

__all__ = ["FORMATS", "Format", "InputFormat", "detect", "header_fields"]

InputFormat = Literal["auto", "text", "ctgov", "aact", "csv"]
"""What ``--input-format`` accepts."""

Format = Literal["text", "json", "jsonl", "zip", "aact", "csv"]
"""What a file is read as."""

FORMATS: tuple[str, ...] = ("auto", "text", "ctgov", "aact", "csv")

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_JSONL_EXT = (".jsonl", ".ndjson")


def header_fields(head: bytes, delimiter: str) -> list[str]:
    """The first line of ``head`` split on ``delimiter``, names lower-cased, '#' and quotes off."""
    line = head.split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff").strip()
    return [f.strip().strip('"').lstrip("#").strip().lower() for f in line.split(delimiter)]


def _json_kind(head: bytes) -> Format:
    """JSON Lines when the first line is a whole JSON value and another object follows."""
    first, sep, rest = head.lstrip().partition(b"\n")
    if sep and rest.lstrip()[:1] == b"{":
        try:
            json.loads(first)
        except ValueError:
            return "json"
        return "jsonl"
    return "json"


def detect(name: str, head: bytes, requested: InputFormat = "auto") -> Format:
    """The reader for a file called ``name`` whose first bytes are ``head``."""
    lower = name.lower()
    if requested == "text":
        return "text"
    if requested in ("aact", "csv"):
        return requested
    is_zip = head.startswith(_ZIP_MAGIC) or lower.endswith(".zip")
    if requested == "ctgov":
        if is_zip:
            return "zip"
        return "jsonl" if lower.endswith(_JSONL_EXT) else _json_kind(head)
    if is_zip:
        return "zip"
    if lower.endswith(_JSONL_EXT):
        return "jsonl"
    if lower.endswith(".json") or head.lstrip(b" \t\r\n\xef\xbb\xbf")[:1] == b"{":
        return _json_kind(head)
    pipe = header_fields(head, "|")
    if "nct_id" in pipe and "criteria" in pipe:
        return "aact"
    if lower.endswith(".csv"):
        return "csv"
    return "text"
