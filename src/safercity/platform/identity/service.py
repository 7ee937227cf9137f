"""Sign-in, sessions, tokens and account management: the use cases of identity."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from safercity.platform.clock import Clock
from safercity.platform.db import Database
from safercity.platform.errors import AccountLocked, Conflict, InvalidInput, Unauthorized
from safercity.platform.identity import store
from safercity.platform.identity.model import (
    ROLE_AGENCY_KINDS,
    Agency,
    AgencyKind,
    LockoutPolicy,
    Role,
    StaffUser,
    is_locked,
    password_problem,
)

_hasher = PasswordHasher()
# Verified against when the username is unknown, so a miss costs as long as a hit.
_DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")
_BAD_SIGN_IN = "The username or password is not right. Check both and try again."


@dataclass(frozen=True)
class BrowserSession:
    token: str
    csrf_token: str
    user: StaffUser


@dataclass(frozen=True)
class IdentityConfig:
    signing_key: str
    session_idle: timedelta = timedelta(minutes=30)
    token_lifetime: timedelta = timedelta(minutes=30)
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def ensure_agency(db: Database, code: str, name: str, kind: AgencyKind) -> Agency:
    with db.transaction() as conn:
        return store.agency_by_code(conn, code) or store.add_agency(conn, code, name, kind)


def list_agencies(db: Database) -> list[Agency]:
    with db.transaction() as conn:
        return store.all_agencies(conn)


def add_user(
    db: Database,
    clock: Clock,
    *,
    username: str,
    password: str,
    role: Role,
    agency_code: str,
    display_name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> StaffUser:
    if problem := password_problem(password):
        raise InvalidInput(f"The password is not acceptable. {problem}")
    with db.transaction() as conn:
        agency = store.agency_by_code(conn, agency_code)
        if agency is None:
            known = ", ".join(a.code for a in store.all_agencies(conn)) or "none yet"
            raise InvalidInput(f"No agency with code {agency_code!r}. Known agencies: {known}.")
        if agency.kind not in ROLE_AGENCY_KINDS[role]:
            allowed = ", ".join(sorted(k.value for k in ROLE_AGENCY_KINDS[role]))
            raise InvalidInput(
                f"A {role.label.lower()} cannot belong to a {agency.kind.value} agency; "
                f"choose an agency of kind: {allowed}."
            )
        if store.user_account(conn, username) is not None:
            raise Conflict(f"The username {username!r} is taken; choose another.")
        user_id = store.insert_user(
            conn,
            username=username,
            display_name=display_name or username,
            password_hash=_hasher.hash(password),
            role=role.value,
            agency_id=agency.id,
            email=email,
            phone=phone,
            active=True,
            failed_sign_ins=0,
            created_at=clock.now(),
        )
        user = store.user_by_id(conn, user_id)
    assert user is not None
    return user


def authenticate(
    db: Database, clock: Clock, config: IdentityConfig, username: str, password: str
) -> StaffUser:
    """Check a username and password, counting failures and locking the account when due."""
    now = clock.now()
    with db.transaction() as conn:
        account = store.user_account(conn, username)
        if account is None or not account["active"]:
            _verify(_DUMMY_HASH, password)
            raise Unauthorized(_BAD_SIGN_IN)
        if is_locked(account["locked_until"], now):
            raise AccountLocked(
                "This account is locked after repeated failed sign-ins. Try again after "
                f"{account['locked_until']:%H:%M} UTC, or ask an administrator."
            )
        if not _verify(account["password_hash"], password):
            failures, locked_until = config.lockout.after_failure(account["failed_sign_ins"], now)
            store.update_user(
                conn, account["id"], failed_sign_ins=failures, locked_until=locked_until
            )
            failed = Unauthorized(_BAD_SIGN_IN)
        else:
            changes: dict[str, object] = {"failed_sign_ins": 0, "locked_until": None}
            if _hasher.check_needs_rehash(account["password_hash"]):
                changes["password_hash"] = _hasher.hash(password)
            store.update_user(conn, account["id"], **changes)
            return store.user_from_row(account)
    # Raised after the commit so the failure count is kept.
    raise failed


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def start_session(db: Database, clock: Clock, user: StaffUser) -> BrowserSession:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    with db.transaction() as conn:
        store.insert_session(conn, _hash_token(token), user.id, csrf, clock.now())
    return BrowserSession(token=token, csrf_token=csrf, user=user)


def resume_session(
    db: Database, clock: Clock, config: IdentityConfig, token: str
) -> BrowserSession:
    """The session behind a cookie, ended if it has been idle too long."""
    now = clock.now()
    token_hash = _hash_token(token)
    with db.transaction() as conn:
        row = store.session_row(conn, token_hash)
        if row is None:
            raise Unauthorized("Your session has ended. Sign in again.")
        if now - row["last_seen_at"] > config.session_idle:
            store.delete_session(conn, token_hash)
            expired = Unauthorized(
                "Your session ended after 30 minutes without activity. Sign in again."
            )
        else:
            user = store.user_by_id(conn, row["user_id"])
            if user is None:
                raise Unauthorized("This account is no longer active.")
            store.touch_session(conn, token_hash, now)
            return BrowserSession(token=token, csrf_token=row["csrf_token"], user=user)
    raise expired


def end_session(db: Database, token: str) -> None:
    with db.transaction() as conn:
        store.delete_session(conn, _hash_token(token))


def issue_token(clock: Clock, config: IdentityConfig, user: StaffUser) -> tuple[str, int]:
    now = clock.now()
    lifetime = int(config.token_lifetime.total_seconds())
    claims = {
        "sub": str(user.id),
        "iat": now,
        "exp": now + config.token_lifetime,
        "role": user.role.value,
    }
    return jwt.encode(claims, config.signing_key, algorithm="HS256"), lifetime


def user_from_token(db: Database, clock: Clock, config: IdentityConfig, token: str) -> StaffUser:
    try:
        claims = jwt.decode(
            token,
            config.signing_key,
            algorithms=["HS256"],
            options={"verify_exp": False, "verify_iat": False, "require": ["sub", "exp"]},
        )
        expires = datetime.fromtimestamp(int(claims["exp"]), tz=clock.now().tzinfo)
        user_id = int(claims["sub"])
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise Unauthorized(
            "The bearer token is not valid. Get a new one from POST /api/v1/auth/token."
        ) from error
    # Checked against our clock rather than the wall clock, so tests can move time.
    if clock.now() >= expires:
        raise Unauthorized(
            "The bearer token has expired. Get a new one from POST /api/v1/auth/token."
        )
    with db.transaction() as conn:
        user = store.user_by_id(conn, user_id)
    if user is None:
        raise Unauthorized("The account behind this token is no longer active.")
    return user


def users_with_role(db: Database, role: Role, agency_id: int | None = None) -> list[StaffUser]:
    with db.transaction() as conn:
        return store.users_with_role(conn, role, agency_id)
