"""Domain types of the output contract (``shared/spec/CONTRACT.md``).

These pydantic models are the one fixed interface of the project: a
:class:`Document` dumped with ``model_dump(mode="json")`` is exactly the JSON that
``normalizer normalize`` prints.  This module never imports an LLM client.

Schema history
--------------
1. The contract as first written: ``schema_version``, ``source``, ``criteria``.
2. Adds two derived, clearly separate top-level blocks: ``provenance`` (tool
   version, extractor, catalog version, prompt id and model) and
   ``eligibility`` (per variable, the set of values that inclusion and exclusion
   criteria together allow).  Criterion and constraint objects are unchanged.
3. Adds ``record``: which registry record a document is (record id, NCT id,
   title, conditions, where it was read from: file, line, zip member, index in a
   search page) and the registry's structured eligibility fields (minimum and
   maximum age, sex, healthy volunteers, standard age groups).  ``source`` and
   the criterion and constraint objects are unchanged.  Curated documents
   (read from a run store where curators decided) carry ``decided_by`` on a
   constraint and ``decisions`` on a criterion (and on the document: stale
   decisions on criteria it no longer has); machine output omits them, so
   its criterion and constraint objects stay exactly the contract's.
4. Compares the registry's structured fields with the text (records read with
   them, e.g. from ClinicalTrials.gov): ``registry-*`` findings on the
   constraint that states an age limit or on the criterion that restricts sex,
   and a document-level ``findings`` list for what no criterion holds (a
   registry age the text does not state, an unreadable registry value; omitted
   when empty).  ``EligibilitySet.origin`` says where a set comes from:
   ``text`` (the criteria, as before) or ``registry`` (the registry's ages, used
   only when no criterion states an age).  Plain text gives the same output as
   schema 3 apart from ``origin`` and the version.
5. Widens the vocabulary of ``variable`` (constraints, eligibility sets): ids the
   contract's table does not list, each marked ``added_in = 5`` in the catalog:
   ``respiratory_rate`` (/min), ``pf_ratio`` (PaO2/FiO2, mm[Hg]), ``peep``
   (cm[H2O]), ``gcs`` (Glasgow Coma Scale), ``nihss`` (NIH Stroke Scale),
   ``asa_class`` (ASA physical status), ``bcva_letters`` (ETDRS letter score) and
   ``direct_bilirubin`` (umol/L).  A limit on one of these was ``other`` with a
   label before; the shape of every object is unchanged.
6. Widens ``variable`` again: ``kellgren_lawrence`` (Kellgren-Lawrence
   radiographic grade of osteoarthritis, 0-4), marked ``added_in = 6``; and the
   ids of 5 that a cited source codes now carry their LOINC code in the catalog
   (``respiratory_rate`` 9279-1, ``gcs`` 9269-2, ``nihss`` 72089-6), which the
   FHIR and OMOP exports write.  No object changed shape.
7. Widens ``variable`` again: ``gestational_age`` (the age of a pregnancy, or of an
   infant at birth, in weeks; LOINC 11884-4), marked ``added_in = 7``.  A gestational
   age was read as the patient's ``age`` in weeks before ("gestational age < 36
   weeks"), or as ``other``.  No object changed shape.
8. Adds ``Criterion.any_of`` (omitted when false): an inclusion criterion met by any
   one of its unqualified constraints, not by all of them ("creatinine < 2.0 mg/dL,
   or creatinine clearance > 40 mL/min"; "at least one of the following: ...").  The
   eligible sets take such a criterion as the union of its limits when they bound one
   variable, and leave it out when they bound several (an ``eligibility-alternatives``
   finding says so); the FHIR and OMOP exports combine its constraints with any-of.
   Before, every constraint of an inclusion criterion was required.  With it,
   ``Criterion.alternative`` (omitted when null): an alternative the text gives after
   the limits that no constraint reads ("HbA1c >= 8.0% or diagnosed with T2D and
   taking diabetes medication"); such a criterion is always left out of the sets.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "SCHEMA_VERSION",
    "Bound",
    "Canonical",
    "Constraint",
    "Criterion",
    "Decision",
    "DecisionAction",
    "Document",
    "EligibilityInterval",
    "EligibilitySet",
    "ExtractorName",
    "Finding",
    "GoldCase",
    "GoldConstraint",
    "NumberReason",
    "Provenance",
    "RecordInfo",
    "RecordOrigin",
    "RegistryFields",
    "RelativeTo",
    "Section",
    "Severity",
    "Status",
]

SCHEMA_VERSION = 8

Section = Literal["inclusion", "exclusion", "unknown"]
Severity = Literal["error", "warning", "info"]
Status = Literal["accepted", "needs_review", "rejected"]
ExtractorName = Literal["rules", "llm"]
RelativeTo = Literal["ULN", "LLN"]
NumberReason = Literal[
    "temporal",
    "staging",
    "edition",
    "list-number",
    "reference",
    "date",
    "dose",
    "grade",
    "count",
    "other",
]
"""Why a number read in a criterion is not a constraint (an extractor's note; the
context rules of ``data/patterns.toml`` name one each)."""
DecisionAction = Literal["accept", "correct", "reject", "add", "not_a_constraint"]

Span = tuple[int, int]


class _Model(BaseModel):
    # a non-finite float is written as a string ("NaN"), never silently as null: the
    # CLI's writer (``cli.document_json``) sees it and refuses it
    model_config = ConfigDict(extra="forbid", ser_json_inf_nan="strings")


class Bound(_Model):
    """One end of an interval: ``>= x`` is ``Bound(value=x, inclusive=True)``."""

    value: float
    inclusive: bool


class Canonical(_Model):
    """Bounds converted to the variable's canonical unit."""

    lower: float | None
    upper: float | None
    unit: str | None


def _check_span(span: Span) -> Span:
    start, end = span
    if start < 0 or end < start:
        raise ValueError(f"span [{start}, {end}) is not a valid [start, end) pair")
    return span


class Decision(_Model):
    """A curator's decision on a constraint or criterion (documents read from a store)."""

    action: DecisionAction
    curator: str
    at: str = Field(description="When it was decided, ISO 8601 UTC.")
    note: str | None = None
    suggested_by: str | None = Field(
        default=None, description="The extractor whose suggestion the curator took, if any."
    )
    evidence: Span | None = Field(
        default=None, description="not_a_constraint: the number's [start, end) in the input."
    )
    stale: bool = Field(
        default=False,
        description="The decision no longer matches what was read (shown, never applied).",
    )
    id: int | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="The decision's id in the store (to undo or change it).",
    )
    version: int | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="The decision's version in the store (optimistic locking).",
    )
    evidence_text: str | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="The evidence text decided on (null for the whole criterion).",
    )
    was: Constraint | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="The constraint as read when decided (correct, and stale decisions).",
    )
    constraint: Constraint | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="Stale correct or add: the constraint the curator wrote.",
    )
    criterion_text: str | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="Stale: the criterion text the decision was made on, when it changed.",
    )


class Constraint(_Model):
    """A numeric condition stated by a criterion, as the criterion says it."""

    variable: str = Field(description="Variable id from the catalog, or 'other'.")
    label: str = Field(description="The variable's name as a person would read it.")
    lower: Bound | None = None
    upper: Bound | None = None
    unit: str | None = Field(default=None, description="Unit as stated, as a UCUM code.")
    relative_to: RelativeTo | None = None
    qualifier: str | None = None
    canonical: Canonical | None = None
    evidence: Span = Field(description="[start, end) offsets into the input document.")
    extracted_by: list[ExtractorName] = Field(default_factory=list)
    decided_by: Decision | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="A curator's decision on this constraint (curated documents only).",
    )

    @model_validator(mode="after")
    def _valid_evidence(self) -> Constraint:
        _check_span(self.evidence)
        return self


class Finding(_Model):
    """Why a criterion or constraint is not simply accepted."""

    code: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    severity: Severity
    constraint: int | None = Field(
        default=None, description="Index into the criterion's constraints, or null."
    )
    message: str


class Criterion(_Model):
    """One inclusion or exclusion criterion with its constraints and verdict."""

    id: str
    section: Section
    text: str
    span: Span
    constraints: list[Constraint] = Field(default_factory=list)
    any_of: bool = Field(
        default=False,
        exclude_if=lambda v: not v,
        description=(
            "An inclusion criterion met by any one of its unqualified constraints, not by "
            "all of them ('creatinine < 2.0 mg/dL, or creatinine clearance > 40 mL/min'); "
            "omitted when false (schema 8)."
        ),
    )
    alternative: str | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description=(
            "With any_of: an alternative the text gives after the limits that no constraint "
            "reads ('HbA1c >= 8.0% or diagnosed with T2D and taking diabetes medication'); "
            "omitted when null (schema 8)."
        ),
    )
    status: Status = "accepted"
    findings: list[Finding] = Field(default_factory=list)
    decisions: list[Decision] = Field(
        default_factory=list,
        exclude_if=lambda v: not v,
        description="Criterion-level curator decisions (curated documents only).",
    )

    @model_validator(mode="after")
    def _valid_span(self) -> Criterion:
        start, end = _check_span(self.span)
        if end - start != len(self.text):
            raise ValueError(f"span [{start}, {end}) does not have the length of the text")
        return self


class Provenance(_Model):
    """What produced a document: stamped on every output (schema version 2)."""

    normalizer_version: str
    extractor: Literal["rules", "llm", "hybrid"]
    catalog_version: str
    prompt_id: str | None = None
    model: str | None = None


class EligibilityInterval(_Model):
    """A maximal interval of eligible values, in the set's unit; null is unbounded."""

    lower: Bound | None
    upper: Bound | None


class EligibilitySet(_Model):
    """Derived view: the values of one variable that all criteria together allow."""

    variable: str
    unit: str | None
    relative_to: RelativeTo | None = None
    intervals: list[EligibilityInterval]
    empty: bool
    criteria: list[str] = Field(description="Ids of the criteria that bound this variable.")
    origin: Literal["text", "registry"] = Field(
        default="text",
        description="Where the set comes from: the criteria, or the registry's structured "
        "fields when no criterion states the variable (schema version 4).",
    )


class RecordOrigin(_Model):
    """Where a record was read from: a file, and inside it a line, zip member or index."""

    path: str = Field(description="The input file as given, or '-' for standard input.")
    line: int | None = Field(
        default=None, description="1-based line where the record starts (JSON Lines, AACT, CSV)."
    )
    member: str | None = Field(default=None, description="Zip member holding the record.")
    index: int | None = Field(
        default=None, description="0-based index of the study in a search page's 'studies'."
    )


class RegistryFields(_Model):
    """The registry's structured eligibility fields, as the registry states them."""

    minimum_age: str | None = Field(default=None, description="As written, e.g. '18 Years'.")
    maximum_age: str | None = Field(default=None, description="As written, e.g. '65 Years'.")
    sex: Literal["all", "female", "male"] | None = None
    healthy_volunteers: bool | None = None
    std_ages: list[str] = Field(
        default_factory=list, description="ClinicalTrials.gov age groups: CHILD, ADULT, ..."
    )


class RecordInfo(_Model):
    """Which registry record a document is (schema version 3)."""

    id: str = Field(description="Stable record id: the NCT id when known, else the origin.")
    nct_id: str | None = None
    title: str | None = None
    conditions: list[str] = Field(default_factory=list)
    origin: RecordOrigin
    registry: RegistryFields | None = None
    note: str | None = Field(
        default=None, description="What the reader noticed, e.g. a record without criteria text."
    )


class Document(_Model):
    """A normalised registry record."""

    schema_version: int = SCHEMA_VERSION
    source: str
    record: RecordInfo | None = None
    provenance: Provenance | None = None
    criteria: list[Criterion] = Field(default_factory=list)
    eligibility: list[EligibilitySet] = Field(default_factory=list)
    findings: list[Finding] = Field(
        default_factory=list,
        exclude_if=lambda v: not v,
        description="Record-level findings no criterion holds: the registry's fields "
        "against the text (schema version 4).",
    )
    decisions: list[Decision] = Field(
        default_factory=list,
        exclude_if=lambda v: not v,
        description="Stale decisions on criteria this document no longer has (curated only).",
    )


class GoldConstraint(_Model):
    """A constraint as recorded in a gold case (contract section 2)."""

    variable: str
    lower: Bound | None = None
    upper: Bound | None = None
    unit: str | None = None
    relative_to: RelativeTo | None = None
    qualifier: str | None = None
    label: str | None = None


class GoldCase(_Model):
    """One gold criterion: what a careful curator records for ``text``."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
    source: str
    section: Section
    text: str = Field(min_length=1)
    constraints: list[GoldConstraint]
    expect_status: Status | None = None
    notes: str | None = None
    tags: list[str] = Field(default_factory=list)


Decision.model_rebuild()
