"""Read the numeric gold items of the two brat corpora (Chia and LCT).

Both corpora are brat standoff (:mod:`.standoff`): a ``.txt`` and an ``.ann`` per
document, with character offsets into the ``.txt`` exactly as stored.  What counts as
a numeric gold item is each corpus's own (:mod:`.chia`, :mod:`.lct`); how a value text
is read, its numbers, comparator and unit, is the same for both (:mod:`.values`);
:mod:`.items` says what an item is, and :mod:`.corpus` finds the documents on disk.
"""

from .corpus import detect_corpus, iter_documents, read_document
from .items import BratDoc, BratNumeric, Corpus, nct_id
from .values import COMPARATOR_PHRASES, Comparator, parse_comparator, parse_numbers

__all__ = [
    "COMPARATOR_PHRASES",
    "BratDoc",
    "BratNumeric",
    "Comparator",
    "Corpus",
    "detect_corpus",
    "iter_documents",
    "nct_id",
    "parse_comparator",
    "parse_numbers",
    "read_document",
]
