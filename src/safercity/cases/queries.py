"""What staff read: the case page, the queues, and the role's dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Connection

from safercity.cases import court_store, store, update_store, updates
from safercity.cases.access import log_audit, open_case
from safercity.cases.casefile import (
    CaseSections,
    CaseSummary,
    Hearing,
    RecordedCrime,
    StaffCaseView,
)
from safercity.cases.model import CaseStep, RecordingClock, may_take, recording_clock
from safercity.cases.vocabulary import CaseStatus, SuspectStatus
from safercity.platform.audit import service as audit
from safercity.platform.audit.model import AuditAction, AuditRecord
from safercity.platform.clock import Clock
from safercity.platform.db import Database
from safercity.platform.http import require
from safercity.platform.identity.model import Permission, Role, StaffUser

INVESTIGATING = (CaseStatus.UNDER_INVESTIGATION, CaseStatus.RETURNED_BY_PROSECUTOR)


def sections_for(role: Role) -> CaseSections:
    police = role in (Role.INVESTIGATOR, Role.SUPERVISOR, Role.CALL_HANDLER)
    return CaseSections(
        victim_contact=police or role is Role.WITNESS_CARE_OFFICER,
        log=police or role is Role.PROSECUTOR,
        messages=police or role is Role.WITNESS_CARE_OFFICER,
        all_suspects=role is not Role.COURT_CLERK,
        updates=role is not Role.COURT_CLERK,
    )


def staff_case(db: Database, clock: Clock, user: StaffUser, reference: str) -> StaffCaseView:
    """The case page: everything the user's role works with, audited as a consultation."""
    sections = sections_for(user.role)
    with db.transaction() as conn:
        case = open_case(conn, user, reference)
        suspects = store.suspects_of(conn, case.id)
        if not sections.all_suspects:
            # The court deals with defendants: suspects who were charged.
            suspects = [s for s in suspects if s.status is SuspectStatus.CHARGED]
        view = StaffCaseView(
            case=case,
            sections=sections,
            suspects=suspects,
            log=store.log(conn, case.id) if sections.log else [],
            messages=store.victim_messages_of(conn, case.id) if sections.messages else [],
            prosecution=court_store.prosecution_notes_of(conn, case.id),
            hearings=court_store.hearings_of(conn, case.id),
            updates=update_store.updates_of(conn, case.id) if sections.updates else [],
        )
        log_audit(conn, clock, user, AuditAction.CONSULTATION, case, "case page")
    return view


@dataclass(frozen=True)
class TriageItem:
    case: CaseSummary
    clock: RecordingClock


def triage_queue(db: Database, clock: Clock, user: StaffUser) -> list[TriageItem]:
    """New reports awaiting a recording decision, oldest first, each with its NCRS clock.

    Lists hold no victim or suspect details, so reading them is not logged.
    """
    require(user, Permission.TRIAGE)
    now = clock.now()
    with db.transaction() as conn:
        rows = store.case_summaries(
            conn, (CaseStatus.REPORTED,), agency_id=user.agency_id, unowned_too=True
        )
    return [TriageItem(row, recording_clock(row.reported_at, now)) for row in rows]


def allocation_queue(db: Database, user: StaffUser) -> list[CaseSummary]:
    """Recorded crimes of the user's force waiting for an officer."""
    require(user, Permission.INVESTIGATE)
    with db.transaction() as conn:
        return store.case_summaries(conn, (CaseStatus.RECORDED,), agency_id=user.agency_id)


@dataclass(frozen=True)
class WorkItem:
    """A case on an officer's list, with the prosecutor's latest requests if it came back."""

    case: CaseSummary
    requests: str | None


def my_cases(db: Database, user: StaffUser) -> list[WorkItem]:
    """The cases the user is officer in, still open; returned files first."""
    require(user, Permission.INVESTIGATE)
    statuses = (
        CaseStatus.RETURNED_BY_PROSECUTOR,
        CaseStatus.UNDER_INVESTIGATION,
        CaseStatus.WITH_PROSECUTOR,
        CaseStatus.AWAITING_COURT,
    )
    with db.transaction() as conn:
        rows = store.case_summaries(conn, statuses, officer_id=user.id)
        items = []
        for row in rows:
            requests = None
            if row.status is CaseStatus.RETURNED_BY_PROSECUTOR:
                notes = court_store.prosecution_notes_of(conn, row.id)
                requests = next((n.text for n in reversed(notes) if n.decision == "returned"), None)
            items.append(WorkItem(row, requests))
    items.sort(key=lambda i: i.case.status is not CaseStatus.RETURNED_BY_PROSECUTOR)
    return items


def force_cases(db: Database, user: StaffUser) -> list[CaseSummary]:
    """Every open case the user's force holds, for supervisors."""
    require(user, Permission.ALLOCATE)
    open_statuses = tuple(s for s in CaseStatus if s.is_open and s is not CaseStatus.REPORTED)
    with db.transaction() as conn:
        return store.case_summaries(conn, open_statuses, agency_id=user.agency_id)


def prosecutor_queue(db: Database, user: StaffUser) -> list[CaseSummary]:
    """Case files sent to the user's prosecuting agency, waiting for review."""
    require(user, Permission.REVIEW_FILE)
    with db.transaction() as conn:
        return store.case_summaries(
            conn, (CaseStatus.WITH_PROSECUTOR,), prosecutor_agency_id=user.agency_id
        )


@dataclass(frozen=True)
class CourtWork:
    to_list: list[CaseSummary]
    diary: list[tuple[str, Hearing]]


def court_queue(db: Database, clock: Clock, user: StaffUser) -> CourtWork:
    """Cases accepted for prosecution with no hearing at another court, and the court diary."""
    require(user, Permission.LIST_HEARING)
    with db.transaction() as conn:
        to_list = store.case_summaries(
            conn, (CaseStatus.AWAITING_COURT,), court_agency_id=user.agency_id
        )
        diary = court_store.court_diary(conn, user.agency_id, clock.now())
    return CourtWork(to_list=to_list, diary=diary)


@dataclass(frozen=True)
class Tile:
    """A link on the staff home page to a queue the role works from, with how much is in it."""

    title: str
    url: str
    count: int | None
    hint: str


def dashboard(db: Database, clock: Clock, user: StaffUser) -> list[Tile]:
    """The queues this user's role works from, each with how much is in it."""
    return _police_tiles(db, clock, user) + _court_side_tiles(db, clock, user)


def _police_tiles(db: Database, clock: Clock, user: StaffUser) -> list[Tile]:
    tiles: list[Tile] = []
    if user.can(Permission.TRIAGE):
        items = triage_queue(db, clock, user)
        overdue = sum(1 for i in items if i.clock.overdue)
        hint = f"{overdue} past the 24-hour recording deadline"
        tiles.append(Tile("Triage: new reports", "/staff/cases/triage", len(items), hint))
    if user.can(Permission.INVESTIGATE):
        mine = len(my_cases(db, user))
        waiting = len(allocation_queue(db, user))
        tiles += [
            Tile(
                "My cases",
                "/staff/cases/mine",
                mine,
                "Cases you are officer in; returned files first",
            ),
            Tile(
                "Awaiting allocation",
                "/staff/cases/unallocated",
                waiting,
                "Recorded crimes with no officer",
            ),
        ]
    if user.can(Permission.ALLOCATE):
        held = len(force_cases(db, user))
        tiles.append(
            Tile("All open cases", "/staff/cases/open", held, "Every open case your force holds")
        )
    return tiles


def _court_side_tiles(db: Database, clock: Clock, user: StaffUser) -> list[Tile]:
    tiles: list[Tile] = []
    if user.can(Permission.REVIEW_FILE):
        files = len(prosecutor_queue(db, user))
        tiles.append(
            Tile(
                "Case files to review",
                "/staff/cases/prosecution",
                files,
                "Charged cases sent by the police",
            )
        )
    if user.can(Permission.LIST_HEARING):
        work = court_queue(db, clock, user)
        tiles.append(
            Tile(
                "Court: cases and hearings",
                "/staff/cases/court",
                len(work.to_list),
                f"{len(work.diary)} hearings in the diary",
            )
        )
    if user.can(Permission.SUPERVISE_UPDATES):
        due = len(updates.updates_needing_attention(db, clock, user))
        tiles += [
            Tile(
                "Victim updates due",
                "/staff/victim-updates",
                due,
                "Overdue or due today under the Victims' Code",
            ),
            Tile(
                "Outbox",
                "/staff/outbox",
                None,
                "Every update sent to victims, and whether it was on time",
            ),
        ]
    return tiles


def actions_for(user: StaffUser, view: StaffCaseView) -> frozenset[str]:
    """The actions the case page and the API offer this user on this case now."""
    status = view.case.status
    offered = {
        "record": user.can(Permission.TRIAGE) and may_take(status, CaseStep.RECORD_CRIME),
        "allocate": user.can(Permission.ALLOCATE) and may_take(status, CaseStep.ALLOCATE),
        "take": user.can(Permission.INVESTIGATE)
        and may_take(status, CaseStep.ALLOCATE)
        and view.case.officer_id != user.id,
        "log": user.can(Permission.INVESTIGATE) and status.is_open,
        "suspects": user.can(Permission.INVESTIGATE) and may_take(status, CaseStep.INVESTIGATE),
        "charge": user.can(Permission.CHARGE) and may_take(status, CaseStep.CHARGE),
        "resubmit": user.can(Permission.CHARGE) and may_take(status, CaseStep.RESUBMIT),
        "review": user.can(Permission.REVIEW_FILE) and may_take(status, CaseStep.ACCEPT),
        "list_hearing": user.can(Permission.LIST_HEARING)
        and may_take(status, CaseStep.LIST_HEARING),
        "record_result": user.can(Permission.RECORD_RESULT)
        and may_take(status, CaseStep.RECORD_RESULT),
        "police_outcome": user.can(Permission.INVESTIGATE)
        and may_take(status, CaseStep.POLICE_OUTCOME),
        "mark_told": user.can(Permission.MESSAGE_VICTIM),
    }
    return frozenset(name for name, allowed in offered.items() if allowed)


def check_case_access(
    conn: Connection, user: StaffUser, reference: str, permission: Permission = Permission.VIEW_CASE
) -> str:
    """For other capabilities (evidence): the case's normalised reference if this user may work
    on it with ``permission``; NotFound or Forbidden otherwise. Runs in the caller's
    transaction; the caller audits what it then reads or changes."""
    return open_case(conn, user, reference, permission).reference


SYSTEM_PREVENTION = "system:prevention"


def recorded_crimes(conn: Connection, clock: Clock, since: datetime | None) -> list[RecordedCrime]:
    """Crimes recorded (or closed) at or after ``since``, for the crime map, the forecasts and
    the near-repeat warnings. The place is personal data (often the victim's home), so each
    read is logged as a consultation by the prevention service."""
    found = [
        RecordedCrime(
            reference=row["reference"],
            crime_type=row["crime_type"],
            recorded_at=row["recorded_at"],
            occurred_at=row["occurred_from"],
            lat=row["latitude"],
            lon=row["longitude"],
            force_name=row["force_name"],
            outcome=row["outcome"],
            closed_at=row["closed_at"],
        )
        for row in store.recorded_crimes_since(conn, since)
    ]
    audit.record(
        conn,
        clock,
        *(
            AuditRecord(
                actor=SYSTEM_PREVENTION,
                action=AuditAction.CONSULTATION,
                subject_type="case",
                subject_id=crime.reference,
                purpose="crime prevention: crime map, forecasts and near-repeat warnings",
                detail="crime type, place, dates and outcome",
            )
            for crime in found
        ),
    )
    return found
