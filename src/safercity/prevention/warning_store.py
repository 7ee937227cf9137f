"""Tables of near-repeat warnings: who registered, the CAP alerts published, who was told."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection, RowMapping

from safercity.platform.db import UtcDateTime, metadata
from safercity.prevention.nearrepeat import SubscriberKind, Subscription, WarningChannel

subscriptions = Table(
    "prevention_subscriptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("name", String(200), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("contact", String(200), nullable=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("radius_m", Float, nullable=False),
    Column("crime_types", Text, nullable=False),  # the types followed, one per line
    # Only a hash of the unsubscribe token is kept: a leaked table cannot unsubscribe anyone.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("unsubscribed_at", UtcDateTime()),
    # Until when the subscriber's last warning is in force: one warning per risk period.
    Column("warned_until", UtcDateTime()),
)

alerts = Table(
    "prevention_alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("identifier", String(80), nullable=False, unique=True),
    Column("crime_event_id", ForeignKey("crime_events.id"), nullable=False, unique=True),
    Column("crime_type", String(60), nullable=False),
    Column("location", String(200), nullable=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("radius_m", Float, nullable=False),
    Column("sent", UtcDateTime(), nullable=False, index=True),
    Column("expires", UtcDateTime(), nullable=False, index=True),
    Column("advice", Text, nullable=False),
    Column("xml", Text, nullable=False),
)

deliveries = Table(
    "prevention_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("alert_id", ForeignKey("prevention_alerts.id"), nullable=False, index=True),
    Column("subscription_id", ForeignKey("prevention_subscriptions.id"), nullable=False),
    Column("outbox_message_id", Integer, nullable=False),
    UniqueConstraint("alert_id", "subscription_id", name="uq_prevention_deliveries_once"),
)


def add_subscription(conn: Connection, **values: Any) -> int:
    key = conn.execute(subscriptions.insert().values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def _subscription(row: RowMapping) -> Subscription:
    return Subscription(
        id=row["id"],
        kind=SubscriberKind(row["kind"]),
        name=row["name"],
        channel=WarningChannel(row["channel"]),
        contact=row["contact"],
        lat=row["latitude"],
        lon=row["longitude"],
        radius_m=row["radius_m"],
        crime_types=tuple(row["crime_types"].splitlines()),
        warned_until=row["warned_until"],
    )


def active_near(conn: Connection, box: tuple[float, float, float, float]) -> list[Subscription]:
    """Subscriptions not ended whose point lies in (min lat, min lon, max lat, max lon)."""
    c = subscriptions.c
    query = select(subscriptions).where(
        c.unsubscribed_at.is_(None),
        c.latitude.between(box[0], box[2]),
        c.longitude.between(box[1], box[3]),
    )
    return [_subscription(row) for row in conn.execute(query.order_by(c.id)).mappings()]


def claim_warning(conn: Connection, subscription_id: int, now: datetime, until: datetime) -> bool:
    """Mark the subscriber warned until ``until`` unless a warning is still in force. One
    conditional UPDATE, so two workers can never both warn the same subscriber."""
    c = subscriptions.c
    done = conn.execute(
        update(subscriptions)
        .where(c.id == subscription_id, or_(c.warned_until.is_(None), c.warned_until <= now))
        .values(warned_until=until)
    )
    return done.rowcount == 1


def unsubscribe(conn: Connection, token_hash: str, now: datetime) -> tuple[int, bool] | None:
    """End a subscription: its id, and whether it was still active (None if unknown)."""
    c = subscriptions.c
    row = conn.execute(select(c.id, c.unsubscribed_at).where(c.token_hash == token_hash)).first()
    if row is None:
        return None
    if row.unsubscribed_at is None:
        conn.execute(update(subscriptions).where(c.id == row.id).values(unsubscribed_at=now))
    return int(row.id), row.unsubscribed_at is None


def add_alert(conn: Connection, **values: Any) -> int:
    key = conn.execute(alerts.insert().values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def add_delivery(conn: Connection, alert_id: int, subscription_id: int, message_id: int) -> None:
    conn.execute(
        deliveries.insert().values(
            alert_id=alert_id, subscription_id=subscription_id, outbox_message_id=message_id
        )
    )


def alert_rows(
    conn: Connection,
    now: datetime,
    include_expired: bool = False,
    box: tuple[float, float, float, float] | None = None,
    limit: int = 500,
) -> list[RowMapping]:
    c = alerts.c
    query = select(alerts)
    if not include_expired:
        query = query.where(c.expires > now)
    if box is not None:
        query = query.where(
            and_(c.latitude.between(box[0], box[2]), c.longitude.between(box[1], box[3]))
        )
    return list(conn.execute(query.order_by(c.sent.desc(), c.id.desc()).limit(limit)).mappings())


def alert_row(conn: Connection, alert_id: int) -> RowMapping | None:
    return conn.execute(select(alerts).where(alerts.c.id == alert_id)).mappings().first()


def delivered_count(conn: Connection, alert_id: int) -> int:
    rows = conn.execute(select(deliveries.c.id).where(deliveries.c.alert_id == alert_id)).all()
    return len(rows)
