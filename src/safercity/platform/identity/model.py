"""Who staff are and what their role lets them do.

A role belongs to a person within an agency; permissions follow from the role. The partner
agencies of the safeguarding hub (social care, NHS, probation, schools, charities) have their
own roles; what each may see of a safeguarding record is decided by the sharing agreements.
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
    PROBATION = "probation"
    SCHOOL = "school"


class Role(StrEnum):
    CALL_HANDLER = "call_handler"
    DISPATCHER = "dispatcher"
    INVESTIGATOR = "investigator"
    SUPERVISOR = "supervisor"
    PROSECUTOR = "prosecutor"
    WITNESS_CARE_OFFICER = "witness_care_officer"
    COURT_CLERK = "court_clerk"
    ADMIN = "admin"
    SOCIAL_WORKER = "social_worker"
    SAFEGUARDING_LEAD = "safeguarding_lead"
    MENTAL_HEALTH_PRACTITIONER = "mental_health_practitioner"
    PARAMEDIC = "paramedic"
    PROBATION_OFFICER = "probation_officer"
    DESIGNATED_SAFEGUARDING_LEAD = "designated_safeguarding_lead"
    TEACHER = "teacher"
    IDVA = "idva"  # independent domestic violence adviser
    DATA_PROTECTION_OFFICER = "data_protection_officer"

    @property
    def label(self) -> str:
        return _ROLE_LABELS.get(self.value) or self.value.replace("_", " ").capitalize()


_ROLE_LABELS = {
    "idva": "Independent domestic violence adviser (IDVA)",
    "designated_safeguarding_lead": "Designated safeguarding lead",
}


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
    SAFEGUARDING = "safeguarding.work"
    SUBJECT_ACCESS = "safeguarding.subject_access"
    ERASE = "safeguarding.erase"


_PARTNER_ROLES = (
    Role.SOCIAL_WORKER,
    Role.SAFEGUARDING_LEAD,
    Role.MENTAL_HEALTH_PRACTITIONER,
    Role.PARAMEDIC,
    Role.PROBATION_OFFICER,
    Role.DESIGNATED_SAFEGUARDING_LEAD,
    Role.IDVA,
)

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
            Permission.SAFEGUARDING,
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
            Permission.SAFEGUARDING,
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
    # The partner roles of the safeguarding hub. A teacher passes concerns to the school's
    # designated safeguarding lead (Keeping Children Safe in Education, Part 1) and holds no
    # safeguarding records; the data protection officer answers subject access requests, keeps
    # retention and erasure, reviews break-glass access and reads the audit log.
    **{role: frozenset({Permission.SAFEGUARDING}) for role in _PARTNER_ROLES},
    Role.TEACHER: frozenset(),
    Role.DATA_PROTECTION_OFFICER: frozenset(
        {Permission.READ_AUDIT, Permission.SUBJECT_ACCESS, Permission.ERASE}
    ),
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
    Role.SOCIAL_WORKER: frozenset({AgencyKind.COUNCIL}),
    Role.SAFEGUARDING_LEAD: frozenset(
        {AgencyKind.COUNCIL, AgencyKind.NHS_TRUST, AgencyKind.AMBULANCE, AgencyKind.CHARITY}
    ),
    Role.MENTAL_HEALTH_PRACTITIONER: frozenset({AgencyKind.NHS_TRUST}),
    Role.PARAMEDIC: frozenset({AgencyKind.AMBULANCE}),
    Role.PROBATION_OFFICER: frozenset({AgencyKind.PROBATION}),
    Role.DESIGNATED_SAFEGUARDING_LEAD: frozenset({AgencyKind.SCHOOL}),
    Role.TEACHER: frozenset({AgencyKind.SCHOOL}),
    Role.IDVA: frozenset({AgencyKind.CHARITY}),
    Role.DATA_PROTECTION_OFFICER: frozenset(AgencyKind),
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
