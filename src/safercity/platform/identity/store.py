"""Tables for agencies, staff accounts and browser sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    Select,
    String,
    Table,
    select,
    update,
)
from sqlalchemy.engine import Connection, RowMapping

from safercity.platform.db import UtcDateTime, metadata
from safercity.platform.identity.model import Agency, AgencyKind, Role, StaffUser

agencies = Table(
    "agencies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
)

staff_users = Table(
    "staff_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(40), nullable=False),
    Column("agency_id", ForeignKey("agencies.id"), nullable=False),
    Column("email", String(200)),
    Column("phone", String(40)),
    Column("active", Boolean, nullable=False, default=True),
    Column("failed_sign_ins", Integer, nullable=False, default=0),
    Column("locked_until", UtcDateTime()),
    Column("created_at", UtcDateTime(), nullable=False),
)

staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", ForeignKey("staff_users.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_seen_at", UtcDateTime(), nullable=False),
)


def _agency(row: RowMapping) -> Agency:
    return Agency(id=row["id"], code=row["code"], name=row["name"], kind=AgencyKind(row["kind"]))


def add_agency(conn: Connection, code: str, name: str, kind: AgencyKind) -> Agency:
    new_id = conn.execute(
        agencies.insert().values(code=code, name=name, kind=kind.value)
    ).inserted_primary_key
    assert new_id is not None
    return Agency(id=new_id[0], code=code, name=name, kind=kind)


def agency_by_code(conn: Connection, code: str) -> Agency | None:
    row = conn.execute(select(agencies).where(agencies.c.code == code)).mappings().first()
    return _agency(row) if row else None


def all_agencies(conn: Connection) -> list[Agency]:
    rows = conn.execute(select(agencies).order_by(agencies.c.name)).mappings()
    return [_agency(row) for row in rows]


_user_columns = (
    staff_users,
    agencies.c.code.label("agency_code"),
    agencies.c.name.label("agency_name"),
)


def _user(row: RowMapping) -> StaffUser:
    return StaffUser(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        agency_id=row["agency_id"],
        agency_code=row["agency_code"],
        agency_name=row["agency_name"],
        email=row["email"],
        phone=row["phone"],
    )


def _user_query() -> Select[Any]:
    return select(*_user_columns).join(agencies, agencies.c.id == staff_users.c.agency_id)


def user_account(conn: Connection, username: str) -> RowMapping | None:
    """The raw account row, with its password hash and lockout state: for sign-in only."""
    query = _user_query().where(staff_users.c.username == username)
    return conn.execute(query).mappings().first()


def user_by_id(conn: Connection, user_id: int) -> StaffUser | None:
    query = _user_query().where(staff_users.c.id == user_id, staff_users.c.active.is_(True))
    row = conn.execute(query).mappings().first()
    return _user(row) if row else None


def users_with_role(conn: Connection, role: Role, agency_id: int | None = None) -> list[StaffUser]:
    query = _user_query().where(staff_users.c.role == role.value, staff_users.c.active.is_(True))
    if agency_id is not None:
        query = query.where(staff_users.c.agency_id == agency_id)
    rows = conn.execute(query.order_by(staff_users.c.display_name)).mappings()
    return [_user(row) for row in rows]


def user_from_row(row: RowMapping) -> StaffUser:
    return _user(row)


def insert_user(conn: Connection, **values: object) -> int:
    result = conn.execute(staff_users.insert().values(**values)).inserted_primary_key
    assert result is not None
    return int(result[0])


def update_user(conn: Connection, user_id: int, **values: object) -> None:
    conn.execute(update(staff_users).where(staff_users.c.id == user_id).values(**values))


def insert_session(
    conn: Connection, token_hash: str, user_id: int, csrf_token: str, now: datetime
) -> None:
    conn.execute(
        staff_sessions.insert().values(
            token_hash=token_hash,
            user_id=user_id,
            csrf_token=csrf_token,
            created_at=now,
            last_seen_at=now,
        )
    )


def session_row(conn: Connection, token_hash: str) -> RowMapping | None:
    query = select(staff_sessions).where(staff_sessions.c.token_hash == token_hash)
    return conn.execute(query).mappings().first()


def touch_session(conn: Connection, token_hash: str, now: datetime) -> None:
    conn.execute(
        update(staff_sessions)
        .where(staff_sessions.c.token_hash == token_hash)
        .values(last_seen_at=now)
    )


def delete_session(conn: Connection, token_hash: str) -> None:
    conn.execute(staff_sessions.delete().where(staff_sessions.c.token_hash == token_hash))
