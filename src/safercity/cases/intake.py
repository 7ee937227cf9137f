"""The public's side of the case file: opening it from a report, and what the victim sees.

These take the caller's connection: the reporting capability runs them inside its own
transaction (with its idempotency key and rate limiting).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.engine import Connection

from safercity.cases import store
from safercity.cases.access import SUBJECT, send_to_victim
from safercity.cases.model import (
    MESSAGE_READER_PROMISE,
    REFERENCE_BITS,
    NewCrimeReport,
    VictimView,
    check_text,
    format_reference,
    message_read_by,
    next_steps,
)
from safercity.cases.vocabulary import CaseStatus
from safercity.platform.audit import service as audit
from safercity.platform.audit.model import AuditAction, AuditRecord
from safercity.platform.clock import Clock
from safercity.platform.errors import FieldError, InvalidInput, NotFound
from safercity.platform.workdays import LONDON

PUBLIC_REPORT_ACTOR = "public:online-report"
VICTIM_ACTOR = "victim:tracking-code"
_REFERENCE_TRIES = 20


def _new_reference(conn: Connection) -> str:
    """A random, unguessable reference; 2^40 of them make a clash rare, and we retry on one."""
    for _ in range(_REFERENCE_TRIES):
        reference = format_reference(secrets.randbits(REFERENCE_BITS))
        if not store.reference_taken(conn, reference):
            return reference
    raise RuntimeError("could not find a free crime reference")  # pragma: no cover


def _insert(conn: Connection, reference: str, report: NewCrimeReport, now: datetime) -> int:
    victim = report.victim
    return store.insert_case(
        conn,
        reference=reference,
        status=CaseStatus.REPORTED.value,
        crime_type=report.crime_type,
        description=report.description,
        occurred_from=report.occurred_from,
        occurred_to=report.occurred_to,
        location_text=report.location_text,
        latitude=report.latitude,
        longitude=report.longitude,
        borough=report.borough,
        reported_at=now,
        victim_name=victim.name,
        victim_channel=victim.preferred_channel.value,
        victim_email=victim.email,
        victim_phone=victim.phone,
        victim_address=victim.address,
        enhanced_rights="\n".join(victim.enhanced_rights_reasons),
        reporter_is_victim=report.reporter_is_victim,
        updated_at=now,
    )


def open_from_report(conn: Connection, clock: Clock, report: NewCrimeReport) -> str:
    """Open a case file from the public's report; returns its crime reference."""
    now = clock.now()
    reference = _new_reference(conn)
    case_id = _insert(conn, reference, report, now)
    store.add_timeline(
        conn,
        case_id,
        now,
        "Report received",
        f"Your report of {report.crime_type.lower()} was received. Your crime "
        f"reference is {reference}.",
    )
    case = store.case_by_reference(conn, reference)
    assert case is not None
    send_to_victim(
        conn,
        clock,
        case,
        f"We have your crime report {reference}",
        f"Thank you for reporting {report.crime_type.lower()} to us. Within 24 hours we will "
        "review your report and decide whether to record it as a crime, and tell you what we "
        "decide.",
    )
    audit.record(
        conn,
        clock,
        AuditRecord(
            actor=PUBLIC_REPORT_ACTOR,
            action=AuditAction.COLLECTION,
            subject_type=SUBJECT,
            subject_id=reference,
            purpose="crime report by the public",
            detail="case opened",
        ),
    )
    return reference


def exists(conn: Connection, reference: str) -> bool:
    return store.reference_taken(conn, reference.strip().upper())


def victim_view(conn: Connection, clock: Clock, reference: str) -> VictimView | None:
    """What the victim may see: status, officer, next steps, outcome and their timeline.

    Never evidence, suspects' names, the investigation log or the prosecutor's requests.
    """
    case = store.case_by_reference(conn, reference.strip().upper())
    if case is None:
        return None
    audit.record(
        conn,
        clock,
        AuditRecord(
            actor=VICTIM_ACTOR,
            action=AuditAction.CONSULTATION,
            subject_type=SUBJECT,
            subject_id=case.reference,
            purpose="victim following their case",
            detail="victim view",
        ),
    )
    return VictimView(
        reference=case.reference,
        crime_type=case.crime_type,
        status=case.status.value,
        status_label=case.status.label,
        reported_at=case.reported_at,
        officer_name=case.officer_name,
        officer_contact=case.officer_contact,
        next_steps=next_steps(case.status),
        outcome=case.outcome,
        has_enhanced_rights=case.victim.has_enhanced_rights,
        timeline=store.timeline(conn, case.id),
    )


def add_victim_message(
    conn: Connection, clock: Clock, reference: str, kind: str, text: str
) -> None:
    """The victim adds information or messages the officer; the timeline says who reads it."""
    if kind not in ("information", "message"):
        raise InvalidInput(
            "Say whether this is more information or a message.",
            [FieldError("kind", "Choose information or message.")],
        )
    text = check_text("text", text, max_length=5000, label="your message")
    case = store.case_by_reference(conn, reference.strip().upper())
    if case is None:
        raise NotFound("There is no case with this reference.")
    now = clock.now()
    store.add_victim_message(conn, case.id, now, kind, text)
    read_by = message_read_by(now).astimezone(LONDON)
    title = "You added information" if kind == "information" else "You sent a message"
    store.add_timeline(
        conn,
        case.id,
        now,
        title,
        f"{MESSAGE_READER_PROMISE} (by the end of {read_by:%A} {read_by.day} {read_by:%B}).",
    )
    store.update_case(conn, case.id, now)
    audit.record(
        conn,
        clock,
        AuditRecord(
            actor=VICTIM_ACTOR,
            action=AuditAction.COLLECTION,
            subject_type=SUBJECT,
            subject_id=case.reference,
            purpose="victim following their case",
            detail=f"victim {kind}",
        ),
    )
