"""The packaged data files (``normalizer/data/*.toml``): read, and parsed once.

Parsing them costs about 14 ms of every start. Inside
:func:`~normalizer.regex_cache.kept_regexes` a file's parse is answered from the
cache file as long as its text is the same (the text is the key: an edited file
is parsed again). What TOML gives here is plain tables, arrays, strings and
numbers, which :mod:`marshal` writes (a test holds every packaged file to that).
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

from .regex_cache import remembered

__all__ = ["data_text", "data_toml"]


def data_text(name: str) -> str:
    """The text of the packaged ``data/<name>``."""
    return resources.files("normalizer").joinpath(f"data/{name}").read_text("utf-8")


def data_toml(name: str) -> dict[str, Any]:
    """The packaged ``data/<name>`` (a TOML file), parsed.

    Do not change what it returns: it is shared with every other reader of the file
    in this process.
    """
    return _parse(data_text(name))


@remembered
def _parse(raw: str) -> dict[str, Any]:
    return tomllib.loads(raw)
