"""Read the numbers of a criterion the way verification needs them.

:func:`scan` finds every *quantity* in a criterion's text: a number (digits or a
number word) with what is written around it, the garbles undone:

* a power of ten after it ("1.5 x 10^9/L", the lost superscript "1.5*109/L",
  "2x103 IU/mL"): the quantity has a literal reading (1.5 in ``10*9/L``) and a
  folded one (1.5e9 in ``/L``; 2000 in ``[IU]/mL``);
* a bare "104 copies/mL" is also read as 10^4 when the unit is one the lexicon
  lists as losing powers; "100,000" is one number; "100.000" may be either;
* the unit written after it, as UCUM (through :func:`normalizer.units.to_ucum`);
* a ULN/LLN limit after it ("2.5 x ULN", "1.5 times the upper limit of normal"),
  and a ULN/LLN limit with no number at all ("<= ULN": 1 x ULN);
* the comparator that governs it: its own ("greater than 2", "18 or older"),
  the two ends of a range ("18-75", "between 18 and 75"), a list of values
  ("ECOG 0, 1 or 2"), or one carried over from the previous quantity
  ("HBV DNA >= 10^4 copies/mL or 2000 IU/mL").

All offsets are into the criterion text; the text is read through the rules
lexicon's same-length view (``patterns.toml``: escapes, dashes and code-page
garbles undone), so offsets never move.

The package, one idea a module:

* :mod:`.model` – the data types (:class:`Scan`, :class:`Quantity`,
  :class:`Reading`) and the variable mentions (:func:`mentions`);
* :mod:`.tokens` – each quantity on its own: numbers, powers of ten, units
  (:func:`known_unit`), ULN/LLN, number words, limits with no number;
* :mod:`.assembly` – the quantities read together (comparators, ranges and
  lists, inheritance) and :func:`scan`.
"""

from __future__ import annotations

from .assembly import scan
from .model import Op, Quantity, Reading, Role, Scan
from .model import mentions as mentions
from .tokens import known_unit

__all__ = ["Op", "Quantity", "Reading", "Role", "Scan", "known_unit", "scan"]
