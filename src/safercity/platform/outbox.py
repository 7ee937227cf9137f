"""The transactional outbox: messages to people are written with the change that causes them,
and delivered afterwards, so a crash between the two never loses one.

Delivery goes by SMTP when a host is configured; otherwise messages are kept (status ``kept``)
and shown to staff in the outbox page and to the victim on their tracking page.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from enum import StrEnum
from typing import Protocol

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    String,
    Table,
    Text,
    and_,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection, RowMapping

from safercity.platform.clock import Clock
from safercity.platform.db import Database, UtcDateTime, metadata


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    PHONE = "phone"
    POST = "post"


# Longer than any one send may take (the SMTP timeout is 10 s): a claim older than this was
# left by a worker that died mid-send.
CLAIM_LEASE = timedelta(minutes=5)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    KEPT = "kept"
    FAILED = "failed"


outbox_messages = Table(
    "outbox_messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("recipient", String(200), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("topic", String(40), nullable=False),
    Column("topic_id", String(80), nullable=False, index=True),
    Column("status", String(10), nullable=False, index=True),
    Column("delivered_at", UtcDateTime()),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", String(500)),
    Column("claimed_at", UtcDateTime()),
)


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    created_at: datetime
    channel: Channel
    recipient: str
    subject: str
    body: str
    topic: str
    topic_id: str
    status: DeliveryStatus
    delivered_at: datetime | None
    attempts: int
    last_error: str | None
    claimed_at: datetime | None = None


def _message(row: RowMapping) -> OutboxMessage:
    values = dict(row)
    values["channel"] = Channel(values["channel"])
    values["status"] = DeliveryStatus(values["status"])
    return OutboxMessage(**values)


def enqueue(
    conn: Connection,
    clock: Clock,
    *,
    channel: Channel,
    recipient: str,
    subject: str,
    body: str,
    topic: str,
    topic_id: str,
) -> int:
    """Queue a message inside the caller's transaction."""
    result = conn.execute(
        outbox_messages.insert(),
        {
            "created_at": clock.now(),
            "channel": channel.value,
            "recipient": recipient,
            "subject": subject,
            "body": body,
            "topic": topic,
            "topic_id": topic_id,
            "status": DeliveryStatus.PENDING.value,
            "attempts": 0,
        },
    ).inserted_primary_key
    assert result is not None
    return int(result[0])


class Transport(Protocol):
    def send(self, message: OutboxMessage) -> DeliveryStatus: ...


class KeepTransport:
    """No mail server configured: keep the message, visible to staff and on the tracking page."""

    def send(self, message: OutboxMessage) -> DeliveryStatus:
        return DeliveryStatus.KEPT


class SmtpTransport:
    def __init__(self, host: str, port: int, sender: str) -> None:
        self.host, self.port, self.sender = host, port, sender

    def send(self, message: OutboxMessage) -> DeliveryStatus:
        if message.channel is not Channel.EMAIL:
            return DeliveryStatus.KEPT
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.recipient
        email["Subject"] = message.subject
        email.set_content(message.body)
        with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
            smtp.send_message(email)
        return DeliveryStatus.SENT


def deliver_pending(db: Database, clock: Clock, transport: Transport, limit: int = 100) -> int:
    """Deliver queued messages; each is marked in its own transaction. Returns how many went."""
    with db.transaction() as conn:
        rows = (
            conn.execute(
                select(outbox_messages)
                .where(_deliverable(clock))
                .order_by(outbox_messages.c.id)
                .limit(limit)
            )
            .mappings()
            .all()
        )
    delivered = 0
    for row in rows:
        message = _message(row)
        if not _claim(db, clock, message):
            continue  # another worker took it first: never send a message twice
        try:
            status = transport.send(message)
            error = None
        except (OSError, smtplib.SMTPException) as failure:
            status, error = DeliveryStatus.PENDING, type(failure).__name__
        with db.transaction() as conn:
            conn.execute(
                update(outbox_messages)
                .where(outbox_messages.c.id == message.id)
                .values(
                    status=status.value,
                    delivered_at=clock.now() if status is not DeliveryStatus.PENDING else None,
                    last_error=error,
                )
            )
        delivered += status is not DeliveryStatus.PENDING
    return delivered


def _deliverable(clock: Clock) -> ColumnElement[bool]:
    """Pending, or claimed by a worker that has not finished within the lease (it crashed)."""
    return or_(
        outbox_messages.c.status == DeliveryStatus.PENDING.value,
        and_(
            outbox_messages.c.status == DeliveryStatus.SENDING.value,
            outbox_messages.c.claimed_at < clock.now() - CLAIM_LEASE,
        ),
    )


def _claim(db: Database, clock: Clock, message: OutboxMessage) -> bool:
    """Mark the message as being sent, only if no other worker has claimed it since we read it
    (the attempt count is the optimistic lock). A crash after the claim leaves it to be tried
    again once the lease has run out: sent at least once, and never by two workers at a time."""
    with db.transaction() as conn:
        claimed = conn.execute(
            update(outbox_messages)
            .where(
                outbox_messages.c.id == message.id,
                outbox_messages.c.attempts == message.attempts,
                _deliverable(clock),
            )
            .values(
                status=DeliveryStatus.SENDING.value,
                attempts=message.attempts + 1,
                claimed_at=clock.now(),
            )
        )
    return claimed.rowcount == 1


def messages_about(conn: Connection, topic: str, topic_id: str) -> list[OutboxMessage]:
    query = (
        select(outbox_messages)
        .where(outbox_messages.c.topic == topic, outbox_messages.c.topic_id == topic_id)
        .order_by(outbox_messages.c.id)
    )
    return [_message(row) for row in conn.execute(query).mappings()]


def recent_messages(conn: Connection, limit: int = 200) -> list[OutboxMessage]:
    query = select(outbox_messages).order_by(outbox_messages.c.id.desc()).limit(limit)
    return [_message(row) for row in conn.execute(query).mappings()]
