"""A Bundle checked as FHIR R5: the ``fhir.resources`` models and the required codes.

:func:`validate_bundle` parses a Bundle with the R5 models and checks the codes of
the required bindings the export uses, which those models do not.  See
:mod:`normalizer.export.fhir`.
"""

from __future__ import annotations

from typing import Any

_REQUIRED_CODES = {
    # elements with a *required* binding that fhir.resources does not check
    "comparator": {"<", "<=", ">=", ">", "ad"},  # Quantity.comparator
    "status": {"draft", "active", "retired", "unknown"},  # publication-status
    "code": {  # definitionByCombination.code: characteristic-combination
        "all-of",
        "any-of",
        "at-least",
        "at-most",
        "statistical",
        "net-effect",
        "dataset",
    },
}


def _check_codes(node: Any, parent: str = "") -> None:
    if isinstance(node, list):
        for item in node:
            _check_codes(item, parent)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        allowed = _REQUIRED_CODES.get(key)
        applies = allowed is not None and (key != "code" or parent == "definitionByCombination")
        if applies and value not in (allowed or ()):
            raise ValueError(f"{parent}.{key}: {value!r} is not in the required value set")
        _check_codes(value, key)


def validate_bundle(bundle: dict[str, Any]) -> Any:
    """Parse ``bundle`` with the ``fhir.resources`` R5 models and check the required codes.

    ``fhir.resources`` checks structure and types; the codes of required bindings
    the export uses (comparator, publication status, combination) are checked here.
    Raises when the Bundle is not valid R5; returns the parsed Bundle.
    """
    from fhir.resources.bundle import Bundle

    parsed = Bundle.model_validate(bundle)
    _check_codes(bundle)
    return parsed
