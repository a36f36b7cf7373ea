"""Hybrid mode: rules first, the LLM only for what the rules could not read, merged so
that the LLM fills gaps and never overrides or silently re-reads the rules."""

from __future__ import annotations

from collections.abc import Sequence

from normalizer.extract.base import CriterionInput, Extraction
from normalizer.extract.rules import RulesExtractor
from normalizer.hybrid import HybridExtractor, LLMWithNotes
from normalizer.models import Bound, Constraint
from normalizer.pipeline import read_criteria

# Registry wording the rules read only in part (the oocyte count is not a catalog
# variable and has no unit: the rules leave it unexplained, so hybrid asks the LLM).
TEXT = "Serum potassium < 3.5 mEq/L; transfer of fewer than 3 embryos"


def c(variable: str, start: int, end: int, lower: float | None = None,
      upper: float | None = None, unit: str | None = None) -> Constraint:
    return Constraint(
        variable=variable, label=variable,
        lower=None if lower is None else Bound(value=lower, inclusive=True),
        upper=None if upper is None else Bound(value=upper, inclusive=False),
        unit=unit, evidence=(start, end), extracted_by=["llm"],
    )


class FakeLLM:
    """Stands in for the LLM extractor: returns scripted readings, counts criteria."""

    name = "llm"
    prompt_id = "fake"
    model = "fake"

    def __init__(self, answers: dict[str, list[Constraint]]) -> None:
        self.answers = answers
        self.seen: list[str] = []

    def extract(self, criteria: Sequence[CriterionInput]) -> list[Extraction]:
        self.seen += [x.id for x in criteria]
        return [Extraction(constraints=self.answers.get(x.id, [])) for x in criteria]


def test_only_incomplete_criteria_go_to_the_llm() -> None:
    rules = RulesExtractor()
    items = [
        CriterionInput("inc-1", "inclusion", "Age 18 years or older", 0),
        CriterionInput("inc-2", "inclusion", TEXT, 0),
    ]
    complete = [e.complete for e in rules.extract(items)]
    assert complete == [True, False]
    fake = FakeLLM({})
    HybridExtractor(rules, fake).extract(items)
    assert fake.seen == ["inc-2"]


def test_llm_fills_gaps_and_never_overrides_the_rules() -> None:
    rules = RulesExtractor()
    item = CriterionInput("inc-1", "inclusion", TEXT, 0)
    [by_rules] = rules.extract([item])
    potassium = next(x for x in by_rules.constraints if x.variable == "potassium")
    k0, k1 = potassium.evidence
    gap = TEXT.index("fewer")
    agree = potassium.model_copy(update={"extracted_by": ["llm"]})
    reread = c("sodium", k0, k1, upper=3.5, unit="meq/L")  # same words, another reading
    fills = c("other", gap, len(TEXT), upper=3)
    fake = FakeLLM({"inc-1": [agree, reread, fills]})
    [crit] = read_criteria([item], [TEXT], HybridExtractor(rules, fake, route="all"))
    by_var = {x.variable: x for x in crit.constraints}
    assert by_var["potassium"].extracted_by == ["rules", "llm"]
    assert "sodium" not in by_var  # a re-reading of words the rules read is not added
    assert by_var["other"].extracted_by == ["llm"]
    codes = {(f.code, crit.constraints[f.constraint].variable) for f in crit.findings
             if f.constraint is not None}
    assert ("llm-only", "other") in codes
    assert crit.status != "accepted"  # an LLM-only reading waits for a person


def test_llm_mode_keeps_the_rules_notes() -> None:
    text = "Major surgery within 4 weeks before enrollment"
    item = CriterionInput("exc-1", "exclusion", text, 0)
    [crit] = read_criteria([item], [text], LLMWithNotes(RulesExtractor(), FakeLLM({})))
    assert crit.constraints == []
    assert crit.status == "accepted", crit.findings  # the time window is explained
