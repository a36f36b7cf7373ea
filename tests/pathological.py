"""The pathological input families of issue 12, shared by the tests and evals/.

Each family maps a size ``n`` to a text; ``ISSUE_SIZES`` are the sizes the issue
reported (each ran for seconds to minutes before the fix).
"""

from __future__ import annotations

from collections.abc import Callable

FAMILIES: dict[str, Callable[[int], str]] = {
    # segmentation header: an optional-in-a-repeat pattern (exponential)
    "header-words": lambda n: "patients " * n + "!",
    "dot-runs": lambda n: "1." * n,
    "dash-runs": lambda n: "1-" * n,
    "comma-runs": lambda n: "ECOG " + "1," * n,
    "and-chain": lambda n: "Age > 18 and " * n,
    # the person-gap pattern of the rules: a long word before a limit (quadratic)
    "person-gap": lambda n: "a" * n + "…rum level <50 nmol/l",
    # the comparator scan of verification: comparators before a value (quadratic)
    "comparator-run": lambda n: "Age " + "<" * n + " 18",
    # duplicate detection across a document (quadratic, a million findings)
    "bullets": lambda n: "Inclusion Criteria:\n" + "* Age > 18\n" * n,
    "bullets-both": lambda n: (
        "Inclusion Criteria:\n" + "* Age >= 18\n" * n + "Exclusion Criteria:\n" + "* Age < 18\n" * n
    ),
}

ISSUE_SIZES: dict[str, int] = {
    "header-words": 26,
    "dot-runs": 10_000,
    "dash-runs": 10_000,
    "comma-runs": 10_000,
    "and-chain": 7_700,  # 100,100 characters on one line
    "person-gap": 10_000,
    "comparator-run": 2_000,
    "bullets": 1_000,
    "bullets-both": 500,
}
