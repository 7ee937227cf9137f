"""Suspects and what is done with them, the charge that hands the file to the prosecutor, and
outcomes the police reach themselves."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Connection

from safercity.cases import court_store, store
from safercity.cases.access import author, log_audit, open_case, owe_update
from safercity.cases.casefile import CaseFile
from safercity.cases.model import (
    CaseStep,
    after_step,
    check_chargeable,
    check_choice,
    check_date_of_birth,
    check_text,
    suspect_after,
)
from safercity.cases.victims_code import UpdateEvent, UpdateFacts
from safercity.cases.vocabulary import POLICE_OUTCOMES, SuspectAction, SuspectStatus
from safercity.platform.audit.model import AuditAction
from safercity.platform.clock import Clock
from safercity.platform.db import Database
from safercity.platform.errors import FieldError, InvalidInput, NotFound
from safercity.platform.identity.model import Agency, AgencyKind, Permission, StaffUser
from safercity.platform.identity.store import agencies
from safercity.platform.workdays import LONDON

_EVENTS = {
    SuspectAction.ARREST: UpdateEvent.ARRESTED,
    SuspectAction.INTERVIEW: UpdateEvent.INTERVIEWED,
    SuspectAction.BAIL: UpdateEvent.BAILED,
    SuspectAction.RELEASE_UNDER_INVESTIGATION: UpdateEvent.RELEASED_UNDER_INVESTIGATION,
    SuspectAction.NO_FURTHER_ACTION: UpdateEvent.NO_FURTHER_ACTION,
}
# Pre-charge bail runs for 3 months at first (Police and Criminal Evidence Act 1984, s.47ZB),
# extendable; we accept a return date up to a year ahead.
LONGEST_BAIL = timedelta(days=366)


def add_suspect(
    db: Database,
    clock: Clock,
    user: StaffUser,
    reference: str,
    name: str,
    date_of_birth: date | None = None,
) -> int:
    """Name a suspect on the case. Their name never reaches the victim's view."""
    name = check_text("name", name, max_length=200, label="the suspect's name")
    now = clock.now()
    check_date_of_birth(date_of_birth, now.astimezone(LONDON).date())
    with db.transaction() as conn:
        case = open_case(conn, user, reference, Permission.INVESTIGATE)
        after_step(case.status, CaseStep.INVESTIGATE)
        suspect_id = store.add_suspect(
            conn,
            case_id=case.id,
            name=name,
            date_of_birth=date_of_birth,
            status=SuspectStatus.IDENTIFIED.value,
            interviewed=False,
            created_at=now,
            updated_at=now,
        )
        store.add_log(conn, case.id, now, author(user), "event", f"Suspect added: {name}.")
        store.update_case(conn, case.id, now)
        log_audit(conn, clock, user, AuditAction.COLLECTION, case, f"suspect {suspect_id} added")
    return suspect_id


def _bail_problems(action: SuspectAction, bail_return: date | None, today: date) -> None:
    if action is not SuspectAction.BAIL:
        return
    if bail_return is None or not today < bail_return <= today + LONGEST_BAIL:
        problem = "Give the date the suspect must return on bail: after today, within a year."
        raise InvalidInput(problem, [FieldError("bail_return", problem)])


def act_on_suspect(
    db: Database,
    clock: Clock,
    user: StaffUser,
    reference: str,
    suspect_id: int,
    action: SuspectAction,
    *,
    bail_return: date | None = None,
    reason: str | None = None,
) -> None:
    """Arrest, interview under caution, bail, release under investigation, or no further action.

    Each is an event the victim has a right to be told about (Victims' Code, Right 6).
    """
    now = clock.now()
    _bail_problems(action, bail_return, now.astimezone(LONDON).date())
    if action is SuspectAction.NO_FURTHER_ACTION:
        reason = check_text("reason", reason or "", max_length=2000, label="the reason")
    else:
        reason = None
    with db.transaction() as conn:
        case = open_case(conn, user, reference, Permission.INVESTIGATE)
        after_step(case.status, CaseStep.INVESTIGATE)
        suspect = store.suspect(conn, case.id, suspect_id)
        if suspect is None:
            raise NotFound("There is no such suspect on this case.")
        status = suspect_after(suspect.status, action)
        store.update_suspect(
            conn,
            suspect.id,
            status=status.value,
            updated_at=now,
            interviewed=suspect.interviewed or action is SuspectAction.INTERVIEW,
            bail_return=bail_return if action is SuspectAction.BAIL else None,
            decision_reason=reason,
        )
        store.add_log(
            conn,
            case.id,
            now,
            author(user),
            "event",
            f"{action.label}: {suspect.name}." + (f" {reason}" if reason else ""),
        )
        store.update_case(conn, case.id, now)
        owe_update(
            conn,
            clock,
            user.audit_name,
            case,
            _EVENTS[action],
            UpdateFacts(reason=reason, bail_return=bail_return),
        )
        log_audit(
            conn, clock, user, AuditAction.ALTERATION, case, f"suspect {suspect.id} {action.value}"
        )


def prosecutor_agencies(conn: Connection) -> list[Agency]:
    query = select(agencies).where(agencies.c.kind == AgencyKind.PROSECUTOR.value)
    rows = conn.execute(query.order_by(agencies.c.name)).mappings()
    return [
        Agency(id=r["id"], code=r["code"], name=r["name"], kind=AgencyKind(r["kind"])) for r in rows
    ]


def _prosecutor_for(conn: Connection, case: CaseFile, code: str | None) -> Agency:
    """The prosecutor the file goes to: the one named, the case's own, or the only one."""
    choices = prosecutor_agencies(conn)
    if code:
        chosen = [a for a in choices if a.code == code]
    elif case.prosecutor_agency_id is not None:
        chosen = [a for a in choices if a.id == case.prosecutor_agency_id]
    else:
        chosen = choices if len(choices) == 1 else []
    if not chosen:
        known = ", ".join(a.code for a in choices) or "none is set up"
        problem = f"Choose the prosecuting agency ({known})."
        raise InvalidInput(problem, [FieldError("prosecutor", problem)])
    return chosen[0]


def charge(
    db: Database,
    clock: Clock,
    user: StaffUser,
    reference: str,
    suspect_id: int,
    charges: str,
    prosecutor_code: str | None = None,
) -> None:
    """Charge a suspect, and hand the case file to the prosecutor in the same system."""
    charges = check_text("charges", charges, max_length=2000, label="the charges")
    now = clock.now()
    with db.transaction() as conn:
        case = open_case(conn, user, reference, Permission.CHARGE)
        status = after_step(case.status, CaseStep.CHARGE)
        suspect = store.suspect(conn, case.id, suspect_id)
        if suspect is None:
            raise NotFound("There is no such suspect on this case.")
        check_chargeable(suspect.status, suspect.interviewed)
        prosecutor = _prosecutor_for(conn, case, prosecutor_code)
        store.update_suspect(
            conn,
            suspect.id,
            status=SuspectStatus.CHARGED.value,
            charges=charges,
            bail_return=None,
            updated_at=now,
        )
        store.update_case(
            conn, case.id, now, status=status.value, prosecutor_agency_id=prosecutor.id
        )
        store.add_log(
            conn,
            case.id,
            now,
            author(user),
            "event",
            f"Charged {suspect.name}: {charges}. File sent to {prosecutor.name}.",
        )
        court_store.add_prosecution_note(
            conn, case.id, now, author(user), "submitted", f"Charged: {charges}"
        )
        owe_update(
            conn,
            clock,
            user.audit_name,
            case,
            UpdateEvent.CHARGED,
            UpdateFacts(prosecutor=prosecutor.name),
        )
        log_audit(
            conn,
            clock,
            user,
            AuditAction.DISCLOSURE,
            case,
            f"suspect {suspect.id} charged; file to prosecutor",
            recipient=prosecutor.code,
        )


def close_with_police_outcome(
    db: Database, clock: Clock, user: StaffUser, reference: str, outcome: str, reason: str
) -> None:
    """End the case with an outcome the police reach without a court (police.uk categories)."""
    outcome = check_choice("outcome", outcome, POLICE_OUTCOMES, "the outcome")
    reason = check_text("reason", reason, max_length=2000, label="the reason")
    now = clock.now()
    with db.transaction() as conn:
        case = open_case(conn, user, reference, Permission.INVESTIGATE)
        status = after_step(case.status, CaseStep.POLICE_OUTCOME)
        store.update_case(
            conn,
            case.id,
            now,
            status=status.value,
            outcome=outcome,
            outcome_reason=reason,
            closed_at=now,
        )
        store.add_log(conn, case.id, now, author(user), "event", f"Closed: {outcome}. {reason}")
        owe_update(
            conn,
            clock,
            user.audit_name,
            case,
            UpdateEvent.INVESTIGATION_ENDED,
            UpdateFacts(reason=f"{outcome}. {reason}"),
        )
        log_audit(conn, clock, user, AuditAction.ALTERATION, case, "closed with police outcome")


def prosecutor_choices(db: Database) -> list[Agency]:
    """The prosecuting agencies a charged file can go to."""
    with db.transaction() as conn:
        return prosecutor_agencies(conn)
