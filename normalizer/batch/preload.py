"""Imported once in the forkserver so that every worker forked from it starts warm.

Importing this module loads the pipeline, the rules extractor, the catalog,
the patterns and the unit registry (the seconds a cold process spends before
its first record); workers forked from the server share those pages.  It has
no other use: nothing imports it but :mod:`multiprocessing`'s forkserver.
"""

from __future__ import annotations

from ..regex_cache import kept_regexes

with kept_regexes():  # the forkserver compiles what a one-record run kept, from the file
    from ..catalog import load_catalog
    from ..extract.rules import RulesExtractor
    from ..patterns import load_patterns
    from ..pipeline import normalize_text
    from ..units.ucum import load_grammar
    from . import worker  # noqa: F401  (the worker's own imports, loaded once)

__all__: list[str] = []


def _warm() -> None:
    with kept_regexes():
        _warm_up()


def _warm_up() -> None:
    load_catalog()
    load_patterns()
    load_grammar()  # what reads a unit the precomputed table does not hold
    # one tiny record through the whole pipeline fills the lazy caches (units, regexes)
    normalize_text(
        "Inclusion Criteria:\n* Age 18-75 years\n* ALT <= 2.5 x ULN\n* Platelets >= 100 x 10^9/L",
        name="warm-up",
        extractor=RulesExtractor(),
    )


_warm()
