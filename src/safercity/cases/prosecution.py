"""The case file between police, prosecutor and court: review, hearings and results.

The prosecutor opens the same case file the police built: nothing is exported or re-keyed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from safercity.cases import court_store, store
from safercity.cases.access import author, log_audit, open_case, owe_update
from safercity.cases.model import CaseStep, after_step, check_choice, check_text
from safercity.cases.victims_code import UpdateEvent, UpdateFacts
from safercity.cases.vocabulary import CONTINUING_COURT_RESULTS, COURT_OUTCOMES, CaseStatus
from safercity.platform.audit.model import AuditAction
from safercity.platform.clock import Clock
from safercity.platform.db import Database
from safercity.platform.errors import Conflict, FieldError, InvalidInput, NotFound
from safercity.platform.identity.model import Permission, StaffUser

# Hearings are listed ahead, but not absurdly far ahead: a typo in the year is caught.
LISTING_HORIZON = timedelta(days=2 * 366)


def resubmit_to_prosecutor(
    db: Database, clock: Clock, user: StaffUser, reference: str, response: str
) -> None:
    """Send a returned file back to the prosecutor with what was done about their requests."""
    response = check_text("response", response, max_length=5000, label="what was done")
    now = clock.now()
    with db.transaction() as conn:
        case = open_case(conn, user, reference, Permission.CHARGE)
        status = after_step(case.status, CaseStep.RESUBMIT)
        store.update_case(conn, case.id, now, status=status.value)
        court_store.add_prosecution_note(conn, case.id, now, author(user), "resubmitted", response)
        log_audit(
            conn,
            clock,
            user,
            AuditAction.DISCLOSURE,
            case,
            "file resubmitted",
            recipient=case.prosecutor_agency_name,
        )


def accept_case(
    db: Database, clock: Clock, user: StaffUser, reference: str, note: str = ""
) -> None:
    """The prosecutor accepts the file: the case goes to court."""
    note = note.strip() and check_text("note", note, max_length=5000, label="the note")
    now = clock.now()
    with db.transaction() as conn:
        case = open_case(conn, user, reference, Permission.REVIEW_FILE)
        status = after_step(case.status, CaseStep.ACCEPT)
        store.update_case(conn, case.id, now, status=status.value)
        court_store.add_prosecution_note(
            conn, case.id, now, author(user), "accepted", note or "Accepted for prosecution."
        )
        store.add_timeline(
            conn,
            case.id,
            now,
            "The prosecutor is taking the case to court",
            "We will tell you the date, time and place of the first hearing.",
        )
        log_audit(conn, clock, user, AuditAction.ALTERATION, case, "file accepted")


def return_case(db: Database, clock: Clock, user: StaffUser, reference: str, requests: str) -> None:
    """The prosecutor returns the file to the investigator with what more they need."""
    requests = check_text("requests", requests, max_length=5000, label="what you need")
    now = clock.now()
    with db.transaction() as conn:
        case = open_case(conn, user, reference, Permission.REVIEW_FILE)
        status = after_step(case.status, CaseStep.RETURN)
        store.update_case(conn, case.id, now, status=status.value)
        court_store.add_prosecution_note(conn, case.id, now, author(user), "returned", requests)
        log_audit(conn, clock, user, AuditAction.ALTERATION, case, "file returned to police")


def list_hearing(
    db: Database,
    clock: Clock,
    user: StaffUser,
    reference: str,
    *,
    starts_at: datetime,
    place: str,
    court_name: str | None = None,
) -> int:
    """The court lists a hearing; the victim is owed its date, time and place within 1 day."""
    place = check_text("place", place, max_length=200, label="the courtroom or place")
    court = check_text(
        "court_name", court_name or user.agency_name, max_length=200, label="the court's name"
    )
    now = clock.now()
    if starts_at.tzinfo is None or not now < starts_at <= now + LISTING_HORIZON:
        problem = "Give a date and time in the future, within two years."
        raise InvalidInput(problem, [FieldError("starts_at", problem)])
    with db.transaction() as conn:
        case = open_case(conn, user, reference, Permission.LIST_HEARING)
        after_step(case.status, CaseStep.LIST_HEARING)
        hearing_id = court_store.add_hearing(
            conn,
            case_id=case.id,
            court_agency_id=user.agency_id,
            court_name=court,
            starts_at=starts_at,
            place=place,
            created_at=now,
        )
        store.update_case(conn, case.id, now, court_agency_id=user.agency_id)
        store.add_log(
            conn, case.id, now, author(user), "event", f"Hearing listed at {court}, {place}."
        )
        owe_update(
            conn,
            clock,
            user.audit_name,
            case,
            UpdateEvent.HEARING_LISTED,
            UpdateFacts(hearing_at=starts_at, court=court, place=place),
        )
        log_audit(conn, clock, user, AuditAction.ALTERATION, case, f"hearing {hearing_id} listed")
    return hearing_id


def record_court_result(
    db: Database, clock: Clock, user: StaffUser, reference: str, hearing_id: int, result: str
) -> None:
    """The court's result; unless the case goes on to another court, it is the final outcome."""
    result = check_choice("result", result, COURT_OUTCOMES, "the result")
    now = clock.now()
    with db.transaction() as conn:
        case = open_case(conn, user, reference, Permission.RECORD_RESULT)
        after_step(case.status, CaseStep.RECORD_RESULT)
        hearing = court_store.hearing(conn, case.id, hearing_id)
        if hearing is None or hearing.court_agency_id != user.agency_id:
            raise NotFound("There is no such hearing at your court on this case.")
        if hearing.result is not None:
            raise Conflict(f"This hearing's result is already recorded: {hearing.result}.")
        court_store.update_hearing(conn, hearing.id, result=result, result_at=now)
        if result in CONTINUING_COURT_RESULTS:
            # The next court lists the next hearing.
            store.update_case(conn, case.id, now, court_agency_id=None)
        else:
            store.update_case(
                conn,
                case.id,
                now,
                status=CaseStatus.CLOSED.value,
                outcome=result,
                outcome_reason=f"Result at {hearing.court_name}",
                closed_at=now,
            )
        store.add_log(conn, case.id, now, author(user), "event", f"Court result: {result}.")
        owe_update(
            conn, clock, user.audit_name, case, UpdateEvent.COURT_RESULT, UpdateFacts(result=result)
        )
        log_audit(conn, clock, user, AuditAction.ALTERATION, case, f"hearing {hearing.id} result")
