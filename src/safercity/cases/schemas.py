"""The staff case API's request and response schemas, one per direction.

Every request body carries a complete example, so the OpenAPI schema can be tried as it is.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from safercity.cases.casefile import VictimUpdate
from safercity.cases.vocabulary import (
    COURT_OUTCOMES,
    OFFENCE_CLASSIFICATIONS,
    POLICE_OUTCOMES,
    SuspectAction,
)
from safercity.platform.workdays import LONDON


def _plausible(value: Any) -> Any:
    # Keeps dates where calendars and time zones work: year 1 or 9999 with an offset overflows.
    if not 1900 <= value.year <= 2200:
        raise ValueError("give a year between 1900 and 2200")
    return value


PlausibleDate = Annotated[date, AfterValidator(_plausible)]
PlausibleDatetime = Annotated[AwareDatetime, AfterValidator(_plausible)]


def _text(max_length: int) -> Any:
    return Annotated[str, Field(min_length=1, max_length=max_length)]


def _example(example: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [example]})


Offence = Literal[OFFENCE_CLASSIFICATIONS]  # type: ignore[valid-type]
PoliceOutcome = Literal[POLICE_OUTCOMES]  # type: ignore[valid-type]
CourtResult = Literal[COURT_OUTCOMES]  # type: ignore[valid-type]


class RecordingDecisionCreate(BaseModel):
    model_config = _example(
        {
            "decision": "crime",
            "reason": "Forced entry and theft of a laptop: a crime under the Theft Act 1968.",
            "offence": "Residential burglary of a home",
        }
    )

    decision: Literal["crime", "crime_not_investigated", "not_a_crime"]
    reason: _text(2000)  # type: ignore[valid-type]
    offence: Offence | None = None


class AllocationCreate(BaseModel):
    model_config = _example({"officer": "investigator"})

    officer: Annotated[
        str,
        Field(
            min_length=1, max_length=80, description="The officer's username; your own to take it."
        ),
    ]


class LogEntryCreate(BaseModel):
    model_config = _example(
        {"text": "House-to-house on Acacia Avenue: a neighbour saw a man with a bicycle at 21:00."}
    )

    text: _text(5000)  # type: ignore[valid-type]


class SuspectCreate(BaseModel):
    model_config = _example({"name": "Jo Bloggs", "date_of_birth": "1990-05-01"})

    name: _text(200)  # type: ignore[valid-type]
    date_of_birth: PlausibleDate | None = None


class SuspectCreated(BaseModel):
    id: int


class SuspectActionCreate(BaseModel):
    model_config = _example({"action": "bail", "bail_return": "2027-01-20", "reason": None})

    action: SuspectAction
    bail_return: PlausibleDate | None = Field(None, description="Needed for bail.")
    reason: Annotated[
        str | None,
        Field(max_length=2000, description="Needed for no further action; the victim is told it."),
    ] = None


class ChargeCreate(BaseModel):
    model_config = _example(
        {"charges": "Burglary, contrary to s.9(1)(b) Theft Act 1968", "prosecutor": "CPS-LDN"}
    )

    charges: _text(2000)  # type: ignore[valid-type]
    prosecutor: Annotated[
        str | None, Field(max_length=40, description="The prosecuting agency's code.")
    ] = None


class ResubmissionCreate(BaseModel):
    model_config = _example({"response": "CCTV from the shop is now on the file."})

    response: _text(5000)  # type: ignore[valid-type]


class ProsecutionDecisionCreate(BaseModel):
    model_config = _example({"decision": "return", "text": "Get the CCTV from the corner shop."})

    decision: Literal["accept", "return"]
    text: Annotated[
        str, Field(max_length=5000, description="A note on acceptance; the requests on return.")
    ] = ""


class HearingCreate(BaseModel):
    model_config = _example(
        {
            "starts_at": "2026-12-07T10:00:00Z",
            "place": "Courtroom 2",
            "court_name": "Camberwell Green Magistrates' Court",
        }
    )

    starts_at: PlausibleDatetime
    place: _text(200)  # type: ignore[valid-type]
    court_name: Annotated[str | None, Field(max_length=200)] = None


class HearingCreated(BaseModel):
    id: int


class CourtResultCreate(BaseModel):
    model_config = _example({"result": "Offender fined"})

    result: CourtResult


class OutcomeCreate(BaseModel):
    model_config = _example(
        {
            "outcome": "Investigation complete; no suspect identified",
            "reason": "No witnesses, CCTV or forensic opportunities.",
        }
    )

    outcome: PoliceOutcome
    reason: _text(2000)  # type: ignore[valid-type]


class ToldCreate(BaseModel):
    model_config = _example({"how": "Phoned the victim on 07700 900123 and explained."})

    how: _text(300)  # type: ignore[valid-type]


class StatusPublic(BaseModel):
    code: str
    label: str
    colour: str


class CaseSummaryPublic(BaseModel):
    reference: str
    status: StatusPublic
    crime_type: str
    offence: str | None
    borough: str | None
    reported_at: datetime
    officer_name: str | None
    has_enhanced_rights: bool
    recording_deadline: datetime | None = None
    recording_overdue: bool | None = None
    prosecutor_requests: str | None = None


class CasesPublic(BaseModel):
    data: list[CaseSummaryPublic]
    count: int


class VictimUpdatePublic(BaseModel):
    id: int
    reference: str
    event: str
    event_label: str
    event_at: datetime
    due_at: datetime
    channel: str
    text: str
    status: StatusPublic
    sent_at: datetime | None
    how_told: str | None
    needs_a_person: bool

    @classmethod
    def of(cls, update: VictimUpdate, now: datetime) -> VictimUpdatePublic:
        status = update.status(now)
        return cls(
            id=update.id,
            reference=update.reference,
            event=update.event.value,
            event_label=update.event.label,
            event_at=update.event_at,
            due_at=update.due_at.astimezone(LONDON),
            channel=update.channel,
            text=update.text,
            status=StatusPublic(code=status.value, label=status.label, colour=status.colour),
            sent_at=update.sent_at,
            how_told=update.told_how,
            needs_a_person=update.needs_a_person,
        )


class VictimUpdatesPublic(BaseModel):
    data: list[VictimUpdatePublic]
    count: int


class VictimPublic(BaseModel):
    name: str
    preferred_channel: str
    email: str | None
    phone: str | None
    address: str | None
    enhanced_rights_reasons: list[str]


class SuspectPublic(BaseModel):
    id: int
    name: str
    date_of_birth: date | None
    status: StatusPublic
    interviewed: bool
    bail_return: date | None
    charges: str | None
    decision_reason: str | None


class LogEntryPublic(BaseModel):
    at: datetime
    author: str
    kind: str
    text: str


class VictimMessagePublic(BaseModel):
    at: datetime
    kind: str
    text: str
    read_by: datetime


class ProsecutionNotePublic(BaseModel):
    at: datetime
    author: str
    decision: str
    text: str


class HearingPublic(BaseModel):
    id: int
    court_name: str
    starts_at: datetime
    place: str
    result: str | None
    result_at: datetime | None


class CasePublic(BaseModel):
    """The staff view of a case file; parts a role does not work with are null or empty."""

    reference: str
    status: StatusPublic
    crime_type: str
    offence: str | None
    description: str
    occurred_from: datetime
    occurred_to: datetime | None
    location_text: str | None
    latitude: float | None
    longitude: float | None
    borough: str | None
    reported_at: datetime
    has_enhanced_rights: bool
    victim: VictimPublic | None
    force: str | None
    officer_name: str | None
    officer_contact: str | None
    recording_decision: str | None
    recording_reason: str | None
    recorded_at: datetime | None
    prosecutor: str | None
    outcome: str | None
    outcome_reason: str | None
    closed_at: datetime | None
    suspects: list[SuspectPublic]
    log: list[LogEntryPublic]
    victim_messages: list[VictimMessagePublic]
    prosecution: list[ProsecutionNotePublic]
    hearings: list[HearingPublic]
    victim_updates: list[VictimUpdatePublic]
    actions: list[str] = Field(description="What you may do to this case now.")
