"""Shared steps of the case use cases: who may open a case, auditing, and owed victim updates.

Called only from the use-case modules, inside their one transaction.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from safercity.cases import store, update_store
from safercity.cases.casefile import CaseFile
from safercity.cases.victims_code import (
    UpdateEvent,
    UpdateFacts,
    right_to_review_note,
    update_deadline,
    update_text,
)
from safercity.cases.vocabulary import CaseStatus
from safercity.platform import outbox
from safercity.platform.audit import service as audit
from safercity.platform.audit.model import AuditAction, AuditRecord
from safercity.platform.clock import Clock
from safercity.platform.errors import Forbidden, NotFound
from safercity.platform.http import require
from safercity.platform.identity.model import AgencyKind, Permission, Role, StaffUser
from safercity.platform.identity.store import agencies

SUBJECT = "case"
OUTBOX_TOPIC = "case"
# Why each role reads a case file: the stated purpose the Data Protection Act s.62 log keeps.
_PURPOSES: dict[Role, str] = {
    Role.CALL_HANDLER: "triage of a crime report",
    Role.INVESTIGATOR: "criminal investigation",
    Role.SUPERVISOR: "supervision of a criminal investigation",
    Role.PROSECUTOR: "prosecution",
    Role.WITNESS_CARE_OFFICER: "victim and witness care",
    Role.COURT_CLERK: "court administration",
}


def purpose_of(user: StaffUser) -> str:
    return _PURPOSES.get(user.role, "case administration")


def author(user: StaffUser) -> str:
    """How a member of staff is named on the case file."""
    return f"{user.display_name} ({user.role.label}, {user.agency_name})"


def agency_kind(conn: Connection, agency_id: int) -> AgencyKind | None:
    kind = conn.execute(select(agencies.c.kind).where(agencies.c.id == agency_id)).scalar()
    return AgencyKind(kind) if kind else None


def may_see(conn: Connection, user: StaffUser, case: CaseFile) -> bool:
    """Staff see the cases their agency holds; police triage sees new reports nobody holds yet;
    any court sees a case going to court until one of them lists it."""
    if not user.can(Permission.VIEW_CASE):
        return False
    holders = {case.agency_id, case.prosecutor_agency_id, case.court_agency_id}
    if user.agency_id in holders:
        return True
    if case.agency_id is None and user.can(Permission.TRIAGE):
        return agency_kind(conn, user.agency_id) is AgencyKind.POLICE
    return (
        case.status is CaseStatus.AWAITING_COURT
        and case.court_agency_id is None
        and user.can(Permission.LIST_HEARING)
    )


def open_case(
    conn: Connection, user: StaffUser, reference: str, permission: Permission = Permission.VIEW_CASE
) -> CaseFile:
    """The case, if it exists and the user may work on it with this permission."""
    require(user, permission)
    case = store.case_by_reference(conn, reference.strip().upper())
    if case is None:
        raise NotFound(
            f"There is no case with reference {reference[:40]!r}. Check the reference, "
            "which looks like SC-7K3M-9Q2D."
        )
    if not may_see(conn, user, case):
        raise Forbidden(
            "This case is held by another agency. Ask its officer in the case or "
            "their supervisor if you need access."
        )
    return case


def log_audit(
    conn: Connection,
    clock: Clock,
    user: StaffUser,
    action: AuditAction,
    case: CaseFile,
    detail: str,
    recipient: str | None = None,
) -> None:
    audit.record(
        conn,
        clock,
        AuditRecord(
            actor=user.audit_name,
            action=action,
            subject_type=SUBJECT,
            subject_id=case.reference,
            purpose=purpose_of(user),
            recipient=recipient,
            detail=detail,
        ),
    )


def owe_update(
    conn: Connection,
    clock: Clock,
    actor: str,
    case: CaseFile,
    event: UpdateEvent,
    facts: UpdateFacts = UpdateFacts(),
) -> int:
    """Create the update the Victims' Code owes the victim for an event, with its deadline.

    Email and text go into the outbox now; a call or a letter waits for a person to mark it
    told. Either way the victim sees it in their timeline.
    """
    now = clock.now()
    victim = case.victim
    text = update_text(event, facts) + right_to_review_note(event)
    update_id = update_store.add_update(
        conn,
        case_id=case.id,
        event=event.value,
        event_at=now,
        due_at=update_deadline(event, now, victim.has_enhanced_rights),
        channel=victim.preferred_channel.value,
        text=text,
    )
    if victim.told_automatically:
        message_id = send_to_victim(
            conn, clock, case, f"Update on your crime report {case.reference}", text
        )
        update_store.set_outbox_message(conn, update_id, message_id)
    store.add_timeline(conn, case.id, now, event.label, text)
    audit.record(
        conn,
        clock,
        AuditRecord(
            actor=actor,
            action=AuditAction.DISCLOSURE,
            subject_type=SUBJECT,
            subject_id=case.reference,
            purpose="telling the victim under the Victims' Code",
            recipient=f"victim by {victim.preferred_channel.value}",
            detail=f"update {event.value}",
        ),
    )
    return update_id


def send_to_victim(conn: Connection, clock: Clock, case: CaseFile, subject: str, text: str) -> int:
    """Queue a message to the victim on their preferred channel."""
    victim = case.victim
    body = (
        f"Dear {victim.name},\n\n{text}\n\nYour crime reference is {case.reference}. Follow your "
        "case and message the officer at SaferCity's 'Track a report' page with the tracking "
        "code you were given.\n\nIf you are in danger, call 999."
    )
    return outbox.enqueue(
        conn,
        clock,
        channel=outbox.Channel(victim.preferred_channel.value),
        recipient=victim.contact_address[:200],
        subject=subject[:200],
        body=body,
        topic=OUTBOX_TOPIC,
        topic_id=case.reference,
    )
