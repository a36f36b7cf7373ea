"""Numbers that are names (viruses, markers, regulations, years, washouts, counts of
methods, the 1.73 m² of eGFR units, "02" for O2): never limits, never review noise.

Texts marked as corpus text are quoted verbatim from shared/ (dev documents, seeds
and fb_ctparser), the rest are the shapes issue 15 lists.
"""

from __future__ import annotations

import pytest

from normalizer.extract.rules import RulesExtractor
from normalizer.models import Criterion
from normalizer.pipeline import normalize_text

# (criterion text, the number that is a name, constraints the rules must still read)
CASES = [
    # corpus text
    ("Person registered at the 2019 Paris Marathon", "2019", 0),
    ("Confirmed diagnosis of PMM according to the 2016 Rome Consensus recommendations", "2016", 0),
    ("Calculated eGFR below 60ml/min/1.73m2 (MDRD)", "1.73", 1),
    ("Investigational medications (30 days or 5 half-lives off drug, whichever is longer)", "5", 0),
    (
        "Use of any investigational drug within 4 weeks prior to randomization, or 5 "
        "pharmacokinetic/pharmacodynamics half-lives, if known (whichever is longer)",
        "5",
        0,
    ),
    (
        "Treatment with any other investigational agent besides TCZ within 12 weeks (or 5 "
        "half-lives of the investigational drug, whichever is longer) prior to screening;",
        "5",
        0,
    ),
    ("CD4 count < 50/mm³", "4", 1),
    # the shapes the issue lists
    ("Confirmed SARS-CoV-2 infection or COVID-19 within the last month", "2", 0),
    ("Vaccinated against H1N1 influenza", "1", 0),
    ("Prior anti-CD20 therapy", "20", 0),
    ("Informed consent as required by 21 CFR 50", "21", 0),
    ("Conduct of the study per ISO 14155:2011 and 21 CFR 812", "812", 0),
    ("Women not using at least 1 highly effective method of contraception", "1", 0),
    ("eGFR less than 45 ml/min per 1.73m²", "1.73", 1),
    ("Requirement for supplemental 02 at rest", "02", 0),
    ("HIV-1 RNA > 50 copies/mL", "1", 1),
]


def read(text: str) -> Criterion:
    doc = normalize_text(f"Exclusion Criteria:\n- {text}\n", name="t", extractor=RulesExtractor())
    (crit,) = doc.criteria
    return crit


@pytest.mark.parametrize(("text", "name_number", "limits"), CASES, ids=lambda v: str(v)[:40])
def test_a_number_in_a_name_is_no_limit_and_no_noise(
    text: str, name_number: str, limits: int
) -> None:
    crit = read(text)
    assert "unparsed-number" not in [f.code for f in crit.findings], crit.findings
    assert len(crit.constraints) == limits, crit.constraints
    value = float(name_number)
    bounds = [b.value for c in crit.constraints for b in (c.lower, c.upper) if b is not None]
    assert value not in bounds, crit.constraints
