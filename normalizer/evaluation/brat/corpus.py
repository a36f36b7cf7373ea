"""A brat corpus on disk: which one it is, and its documents in order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ...errors import InputError
from .chia import read_chia
from .items import BratDoc, Corpus
from .lct import read_lct

__all__ = ["detect_corpus", "iter_documents", "read_document"]


def detect_corpus(corpus_dir: Path | str) -> Corpus:
    """``"chia"`` for a folder of ``NCT*_inc.txt`` files, ``"lct"`` for ``NCT*.txt`` ones."""
    root = Path(corpus_dir)
    if not root.is_dir():
        raise InputError(f"{root}: not a directory")
    if next(root.rglob("NCT*_inc.ann"), None) or next(root.rglob("NCT*_exc.ann"), None):
        return "chia"
    if next(root.rglob("NCT*.ann"), None):
        return "lct"
    raise InputError(f"{root}: no brat NCT*.ann files (neither Chia nor LCT)")


def read_document(txt: Path, corpus: Corpus) -> BratDoc:
    """Read one ``.txt`` and its ``.ann`` as a document of ``corpus``."""
    return read_chia(txt) if corpus == "chia" else read_lct(txt)


def iter_documents(corpus_dir: Path | str, corpus: Corpus | None = None) -> Iterator[BratDoc]:
    """Yield every document under ``corpus_dir`` (recursively), sorted by path.

    For LCT this includes the ``training`` folder beside ``batch*``.  The corpus is
    detected from the file names unless given.
    """
    root = Path(corpus_dir)
    corpus = corpus or detect_corpus(root)
    for ann in sorted(root.rglob("NCT*.ann")):
        txt = ann.with_suffix(".txt")
        if txt.is_file():
            yield read_document(txt, corpus)
