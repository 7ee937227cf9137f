"""What staff see of a case file: the loaded records, as plain types. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from safercity.cases.model import VictimDetails, message_read_by
from safercity.cases.victims_code import UpdateEvent, sent_on_time
from safercity.cases.vocabulary import CaseStatus, SuspectStatus, UpdateStatus


@dataclass(frozen=True)
class CaseSummary:
    """One line in a queue."""

    id: int
    reference: str
    status: CaseStatus
    crime_type: str
    offence: str | None
    borough: str | None
    reported_at: datetime
    officer_name: str | None
    has_enhanced_rights: bool
    agency_id: int | None


@dataclass(frozen=True)
class CaseFile:
    """The whole case file's own record: the crime, the victim, who holds it and its outcome."""

    id: int
    reference: str
    status: CaseStatus
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
    victim: VictimDetails
    reporter_is_victim: bool
    agency_id: int | None
    agency_name: str | None
    officer_id: int | None
    officer_name: str | None
    officer_email: str | None
    officer_phone: str | None
    recording_decision: str | None
    recording_reason: str | None
    recorded_at: datetime | None
    prosecutor_agency_id: int | None
    prosecutor_agency_name: str | None
    court_agency_id: int | None
    outcome: str | None
    outcome_reason: str | None
    closed_at: datetime | None

    @property
    def officer_contact(self) -> str | None:
        return self.officer_email or self.officer_phone


@dataclass(frozen=True)
class Suspect:
    id: int
    name: str
    date_of_birth: date | None
    status: SuspectStatus
    interviewed: bool
    bail_return: date | None
    charges: str | None
    decision_reason: str | None
    updated_at: datetime


@dataclass(frozen=True)
class LogEntry:
    """A line of the investigation log: staff only, never shown to the victim."""

    at: datetime
    author: str
    kind: str
    text: str


@dataclass(frozen=True)
class VictimMessage:
    """Something the victim sent: more information, or a message for the officer."""

    id: int
    at: datetime
    kind: str
    text: str

    @property
    def read_by(self) -> datetime:
        return message_read_by(self.at)


@dataclass(frozen=True)
class ProsecutionNote:
    """A step in the file's journey between police and prosecutor, with what was asked."""

    at: datetime
    author: str
    decision: str
    text: str


@dataclass(frozen=True)
class Hearing:
    id: int
    court_agency_id: int
    court_name: str
    starts_at: datetime
    place: str
    result: str | None
    result_at: datetime | None


@dataclass(frozen=True)
class VictimUpdate:
    """An update the Victims' Code says the victim must get, with its deadline."""

    id: int
    case_id: int
    reference: str
    event: UpdateEvent
    event_at: datetime
    due_at: datetime
    channel: str
    text: str
    outbox_message_id: int | None
    delivered_at: datetime | None
    told_at: datetime | None
    told_how: str | None

    @property
    def sent_at(self) -> datetime | None:
        return self.delivered_at or self.told_at

    @property
    def on_time(self) -> bool:
        return sent_on_time(self.sent_at, self.due_at)

    def status(self, now: datetime) -> UpdateStatus:
        if self.sent_at is not None:
            return UpdateStatus.SENT_ON_TIME if self.on_time else UpdateStatus.SENT_LATE
        return UpdateStatus.OVERDUE if now > self.due_at else UpdateStatus.DUE

    @property
    def needs_a_person(self) -> bool:
        """Phone and post updates wait for a person to tell the victim and say so."""
        return self.outbox_message_id is None and self.told_at is None


@dataclass(frozen=True)
class CaseSections:
    """Which parts of the case file a role works with (need to know)."""

    victim_contact: bool = True
    log: bool = True
    messages: bool = True
    all_suspects: bool = True
    updates: bool = True


@dataclass(frozen=True)
class StaffCaseView:
    """Everything on the staff case page."""

    case: CaseFile
    sections: CaseSections = CaseSections()
    suspects: list[Suspect] = field(default_factory=list)
    log: list[LogEntry] = field(default_factory=list)
    messages: list[VictimMessage] = field(default_factory=list)
    prosecution: list[ProsecutionNote] = field(default_factory=list)
    hearings: list[Hearing] = field(default_factory=list)
    updates: list[VictimUpdate] = field(default_factory=list)


@dataclass(frozen=True)
class RecordedCrime:
    """A crime recorded on the platform, as prevention and open data need it: what, when,
    where, which force holds it and how it ended. No victim details."""

    reference: str
    crime_type: str
    recorded_at: datetime
    occurred_at: datetime
    lat: float
    lon: float
    force_name: str | None
    outcome: str | None
    closed_at: datetime | None
