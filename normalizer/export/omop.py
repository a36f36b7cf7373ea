"""OMOP: an ATLAS / Circe cohort definition (the JSON ``CohortExpression``) per record.

The mapping and its limits are in ``docs/omop.md``.  In short: the index event is
the person's first observation period; each criterion is an inclusion rule;
a numeric constraint is a ``Measurement`` criterion on a concept set keyed by the
variable's LOINC code (``ValueAsNumber`` with ``Op``/``Value``/``Extent``, or
``RangeHighRatio`` / ``RangeLowRatio`` for x ULN / x LLN) at least once before
the index date; age is a demographic criterion.  An exclusion criterion's rule
requires each of its constraints to occur zero times (``Occurrence`` exactly 0)
or, for shapes an occurrence count cannot negate (age, two-sided exclusive
ranges, qualified alternatives), a group of which at most 0 hold.

Nothing here looks anything up: a concept the catalog has no OMOP concept id for
is written with :data:`PLACEHOLDER_CONCEPT_ID` and a name that says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..catalog import Catalog, load_catalog
from ..models import Bound, Criterion
from .selection import Item, Reading, RecordExport, Selected, items_of

__all__ = [
    "PLACEHOLDER_CONCEPT_ID",
    "cohort_of",
    "cohorts_of",
    "readings_of_cohort",
]

PLACEHOLDER_CONCEPT_ID = 0
"""OMOP's "No matching concept": the catalog knows no concept id; map it before running."""

_AT_LEAST_ONCE = {"Type": 2, "Count": 1}
_NEVER = {"Type": 0, "Count": 0}
_BEFORE_INDEX = {"Start": {"Coeff": -1}, "End": {"Days": 0, "Coeff": 1}, "UseEventEnd": False}
_OPS_BACK = {"gt": (True, False), "gte": (True, True), "lt": (False, False), "lte": (False, True)}
_CONDITION_WORD = {"qualifier": "condition", "alternative": "alternative"}
"""How a placeholder concept set names its condition, by kind."""


class _Builder:
    """Concept sets are numbered in order of first use within one cohort."""

    def __init__(self, catalog: Catalog) -> None:
        self.variables = {v.id: v for v in catalog.variables}
        self.concept_sets: list[dict[str, Any]] = []
        self._ids: dict[str, int] = {}

    def _concept_set(self, key: str, concept: dict[str, Any]) -> int:
        if key not in self._ids:
            self._ids[key] = len(self.concept_sets)
            self.concept_sets.append(
                {
                    "id": self._ids[key],
                    "name": key,
                    "expression": {
                        "items": [
                            {
                                "concept": concept,
                                "isExcluded": False,
                                "includeDescendants": False,
                                "includeMapped": False,
                            }
                        ]
                    },
                }
            )
        return self._ids[key]

    def variable_set(self, sel: Selected) -> int:
        c = sel.constraint
        var = self.variables.get(c.variable)
        loinc = var.loinc if var else None
        known = var.omop_concept_id if var else None
        if loinc:
            name = c.label if known else f"PLACEHOLDER: map LOINC {loinc} ({c.label}) to OMOP"
            concept = _concept(known, name, loinc, "Measurement", "LOINC")
        else:
            name = f"PLACEHOLDER: no LOINC code in the catalog for {c.label!r}"
            concept = _concept(None, name, c.variable, "Measurement", "None")
        return self._concept_set(f"{c.variable}: {c.label}", concept)

    def condition(
        self, kind: str, text: str, occurrence: dict[str, int] = _AT_LEAST_ONCE
    ) -> dict[str, Any]:
        """A condition written in words, on a placeholder concept set ``<kind>: <text>``.

        ``kind``: a ``qualifier`` of a limit, or an ``alternative`` no constraint reads.
        """
        name = f"PLACEHOLDER: the {_CONDITION_WORD[kind]} {text!r} needs its concepts"
        set_id = self._concept_set(
            f"{kind}: {text}", _concept(None, name, kind, "Condition", "None")
        )
        return _correlated({"ConditionOccurrence": {"CodesetId": set_id}}, occurrence)

    # -- criteria -------------------------------------------------------------------------

    def leaf(self, sel: Selected) -> dict[str, Any]:
        """The positive form of one constraint: a criterion, demographic criterion or group."""
        c = sel.constraint
        if c.variable == "age" and c.relative_to is None:
            lo, hi = c.lower, c.upper
            if c.canonical is not None and c.unit != "a":
                lo = (
                    Bound(value=c.canonical.lower, inclusive=lo.inclusive)
                    if lo and c.canonical.lower is not None
                    else lo
                )
                hi = (
                    Bound(value=c.canonical.upper, inclusive=hi.inclusive)
                    if hi and c.canonical.upper is not None
                    else hi
                )
            demos: list[dict[str, Any]] = [{"Age": r} for r in _ranges(lo, hi)] or [{}]
            return demos[0] if len(demos) == 1 else _group("ALL", demographics=demos)
        codeset = self.variable_set(sel)
        crits = []
        ranges: list[dict[str, Any] | None] = [*_ranges(c.lower, c.upper)] or [None]
        for rng in ranges:
            measurement: dict[str, Any] = {"CodesetId": codeset}
            if rng is None:  # no bound: the measurement is there at all
                pass
            elif c.relative_to == "ULN":
                measurement["RangeHighRatio"] = rng
            elif c.relative_to == "LLN":
                measurement["RangeLowRatio"] = rng
            else:
                measurement["ValueAsNumber"] = rng
                if c.unit is not None:
                    measurement["Unit"] = [_concept(None, c.unit, c.unit, "Unit", "UCUM")]
            crits.append(_correlated({"Measurement": measurement}))
        return crits[0] if len(crits) == 1 else _group("ALL", criteria=crits)

    def item(self, item: Item) -> dict[str, Any]:
        if item.main is not None and not item.alternatives:
            return self.leaf(item.main)
        qualifiers = [alt.constraint.qualifier or "" for alt in item.alternatives]
        branches = []
        if item.main is not None:
            unless = [
                self.condition("qualifier", q, _NEVER) for q in dict.fromkeys(qualifiers)
            ]
            branches.append(_group("ALL", nodes=[*unless, self.leaf(item.main)]))
        for alt, text in zip(item.alternatives, qualifiers, strict=True):
            when = self.condition("qualifier", text)
            branches.append(_group("ALL", nodes=[when, self.leaf(alt)]))
        return branches[0] if len(branches) == 1 else _group("ANY", nodes=branches)

    def rule(self, crit: Criterion, items: list[Item], statuses: Sequence[str]) -> dict[str, Any]:
        nodes = [self.item(i) for i in items]
        if crit.any_of and crit.alternative is not None:  # what else meets it, as written
            nodes.append(self.condition("alternative", crit.alternative))
        if crit.section == "exclusion":
            nodes = [_negate(n) for n in nodes]
        review = sorted(set(statuses) - {"accepted", "approved"})
        note = f" [includes constraints that are {', '.join(review)}]" if review else ""
        return {
            "name": f"{crit.section} {crit.id}",
            "description": crit.text + note,
            "expression": _group("ANY" if crit.any_of else "ALL", nodes=nodes),
        }


def _concept(
    concept_id: int | None, name: str, code: str, domain: str, vocabulary: str
) -> dict[str, Any]:
    return {
        "CONCEPT_ID": PLACEHOLDER_CONCEPT_ID if concept_id is None else concept_id,
        "CONCEPT_NAME": name,
        "CONCEPT_CODE": code,
        "DOMAIN_ID": domain,
        "VOCABULARY_ID": vocabulary,
        "STANDARD_CONCEPT": "S" if concept_id is not None else "",
        "INVALID_REASON": "V",
    }


def _ranges(lo: Bound | None, hi: Bound | None) -> list[dict[str, Any]]:
    """Circe NumericRanges whose conjunction is the constraint (``bt`` is inclusive)."""
    if lo is not None and hi is not None:
        if lo.inclusive and hi.inclusive:
            if lo.value == hi.value:
                return [{"Value": lo.value, "Op": "eq"}]
            return [{"Value": lo.value, "Extent": hi.value, "Op": "bt"}]
        return [*_ranges(lo, None), *_ranges(None, hi)]
    if lo is not None:
        return [{"Value": lo.value, "Op": "gte" if lo.inclusive else "gt"}]
    if hi is not None:
        return [{"Value": hi.value, "Op": "lte" if hi.inclusive else "lt"}]
    return []


def _correlated(
    criteria: dict[str, Any], occurrence: dict[str, int] = _AT_LEAST_ONCE
) -> dict[str, Any]:
    return {
        "Criteria": criteria,
        "StartWindow": _BEFORE_INDEX,
        "RestrictVisit": False,
        "IgnoreObservationPeriod": False,
        "Occurrence": dict(occurrence),
    }


def _group(
    kind: str,
    *,
    nodes: Iterable[dict[str, Any]] = (),
    criteria: Iterable[dict[str, Any]] = (),
    demographics: Iterable[dict[str, Any]] = (),
    count: int | None = None,
) -> dict[str, Any]:
    crits, demos, groups = list(criteria), list(demographics), []
    for node in nodes:
        if "Criteria" in node:
            crits.append(node)
        elif "Type" in node:
            groups.append(node)
        else:
            demos.append(node)
    group: dict[str, Any] = {"Type": kind}
    if count is not None:
        group["Count"] = count
    group.update(CriteriaList=crits, DemographicCriteriaList=demos, Groups=groups)
    return group


def _negate(node: dict[str, Any]) -> dict[str, Any]:
    if "Criteria" in node:
        return {**node, "Occurrence": dict(_NEVER)}
    return _group("AT_MOST", nodes=[node], count=0)


def cohort_of(export: RecordExport, *, catalog: Catalog | None = None) -> dict[str, Any]:
    """The Circe ``CohortExpression`` of one record (``catalog``: the packaged one by default)."""
    builder = _Builder(catalog or load_catalog())
    rules = []
    left_out = 0
    for crit, items in items_of(export.constraints):
        if crit.section == "unknown":
            left_out += len(items)
            continue
        statuses = [s.status for s in export.constraints if s.criterion.id == crit.id]
        rules.append(builder.rule(crit, items, statuses))
    state = (
        "complete"
        if export.complete
        else f"INCOMPLETE: {len(export.open_criteria)} criteria not accepted or decided"
    )
    if left_out:
        state += f"; {left_out} constraints of unknown section left out"
    name = export.nct_id or export.record_id
    return {
        "cdmVersionRange": ">=5.0.0",
        "Title": f"{name}: eligibility ({state})",
        "ConceptSets": builder.concept_sets,
        "PrimaryCriteria": {
            "CriteriaList": [{"ObservationPeriod": {"First": True}}],
            "ObservationWindow": {"PriorDays": 0, "PostDays": 0},
            "PrimaryCriteriaLimit": {"Type": "First"},
        },
        "QualifiedLimit": {"Type": "First"},
        "ExpressionLimit": {"Type": "First"},
        "InclusionRules": rules,
        "CensoringCriteria": [],
        "CollapseSettings": {"CollapseType": "ERA", "EraPad": 0},
        "CensorWindow": {},
    }


def cohorts_of(exports: Iterable[RecordExport]) -> Iterator[dict[str, Any]]:
    """One cohort expression per record."""
    catalog = load_catalog()
    for export in exports:
        yield cohort_of(export, catalog=catalog)


# -- reading back -------------------------------------------------------------------------


def _bounds(rng: dict[str, Any]) -> tuple[tuple[float, bool] | None, tuple[float, bool] | None]:
    op, value = rng["Op"], float(rng["Value"])
    if op == "eq":
        return (value, True), (value, True)
    if op == "bt":
        return (value, True), (float(rng["Extent"]), True)
    is_lower, inclusive = _OPS_BACK[op]
    return ((value, inclusive), None) if is_lower else (None, (value, inclusive))


class _Reader:
    def __init__(self, cohort: dict[str, Any], record_id: str) -> None:
        self.names = {cs["id"]: cs["name"] for cs in cohort["ConceptSets"]}
        self.record_id = record_id

    def _leaf(self, node: dict[str, Any]) -> tuple[str, Any, Any, str | None, str | None]:
        if "Criteria" not in node:  # a demographic criterion: age
            lo, hi = _bounds(node["Age"]) if "Age" in node else (None, None)
            return "age", lo, hi, "a", None
        m = node["Criteria"]["Measurement"]
        variable = self.names[m["CodesetId"]].split(":", 1)[0]
        for key, relative in (
            ("RangeHighRatio", "ULN"),
            ("RangeLowRatio", "LLN"),
            ("ValueAsNumber", None),
        ):
            if key in m:
                lo, hi = _bounds(m[key])
                unit = m["Unit"][0]["CONCEPT_CODE"] if "Unit" in m else None
                return variable, lo, hi, unit, relative
        return variable, None, None, None, None  # a constraint without bounds

    def _constraint(
        self, node: dict[str, Any], crit: tuple[str, str], qualifier: str | None
    ) -> Reading:
        parts = (
            [*node["CriteriaList"], *node["DemographicCriteriaList"]] if "Type" in node else [node]
        )
        variable, lower, upper, unit, relative = self._leaf(parts[0])
        for part in parts[1:]:
            _, lo, hi, _, _ = self._leaf(part)
            lower, upper = lo or lower, hi or upper
        section, criterion_id = crit
        return Reading(
            self.record_id, criterion_id, section, variable, lower, upper, unit, relative, qualifier
        )

    def _condition(self, node: dict[str, Any]) -> tuple[str, str] | None:
        """(kind, text) when ``node`` is a ConditionOccurrence on a placeholder concept set."""
        cond = node.get("Criteria", {}).get("ConditionOccurrence")
        if cond is None:
            return None
        kind, _, text = self.names[cond["CodesetId"]].partition(": ")
        return kind, text

    def _qualifier(self, node: dict[str, Any]) -> tuple[str | None, bool]:
        """(qualifier text, positive?) when ``node`` is a qualifier's ConditionOccurrence."""
        found = self._condition(node)
        if found is None:
            return None, False
        return found[1], node["Occurrence"]["Type"] != 0 or node["Occurrence"]["Count"] != 0

    def _item(self, node: dict[str, Any], crit: tuple[str, str]) -> Iterator[Reading]:
        if "Type" not in node or (node["Type"] == "ALL" and not self._has_qualifier(node)):
            yield self._constraint(node, crit, None)
            return
        branches = node["Groups"] if node["Type"] == "ANY" else [node]
        for branch in branches:
            qualifier = None
            rest = []
            for member in [
                *branch["CriteriaList"],
                *branch["DemographicCriteriaList"],
                *branch["Groups"],
            ]:
                text, positive = self._qualifier(member)
                if text is None:
                    rest.append(member)
                elif positive:
                    qualifier = text
            for member in rest:
                yield self._constraint(member, crit, qualifier)

    def _alternative(self, node: dict[str, Any]) -> bool:
        found = self._condition(node)
        return found is not None and found[0] == "alternative"

    def _has_qualifier(self, node: dict[str, Any]) -> bool:
        return any(self._qualifier(m)[0] is not None for m in node["CriteriaList"])

    def rule(self, rule: dict[str, Any]) -> Iterator[Reading]:
        section, criterion_id = rule["name"].split(" ", 1)
        crit = (section, criterion_id)
        expr = rule["expression"]
        nodes = [*expr["CriteriaList"], *expr["DemographicCriteriaList"], *expr["Groups"]]
        for node in nodes:
            if self._alternative(node):
                continue  # no constraint: the text's own alternative
            if section == "exclusion":  # undo the negation
                if "Criteria" in node:
                    node = {**node, "Occurrence": dict(_AT_LEAST_ONCE)}
                else:
                    node = [
                        *node["CriteriaList"],
                        *node["DemographicCriteriaList"],
                        *node["Groups"],
                    ][0]
            yield from self._item(node, crit)


def readings_of_cohort(cohort: dict[str, Any], record_id: str) -> list[Reading]:
    """The constraints a cohort expression states (record id given: Circe has no field for it)."""
    reader = _Reader(cohort, record_id)
    return [r for rule in cohort["InclusionRules"] for r in reader.rule(rule)]
