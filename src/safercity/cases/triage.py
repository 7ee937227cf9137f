"""Triage, recording and allocation, and the investigation log.

National Crime Recording Standard: a report is recorded as a crime (or not, with the reason)
within 24 hours of it reaching the police.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.engine import Connection

from safercity.cases import store
from safercity.cases.access import author, log_audit, open_case, owe_update
from safercity.cases.casefile import CaseFile
from safercity.cases.model import CaseStep, after_step, check_choice, check_text
from safercity.cases.victims_code import UpdateEvent, UpdateFacts
from safercity.cases.vocabulary import OFFENCE_CLASSIFICATIONS
from safercity.platform.audit.model import AuditAction
from safercity.platform.clock import Clock
from safercity.platform.db import Database
from safercity.platform.errors import Conflict, FieldError, Forbidden, InvalidInput
from safercity.platform.identity import store as identity_store
from safercity.platform.identity.model import Permission, Role, StaffUser

NOT_INVESTIGATED_OUTCOME = "Investigation complete; no suspect identified"
OFFICER_ROLES = (Role.INVESTIGATOR, Role.SUPERVISOR)


class RecordingDecision(StrEnum):
    """The triage decision on a new report."""

    CRIME = "crime"
    CRIME_NOT_INVESTIGATED = "crime_not_investigated"
    NOT_A_CRIME = "not_a_crime"

    @property
    def label(self) -> str:
        return {
            "crime": "Record as a crime and investigate",
            "crime_not_investigated": "Record as a crime, but do not investigate",
            "not_a_crime": "Not a crime",
        }[self.value]


_STEP = {
    RecordingDecision.CRIME: CaseStep.RECORD_CRIME,
    RecordingDecision.CRIME_NOT_INVESTIGATED: CaseStep.RECORD_NOT_INVESTIGATED,
    RecordingDecision.NOT_A_CRIME: CaseStep.RECORD_NOT_A_CRIME,
}


def record_decision(
    db: Database,
    clock: Clock,
    user: StaffUser,
    reference: str,
    *,
    decision: RecordingDecision,
    reason: str,
    offence: str | None = None,
) -> None:
    """Decide whether a report is a crime (NCRS), with the reason; the force takes the case."""
    reason = check_text("reason", reason, max_length=2000, label="the reason")
    if offence and decision is not RecordingDecision.NOT_A_CRIME:
        offence = check_choice("offence", offence, OFFENCE_CLASSIFICATIONS, "the offence")
    else:
        offence = None
    now = clock.now()
    with db.transaction() as conn:
        case = open_case(conn, user, reference, Permission.TRIAGE)
        status = after_step(case.status, _STEP[decision])
        closing = decision is RecordingDecision.CRIME_NOT_INVESTIGATED
        store.update_case(
            conn,
            case.id,
            now,
            status=status.value,
            agency_id=user.agency_id,
            recording_decision=decision.value,
            recording_reason=reason,
            recorded_at=now,
            offence=offence,
            outcome=NOT_INVESTIGATED_OUTCOME if closing else None,
            outcome_reason=reason if closing else None,
            closed_at=now if closing else None,
        )
        store.add_log(
            conn,
            case.id,
            now,
            author(user),
            "event",
            f"Recording decision: {decision.label}. Reason: {reason}",
        )
        _tell_victim(conn, clock, user, case, decision, reason)
        log_audit(
            conn, clock, user, AuditAction.ALTERATION, case, f"recording decision {decision.value}"
        )


def _tell_victim(
    conn: Connection,
    clock: Clock,
    user: StaffUser,
    case: CaseFile,
    decision: RecordingDecision,
    reason: str,
) -> None:
    """A crime recorded goes on the timeline; not recording or not investigating is an update
    the victim is owed, with the reason."""
    if decision is RecordingDecision.CRIME:
        store.add_timeline(
            conn,
            case.id,
            clock.now(),
            "Recorded as a crime",
            f"Your report has been recorded as a crime ({case.crime_type}).",
        )
        return
    event = (
        UpdateEvent.NOT_A_CRIME
        if decision is RecordingDecision.NOT_A_CRIME
        else UpdateEvent.NOT_INVESTIGATED
    )
    owe_update(conn, clock, user.audit_name, case, event, UpdateFacts(reason=reason))


def allocation_candidates(db: Database, user: StaffUser) -> list[StaffUser]:
    """Officers of the user's force a case can be allocated to."""
    with db.transaction() as conn:
        return [
            officer
            for role in OFFICER_ROLES
            for officer in identity_store.users_with_role(conn, role, user.agency_id)
        ]


def allocate(
    db: Database, clock: Clock, user: StaffUser, reference: str, officer_username: str
) -> None:
    """Make an officer the officer in the case. Supervisors allocate; investigators take."""
    taking = officer_username == user.username
    with db.transaction() as conn:
        case = open_case(
            conn, user, reference, Permission.INVESTIGATE if taking else Permission.ALLOCATE
        )
        status = after_step(case.status, CaseStep.ALLOCATE)
        if case.agency_id != user.agency_id:
            raise Forbidden("Only the force holding the case can allocate it.")
        officers = {
            o.username: o
            for role in OFFICER_ROLES
            for o in identity_store.users_with_role(conn, role, case.agency_id)
        }
        officer = officers.get(officer_username)
        if officer is None:
            problem = "Choose an investigator or supervisor of the force holding the case."
            raise InvalidInput(problem, [FieldError("officer", problem)])
        now = clock.now()
        store.update_case(conn, case.id, now, officer_id=officer.id, status=status.value)
        store.add_log(
            conn, case.id, now, author(user), "event", f"Allocated to {officer.display_name}."
        )
        store.add_timeline(
            conn,
            case.id,
            now,
            "An officer has your case",
            f"{officer.display_name} of {officer.agency_name} is the officer in your case.",
        )
        log_audit(conn, clock, user, AuditAction.ALTERATION, case, "allocated")


def add_log_entry(db: Database, clock: Clock, user: StaffUser, reference: str, text: str) -> None:
    """Write in the investigation log. Staff only: the victim never sees it."""
    text = check_text("text", text, max_length=5000, label="the log entry")
    with db.transaction() as conn:
        case = open_case(conn, user, reference, Permission.INVESTIGATE)
        if not case.status.is_open:
            raise Conflict("The case is closed; nothing more can be added to its log.")
        store.add_log(conn, case.id, clock.now(), author(user), "note", text)
        store.update_case(conn, case.id, clock.now())
        log_audit(conn, clock, user, AuditAction.COLLECTION, case, "log entry")
