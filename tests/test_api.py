"""The public Python API: what `from normalizer import ...` gives, and its example."""

from __future__ import annotations

import doctest

import normalizer


def test_the_package_docstring_example_runs() -> None:
    result = doctest.testmod(normalizer)
    assert result.attempted >= 3 and result.failed == 0


def test_public_names_resolve_and_the_llm_client_is_not_imported() -> None:
    import subprocess
    import sys

    for name in normalizer.__all__:
        assert getattr(normalizer, name) is not None
    probe = "import sys, normalizer; print(sorted({'openai', 'instructor'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_api_output_is_exactly_the_contract_json() -> None:
    doc = normalizer.normalize_text(
        "Exclusion Criteria:\n* lesion length \\>8cm", name="x.txt",
        extractor=normalizer.RulesExtractor(),
    )
    [crit] = doc.model_dump(mode="json")["criteria"]
    assert crit["section"] == "exclusion"
    [c] = crit["constraints"]
    assert (c["variable"], c["lower"], c["upper"], c["unit"]) == (
        "lesion_size", {"value": 8.0, "inclusive": False}, None, "cm"
    )
    assert c["canonical"] == {"lower": 8.0, "upper": None, "unit": "cm"}
