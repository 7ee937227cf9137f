"""Turning the case file's read types into the API's response schemas."""

from __future__ import annotations

from datetime import datetime

from safercity.cases.casefile import CaseSummary, StaffCaseView, Suspect
from safercity.cases.model import RecordingClock
from safercity.cases.schemas import (
    CasePublic,
    CaseSummaryPublic,
    HearingPublic,
    LogEntryPublic,
    ProsecutionNotePublic,
    StatusPublic,
    SuspectPublic,
    VictimMessagePublic,
    VictimPublic,
    VictimUpdatePublic,
)
from safercity.cases.vocabulary import CaseStatus, SuspectStatus


def status_public(status: CaseStatus | SuspectStatus) -> StatusPublic:
    return StatusPublic(code=status.value, label=status.label, colour=status.colour)


def summary_public(
    row: CaseSummary, clock: RecordingClock | None = None, requests: str | None = None
) -> CaseSummaryPublic:
    return CaseSummaryPublic(
        reference=row.reference,
        status=status_public(row.status),
        crime_type=row.crime_type,
        offence=row.offence,
        borough=row.borough,
        reported_at=row.reported_at,
        officer_name=row.officer_name,
        has_enhanced_rights=row.has_enhanced_rights,
        recording_deadline=clock.deadline if clock else None,
        recording_overdue=clock.overdue if clock else None,
        prosecutor_requests=requests,
    )


def _victim_public(view: StaffCaseView) -> VictimPublic | None:
    victim = view.case.victim
    if not view.sections.victim_contact:
        return None
    return VictimPublic(
        name=victim.name,
        preferred_channel=victim.preferred_channel.value,
        email=victim.email,
        phone=victim.phone,
        address=victim.address,
        enhanced_rights_reasons=list(victim.enhanced_rights_reasons),
    )


def _suspect_public(suspect: Suspect) -> SuspectPublic:
    return SuspectPublic(
        id=suspect.id,
        name=suspect.name,
        date_of_birth=suspect.date_of_birth,
        status=status_public(suspect.status),
        interviewed=suspect.interviewed,
        bail_return=suspect.bail_return,
        charges=suspect.charges,
        decision_reason=suspect.decision_reason,
    )


_CASE_FIELDS = [
    "reference",
    "crime_type",
    "offence",
    "description",
    "occurred_from",
    "occurred_to",
    "location_text",
    "latitude",
    "longitude",
    "borough",
    "reported_at",
    "officer_name",
    "officer_contact",
    "recording_decision",
    "recording_reason",
    "recorded_at",
    "outcome",
    "outcome_reason",
    "closed_at",
]


def case_public(view: StaffCaseView, actions: frozenset[str], now: datetime) -> CasePublic:
    """The case file as the API shows it to this role, with the actions open to them now."""
    case = view.case
    return CasePublic(
        **{name: getattr(case, name) for name in _CASE_FIELDS},
        status=status_public(case.status),
        has_enhanced_rights=case.victim.has_enhanced_rights,
        victim=_victim_public(view),
        force=case.agency_name,
        prosecutor=case.prosecutor_agency_name,
        suspects=[_suspect_public(s) for s in view.suspects],
        log=[LogEntryPublic.model_validate(e, from_attributes=True) for e in view.log],
        victim_messages=[
            VictimMessagePublic.model_validate(m, from_attributes=True) for m in view.messages
        ],
        prosecution=[
            ProsecutionNotePublic.model_validate(n, from_attributes=True) for n in view.prosecution
        ],
        hearings=[HearingPublic.model_validate(h, from_attributes=True) for h in view.hearings],
        victim_updates=[VictimUpdatePublic.of(u, now) for u in view.updates],
        actions=sorted(actions),
    )
