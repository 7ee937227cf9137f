"""The table of victim updates owed under the Victims' Code, and their delivery state.

An update is linked to the outbox message that carries it (email, text) or marked told by a
person (phone, letter). Delivered means the outbox sent or kept it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer, Select, String, Table, Text, select, update
from sqlalchemy.engine import Connection, RowMapping

from safercity.cases.casefile import VictimUpdate
from safercity.cases.store import cases
from safercity.cases.victims_code import UpdateEvent
from safercity.platform.db import UtcDateTime, metadata
from safercity.platform.outbox import DeliveryStatus, outbox_messages

victim_updates = Table(
    "victim_updates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("event", String(40), nullable=False),
    Column("event_at", UtcDateTime(), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False, index=True),
    Column("channel", String(10), nullable=False),
    Column("text", Text, nullable=False),
    Column("outbox_message_id", ForeignKey("outbox_messages.id")),
    Column("told_at", UtcDateTime()),
    Column("told_how", String(300)),
    Column("told_by", String(300)),
)

_DELIVERED = (DeliveryStatus.SENT.value, DeliveryStatus.KEPT.value)


def add_update(conn: Connection, **values: Any) -> int:
    result = conn.execute(victim_updates.insert().values(**values)).inserted_primary_key
    assert result is not None
    return int(result[0])


def set_outbox_message(conn: Connection, update_id: int, message_id: int) -> None:
    conn.execute(
        update(victim_updates)
        .where(victim_updates.c.id == update_id)
        .values(outbox_message_id=message_id)
    )


def mark_told(conn: Connection, update_id: int, at: datetime, how: str, by: str) -> None:
    conn.execute(
        update(victim_updates)
        .where(victim_updates.c.id == update_id)
        .values(told_at=at, told_how=how, told_by=by)
    )


def _query() -> Select[Any]:
    return (
        select(
            victim_updates,
            cases.c.reference,
            outbox_messages.c.status.label("delivery_status"),
            outbox_messages.c.delivered_at,
        )
        .join(cases, cases.c.id == victim_updates.c.case_id)
        .outerjoin(outbox_messages, outbox_messages.c.id == victim_updates.c.outbox_message_id)
    )


def _update(row: RowMapping) -> VictimUpdate:
    delivered = row["delivered_at"] if row["delivery_status"] in _DELIVERED else None
    return VictimUpdate(
        id=row["id"],
        case_id=row["case_id"],
        reference=row["reference"],
        event=UpdateEvent(row["event"]),
        event_at=row["event_at"],
        due_at=row["due_at"],
        channel=row["channel"],
        text=row["text"],
        outbox_message_id=row["outbox_message_id"],
        delivered_at=delivered,
        told_at=row["told_at"],
        told_how=row["told_how"],
    )


def updates_of(conn: Connection, case_id: int) -> list[VictimUpdate]:
    query = _query().where(victim_updates.c.case_id == case_id).order_by(victim_updates.c.id)
    return [_update(row) for row in conn.execute(query).mappings()]


def update_of(conn: Connection, case_id: int, update_id: int) -> VictimUpdate | None:
    query = _query().where(victim_updates.c.case_id == case_id, victim_updates.c.id == update_id)
    row = conn.execute(query).mappings().first()
    return _update(row) if row else None


def _agency_filter(query: Select[Any], agency_id: int) -> Select[Any]:
    return query.where(
        (cases.c.agency_id == agency_id) | (cases.c.prosecutor_agency_id == agency_id)
    )


def unsent_due_by(
    conn: Connection, agency_id: int, by: datetime, limit: int = 500
) -> list[VictimUpdate]:
    """Updates not yet delivered or told whose deadline falls before ``by``, oldest first."""
    delivered = outbox_messages.c.status.in_(_DELIVERED)
    query = (
        _agency_filter(_query(), agency_id)
        .where(victim_updates.c.told_at.is_(None))
        .where(victim_updates.c.outbox_message_id.is_(None) | ~delivered)
        .where(victim_updates.c.due_at <= by)
        .order_by(victim_updates.c.due_at, victim_updates.c.id)
        .limit(limit)
    )
    return [_update(row) for row in conn.execute(query).mappings()]


def recent_updates(conn: Connection, agency_id: int, limit: int = 200) -> list[VictimUpdate]:
    query = _agency_filter(_query(), agency_id).order_by(victim_updates.c.id.desc()).limit(limit)
    return [_update(row) for row in conn.execute(query).mappings()]
