"""Watching the Victims' Code clock: updates owed, told by a person, overdue or on time."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy.engine import Connection

from safercity.cases import update_store
from safercity.cases.access import log_audit, open_case
from safercity.cases.casefile import VictimUpdate
from safercity.cases.model import check_text
from safercity.platform.audit import service as audit
from safercity.platform.audit.model import AuditAction, AuditRecord
from safercity.platform.clock import Clock
from safercity.platform.db import Database
from safercity.platform.errors import Conflict, NotFound
from safercity.platform.http import require
from safercity.platform.identity.model import Permission, StaffUser
from safercity.platform.workdays import LONDON


def mark_told(
    db: Database, clock: Clock, user: StaffUser, reference: str, update_id: int, how: str
) -> None:
    """A person has told the victim (by phone, by letter, in person), and says how."""
    how = check_text("how", how, max_length=300, label="how the victim was told")
    with db.transaction() as conn:
        case = open_case(conn, user, reference, Permission.MESSAGE_VICTIM)
        owed = update_store.update_of(conn, case.id, update_id)
        if owed is None:
            raise NotFound("There is no such victim update on this case.")
        if owed.sent_at is not None:
            raise Conflict("This update has already reached the victim.")
        update_store.mark_told(conn, owed.id, clock.now(), how, user.audit_name)
        log_audit(
            conn,
            clock,
            user,
            AuditAction.DISCLOSURE,
            case,
            f"update {owed.id} told by a person",
            recipient="victim",
        )


def end_of_today(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(LONDON).date(), time(23, 59, 59), tzinfo=LONDON)


def updates_needing_attention(db: Database, clock: Clock, user: StaffUser) -> list[VictimUpdate]:
    """Every update for the user's agency's cases that is overdue or due by the end of today."""
    require(user, Permission.SUPERVISE_UPDATES)
    with db.transaction() as conn:
        _audit_listing(conn, clock, user, "updates due")
        return update_store.unsent_due_by(conn, user.agency_id, end_of_today(clock.now()))


def recent_updates(db: Database, clock: Clock, user: StaffUser) -> list[VictimUpdate]:
    """The outbox of victim updates for the user's agency's cases, newest first."""
    require(user, Permission.SUPERVISE_UPDATES)
    with db.transaction() as conn:
        _audit_listing(conn, clock, user, "outbox")
        return update_store.recent_updates(conn, user.agency_id)


def _audit_listing(conn: Connection, clock: Clock, user: StaffUser, what: str) -> None:
    audit.record(
        conn,
        clock,
        AuditRecord(
            actor=user.audit_name,
            action=AuditAction.CONSULTATION,
            subject_type="victim_updates",
            subject_id=user.agency_code,
            purpose="supervising updates owed to victims",
            detail=what,
        ),
    )
