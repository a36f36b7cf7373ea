"""Mutation eval of verification: corrupt correct constraints, count what it catches.

For every gold criterion (``gold/*.jsonl``, CONTRACT.md section 2):

1. build the *correct* criterion: the gold constraints, each with its evidence span
   (the rules extractor's evidence for the same constraint when it found it, else
   the clause around the numbers the gold bounds write), the rules extractor's
   notes for numbers that are not constraints;
2. verify it: a clean gold criterion (no ``expect_status`` or ``accepted``) that is
   not accepted is a *false alarm*, counted per finding code;
3. for every constraint of a criterion that verifies as accepted, apply each
   corruption below and verify again: *caught* means the criterion is no longer
   accepted.

Corruptions (``meaning`` ones change what the constraint says; ``provenance`` ones
only where it says it comes from):

=====================  ========================================================
comparator-flipped      >= x  becomes  <= x (one-sided limits; = x becomes >= x)
inclusive-flipped       >= x  becomes  > x  (the first bound)
value-x10, value-div10  every bound multiplied / divided by 10
digit-changed           last digit of the first bound + 1 (18 -> 19, 2.5 -> 2.6)
unit-same-dimension     another unit of the variable, value kept (g/dL -> g/L)
unit-other-dimension    a unit that cannot measure the variable (or one on a score)
uln-dropped             x ULN limit read as an absolute value in the canonical unit
uln-added               an absolute limit read as x ULN
invented                a new constraint whose number is not in the text
evidence-moved          (provenance) the evidence span moved to another clause
variable-swapped        (extra, not in the overall rate) another variable whose unit
                        fits, one the criterion itself names when there is one
=====================  ========================================================

Run: ``python evals/mutation_eval.py --gold gold/dev.jsonl gold/test.jsonl``; writes
``evals/results/mutation.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import re
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from normalizer.catalog import load_catalog  # noqa: E402
from normalizer.evaluation.gold import load_gold  # noqa: E402
from normalizer.extract.base import CriterionInput, Extraction  # noqa: E402
from normalizer.extract.rules import RulesExtractor  # noqa: E402
from normalizer.models import Bound, Constraint, Criterion, GoldCase, GoldConstraint  # noqa: E402
from normalizer.pipeline import canonical_of  # noqa: E402
from normalizer.units import convert, dimensionality, unit_fits  # noqa: E402
from normalizer.verify import check_criterion, load_findings, same_constraint, status_of  # noqa: E402
from normalizer.verify.scan import scan  # noqa: E402

MEANING = [
    "comparator-flipped",
    "inclusive-flipped",
    "value-x10",
    "value-div10",
    "digit-changed",
    "unit-same-dimension",
    "unit-other-dimension",
    "uln-dropped",
    "uln-added",
    "invented",
]
PROVENANCE = ["evidence-moved"]
EXTRA = ["variable-swapped"]  # not in the brief's list: reported apart from the overall rate
UNDETECTABLE = {
    "variable swapped within a list sharing one limit": "'AST, ALT, AKP <= 2.5 x ULN' names "
    "all three variables in the evidence; reading the limit as one of the others leaves every "
    "number, unit, comparator and name in place (caught only when a constraint is missing: "
    "extractors-disagree in hybrid mode)",
    "pairs matched crosswise": "'Systolic/diastolic < 140/90' read as SBP < 90 and DBP < 140: "
    "both numbers, the comparator and both names are in the evidence (value-unusual catches "
    "some, as DBP < 140)",
    "a variable named by a longer name": "'maternal age > 35 years' in a trial of newborns "
    "read as the patient's age: 'age' is a catalog name and the value is possible (since "
    "catalog 2026.12.8 'Gestational age > 33 weeks' names gestational_age, which a swap to age "
    "contradicts)",
    "a dropped qualifier with no second limit": "'A1C >= 8.0% (DSME cohort only)': nothing in "
    "the structure says a condition was lost (with a second limit, limit-repeated fires)",
    "a consistent garble": "a lost digit that leaves a usual value ('creatinine <= 1.5 mg/dL' "
    "written for 15): every number is in the text and only a range check can doubt it; "
    "'platelets >= 10.0*109/L' is caught only because 10 is below the usual range",
    "the same numbers elsewhere": "an evidence span moved to another clause that writes the "
    "same number with the same comparator and unit",
}
FOREIGN_UNITS = ["mm[Hg]", "g/dL", "kg/m2", "10*9/L", "a", "ms"]

Mutator = Callable[[Constraint, "Case"], "list[Constraint] | None"]


@dataclass
class Case:
    """A gold criterion made into a verifiable criterion."""

    gold: GoldCase
    criterion: Criterion
    extraction: Extraction
    located: int = 0
    """Constraints whose evidence was located here (the rules extractor missed them)."""


@dataclass
class Tally:
    applicable: int = 0
    caught: int = 0
    missed: list[dict[str, object]] = field(default_factory=list)
    by_code: Counter[str] = field(default_factory=Counter)


# --------------------------------------------------------------------------
# Building the correct criterion
# --------------------------------------------------------------------------


def _unit(g: GoldConstraint) -> str | None:
    """Gold leaves a unit the text does not write as null ("the tool may infer one and
    say so"); a correct extractor fills in the catalog default, as the rules one does."""
    var = load_catalog().get(g.variable)
    if g.unit is None and g.relative_to is None and var is not None and var.kind == "quantity":
        return var.default_unit
    return g.unit


def _constraint(g: GoldConstraint, evidence: tuple[int, int]) -> Constraint:
    c = Constraint(
        variable=g.variable,
        label=g.label or g.variable,
        lower=g.lower,
        upper=g.upper,
        unit=_unit(g),
        relative_to=g.relative_to,
        qualifier=g.qualifier,
        evidence=evidence,
        extracted_by=[],
    )
    return c.model_copy(update={"canonical": canonical_of(c)})


def _locate(text: str, g: GoldConstraint) -> tuple[int, int] | None:
    """The clause around the numbers the gold bounds write."""
    sc = scan(text)
    spans: list[tuple[int, int]] = []
    for bound in (g.lower, g.upper):
        if bound is None:
            continue
        for q in sc.quantities:
            if any(math.isclose(r.value, bound.value, rel_tol=1e-6) for r in q.readings):
                spans.append((q.start, q.after))
                break
        else:
            return None
    if not spans:
        return None
    start = min(s for s, _ in spans)
    end = max(e for _, e in spans)
    # back to the start of the clause, but not across another limit's comma or bracket
    lead = max(sc.clause_start(start), *(text.rfind(ch, 0, start) + 1 for ch in ",()"))
    while lead < start and text[lead] in " \t,;.":
        lead += 1
    return lead, end


def build(gold: GoldCase, rules: Extraction) -> Case:
    text = gold.text
    constraints: list[Constraint] = []
    located = 0
    for g in gold.constraints:
        probe = _constraint(g, (0, len(text)))
        match = next((r for r in rules.constraints if same_constraint(r, probe)), None)
        if match is not None:
            evidence = match.evidence
        else:
            found = _locate(text, g)
            evidence = found if found is not None else (0, len(text))
            located += 1
        constraints.append(_constraint(g, evidence))
    criterion = Criterion(
        id=gold.id, section=gold.section, text=text, span=(0, len(text)), constraints=constraints
    )
    # only the notes: findings are about the rules' reading, not about these constraints
    return Case(
        gold, criterion, Extraction(notes=list(rules.notes), complete=rules.complete), located
    )


def verify(case: Case, constraints: list[Constraint]) -> Criterion:
    crit = case.criterion.model_copy(update={"constraints": constraints, "findings": []})
    crit.findings = check_criterion(crit, crit.text, case.extraction)
    crit.status = status_of(crit)
    return crit


# --------------------------------------------------------------------------
# Corruptions
# --------------------------------------------------------------------------


def _bounds(c: Constraint, lower: Bound | None, upper: Bound | None) -> Constraint:
    return c.model_copy(update={"lower": lower, "upper": upper})


def _scaled(c: Constraint, factor: float) -> list[Constraint] | None:
    if all(b is None or b.value == 0 for b in (c.lower, c.upper)):
        return None
    lo = c.lower.model_copy(update={"value": c.lower.value * factor}) if c.lower else None
    hi = c.upper.model_copy(update={"value": c.upper.value * factor}) if c.upper else None
    return [_bounds(c, lo, hi)]


def flip_comparator(c: Constraint, case: Case) -> list[Constraint] | None:
    lo, hi = c.lower, c.upper
    if lo is not None and hi is not None:
        if lo.value == hi.value and lo.inclusive and hi.inclusive:
            return [_bounds(c, lo, None)]
        return None
    return [_bounds(c, hi, lo)]


def flip_inclusive(c: Constraint, case: Case) -> list[Constraint] | None:
    lo, hi = c.lower, c.upper
    if lo is not None and hi is not None and lo.value == hi.value:
        return None
    if lo is not None:
        return [_bounds(c, lo.model_copy(update={"inclusive": not lo.inclusive}), hi)]
    if hi is not None:
        return [_bounds(c, lo, hi.model_copy(update={"inclusive": not hi.inclusive}))]
    return None


def _bump_last_digit(value: float) -> float:
    text = f"{value:.6g}"
    if "e" in text:
        return value * 1.1
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    i = digits[-1]
    new = str((int(text[i]) + 1) % 10)
    if text[i] == "9" and (len(digits) == 1 or i == digits[0]):
        new = "8"
    return float(text[:i] + new + text[i + 1 :])


def change_digit(c: Constraint, case: Case) -> list[Constraint] | None:
    if c.lower is not None:
        lo = c.lower.model_copy(update={"value": _bump_last_digit(c.lower.value)})
        if c.upper is not None and lo.value > c.upper.value:
            return None  # would only trip bounds-inverted
        return [_bounds(c, lo, c.upper)]
    if c.upper is not None:
        return [
            _bounds(c, None, c.upper.model_copy(update={"value": _bump_last_digit(c.upper.value)}))
        ]
    return None


def unit_same_dimension(c: Constraint, case: Case) -> list[Constraint] | None:
    var = load_catalog().get(c.variable)
    if var is None or c.unit is None or c.relative_to is not None:
        return None
    here = convert(1.0, c.unit, var.id)
    for unit in var.units:
        there = convert(1.0, unit, var.id)
        if unit != c.unit and here and there and not math.isclose(here, there, rel_tol=0.005):
            return [c.model_copy(update={"unit": unit})]
    return None


def unit_other_dimension(c: Constraint, case: Case) -> list[Constraint] | None:
    if c.relative_to is not None or c.variable == "other":
        return None
    var = load_catalog().get(c.variable)
    own = dimensionality(var.canonical_unit) if var and var.canonical_unit else None
    for unit in FOREIGN_UNITS:
        if unit != c.unit and not unit_fits(c.variable, unit) and dimensionality(unit) != own:
            return [c.model_copy(update={"unit": unit})]
    return None


def uln_dropped(c: Constraint, case: Case) -> list[Constraint] | None:
    var = load_catalog().get(c.variable)
    if c.relative_to is None or var is None:
        return None
    return [c.model_copy(update={"relative_to": None, "unit": var.canonical_unit})]


def uln_added(c: Constraint, case: Case) -> list[Constraint] | None:
    if c.relative_to is not None or c.variable == "other":
        return None
    return [c.model_copy(update={"relative_to": "ULN", "unit": None})]


def _absent_number(text: str, start: float) -> float:
    written = {r.value for q in scan(text).quantities for r in q.readings}
    value = float(int(start) * 3 + 7)
    while any(math.isclose(value, w, rel_tol=0.005) for w in written):
        value += 1
    return value


def invent(c: Constraint, case: Case) -> list[Constraint] | None:
    seed = c.lower.value if c.lower else (c.upper.value if c.upper else 10.0)
    value = _absent_number(case.criterion.text, seed)
    new = c.model_copy(
        update={"lower": None, "upper": Bound(value=value, inclusive=True), "qualifier": None}
    )
    return [c, new]


def move_evidence(c: Constraint, case: Case) -> list[Constraint] | None:
    text = case.criterion.text
    start, end = c.evidence
    sc = scan(text)
    cuts = sorted({0, len(text), *(m.end() for m in _breaks(text))})
    for a, b in itertools.pairwise(cuts):
        while a < b and text[a] in " ,;.:":
            a += 1
        while b > a and text[b - 1] in " ,;.:":
            b -= 1
        if b - a >= 3 and (b <= start or a >= end) and sc is not None:
            return [c.model_copy(update={"evidence": (a, b)})]
    return None


def _breaks(text: str) -> list[re.Match[str]]:
    return list(re.finditer(r"[;,.]\s|\(|\)", text))


def swap_variable(c: Constraint, case: Case) -> list[Constraint] | None:
    """Another catalog variable the limit could be on, one the criterion names first."""
    from normalizer.verify.scan import scan as read

    catalog = load_catalog()
    sc = read(case.criterion.text)
    named = sc.mentions(0, len(case.criterion.text))
    options = []
    for var in catalog.variables:
        if var.id == c.variable or c.variable == "other":
            continue
        if c.relative_to is not None:
            fits = var.relative_ok
        elif c.unit is None:
            fits = var.canonical_unit is None
        else:
            fits = unit_fits(var.id, c.unit)
        if fits:
            options.append(var)
    if not options:
        return None
    options.sort(key=lambda v: v.id not in named)
    return [c.model_copy(update={"variable": options[0].id, "label": options[0].label})]


MUTATORS: dict[str, Mutator] = {
    "comparator-flipped": flip_comparator,
    "inclusive-flipped": flip_inclusive,
    "value-x10": lambda c, case: _scaled(c, 10.0),
    "value-div10": lambda c, case: _scaled(c, 0.1),
    "digit-changed": change_digit,
    "unit-same-dimension": unit_same_dimension,
    "unit-other-dimension": unit_other_dimension,
    "uln-dropped": uln_dropped,
    "uln-added": uln_added,
    "invented": invent,
    "evidence-moved": move_evidence,
    "variable-swapped": swap_variable,
}


def invent_on_empty(case: Case) -> list[Constraint] | None:
    """An invented constraint where the gold has none: 'age >= N' with N not in the text."""
    text = case.criterion.text
    value = _absent_number(text, 18.0)
    return [
        Constraint(
            variable="age",
            label="age",
            lower=Bound(value=value, inclusive=True),
            unit="a",
            evidence=(0, len(text)),
            extracted_by=["llm"],
        )
    ]


# --------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------


def _short(c: Constraint) -> str:
    from normalizer.verify.describe import reading

    return reading(c)


def run(paths: list[Path]) -> dict[str, object]:
    cases_gold = load_gold(paths)
    rules = RulesExtractor()
    inputs = [CriterionInput(g.id, g.section, g.text, 0) for g in cases_gold]
    extractions = rules.extract(inputs)
    cases = [build(g, e) for g, e in zip(cases_gold, extractions, strict=True)]

    clean_total = clean_flagged = clean_with = clean_with_flagged = 0
    alarms: Counter[str] = Counter()
    alarm_examples: list[dict[str, object]] = []
    expected_missed: list[dict[str, object]] = []
    tallies: dict[str, Tally] = defaultdict(Tally)
    skipped_base = 0
    for case in cases:
        base = verify(case, case.criterion.constraints)
        expect = case.gold.expect_status
        clean = expect in (None, "accepted")
        flagged = base.status != "accepted"
        if clean:
            clean_total += 1
            clean_flagged += flagged
            if case.gold.constraints:
                clean_with += 1
                clean_with_flagged += flagged
            if flagged:
                codes = sorted({f.code for f in base.findings if f.severity != "info"})
                alarms.update(codes)
                alarm_examples.append(
                    {
                        "id": case.gold.id,
                        "text": case.gold.text,
                        "status": base.status,
                        "findings": [
                            f"{f.code}: {f.message}" for f in base.findings if f.severity != "info"
                        ],
                    }
                )
        elif not flagged:
            expected_missed.append(
                {"id": case.gold.id, "text": case.gold.text, "expect_status": expect}
            )
        if base.status != "accepted":
            skipped_base += bool(case.gold.constraints)
            continue
        if not case.gold.constraints:
            mutated = invent_on_empty(case)
            if mutated is not None:
                _tally(tallies["invented"], case, verify(case, mutated), "(none)", mutated[-1])
            continue
        for k, c in enumerate(case.criterion.constraints):
            for name, mutate in MUTATORS.items():
                changed = mutate(c, case)
                if changed is None:
                    continue
                constraints = list(case.criterion.constraints)
                constraints[k : k + 1] = changed
                after = verify(case, constraints)
                _tally(tallies[name], case, after, _short(c), changed[-1])

    def rate(t: Tally) -> float | None:
        return None if not t.applicable else t.caught / t.applicable

    meaning_app = sum(tallies[m].applicable for m in MEANING)
    meaning_caught = sum(tallies[m].caught for m in MEANING)
    return {
        "gold": [str(p) for p in paths],
        "stamp": _stamp(),
        "cases": len(cases),
        "located_evidence": sum(c.located for c in cases),
        "false_alarms": {
            "clean_criteria": clean_total,
            "flagged": clean_flagged,
            "rate": clean_flagged / clean_total if clean_total else None,
            "clean_criteria_with_constraints": clean_with,
            "flagged_with_constraints": clean_with_flagged,
            "rate_with_constraints": clean_with_flagged / clean_with if clean_with else None,
            "by_code": dict(alarms.most_common()),
            "examples": alarm_examples,
        },
        "expected_review_but_accepted": expected_missed,
        "mutations": {
            "criteria_not_accepted_when_correct": skipped_base,
            "per_corruption": {
                name: {
                    "kind": "meaning"
                    if name in MEANING
                    else ("provenance" if name in PROVENANCE else "extra"),
                    "applicable": t.applicable,
                    "caught": t.caught,
                    "rate": rate(t),
                    "caught_by": dict(t.by_code.most_common()),
                    "missed": t.missed[:25],
                }
                for name, t in ((n, tallies[n]) for n in MEANING + PROVENANCE + EXTRA)
            },
            "meaning_overall": {
                "applicable": meaning_app,
                "caught": meaning_caught,
                "rate": meaning_caught / meaning_app if meaning_app else None,
            },
            "undetectable_by_design": UNDETECTABLE,
        },
    }


def _tally(t: Tally, case: Case, after: Criterion, before: str, mutated: Constraint) -> None:
    t.applicable += 1
    if after.status != "accepted":
        t.caught += 1
        t.by_code.update({f.code for f in after.findings if f.severity != "info"})
    else:
        t.missed.append(
            {
                "id": case.gold.id,
                "text": case.gold.text,
                "correct": before,
                "mutated": _short(mutated),
                "evidence": case.gold.text[mutated.evidence[0] : mutated.evidence[1]],
            }
        )


def _stamp() -> dict[str, str]:
    from normalizer.verify.lexicon import load_evidence, load_shared

    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            text=True,
            capture_output=True,
            check=False,
        ).stdout.strip()
    except OSError:
        rev = ""
    return {
        "git": rev,
        "catalog": load_catalog().version,
        "findings": load_findings().version,
        "patterns": load_shared().version,
        "evidence": load_evidence().version,
    }


def _pct(x: object) -> str:
    return "-" if not isinstance(x, float) else f"{100 * x:.1f}%"


def show(result: dict[str, object], console: Console) -> None:
    muts = result["mutations"]
    assert isinstance(muts, dict)
    table = Table(title="Mutation catch rate (share of corrupted criteria not accepted)")
    for col in ("corruption", "kind", "applicable", "caught", "rate", "caught mostly by"):
        table.add_column(
            col, justify="right" if col in ("applicable", "caught", "rate") else "left"
        )
    for name, row in muts["per_corruption"].items():
        top = ", ".join(list(row["caught_by"])[:3])
        table.add_row(
            name, row["kind"], str(row["applicable"]), str(row["caught"]), _pct(row["rate"]), top
        )
    overall = muts["meaning_overall"]
    table.add_row(
        "ALL meaning-changing",
        "",
        str(overall["applicable"]),
        str(overall["caught"]),
        _pct(overall["rate"]),
        "",
        style="bold",
    )
    console.print(table)
    fa = result["false_alarms"]
    assert isinstance(fa, dict)
    console.print(
        f"False alarms: {fa['flagged']}/{fa['clean_criteria']} clean gold criteria flagged "
        f"({_pct(fa['rate'])}); with constraints {fa['flagged_with_constraints']}/"
        f"{fa['clean_criteria_with_constraints']} ({_pct(fa['rate_with_constraints'])})"
    )
    if fa["by_code"]:
        codes = Table(title="False alarms by finding code")
        codes.add_column("code")
        codes.add_column("criteria", justify="right")
        for code, n in fa["by_code"].items():
            codes.add_row(code, str(n))
        console.print(codes)
    console.print("Undetectable by design:")
    for kind, why in muts["undetectable_by_design"].items():
        console.print(f"  - {kind}: {why}")
    console.print(
        f"Criteria whose correct constraints were not accepted (excluded from mutation): "
        f"{muts['criteria_not_accepted_when_correct']}; cases {result['cases']}, evidence "
        f"located without the rules extractor: {result['located_evidence']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", nargs="+", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=ROOT / "evals" / "results" / "mutation.json")
    args = parser.parse_args(argv)
    result = run(args.gold)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    show(result, Console())
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
