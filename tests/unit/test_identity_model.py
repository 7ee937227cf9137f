"""Roles, permissions and the lockout rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from safercity.platform.identity.model import (
    ROLE_AGENCY_KINDS,
    AgencyKind,
    LockoutPolicy,
    Permission,
    Role,
    StaffUser,
    is_locked,
    password_problem,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _user(role: Role) -> StaffUser:
    return StaffUser(
        id=1,
        username="u",
        display_name="U",
        role=role,
        agency_id=1,
        agency_code="X",
        agency_name="X",
    )


def test_fifth_failure_locks_for_ten_minutes() -> None:
    policy = LockoutPolicy()
    failures = 0
    for _ in range(4):
        failures, locked = policy.after_failure(failures, NOW)
        assert locked is None
    _, locked = policy.after_failure(failures, NOW)
    assert locked == NOW + timedelta(minutes=10)
    assert is_locked(locked, NOW + timedelta(minutes=9))
    assert not is_locked(locked, NOW + timedelta(minutes=10))


def test_court_clerk_records_results_but_cannot_charge() -> None:
    clerk = _user(Role.COURT_CLERK)
    assert clerk.can(Permission.RECORD_RESULT)
    assert not clerk.can(Permission.CHARGE)


def test_prosecutor_reviews_files_but_cannot_list_hearings() -> None:
    prosecutor = _user(Role.PROSECUTOR)
    assert prosecutor.can(Permission.REVIEW_FILE)
    assert not prosecutor.can(Permission.LIST_HEARING)


def test_a_prosecutor_belongs_to_the_prosecution_service_only() -> None:
    assert ROLE_AGENCY_KINDS[Role.PROSECUTOR] == {AgencyKind.PROSECUTOR}


def test_short_passwords_are_refused_with_advice() -> None:
    assert password_problem("short") is not None
    assert password_problem("three random words") is None
