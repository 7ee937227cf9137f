"""The case file's domain types and rules. Pure: no database, no web, no clock reads.

``NewCrimeReport`` and ``VictimView`` are the contract with the reporting capability.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from safercity.cases.vocabulary import CaseStatus, ContactChannel, SuspectAction, SuspectStatus
from safercity.platform.errors import Conflict, FieldError, InvalidInput
from safercity.platform.workdays import working_day_deadline

# Crockford's base32: no I, L, O or U, so a reference read out over the phone is not misheard.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_BITS = 40
# National Crime Recording Standard: decide whether to record a crime within 24 hours of report.
NCRS_RECORDING_WINDOW = timedelta(hours=24)
# Our service standard for the public's messages (not the Code's): read within 2 working days.
MESSAGE_READ_WORKING_DAYS = 2
MESSAGE_READER_PROMISE = (
    "The officer in the case, or their supervisor if they are away, will read this within "
    f"{MESSAGE_READ_WORKING_DAYS} working days"
)


@dataclass(frozen=True)
class VictimDetails:
    name: str
    preferred_channel: ContactChannel
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    # Why the victim has Enhanced Rights under the Victims' Code; empty when they do not.
    enhanced_rights_reasons: tuple[str, ...] = ()

    @property
    def has_enhanced_rights(self) -> bool:
        return bool(self.enhanced_rights_reasons)

    @property
    def contact_address(self) -> str:
        """Where updates go on the preferred channel."""
        if self.preferred_channel is ContactChannel.EMAIL and self.email:
            return self.email
        if self.preferred_channel in (ContactChannel.SMS, ContactChannel.PHONE) and self.phone:
            return self.phone
        return self.address or self.email or self.phone or ""

    @property
    def told_automatically(self) -> bool:
        """Email and text messages go out by themselves; a call or a letter needs a person."""
        return self.preferred_channel in (ContactChannel.EMAIL, ContactChannel.SMS)


@dataclass(frozen=True)
class NewCrimeReport:
    """What the public told us, validated, ready to open a case file from."""

    crime_type: str
    description: str
    occurred_from: datetime
    occurred_to: datetime | None
    location_text: str | None
    latitude: float | None
    longitude: float | None
    borough: str | None
    victim: VictimDetails
    reporter_is_victim: bool = True


@dataclass(frozen=True)
class TimelineEntry:
    """One line of what the victim may see: never evidence, suspects' names or staff notes."""

    at: datetime
    title: str
    detail: str = ""


@dataclass(frozen=True)
class VictimView:
    reference: str
    crime_type: str
    status: str
    status_label: str
    reported_at: datetime
    officer_name: str | None
    officer_contact: str | None
    next_steps: str
    outcome: str | None
    has_enhanced_rights: bool
    timeline: list[TimelineEntry] = field(default_factory=list)


def format_reference(number: int) -> str:
    """A crime reference like SC-7K3M-9Q2D from 40 random bits."""
    if not 0 <= number < 2**REFERENCE_BITS:
        raise ValueError("a reference is made from 40 bits")
    chars = "".join(CROCKFORD[(number >> shift) & 31] for shift in range(35, -1, -5))
    return f"SC-{chars[:4]}-{chars[4:]}"


def message_read_by(sent_at: datetime) -> datetime:
    return working_day_deadline(sent_at, MESSAGE_READ_WORKING_DAYS)


@dataclass(frozen=True)
class RecordingClock:
    """The NCRS 24-hour clock for a report awaiting its recording decision."""

    deadline: datetime
    remaining: timedelta

    @property
    def overdue(self) -> bool:
        return self.remaining < timedelta(0)

    @property
    def label(self) -> str:
        minutes = int(abs(self.remaining).total_seconds() // 60)
        span = f"{minutes // 60} h {minutes % 60:02d} min"
        return f"Overdue by {span}" if self.overdue else f"{span} left"


def recording_clock(reported_at: datetime, now: datetime) -> RecordingClock:
    deadline = reported_at + NCRS_RECORDING_WINDOW
    return RecordingClock(deadline=deadline, remaining=deadline - now)


_NEXT_STEPS: dict[CaseStatus, str] = {
    CaseStatus.REPORTED: (
        "We have your report. Within 24 hours someone will review it and decide whether to "
        "record it as a crime. We will tell you what we decide."
    ),
    CaseStatus.RECORDED: (
        "Your report is recorded as a crime. It will be given to an officer to investigate, and "
        "you will see their name here."
    ),
    CaseStatus.NOT_A_CRIME: (
        "Your report was not recorded as a crime. If you disagree, message us here and a "
        "supervisor will look at it again."
    ),
    CaseStatus.UNDER_INVESTIGATION: (
        "An officer is investigating. We will tell you about any arrest, interview, charge or "
        "decision about a suspect. You can add information or message the officer here."
    ),
    CaseStatus.WITH_PROSECUTOR: (
        "A suspect has been charged and the prosecutor is reviewing the case file. We will "
        "tell you when a court hearing is arranged."
    ),
    CaseStatus.RETURNED_BY_PROSECUTOR: (
        "The prosecutor has asked the police for more work on the case file before court. "
        "The officer is doing it."
    ),
    CaseStatus.AWAITING_COURT: (
        "The case is going to court. We will tell you the date, time and place of each "
        "hearing within 1 working day of it being set, and the result within 1 working day."
    ),
    CaseStatus.CLOSED: (
        "The case is closed. If you want to talk about the outcome, or ask for a decision to "
        "be reviewed, message the officer here. Victim Support can help: call 08 08 16 89 111."
    ),
}


def next_steps(status: CaseStatus) -> str:
    """Plain words for what happens next at each stage, for the victim's tracking page."""
    return _NEXT_STEPS[status]


class CaseStep(StrEnum):
    """What staff do to a case file; each is allowed only from some statuses."""

    RECORD_CRIME = "record_crime"
    RECORD_NOT_A_CRIME = "record_not_a_crime"
    RECORD_NOT_INVESTIGATED = "record_not_investigated"
    ALLOCATE = "allocate"
    INVESTIGATE = "investigate"
    CHARGE = "charge"
    RESUBMIT = "resubmit"
    ACCEPT = "accept"
    RETURN = "return"
    LIST_HEARING = "list_hearing"
    RECORD_RESULT = "record_result"
    POLICE_OUTCOME = "police_outcome"


_INVESTIGATING = frozenset({CaseStatus.UNDER_INVESTIGATION, CaseStatus.RETURNED_BY_PROSECUTOR})

# (statuses the step may start from, status it leaves the case in; None: unchanged)
_STEPS: dict[CaseStep, tuple[frozenset[CaseStatus], CaseStatus | None, str]] = {
    CaseStep.RECORD_CRIME: (
        frozenset({CaseStatus.REPORTED}),
        CaseStatus.RECORDED,
        "Only a new report can get a recording decision.",
    ),
    CaseStep.RECORD_NOT_A_CRIME: (
        frozenset({CaseStatus.REPORTED}),
        CaseStatus.NOT_A_CRIME,
        "Only a new report can get a recording decision.",
    ),
    CaseStep.RECORD_NOT_INVESTIGATED: (
        frozenset({CaseStatus.REPORTED}),
        CaseStatus.CLOSED,
        "Only a new report can get a recording decision.",
    ),
    CaseStep.ALLOCATE: (
        frozenset({CaseStatus.RECORDED}) | _INVESTIGATING,
        CaseStatus.UNDER_INVESTIGATION,
        "A case can be allocated once it is recorded as a crime and until it "
        "goes to the prosecutor.",
    ),
    CaseStep.INVESTIGATE: (
        _INVESTIGATING,
        None,
        "Allocate the case to an officer first; suspects are dealt with while "
        "the case is under investigation.",
    ),
    CaseStep.CHARGE: (
        _INVESTIGATING | {CaseStatus.WITH_PROSECUTOR},
        CaseStatus.WITH_PROSECUTOR,
        "A charge can only be made while the case is being investigated.",
    ),
    CaseStep.RESUBMIT: (
        frozenset({CaseStatus.RETURNED_BY_PROSECUTOR}),
        CaseStatus.WITH_PROSECUTOR,
        "Only a case file the prosecutor returned can be sent back to them.",
    ),
    CaseStep.ACCEPT: (
        frozenset({CaseStatus.WITH_PROSECUTOR}),
        CaseStatus.AWAITING_COURT,
        "Only a case file with the prosecutor can be accepted.",
    ),
    CaseStep.RETURN: (
        frozenset({CaseStatus.WITH_PROSECUTOR}),
        CaseStatus.RETURNED_BY_PROSECUTOR,
        "Only a case file with the prosecutor can be returned.",
    ),
    CaseStep.LIST_HEARING: (
        frozenset({CaseStatus.AWAITING_COURT}),
        None,
        "Hearings are listed once the prosecutor has accepted the case.",
    ),
    CaseStep.RECORD_RESULT: (
        frozenset({CaseStatus.AWAITING_COURT}),
        None,
        "Court results are recorded while the case is going to court.",
    ),
    CaseStep.POLICE_OUTCOME: (
        frozenset({CaseStatus.RECORDED}) | _INVESTIGATING,
        CaseStatus.CLOSED,
        "A police outcome closes a recorded case that is not with the prosecutor or the court.",
    ),
}


def after_step(status: CaseStatus, step: CaseStep) -> CaseStatus:
    """The status a case moves to when ``step`` is taken; Conflict if not allowed now."""
    allowed, to, why = _STEPS[step]
    if status not in allowed:
        raise Conflict(f"Not possible while the case is '{status.label}'. {why}")
    return to or status


def may_take(status: CaseStatus, step: CaseStep) -> bool:
    return status in _STEPS[step][0]


_ACTIONS: dict[SuspectAction, tuple[frozenset[SuspectStatus], SuspectStatus]] = {
    SuspectAction.ARREST: (
        frozenset(
            {
                SuspectStatus.IDENTIFIED,
                SuspectStatus.BAILED,
                SuspectStatus.RELEASED_UNDER_INVESTIGATION,
            }
        ),
        SuspectStatus.ARRESTED,
    ),
    SuspectAction.INTERVIEW: (
        frozenset(
            {
                SuspectStatus.IDENTIFIED,
                SuspectStatus.ARRESTED,
                SuspectStatus.BAILED,
                SuspectStatus.RELEASED_UNDER_INVESTIGATION,
            }
        ),
        SuspectStatus.INTERVIEWED,
    ),
    SuspectAction.BAIL: (
        frozenset({SuspectStatus.ARRESTED, SuspectStatus.INTERVIEWED}),
        SuspectStatus.BAILED,
    ),
    SuspectAction.RELEASE_UNDER_INVESTIGATION: (
        frozenset({SuspectStatus.ARRESTED, SuspectStatus.INTERVIEWED}),
        SuspectStatus.RELEASED_UNDER_INVESTIGATION,
    ),
    SuspectAction.NO_FURTHER_ACTION: (
        frozenset(
            {
                SuspectStatus.IDENTIFIED,
                SuspectStatus.ARRESTED,
                SuspectStatus.INTERVIEWED,
                SuspectStatus.BAILED,
                SuspectStatus.RELEASED_UNDER_INVESTIGATION,
            }
        ),
        SuspectStatus.NO_FURTHER_ACTION,
    ),
}


def suspect_after(status: SuspectStatus, action: SuspectAction) -> SuspectStatus:
    """A suspect's status after an action; Conflict when the action is out of order."""
    allowed, to = _ACTIONS[action]
    if status not in allowed:
        raise Conflict(
            f"A suspect who is '{status.label}' cannot be given '{action.label}'. "
            + (
                "Arrest or interview them first."
                if action in (SuspectAction.BAIL, SuspectAction.RELEASE_UNDER_INVESTIGATION)
                else "Their part in the case is already decided."
            )
        )
    return to


def may_act(status: SuspectStatus, action: SuspectAction) -> bool:
    return status in _ACTIONS[action][0]


def check_chargeable(status: SuspectStatus, interviewed: bool) -> None:
    """A suspect is charged after an interview under caution (PACE Code C 16.1), once."""
    if status in (SuspectStatus.CHARGED, SuspectStatus.NO_FURTHER_ACTION):
        raise Conflict(f"This suspect is already '{status.label}'.")
    if not interviewed:
        raise Conflict("Interview the suspect under caution before charging them.")


def check_text(
    name: str, value: str, *, max_length: int, min_length: int = 1, label: str = "this"
) -> str:
    """Free text, trimmed; InvalidInput naming the field if empty, too long or not plain."""
    text = value.strip()
    problem = None
    if len(text) < min_length:
        problem = f"Write {label} (at least {min_length} character{'s' * (min_length > 1)})."
    elif len(text) > max_length:
        problem = f"Shorten {label} to at most {max_length} characters."
    elif any(ord(c) < 32 and c not in "\n\r\t" for c in text) or "\x7f" in text:
        problem = "Remove control characters from this text."
    if problem:
        raise InvalidInput(problem, [FieldError(name, problem)])
    return text


def check_choice(name: str, value: str, choices: tuple[str, ...], what: str) -> str:
    if value not in choices:
        raise InvalidInput(f"Choose {what} from the list.", [FieldError(name, f"Choose {what}.")])
    return value


def check_date_of_birth(value: date | None, today: date) -> None:
    if value is not None and not (date(today.year - 120, 1, 1) <= value <= today):
        raise InvalidInput(
            "The date of birth is not possible.",
            [FieldError("date_of_birth", "Give a date of birth in the past.")],
        )
