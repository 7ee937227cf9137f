"""Who staff are and what their role lets them do.

A role belongs to a person within an agency; permissions follow from the role. Partner-agency
roles (social care, NHS, charities) arrive with safeguarding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class AgencyKind(StrEnum):
    POLICE = "police"
    PROSECUTOR = "prosecutor"
    COURT = "court"
    AMBULANCE = "ambulance"
    FIRE = "fire"
    COUNCIL = "council"
    NHS_TRUST = "nhs_trust"
    CHARITY = "charity"


class Role(StrEnum):
    CALL_HANDLER = "call_handler"
    DISPATCHER = "dispatcher"
    INVESTIGATOR = "investigator"
    SUPERVISOR = "supervisor"
    PROSECUTOR = "prosecutor"
    WITNESS_CARE_OFFICER = "witness_care_officer"
    COURT_CLERK = "court_clerk"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Permission(StrEnum):
    TRIAGE = "case.triage"
    INVESTIGATE = "case.investigate"
    ALLOCATE = "case.allocate"
    CHARGE = "case.charge"
    REVIEW_FILE = "prosecution.review"
    LIST_HEARING = "court.list_hearing"
    RECORD_RESULT = "court.record_result"
    SUPERVISE_UPDATES = "victim_updates.supervise"
    MESSAGE_VICTIM = "victim.message"
    HANDLE_EVIDENCE = "evidence.handle"
    VIEW_CASE = "case.view"
    MANAGE_USERS = "users.manage"
    READ_AUDIT = "audit.read"
    TAKE_CALLS = "contact.take_call"
    VIEW_INCIDENTS = "contact.view"
    DISPATCH = "dispatch.assign"
    UPDATE_UNITS = "dispatch.unit_status"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # One joint 999 service: the handler who takes the call also sends the units.
    Role.CALL_HANDLER: frozenset(
        {
            Permission.TRIAGE,
            Permission.VIEW_CASE,
            Permission.TAKE_CALLS,
            Permission.VIEW_INCIDENTS,
            Permission.DISPATCH,
            Permission.UPDATE_UNITS,
        }
    ),
    Role.DISPATCHER: frozenset(
        {Permission.VIEW_INCIDENTS, Permission.DISPATCH, Permission.UPDATE_UNITS}
    ),
    Role.INVESTIGATOR: frozenset(
        {
            Permission.TRIAGE,
            Permission.INVESTIGATE,
            Permission.CHARGE,
            Permission.MESSAGE_VICTIM,
            Permission.HANDLE_EVIDENCE,
            Permission.VIEW_CASE,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            Permission.TRIAGE,
            Permission.INVESTIGATE,
            Permission.ALLOCATE,
            Permission.CHARGE,
            Permission.SUPERVISE_UPDATES,
            Permission.MESSAGE_VICTIM,
            Permission.HANDLE_EVIDENCE,
            Permission.VIEW_CASE,
            Permission.READ_AUDIT,
        }
    ),
    Role.PROSECUTOR: frozenset(
        {Permission.REVIEW_FILE, Permission.VIEW_CASE, Permission.HANDLE_EVIDENCE}
    ),
    Role.WITNESS_CARE_OFFICER: frozenset(
        {Permission.MESSAGE_VICTIM, Permission.VIEW_CASE, Permission.SUPERVISE_UPDATES}
    ),
    Role.COURT_CLERK: frozenset(
        {Permission.LIST_HEARING, Permission.RECORD_RESULT, Permission.VIEW_CASE}
    ),
    Role.ADMIN: frozenset({Permission.MANAGE_USERS, Permission.READ_AUDIT}),
}

# Which agency kinds a role may be held in: a prosecutor works for the prosecution service.
ROLE_AGENCY_KINDS: dict[Role, frozenset[AgencyKind]] = {
    Role.CALL_HANDLER: frozenset({AgencyKind.POLICE, AgencyKind.AMBULANCE, AgencyKind.FIRE}),
    Role.DISPATCHER: frozenset({AgencyKind.POLICE, AgencyKind.AMBULANCE, AgencyKind.FIRE}),
    Role.INVESTIGATOR: frozenset({AgencyKind.POLICE}),
    Role.SUPERVISOR: frozenset({AgencyKind.POLICE}),
    Role.PROSECUTOR: frozenset({AgencyKind.PROSECUTOR}),
    Role.WITNESS_CARE_OFFICER: frozenset({AgencyKind.POLICE, AgencyKind.PROSECUTOR}),
    Role.COURT_CLERK: frozenset({AgencyKind.COURT}),
    Role.ADMIN: frozenset(AgencyKind),
}


@dataclass(frozen=True)
class Agency:
    id: int
    code: str
    name: str
    kind: AgencyKind


@dataclass(frozen=True)
class StaffUser:
    """A signed-in member of staff: the actor in every access check and audit entry."""

    id: int
    username: str
    display_name: str
    role: Role
    agency_id: int
    agency_code: str
    agency_name: str
    email: str | None = None
    phone: str | None = None

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    @property
    def audit_name(self) -> str:
        return f"{self.username}@{self.agency_code}"


@dataclass(frozen=True)
class LockoutPolicy:
    """Lock an account for a while after repeated failed sign-ins (defaults: 5 tries, 10 min)."""

    max_failures: int = 5
    lock_for: timedelta = timedelta(minutes=10)

    def after_failure(self, failures_so_far: int, now: datetime) -> tuple[int, datetime | None]:
        failures = failures_so_far + 1
        if failures >= self.max_failures:
            return 0, now + self.lock_for
        return failures, None


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None. NCSC advice: length over complexity."""
    if len(password) < 10:
        return "Use at least 10 characters; three random words work well."
    if len(password) > 256:
        return "Use at most 256 characters."
    return None
