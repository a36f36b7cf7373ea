"""The variable check: the evidence, and the words leading into it, name the variable."""

from __future__ import annotations

import re

from ..catalog import Variable, load_catalog
from ..models import Constraint, Finding
from ..units import unit_fits
from .codes import finding
from .describe import quote
from .scan import Scan

__all__ = ["variable_findings"]

_PUNCTUATION = re.compile(r"[,;()\[\]]")
_TRAILING = 30
_LEAD_REACH = 300
"""Characters before the evidence read for variable names: bounds the cost per constraint
(a clause of thousands of characters would otherwise be re-read for each of its limits)."""


def variable_findings(
    c: Constraint, k: int, sc: Scan, start: int, end: int, var: Variable | None
) -> list[Finding]:
    """Whether the evidence ``[start, end)`` names another variable and not ``var``."""
    if var is None:
        return []
    # the words leading into the evidence since the previous limit, and the few words
    # right after it ("... x 10^9/L platelets") unless they lead into the next limit of
    # the clause ("30-55 years with BMI 30-40")
    # ... and not from outside a bracket the evidence opens in ("hepatitis C (... HCV-RNA ...),
    # chronic active hepatitis B (HBV DNA >= 2x103IU/ml")
    bracket = max(sc.view.rfind("(", 0, start), sc.view.rfind(")", 0, start)) + 1
    lead = max(
        [sc.clause_start(start), bracket, *(q.after for q in sc.quantities if q.after <= start),
         start - _LEAD_REACH]
    )
    stop = _PUNCTUATION.search(sc.view, end, min(len(sc.view), end + _TRAILING))
    tail = min(sc.clause_end(end), stop.start() if stop else end + _TRAILING)
    if any(end <= q.start < tail for q in sc.quantities):
        tail = end
    named = sc.mentions(lead, tail) if lead < tail else set()
    named |= sc.mentions(start, end)
    if not named:
        return _unnamed(c, k, sc, var)
    if c.variable in named:
        return []
    catalog = load_catalog()
    others = ", ".join(sorted(v.label for v in map(catalog.get, named) if v is not None))
    return [
        finding(
            "variable-not-in-evidence",
            f"the evidence {quote(sc.text[start:end])} names {others}, not {var.label}",
            k,
        )
    ]


def _unnamed(c: Constraint, k: int, sc: Scan, var: Variable) -> list[Finding]:
    """Nothing near the evidence names a variable: the criterion or the unit must.

    "Score 26 or higher on the Montreal Cognitive Assessment" names no MMSE; a limit
    read as ``mmse`` there is a guess.  "≥ 18 years" names no age, but its unit says it.
    """
    if c.unit is not None and var.canonical_unit is not None and unit_fits(c.variable, c.unit):
        return []
    if c.variable in sc.mentions(0, len(sc.view)):
        return []
    return [
        finding(
            "variable-unnamed",
            f"nothing in the criterion names {var.label}, and no unit of it is written",
            k,
        )
    ]
