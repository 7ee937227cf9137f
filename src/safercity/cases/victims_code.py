"""The Code of Practice for Victims of Crime in England and Wales (the Victims' Code, 2020).

Enhanced Rights (Code, "Enhanced Rights" and Right 1 annex) go to victims of the most serious
crime, persistently targeted victims, and vulnerable or intimidated victims. With them, the
deadlines to tell the victim about key decisions shrink from 5 working days to 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from safercity.platform.workdays import LONDON, working_day_deadline


@dataclass(frozen=True)
class EnhancedRightsAnswers:
    """The questions the report form asks to decide Enhanced Rights."""

    under_18: bool = False
    disability_or_mental_health: bool = False
    fear_or_distress_about_giving_evidence: bool = False
    persistently_targeted: bool = False
    domestic_abuse: bool = False
    hate_crime: bool = False
    sexual_offence: bool = False
    bereaved_by_crime: bool = False


_REASONS: dict[str, str] = {
    "under_18": "Under 18 at the time of the offence (vulnerable victim)",
    "disability_or_mental_health": (
        "Has a mental disorder, a significant impairment of intelligence and social "
        "functioning, or a physical disability (vulnerable victim)"
    ),
    "fear_or_distress_about_giving_evidence": (
        "Fear or distress about giving evidence (intimidated victim)"
    ),
    "persistently_targeted": "Persistently targeted victim",
    "domestic_abuse": "Victim of domestic abuse (victim of the most serious crime)",
    "hate_crime": "Victim of hate crime (victim of the most serious crime)",
    "sexual_offence": "Victim of a sexual offence (victim of the most serious crime)",
    "bereaved_by_crime": "Close relative bereaved by criminal conduct",
}

QUESTIONS: dict[str, str] = {
    "under_18": "Was the victim under 18 when this happened?",
    "disability_or_mental_health": (
        "Does the victim have a disability, a mental health condition or a learning disability?"
    ),
    "fear_or_distress_about_giving_evidence": (
        "Is the victim frightened or distressed about giving evidence?"
    ),
    "persistently_targeted": "Has the victim been targeted repeatedly over a period of time?",
    "domestic_abuse": "Was this done by a partner, ex-partner or family member?",
    "hate_crime": (
        "Do you think it happened because of race, religion, sexuality, disability or "
        "gender identity?"
    ),
    "sexual_offence": "Was this a sexual offence?",
    "bereaved_by_crime": "Has someone close to you died as a result of a crime?",
}


def enhanced_rights_reasons(answers: EnhancedRightsAnswers) -> tuple[str, ...]:
    """Every reason the answers give for Enhanced Rights; empty means standard rights."""
    return tuple(reason for key, reason in _REASONS.items() if getattr(answers, key))


class UpdateEvent(StrEnum):
    """Events in a case that give the victim the right to be told (Victims' Code, Rights 6-7)."""

    ARRESTED = "arrested"
    INTERVIEWED = "interviewed"
    CHARGED = "charged"
    BAILED = "bailed"
    RELEASED_UNDER_INVESTIGATION = "released_under_investigation"
    NO_FURTHER_ACTION = "no_further_action"
    NOT_A_CRIME = "not_a_crime"
    NOT_INVESTIGATED = "not_investigated"
    INVESTIGATION_ENDED = "investigation_ended"
    HEARING_LISTED = "hearing_listed"
    COURT_RESULT = "court_result"

    @property
    def label(self) -> str:
        return _EVENT_LABELS[self]


_EVENT_LABELS: dict[UpdateEvent, str] = {
    UpdateEvent.ARRESTED: "Suspect arrested",
    UpdateEvent.INTERVIEWED: "Suspect interviewed under caution",
    UpdateEvent.CHARGED: "Suspect charged",
    UpdateEvent.BAILED: "Suspect released on bail",
    UpdateEvent.RELEASED_UNDER_INVESTIGATION: "Suspect released under investigation",
    UpdateEvent.NO_FURTHER_ACTION: "No further action against a suspect",
    UpdateEvent.NOT_A_CRIME: "Not recorded as a crime",
    UpdateEvent.NOT_INVESTIGATED: "Decision not to investigate",
    UpdateEvent.INVESTIGATION_ENDED: "Investigation ended",
    UpdateEvent.HEARING_LISTED: "Court hearing listed",
    UpdateEvent.COURT_RESULT: "Court result",
}

# Right 6: police decisions about a suspect or the investigation, within 5 working days, or 1
# working day for victims entitled to Enhanced Rights.
_DECISIONS = frozenset(UpdateEvent) - {UpdateEvent.HEARING_LISTED, UpdateEvent.COURT_RESULT}
STANDARD_WORKING_DAYS = 5
ENHANCED_WORKING_DAYS = 1
# Right 7 (via the Witness Care Unit): a hearing's date, time and place, and the court's result,
# within 1 working day for every victim.
COURT_WORKING_DAYS = 1


def working_days_to_tell(event: UpdateEvent, enhanced_rights: bool) -> int:
    """How many working days the Code allows to tell the victim about this event."""
    if event in _DECISIONS:
        return ENHANCED_WORKING_DAYS if enhanced_rights else STANDARD_WORKING_DAYS
    return COURT_WORKING_DAYS


def update_deadline(event: UpdateEvent, event_at: datetime, enhanced_rights: bool) -> datetime:
    """The end of the last working day (London time) on which the victim may be told in time."""
    return working_day_deadline(event_at, working_days_to_tell(event, enhanced_rights))


def sent_on_time(sent_at: datetime | None, due_at: datetime) -> bool:
    return sent_at is not None and sent_at <= due_at


@dataclass(frozen=True)
class UpdateFacts:
    """What the victim may be told about an event: never a suspect's name or a staff note."""

    reason: str | None = None
    bail_return: date | None = None
    prosecutor: str | None = None
    hearing_at: datetime | None = None
    court: str | None = None
    place: str | None = None
    result: str | None = None


def _when(at: datetime) -> str:
    local = at.astimezone(LONDON)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M}"


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def update_text(event: UpdateEvent, facts: UpdateFacts) -> str:
    """The victim-facing words for an update, in plain English."""
    reason = f" The reason: {facts.reason}" if facts.reason else ""
    texts = {
        UpdateEvent.ARRESTED: "A suspect has been arrested.",
        UpdateEvent.INTERVIEWED: "A suspect has been interviewed under caution.",
        UpdateEvent.CHARGED: (
            "A suspect has been charged. The case file has gone to "
            f"{facts.prosecutor or 'the prosecutor'}, who will review it before court."
        ),
        UpdateEvent.BAILED: (
            "A suspect has been released on police bail"
            + (f" until {_day(facts.bail_return)}." if facts.bail_return else ".")
            + " Bail can come with conditions, such as not contacting you."
        ),
        UpdateEvent.RELEASED_UNDER_INVESTIGATION: (
            "A suspect has been released while the investigation continues (released under "
            "investigation). There are no bail conditions."
        ),
        UpdateEvent.NO_FURTHER_ACTION: (
            "The police have decided to take no further action against a suspect." + reason
        ),
        UpdateEvent.NOT_A_CRIME: "Your report has not been recorded as a crime." + reason,
        UpdateEvent.NOT_INVESTIGATED: (
            "Your report has been recorded as a crime, but it will not be investigated further "
            "at this time." + reason
        ),
        UpdateEvent.INVESTIGATION_ENDED: "The investigation has ended." + reason,
        UpdateEvent.HEARING_LISTED: (
            f"A court hearing has been listed for {_when(facts.hearing_at)}"
            if facts.hearing_at
            else "A court hearing has been listed"
        )
        + f" at {facts.court or 'the court'}"
        + (f", {facts.place}." if facts.place else "."),
        UpdateEvent.COURT_RESULT: f"The court's result: {facts.result or 'recorded'}.",
    }
    return texts[event]


def right_to_review_note(event: UpdateEvent) -> str:
    """Right 5: a victim told of a decision not to charge or to end a case may ask for a review."""
    if event in (
        UpdateEvent.NO_FURTHER_ACTION,
        UpdateEvent.INVESTIGATION_ENDED,
        UpdateEvent.NOT_INVESTIGATED,
    ):
        return (
            " You can ask for this decision to be reviewed under the Victims' Right to "
            "Review scheme: reply to this message or contact the officer in the case."
        )
    return ""
