"""Whose limit it is, and when it applies: the scope a plain limit must have to be accepted.

A limit read right can still be wrong to accept as a plain limit on the patient:

- an **age of someone else** ("Household ... contact(s) under the age of 12 months",
  "whose mothers are under the age of 18 years", "from a donor > 70 years of age");
- an **age of an event** ("Major surgery no older than 30 days", "≥1 and ≤6 months
  after myocardial infarction"): a time since it, not the patient's age;
- an exclusion's age limit **narrowed by a clause or subject** ("Women older than 35
  years who smoke"): as a plain limit it would exclude every older patient;
- any limit inside a **conditional note** ("(Note: Patients with a serum creatinine
  ≥ 1.4 and ≤ 2.0 mg/dL must demonstrate a creatinine clearance ≥ 50 mL/min)"): the
  condition is not a limit and the consequence applies only under it;
- any limit under a **negation** ("No disease that would limit life expectancy to less
  than 6 months", "Patients without ECOG > 2"): the criterion rules it out, so the limit
  as written reads the wrong way round;
- any limit of a criterion that **describes rather than requires** ("Retinoblastoma is
  rarely seen in children over 8 years old, however we will not include an upper age
  range").

Verification cannot confirm such a limit, so it says so (``scope-unclear``, a warning)
unless the constraint already carries a ``qualifier`` (then ``qualified`` says it).
The words are data: ``data/scope.toml``, with the examples a test runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict

from ..data_files import data_toml
from ..models import Constraint, Criterion, Finding, Section
from ..patterns import load_patterns
from ..phrases import words_regex
from ..reader import load_reader
from .codes import finding
from .describe import quote
from .scan import Scan

__all__ = ["ScopeData", "ScopeExample", "load_scope", "scope_findings"]

_DIGIT = re.compile(r"\d")


class ScopeExample(BaseModel):
    """Real corpus text the scope checks must (``flag``) or must not flag."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    section: Section
    flag: bool


class ScopeData(BaseModel):
    """``data/scope.toml``: the words read for whose limit it is and when it applies."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    others: list[str]
    other_patterns: list[str]
    persons: list[str]
    age_words: list[str]
    event_after: list[str]
    event_ages: list[str]
    dated_things: list[str]
    near_breaks: str
    scope_leads: list[str]
    scoped_subjects: list[str]
    both_sexes: str
    age_tail: str
    conditionals: list[str]
    negations: list[str]
    narratives: list[str]
    examples: list[ScopeExample]


_EVENT_OF = (
    r"(?:the\s+time\s+of\s+)?(?:(?:the|their|his|her|first|initial)\s+)?(?:[\w'-]+\s+){0,3}?"
)
"""What may stand between "at" and the event: "at the time of (first) diagnosis", "at
migraine onset"."""


def _words(words: list[str]) -> str:
    return r"(?<![\w-])(?:" + words_regex(words) + r")(?![\w-])"


@dataclass(frozen=True)
class _Scope:
    others: re.Pattern[str]
    other_patterns: tuple[re.Pattern[str], ...]
    persons: re.Pattern[str]
    age_words: re.Pattern[str]
    event_after: re.Pattern[str]
    event_age_lead: re.Pattern[str]
    event_age_tail: re.Pattern[str]
    dated_things: re.Pattern[str]
    near_breaks: re.Pattern[str]
    scope_lead: re.Pattern[str]
    scoped_subjects: re.Pattern[str]
    both_sexes: re.Pattern[str]
    conditionals: tuple[re.Pattern[str], ...]
    negations: tuple[re.Pattern[str], ...]
    narratives: tuple[re.Pattern[str], ...]
    content: re.Pattern[str]
    stop: frozenset[str]


@cache
def load_scope() -> ScopeData:
    """The packaged ``data/scope.toml``, validated (cached)."""
    return ScopeData.model_validate(data_toml("scope.toml"))


@cache
def _compiled() -> _Scope:
    data = load_scope()
    patterns = load_patterns()
    persons = [*patterns.person_nouns, *data.persons]
    return _Scope(
        others=re.compile(_words(data.others), re.I),
        other_patterns=tuple(re.compile(p) for p in data.other_patterns),
        persons=re.compile(_words(persons), re.I),
        age_words=re.compile(_words(data.age_words), re.I),
        event_after=re.compile(
            r"(?:\s*(?:and|or|to|-)?\s*[<>≤≥=]*\s*\d+(?:[.,]\d+)?)?\s*"
            r"(?:years?|yrs?|months?|mos?|weeks?|wks?|days?|hours?|hrs?)?\s*(?:"
            + _words(data.event_after) + ")",
            re.I,
        ),
        # "Age at diagnosis 18 years or older", "diagnosed with diabetes at age < 10"
        event_age_lead=re.compile(
            r"\b(?:age|aged)\s+at\s+" + _EVENT_OF + _words(data.event_ages)
            + r"|" + _words(data.event_ages) + r"[^;.]{0,60}?\bat\s+(?:the\s+)?age\b",
            re.I,
        ),
        # "older than 50 years of age at migraine onset", "... at the time of diagnosis"
        event_age_tail=re.compile(
            r"(?:\s|,|\bof\s+age\b|\bold\b|\byears?\b|\byrs?\b|\bmonths?\b)*"
            r"\bat\s+" + _EVENT_OF + _words(data.event_ages),
            re.I,
        ),
        dated_things=re.compile(_words(data.dated_things) + r"\s*$", re.I),
        near_breaks=re.compile(data.near_breaks, re.I),
        scope_lead=re.compile(
            data.age_tail + r"(?:years?|yrs?|months?|weeks?|days?)?" + data.age_tail
            + r"(?:" + _words(data.scope_leads) + ")",
            re.I,
        ),
        scoped_subjects=re.compile(_words(data.scoped_subjects), re.I),
        both_sexes=re.compile(data.both_sexes),
        conditionals=tuple(re.compile(p) for p in data.conditionals),
        negations=tuple(re.compile(p) for p in data.negations),
        narratives=tuple(re.compile(p) for p in data.narratives),
        content=re.compile(r"[A-Za-z][A-Za-z'-]+"),
        stop=frozenset(w.lower() for w in (*patterns.fillers, *patterns.label_stop)),
    )


def _bracket_end(view: str, pos: int) -> int:
    """End of the bracket holding ``pos`` (its ')'), else the end of the view."""
    depth = 0
    for i in range(pos, len(view)):
        if view[i] == "(":
            depth += 1
        elif view[i] == ")":
            if depth == 0:
                return i
            depth -= 1
    return len(view)


def _conditional(view: str, sc: Scan, start: int) -> str | None:
    """The conditional note whose reach holds ``start``, if any."""
    s = _compiled()
    lead = sc.clause_start(start)
    for pattern in s.conditionals:
        for m in pattern.finditer(view, lead, sc.clause_end(start)):
            if m.start() > start:
                break
            reach = min(_bracket_end(view, m.start()), sc.clause_end(m.start()))
            if start < reach:
                return view[m.start() : m.end()]
    return None


def _negation(view: str, sc: Scan, start: int) -> str | None:
    """The negation whose reach (to the next near break of its clause) holds ``start``."""
    s = _compiled()
    lead = sc.clause_start(start)
    for pattern in s.negations:
        for m in pattern.finditer(view, lead, start):
            stop = s.near_breaks.search(view, m.end(), start)
            if stop is None:
                return view[m.start() : m.end()]
    return None


def _first_digit(text: str) -> int:
    """Where the first digit of ``text`` is (its length when none)."""
    found = _DIGIT.search(text)
    return found.start() if found else len(text)


_LIMIT_NEXT = re.compile(r"\s*(?:[<>≤≥=]|\d)")


def _condition_after(view: str, end: int) -> re.Match[str] | None:
    """The condition written right after a limit, unless it leads the next limit instead.

    "ALT ≤ 2.5 x ULN (in case of liver metastases < 5 x ULN)": the condition is the
    second limit's; the first needs no qualifier.
    """
    found = load_reader().condition.match(view, end)
    if found is None or _LIMIT_NEXT.match(view, found.end()):
        return None
    return found


def _someone_else(lead: str) -> bool:
    """Whether the last person named in ``lead`` (the words before a limit) is not the patient."""
    s = _compiled()
    last_other = max((m.end() for m in s.others.finditer(lead)), default=-1)
    for pattern in s.other_patterns:
        last_other = max([last_other, *(m.end() for m in pattern.finditer(lead))])
    last_person = max((m.end() for m in s.persons.finditer(lead)), default=-1)
    return last_other >= 0 and last_other >= last_person


def _lead(sc: Scan, start: int) -> str:
    """The words leading into a limit at ``start``: since its clause or the limit before."""
    before = [q.after for q in sc.quantities if q.after <= start]
    return sc.view[max([sc.clause_start(start), *before]) : start]


def _near(lead: str) -> str:
    """``lead`` from its last comma, colon, bracket, 'and' or 'or': the limit's subject."""
    return lead[max((m.end() for m in _compiled().near_breaks.finditer(lead)), default=0) :]


def _measure_scope(sc: Scan, start: int) -> str | None:
    """Why a limit at ``start`` is not plainly the patient's ("Donor weight > 50 kg").

    The subject only: "Women whose partner is infertile, with BMI 18-30" is the women's.
    """
    if _someone_else(_near(_lead(sc, start))):
        return "a limit on someone other than the patient"
    return None


def _age_scope(crit: Criterion, sc: Scan, start: int, end: int) -> str | None:
    """Why an age limit at ``[start, end)`` is not plainly the patient's, if it is not."""
    s = _compiled()
    view = sc.view
    lead = _lead(sc, start)
    evidence = view[start:end]
    if _someone_else(lead):
        return "the age of someone other than the patient"
    # the age the patient had at an event: named in the clause up to the limit's number
    # ("type 1 diabetes" holds a number of its own), or right after the limit
    upto = start + _first_digit(evidence)
    event = s.event_age_lead.search(view, sc.clause_start(start), upto) or s.event_age_tail.match(
        view, end
    )
    if event is not None:
        said = quote(event.group().strip(), 40)
        return f"the age at an event ({said}), not the patient's age now"
    aged = s.age_words.search(lead) or s.age_words.search(evidence)
    near = _near(lead)
    words = [w for w in s.content.findall(near) if w.lower() not in s.stop]
    if not aged:
        if s.event_after.match(view, end):
            return "a time since or before an event, not the patient's age"
        whole = view[sc.clause_start(start) : start]
        if words and not s.persons.search(whole):
            return f"the age of {quote(' '.join(words))}, not of the patient"
    elif (
        s.dated_things.search(near)
        and not s.age_words.search(lead)
        and not s.age_words.search(evidence, 0, _first_digit(evidence))
    ):
        # "years old" after the value says how old the thing named right before the
        # limit is ("acute coronary artery disease less than 2 years old")
        return f"the age of {quote(' '.join(words))}, not of the patient"
    if crit.section == "exclusion":
        tail = view[end : sc.clause_end(end)]
        if s.scope_lead.match(tail):
            return "an exclusion narrowed by the clause after it, not a plain age limit"
        if s.scoped_subjects.search(near) and not s.both_sexes.search(lead):
            return "an exclusion for some patients only, not a plain age limit"
    return None


def scope_findings(c: Constraint, k: int, crit: Criterion, sc: Scan) -> list[Finding]:
    """``scope-unclear`` when constraint ``k`` cannot be confirmed as a plain limit."""
    if c.qualifier:
        return []
    base = crit.span[0]
    start, end = c.evidence[0] - base, c.evidence[1] - base
    note = _conditional(sc.view, sc, start)
    told = next((m for p in _compiled().narratives if (m := p.search(sc.view))), None)
    if told is not None:
        why = f"the criterion describes rather than requires ({quote(told.group(), 40)})"
    elif note is not None:
        why = f"it sits in a conditional note ({quote(note, 60)})"
    elif (condition := _condition_after(sc.view, end)) is not None:
        why = f"it applies only {quote(condition.group('condition'), 40)}, and carries no qualifier"
    elif (negated := _negation(sc.view, sc, start)) is not None:
        why = (
            f"a negation governs it ({quote(negated, 30)}): the criterion rules the limit out,"
            " so as written it reads the wrong way round"
        )
    elif c.variable == "age":
        scope = _age_scope(crit, sc, start, end)
        if scope is None:
            return []
        why = f"it reads as {scope}"
    elif (scope := _measure_scope(sc, start)) is not None:
        why = f"it reads as {scope}"
    else:
        return []
    return [
        finding(
            "scope-unclear",
            f"{quote(sc.text[start:end].strip(), 40)} is not confirmed as a plain limit: {why}",
            k,
        )
    ]
