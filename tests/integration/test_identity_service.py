"""Sign-in, lockout, idle sessions and tokens against the real database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from safercity.platform.errors import AccountLocked, Conflict, InvalidInput, Unauthorized
from safercity.platform.http import AppContext
from safercity.platform.identity import service as identity
from safercity.platform.identity.model import Role
from tests.factories import PASSWORD, seed_staff


def test_five_wrong_passwords_lock_the_account_for_ten_minutes(
    ctx: AppContext, db: Database, clock: FixedClock
) -> None:
    seed_staff(db, clock)
    for _ in range(5):
        with pytest.raises(Unauthorized):
            identity.authenticate(db, clock, ctx.identity, "investigator", "wrong password!")
    with pytest.raises(AccountLocked):
        identity.authenticate(db, clock, ctx.identity, "investigator", PASSWORD)
    clock.advance(timedelta(minutes=10))
    user = identity.authenticate(db, clock, ctx.identity, "investigator", PASSWORD)
    assert user.username == "investigator"


def test_a_good_sign_in_resets_the_failure_count(
    ctx: AppContext, db: Database, clock: FixedClock
) -> None:
    seed_staff(db, clock)
    for _ in range(4):
        with pytest.raises(Unauthorized):
            identity.authenticate(db, clock, ctx.identity, "clerk", "wrong password!")
    identity.authenticate(db, clock, ctx.identity, "clerk", PASSWORD)
    for _ in range(4):
        with pytest.raises(Unauthorized):
            identity.authenticate(db, clock, ctx.identity, "clerk", "wrong password!")
    assert identity.authenticate(db, clock, ctx.identity, "clerk", PASSWORD).username == "clerk"


def test_unknown_user_gets_the_same_message_as_a_wrong_password(
    ctx: AppContext, db: Database, clock: FixedClock
) -> None:
    seed_staff(db, clock)
    with pytest.raises(Unauthorized) as unknown:
        identity.authenticate(db, clock, ctx.identity, "nobody", PASSWORD)
    with pytest.raises(Unauthorized) as wrong:
        identity.authenticate(db, clock, ctx.identity, "clerk", "wrong password!")
    assert unknown.value.detail == wrong.value.detail


def test_session_ends_after_thirty_idle_minutes_but_activity_keeps_it(
    ctx: AppContext, db: Database, clock: FixedClock
) -> None:
    staff = seed_staff(db, clock)
    session = identity.start_session(db, clock, staff["supervisor"])
    clock.advance(timedelta(minutes=29))
    identity.resume_session(db, clock, ctx.identity, session.token)
    clock.advance(timedelta(minutes=29))
    identity.resume_session(db, clock, ctx.identity, session.token)
    clock.advance(timedelta(minutes=31))
    with pytest.raises(Unauthorized, match="30 minutes"):
        identity.resume_session(db, clock, ctx.identity, session.token)
    with pytest.raises(Unauthorized):
        identity.resume_session(db, clock, ctx.identity, session.token)


def test_bearer_token_expires(ctx: AppContext, db: Database, clock: FixedClock) -> None:
    staff = seed_staff(db, clock)
    token, lifetime = identity.issue_token(clock, ctx.identity, staff["prosecutor"])
    assert identity.user_from_token(db, clock, ctx.identity, token).role is Role.PROSECUTOR
    clock.advance(timedelta(seconds=lifetime))
    with pytest.raises(Unauthorized, match="expired"):
        identity.user_from_token(db, clock, ctx.identity, token)


def test_a_role_must_fit_its_agency_and_usernames_are_unique(
    db: Database, clock: FixedClock
) -> None:
    seed_staff(db, clock)
    with pytest.raises(InvalidInput, match="prosecutor"):
        identity.add_user(
            db, clock, username="p2", password=PASSWORD, role=Role.PROSECUTOR, agency_code="MPS"
        )
    with pytest.raises(Conflict):
        identity.add_user(
            db,
            clock,
            username="clerk",
            password=PASSWORD,
            role=Role.COURT_CLERK,
            agency_code="CAMB-MC",
        )
    with pytest.raises(InvalidInput, match="No agency"):
        identity.add_user(
            db, clock, username="x", password=PASSWORD, role=Role.ADMIN, agency_code="NOPE"
        )
