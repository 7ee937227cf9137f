"""Use cases of near-repeat warnings: registering and unsubscribing, the public list of alerts
and their CAP documents, and warning the neighbours of a crime just taken in."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Connection, RowMapping

from safercity.cases.vocabulary import CRIME_TYPES
from safercity.city.boroughs import city_boroughs
from safercity.platform import outbox
from safercity.platform.audit import service as audit
from safercity.platform.audit.model import AuditAction, AuditRecord
from safercity.platform.clock import Clock
from safercity.platform.db import Database
from safercity.platform.errors import FieldError, InvalidInput, NotFound
from safercity.prevention import cap, warning_store
from safercity.prevention.model import StoredCrime, box_around
from safercity.prevention.nearrepeat import (
    NearRepeatRule,
    SubscriberKind,
    WarningChannel,
    advice,
    check_contact,
    check_radius,
    in_range,
    message,
    needs_warning,
)

RULE = NearRepeatRule()
# Crime types with a documented near-repeat pattern and advice of their own.
WARNED_TYPES = ("Burglary", "Vehicle crime", "Bicycle theft")
SYSTEM = "system:prevention"
PURPOSE = "crime prevention: near-repeat warnings"


@dataclass(frozen=True)
class NewSubscription:
    kind: SubscriberKind
    name: str
    channel: WarningChannel
    contact: str
    lat: float
    lon: float
    radius_m: float
    crime_types: tuple[str, ...] = ("Burglary",)


@dataclass(frozen=True)
class PublishedAlert:
    id: int
    identifier: str
    crime_type: str
    location: str
    lat: float
    lon: float
    radius_m: float
    sent: datetime
    expires: datetime
    advice: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check(request: NewSubscription) -> NewSubscription:
    name = request.name.strip()
    if not 1 <= len(name) <= 200:
        raise InvalidInput(
            "Give a name.", [FieldError("name", "Enter a name of up to 200 characters.")]
        )
    if city_boroughs().borough_near(request.lat, request.lon, 300) is None:
        raise InvalidInput(
            "That place is outside the city.",
            [FieldError("location", "Choose a place inside the city's boroughs on the map.")],
        )
    unknown = [t for t in request.crime_types if t not in CRIME_TYPES]
    if unknown or not request.crime_types:
        raise InvalidInput(
            "Choose the crimes to hear about.",
            [FieldError("crime_types", f"Choose from: {', '.join(WARNED_TYPES)}.")],
        )
    return NewSubscription(
        kind=request.kind,
        name=name,
        channel=request.channel,
        contact=check_contact(request.channel, request.contact),
        lat=request.lat,
        lon=request.lon,
        radius_m=check_radius(request.radius_m),
        crime_types=tuple(dict.fromkeys(request.crime_types)),
    )


def subscribe(db: Database, clock: Clock, request: NewSubscription) -> tuple[int, str]:
    """Register an area for warnings. Returns the subscription's id and its unsubscribe token,
    shown once and kept only as a hash."""
    checked = _check(request)
    token = secrets.token_urlsafe(24)
    with db.transaction() as conn:
        subscription_id = warning_store.add_subscription(
            conn,
            kind=checked.kind.value,
            name=checked.name,
            channel=checked.channel.value,
            contact=checked.contact,
            latitude=checked.lat,
            longitude=checked.lon,
            radius_m=checked.radius_m,
            crime_types="\n".join(checked.crime_types),
            token_hash=_hash(token),
            created_at=clock.now(),
        )
        audit.record(conn, clock, _audit(AuditAction.COLLECTION, subscription_id, "registered"))
    return subscription_id, token


def unsubscribe(db: Database, clock: Clock, token: str) -> None:
    with db.transaction() as conn:
        found = warning_store.unsubscribe(conn, _hash(token), clock.now())
        if found is None:
            raise NotFound("No registration has that link. It may have been mistyped.")
        subscription_id, was_active = found
        if was_active:
            audit.record(
                conn, clock, _audit(AuditAction.ALTERATION, subscription_id, "unsubscribed")
            )


def _audit(action: AuditAction, subscription_id: int, detail: str) -> AuditRecord:
    return AuditRecord(
        actor=SYSTEM if action is AuditAction.CONSULTATION else "public",
        action=action,
        subject_type="prevention_subscription",
        subject_id=str(subscription_id),
        purpose=PURPOSE,
        detail=detail,
    )


def _alert(row: RowMapping) -> PublishedAlert:
    return PublishedAlert(
        id=row["id"],
        identifier=row["identifier"],
        crime_type=row["crime_type"],
        location=row["location"],
        lat=row["latitude"],
        lon=row["longitude"],
        radius_m=row["radius_m"],
        sent=row["sent"],
        expires=row["expires"],
        advice=row["advice"],
    )


def current_alerts(
    db: Database,
    clock: Clock,
    near: tuple[float, float, float] | None = None,
    include_expired: bool = False,
) -> list[PublishedAlert]:
    """Published alerts (in force unless ``include_expired``), optionally only those whose
    circle meets (lat, lon, radius in metres)."""
    with db.transaction() as conn:
        box = box_around(near[0], near[1], near[2] + RULE.range_m) if near else None
        return [
            _alert(row) for row in warning_store.alert_rows(conn, clock.now(), include_expired, box)
        ]


def alert_cap(db: Database, alert_id: int) -> bytes:
    with db.transaction() as conn:
        row = warning_store.alert_row(conn, alert_id)
    if row is None:
        raise NotFound(f"There is no alert {alert_id}. The list is at /api/v1/prevention/alerts.")
    return str(row["xml"]).encode()


def warn_neighbours(
    conn: Connection, clock: Clock, crime: StoredCrime, lat: float, lon: float
) -> int:
    """Publish the crime's CAP alert and queue one warning for each subscriber in range who is
    not already under a warning. ``lat``/``lon`` is the crime's true point, used only to test
    range; what is published is its anonymised map point. Returns the messages queued."""
    if crime.crime_type not in WARNED_TYPES or crime.occurred_at is None:
        return 0
    now = clock.now()
    until = RULE.lasts_until(crime.occurred_at)
    if until <= now:
        return 0  # the risk has passed: recorded too late to warn anyone
    tip = advice(crime.crime_type)
    identifier = f"safercity-prevention-{crime.crime_id[:24]}"
    xml = cap.build_alert(
        cap.AlertContent(
            identifier=identifier,
            sent=now,
            expires=until,
            crime_type=crime.crime_type,
            location=crime.location,
            lat=crime.public_lat,
            lon=crime.public_lon,
            radius_m=RULE.range_m,
            advice=tip,
            web=f"/prevention?alert={identifier}",
        )
    )
    alert_id = warning_store.add_alert(
        conn,
        identifier=identifier,
        crime_event_id=crime.id,
        crime_type=crime.crime_type,
        location=crime.location,
        latitude=crime.public_lat,
        longitude=crime.public_lon,
        radius_m=RULE.range_m,
        sent=now,
        expires=until,
        advice=tip,
        xml=xml.decode(),
    )
    sent = 0
    subject, body = message(crime.crime_type, crime.location, until)
    for subscription in warning_store.active_near(conn, box_around(lat, lon, RULE.range_m + 2000)):
        if not (
            in_range(subscription, lat, lon, RULE)
            and needs_warning(subscription, crime.crime_type, now)
        ):
            continue
        if not warning_store.claim_warning(conn, subscription.id, now, until):
            continue
        message_id = outbox.enqueue(
            conn,
            clock,
            channel=outbox.Channel(subscription.channel.value),
            recipient=subscription.contact,
            subject=subject,
            body=body,
            topic="prevention_alert",
            topic_id=str(alert_id),
        )
        warning_store.add_delivery(conn, alert_id, subscription.id, message_id)
        audit.record(
            conn,
            clock,
            _audit(AuditAction.CONSULTATION, subscription.id, f"warned: alert {alert_id}"),
        )
        sent += 1
    return sent
