"""The fixed dev/test split of trials, by NCT id.

A trial is ``"test"`` when the first byte of the SHA-256 of its NCT id is below
77 (77/256, about 30%), else ``"dev"``.  Rules, prompts and few-shot examples
are tuned on ``"dev"`` documents only, so the ``"test"`` figures stay honest.
Both files of a Chia trial (``_inc`` and ``_exc``) fall in the same split.
"""

from __future__ import annotations

import hashlib
import re
from typing import Literal

__all__ = ["TEST_THRESHOLD", "Split", "split_of"]

Split = Literal["dev", "test"]
TEST_THRESHOLD = 77
_NCT = re.compile(r"NCT\d{8}", re.IGNORECASE)


def split_of(doc_id: str) -> Split:
    """Return the split of a document: by its NCT id when it holds one, else by the whole id."""
    match = _NCT.search(doc_id)
    key = match.group(0).upper() if match else doc_id
    first = hashlib.sha256(key.encode("utf-8")).digest()[0]
    return "test" if first < TEST_THRESHOLD else "dev"
