"""Turning the case file's read types into the API's response schemas."""

from __future__ import annotations

from datetime import datetime

from safercity.cases.casefile import CaseSummary, StaffCaseView
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


def case_public(view: StaffCaseView, actions: frozenset[str], now: datetime) -> CasePublic:
    case = view.case
    victim = case.victim
    victim_public = (
        VictimPublic(
            name=victim.name,
            preferred_channel=victim.preferred_channel.value,
            email=victim.email,
            phone=victim.phone,
            address=victim.address,
            enhanced_rights_reasons=list(victim.enhanced_rights_reasons),
        )
        if view.sections.victim_contact
        else None
    )
    return CasePublic(
        reference=case.reference,
        status=status_public(case.status),
        crime_type=case.crime_type,
        offence=case.offence,
        description=case.description,
        occurred_from=case.occurred_from,
        occurred_to=case.occurred_to,
        location_text=case.location_text,
        latitude=case.latitude,
        longitude=case.longitude,
        borough=case.borough,
        reported_at=case.reported_at,
        has_enhanced_rights=victim.has_enhanced_rights,
        victim=victim_public,
        force=case.agency_name,
        officer_name=case.officer_name,
        officer_contact=case.officer_contact,
        recording_decision=case.recording_decision,
        recording_reason=case.recording_reason,
        recorded_at=case.recorded_at,
        prosecutor=case.prosecutor_agency_name,
        outcome=case.outcome,
        outcome_reason=case.outcome_reason,
        closed_at=case.closed_at,
        suspects=[
            SuspectPublic(
                id=s.id,
                name=s.name,
                date_of_birth=s.date_of_birth,
                status=status_public(s.status),
                interviewed=s.interviewed,
                bail_return=s.bail_return,
                charges=s.charges,
                decision_reason=s.decision_reason,
            )
            for s in view.suspects
        ],
        log=[LogEntryPublic(at=e.at, author=e.author, kind=e.kind, text=e.text) for e in view.log],
        victim_messages=[
            VictimMessagePublic(at=m.at, kind=m.kind, text=m.text, read_by=m.read_by)
            for m in view.messages
        ],
        prosecution=[
            ProsecutionNotePublic(at=n.at, author=n.author, decision=n.decision, text=n.text)
            for n in view.prosecution
        ],
        hearings=[
            HearingPublic(
                id=h.id,
                court_name=h.court_name,
                starts_at=h.starts_at,
                place=h.place,
                result=h.result,
                result_at=h.result_at,
            )
            for h in view.hearings
        ],
        victim_updates=[VictimUpdatePublic.of(u, now) for u in view.updates],
        actions=sorted(actions),
    )
