"""Safeguarding risk assessments: the domestic-abuse DASH checklist and missing-person risk.

These are the shared risk judgements of a multi-agency safeguarding hub. The model is pure: it
reads nothing but the bundled DASH question list and reads no clock; every date is given.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from safercity.platform.errors import FieldError, InvalidInput

DASH_QUESTIONS_FILE = "dash_questions.json"
DASH_QUESTION_COUNT = 27
# SafeLives Marac referral criteria (see the "source" of dash_questions.json).
VISIBLE_HIGH_RISK_YES = 14
POTENTIAL_ESCALATION_INCIDENTS = 3
REPEAT_WINDOW_YEARS = 1
# Assumption: SafeLives defines only "high"; 10 to 13 "yes" as medium is common local practice.
MEDIUM_RISK_YES = 10


class Answer(StrEnum):
    """An answer to one DASH question; "not known" is not a yes and prompts further enquiry."""

    YES = "yes"
    NO = "no"
    NOT_KNOWN = "not_known"


class _Level(StrEnum):
    """A risk level with its order, label and colour; subclasses list the levels, lowest first."""

    @property
    def rank(self) -> int:
        return list(type(self)).index(self)

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self.value][0]

    @property
    def colour(self) -> str:
        return _LEVEL_LABELS[self.value][1]


class DashLevel(_Level):
    """The victim's risk of serious harm or homicide, as the DASH checklist grades it."""

    STANDARD = "standard"
    MEDIUM = "medium"
    HIGH = "high"


class MissingLevel(_Level):
    """A missing person's risk of harm: College of Policing APP, Missing persons."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


# GOV.UK tag palette, as in the other vocabularies, so badges read the same everywhere.
_LEVEL_LABELS: dict[str, tuple[str, str]] = {
    "standard": ("Standard risk", "#00703c"),
    "low": ("Low risk", "#00703c"),
    "medium": ("Medium risk", "#f47738"),
    "high": ("High risk", "#d4351c"),
}


class MaracReason(StrEnum):
    """Why a case goes to a Marac (multi-agency risk assessment conference): SafeLives criteria."""

    VISIBLE_HIGH_RISK = "visible_high_risk"
    PROFESSIONAL_JUDGEMENT = "professional_judgement"
    POTENTIAL_ESCALATION = "potential_escalation"
    REPEAT = "repeat"

    @property
    def label(self) -> str:
        return _MARAC_LABELS[self]


_MARAC_LABELS: dict[MaracReason, str] = {
    MaracReason.VISIBLE_HIGH_RISK: f"visible high risk: {VISIBLE_HIGH_RISK_YES} or more 'yes'",
    MaracReason.PROFESSIONAL_JUDGEMENT: "professional judgement of high risk",
    MaracReason.POTENTIAL_ESCALATION: (
        f"potential escalation: {POTENTIAL_ESCALATION_INCIDENTS} or more police-recorded "
        "incidents in 12 months"
    ),
    MaracReason.REPEAT: "repeat: a new incident within 12 months of the last Marac referral",
}


@dataclass(frozen=True)
class DashQuestion:
    """One question of the checklist, in our own short words."""

    number: int
    topic: str
    text: str


@dataclass(frozen=True)
class DashChecklist:
    """The 27 DASH questions by number, with the source they and the thresholds come from."""

    source: str
    questions: Mapping[int, DashQuestion]


@cache
def load_dash_checklist() -> DashChecklist:
    """The checklist bundled with the package; read once, on first use, never at import."""
    text = resources.files(__package__).joinpath("data", DASH_QUESTIONS_FILE)
    return dash_checklist_from_dict(json.loads(text.read_text(encoding="utf-8")))


def dash_checklist_from_dict(data: Mapping[str, Any]) -> DashChecklist:
    """A checked checklist: exactly the numbers 1 to 27, each once; ValueError otherwise."""
    questions: dict[int, DashQuestion] = {}
    for entry in data["questions"]:
        question = DashQuestion(int(entry["number"]), str(entry["topic"]), str(entry["text"]))
        if question.number in questions:
            raise ValueError(f"DASH question {question.number} is listed twice")
        questions[question.number] = question
    if set(questions) != set(range(1, DASH_QUESTION_COUNT + 1)):
        raise ValueError(f"the DASH checklist must number its questions 1 to {DASH_QUESTION_COUNT}")
    return DashChecklist(str(data["source"]), dict(sorted(questions.items())))


@dataclass(frozen=True)
class DashAssessment:
    """One completed DASH checklist for a victim, with what the Marac criteria also need.

    `incident_on` is the incident that prompted the assessment (the assessment's own date when
    not given); `incidents_last_12_months` counts police-recorded domestic-abuse incidents.
    """

    assessed_by: str
    assessed_at: datetime
    answers: Mapping[int, Answer]
    professional_judgement: bool = False
    judgement_reason: str = ""
    incidents_last_12_months: int = 0
    last_marac_referral: date | None = None
    incident_on: date | None = None

    @property
    def incident_date(self) -> date:
        return self.incident_on or self.assessed_at.date()


@dataclass(frozen=True)
class DashResult:
    """The checklist's outcome: the risk level and whether, and why, the case goes to Marac."""

    yes_count: int
    level: DashLevel
    marac_reasons: tuple[MaracReason, ...]
    not_known: tuple[int, ...] = ()

    @property
    def marac_required(self) -> bool:
        return bool(self.marac_reasons)


def assess(assessment: DashAssessment, checklist: DashChecklist | None = None) -> DashResult:
    """Grade a DASH checklist and apply the SafeLives Marac referral criteria.

    14 or more "yes" is visible high risk; professional judgement raises any score to high.
    Below that, 10 to 13 is medium (an assumption, see MEDIUM_RISK_YES) and fewer is standard.
    A case goes to Marac at high risk, on potential escalation, or as a repeat, whatever its
    level: the criteria are independent, and every one that applies is given as a reason.
    """
    checklist = checklist or load_dash_checklist()
    _check_assessment(assessment, checklist)
    answers = assessment.answers
    yes_count = sum(1 for answer in answers.values() if answer is Answer.YES)
    not_known = tuple(sorted(n for n, a in answers.items() if a is Answer.NOT_KNOWN))
    reasons: list[MaracReason] = []
    if yes_count >= VISIBLE_HIGH_RISK_YES:
        reasons.append(MaracReason.VISIBLE_HIGH_RISK)
    if assessment.professional_judgement:
        reasons.append(MaracReason.PROFESSIONAL_JUDGEMENT)
    if assessment.incidents_last_12_months >= POTENTIAL_ESCALATION_INCIDENTS:
        reasons.append(MaracReason.POTENTIAL_ESCALATION)
    if _is_repeat(assessment):
        reasons.append(MaracReason.REPEAT)
    return DashResult(yes_count, _dash_level(yes_count, assessment), tuple(reasons), not_known)


def _dash_level(yes_count: int, assessment: DashAssessment) -> DashLevel:
    if yes_count >= VISIBLE_HIGH_RISK_YES or assessment.professional_judgement:
        return DashLevel.HIGH
    return DashLevel.MEDIUM if yes_count >= MEDIUM_RISK_YES else DashLevel.STANDARD


def _is_repeat(assessment: DashAssessment) -> bool:
    # SafeLives: a repeat case is one referred before, with a further incident at some point in
    # the 12 months from the date of the last referral (that anniversary still counts).
    last = assessment.last_marac_referral
    return last is not None and assessment.incident_date <= _add_years(last, REPEAT_WINDOW_YEARS)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February: a year on is 28 February
        return day.replace(year=day.year + years, day=28)


def _check_assessment(assessment: DashAssessment, checklist: DashChecklist) -> None:
    errors = [
        FieldError(f"question_{n}", f"there is no DASH question {n}")
        for n in sorted(set(assessment.answers) - set(checklist.questions))
    ]
    missing = [n for n in checklist.questions if n not in assessment.answers]
    errors += [FieldError(f"question_{n}", "answer yes, no or not known") for n in missing]
    errors += [
        FieldError(f"question_{n}", "answer yes, no or not known")
        for n, a in assessment.answers.items()
        if n in checklist.questions and not isinstance(a, Answer)
    ]
    errors += _check_context(assessment)
    if errors:
        names = ", ".join(e.field for e in errors)
        raise InvalidInput(f"The DASH assessment is incomplete or invalid: {names}", errors)


def _check_context(assessment: DashAssessment) -> list[FieldError]:
    errors: list[FieldError] = []
    if not assessment.assessed_by.strip():
        errors.append(FieldError("assessed_by", "name who completed the checklist"))
    # A Marac needs the practitioner's grounds, so a bare "judged high" is not accepted.
    if assessment.professional_judgement and not assessment.judgement_reason.strip():
        errors.append(FieldError("judgement_reason", "say why you judge the risk high"))
    if assessment.incidents_last_12_months < 0:
        errors.append(FieldError("incidents_last_12_months", "cannot be negative"))
    last = assessment.last_marac_referral
    if last is not None and last > assessment.incident_date:
        errors.append(FieldError("last_marac_referral", "is after the incident assessed"))
    return errors


@dataclass(frozen=True)
class DashHistory:
    """A victim's DASH assessments, oldest first: risk is dynamic and is reassessed after events."""

    assessments: tuple[DashAssessment, ...] = ()

    def __post_init__(self) -> None:
        times = [a.assessed_at for a in self.assessments]
        if times != sorted(times):
            raise InvalidInput(
                "DASH assessments must be in time order",
                [FieldError("assessments", "oldest first")],
            )

    def add(self, assessment: DashAssessment) -> DashHistory:
        """The history with `assessment` as the latest; InvalidInput if it is older."""
        return DashHistory((*self.assessments, assessment))


@dataclass(frozen=True)
class DashTrend:
    """The latest DASH result against the one before it."""

    latest: DashResult
    previous: DashResult | None

    @property
    def risk_increased(self) -> bool:
        """Whether the level went up: the prompt to review the safety plan or re-refer."""
        return self.previous is not None and self.latest.level.rank > self.previous.level.rank


def dash_trend(history: DashHistory, checklist: DashChecklist | None = None) -> DashTrend:
    """The latest result of `history` and the previous one; InvalidInput if it is empty."""
    if not history.assessments:
        raise InvalidInput(
            "No DASH assessment yet", [FieldError("assessments", "add an assessment first")]
        )
    latest = assess(history.assessments[-1], checklist)
    previous = assess(history.assessments[-2], checklist) if len(history.assessments) > 1 else None
    return DashTrend(latest, previous)


MISSING_SOURCE = (
    "College of Policing, Authorised Professional Practice: Missing persons (risk "
    "identification, assessment and management). High: risk of serious harm very likely; "
    "medium: harm likely but not serious; low: harm possible but minimal."
)
YOUNG_CHILD_AGE = 12  # assumption: a child this young cannot keep safe alone; not an APP figure
ADULT_AGE = 18
REPEAT_MISSING_EPISODES = 3  # assumption: a local "repeat missing" threshold, not an APP figure


@dataclass(frozen=True)
class MissingAssessment:
    """A supervisor's risk assessment of a person reported missing.

    `vulnerable` covers an adult whose illness, disability or dementia affects their safety or
    decisions; `exploitation` any sign of sexual or criminal exploitation or trafficking;
    `previous_episodes` how often they have been missing before (0: the first time).
    """

    assessed_by: str
    assessed_at: datetime
    age: int
    vulnerable: bool = False
    mental_health_crisis: bool = False
    risk_of_harm_to_self: bool = False
    risk_of_harm_to_others: bool = False
    exploitation: bool = False
    previous_episodes: int = 0

    @property
    def child(self) -> bool:
        return self.age < ADULT_AGE


@dataclass(frozen=True)
class MissingRule:
    """If `when` holds, the risk is at least `level`, for `reason`."""

    level: MissingLevel
    reason: str
    when: Callable[[MissingAssessment], bool] = field(compare=False)


# The rules are data: each factor the APP lists that is present raises the level to its own.
MISSING_RULES: tuple[MissingRule, ...] = (
    MissingRule(MissingLevel.HIGH, "in a mental-health crisis", lambda a: a.mental_health_crisis),
    MissingRule(
        MissingLevel.HIGH, "at risk of serious harm to self", lambda a: a.risk_of_harm_to_self
    ),
    MissingRule(
        MissingLevel.HIGH, "a risk of serious harm to others", lambda a: a.risk_of_harm_to_others
    ),
    MissingRule(
        MissingLevel.HIGH,
        "a child or vulnerable adult at risk of exploitation",
        lambda a: a.exploitation and (a.child or a.vulnerable),
    ),
    MissingRule(
        MissingLevel.HIGH,
        f"a young child (under {YOUNG_CHILD_AGE})",
        lambda a: a.age < YOUNG_CHILD_AGE,
    ),
    MissingRule(MissingLevel.MEDIUM, f"a child (under {ADULT_AGE})", lambda a: a.child),
    MissingRule(MissingLevel.MEDIUM, "a vulnerable adult", lambda a: a.vulnerable),
    MissingRule(MissingLevel.MEDIUM, "at risk of exploitation", lambda a: a.exploitation),
    MissingRule(
        MissingLevel.MEDIUM,
        "missing for the first time: out of character",
        lambda a: a.previous_episodes == 0,
    ),
    MissingRule(
        MissingLevel.MEDIUM,
        "a repeat missing child: repeat episodes are a sign of exploitation",
        lambda a: a.child and a.previous_episodes >= REPEAT_MISSING_EPISODES,
    ),
)
LOW_REASON = "an adult with no risk factors, who has been missing before and returned"


@dataclass(frozen=True)
class MissingRisk:
    """The missing person's risk level and every factor that set it, the highest first."""

    level: MissingLevel
    reasons: tuple[str, ...]


def grade_missing(
    assessment: MissingAssessment, rules: tuple[MissingRule, ...] = MISSING_RULES
) -> MissingRisk:
    """The highest level of every rule that applies, with their reasons; low if none does.

    Assumptions: the APP's "very low" (formerly "no apparent risk") is folded into low; a
    repeat episode never lowers risk by itself (the APP warns against assuming it is safe).
    """
    _check_missing(assessment)
    matched = sorted((rule for rule in rules if rule.when(assessment)), key=lambda r: -r.level.rank)
    if not matched:
        return MissingRisk(MissingLevel.LOW, (LOW_REASON,))
    return MissingRisk(matched[0].level, tuple(rule.reason for rule in matched))


def _check_missing(assessment: MissingAssessment) -> None:
    errors: list[FieldError] = []
    if not assessment.assessed_by.strip():
        errors.append(FieldError("assessed_by", "name who made the assessment"))
    if not 0 <= assessment.age <= 130:
        errors.append(FieldError("age", "give an age from 0 to 130"))
    if assessment.previous_episodes < 0:
        errors.append(FieldError("previous_episodes", "cannot be negative"))
    if errors:
        names = ", ".join(e.field for e in errors)
        raise InvalidInput(f"The missing-person assessment is invalid: {names}", errors)
