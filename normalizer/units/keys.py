"""The normalised key of a unit spelling (documented in the header of ``units.toml``).

Superscripts, degree look-alikes, micro signs and multiplication signs undone,
blanks dropped, powers of ten written one way; :func:`normalise_key` also
casefolds.  Aliases are looked up by this key.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_SUPERSCRIPT_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+")
# Degree look-alikes must become '°' before NFKC turns 'º' into 'o' ('ºF' is not 'of').
_DEGREES = str.maketrans({"º": "°", "˚": "°"})
_SYMBOLS = str.maketrans({"µ": "u", "μ": "u", "×": "x", "✕": "x", "⨯": "x", "⁄": "/", "∕": "/"})
_WHITESPACE = re.compile(r"\s+")
_POWER_OF_TEN = re.compile(r"^(x?)10(?:\^\(|\*\*|\^|\*|e|\()(\d{1,2})\)?")


def _normalise(surface: str, *, casefold: bool) -> str:
    if surface.isascii():  # no superscript, degree sign or symbol; NFKC changes nothing
        text = surface.lower() if casefold else surface  # casefold is lower on ASCII
    else:
        text = _SUPERSCRIPT_RUN.sub(lambda m: "^" + m.group().translate(_SUPERSCRIPTS), surface)
        text = text.translate(_DEGREES)
        text = unicodedata.normalize("NFKC", text)
        if casefold:
            text = text.casefold()
        text = text.translate(_SYMBOLS)
    text = _WHITESPACE.sub("", text).rstrip(".,;:")
    if text.startswith("*"):
        text = "x" + text[1:]
    return _POWER_OF_TEN.sub(r"\g<1>10^\g<2>", text)


# Unit spellings tried per run: every blank-ended run of words after a number is a
# candidate (the verifier and the extractor each try theirs), some 13,000 distinct
# ones over the 15,000 criteria of the benchmark texts; 8,192 entries made the caches
# evict what the next record asked for again.  2**16 entries hold a long run's
# common spellings (a few MB).
_SPELLINGS = 1 << 16


@lru_cache(maxsize=_SPELLINGS)
def normalise_key(surface: str) -> str:
    """Return the lookup key of a unit spelling (see the header of ``units.toml``).

    >>> normalise_key("mL/min/1.73 m²")
    'ml/min/1.73m^2'
    >>> normalise_key("× 10⁹/L")
    'x10^9/l'
    """
    return _normalise(surface, casefold=True)
