"""The store of crime events (data.police.uk rows and the platform's recorded crimes), and the
queries on it.

Imports are idempotent: a row's key is its source and the source's own key (data.police.uk's
Crime ID, or a hash of an anonymous row and how many identical rows came before it; a platform
case's reference), so importing a file twice adds nothing, and a later file's outcome replaces
an earlier one's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import (
    Column,
    Date,
    Float,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    and_,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, RowMapping

from safercity.platform.db import UtcDateTime, metadata
from safercity.prevention.model import PLATFORM, POLICE_UK, MapPoint, StoredCrime

crime_events = Table(
    "crime_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(12), nullable=False),
    Column("source_key", String(80), nullable=False),
    Column("crime_id", String(64), nullable=False, index=True),
    Column("month", Date, nullable=False),
    Column("crime_type", String(60), nullable=False),
    Column("force", String(40), nullable=False),
    # The true point: for data.police.uk rows already an anonymised map point; for platform
    # crimes the place it happened, used only to find the neighbours to warn, never published.
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("public_latitude", Float, nullable=False),
    Column("public_longitude", Float, nullable=False),
    Column("location", String(200), nullable=False),
    Column("lsoa_code", String(12), nullable=False),
    Column("outcome", String(100), nullable=False),
    Column("outcome_month", Date),
    Column("occurred_at", UtcDateTime()),
    Column("case_reference", String(20), index=True),
    Column("imported_at", UtcDateTime(), nullable=False),
    UniqueConstraint("source", "source_key", name="uq_crime_events_source_key"),
    Index("ix_crime_events_type_month", "crime_type", "month"),
    Index("ix_crime_events_month", "month"),
)

prevention_sync = Table(
    "prevention_sync",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("synced_at", UtcDateTime(), nullable=False),
)

_BATCH = 2_000


def _insert(conn: Connection) -> Any:
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(crime_events)


def upsert(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Add new events; an event already held takes the row's outcome. Returns how many of the
    rows were new."""
    before = count(conn)
    for start in range(0, len(rows), _BATCH):
        statement = _insert(conn)
        statement = statement.on_conflict_do_update(
            index_elements=["source", "source_key"],
            set_={
                "outcome": statement.excluded.outcome,
                "outcome_month": statement.excluded.outcome_month,
            },
        )
        conn.execute(statement, list(rows[start : start + _BATCH]))
    return count(conn) - before


def count(conn: Connection, source: str | None = None) -> int:
    query = select(func.count()).select_from(crime_events)
    if source is not None:
        query = query.where(crime_events.c.source == source)
    return int(conn.execute(query).scalar_one())


def known_platform_keys(conn: Connection, references: Iterable[str]) -> set[str]:
    wanted = list(references)
    if not wanted:
        return set()
    rows = conn.execute(
        select(crime_events.c.source_key).where(
            crime_events.c.source == PLATFORM, crime_events.c.source_key.in_(wanted)
        )
    )
    return {row[0] for row in rows}


def set_outcome(conn: Connection, reference: str, outcome: str, outcome_month: date) -> None:
    conn.execute(
        update(crime_events)
        .where(crime_events.c.source == PLATFORM, crime_events.c.source_key == reference)
        .values(outcome=outcome, outcome_month=outcome_month)
    )


def last_sync(conn: Connection, name: str) -> datetime | None:
    return conn.execute(
        select(prevention_sync.c.synced_at).where(prevention_sync.c.name == name)
    ).scalar_one_or_none()


def mark_synced(conn: Connection, name: str, at: datetime) -> None:
    done = conn.execute(
        update(prevention_sync).where(prevention_sync.c.name == name).values(synced_at=at)
    )
    if done.rowcount == 0:
        conn.execute(prevention_sync.insert().values(name=name, synced_at=at))


def map_points(conn: Connection) -> list[MapPoint]:
    """Every distinct anonymised map point data.police.uk has published in the store."""
    rows = conn.execute(
        select(
            crime_events.c.public_latitude, crime_events.c.public_longitude, crime_events.c.location
        )
        .where(crime_events.c.source == POLICE_UK)
        .distinct()
    )
    return [MapPoint(lat, lon, location) for lat, lon, location in rows]


@dataclass(frozen=True)
class EventPoints:
    """Events as arrays, for the forecasters: public points and months."""

    lon: np.ndarray
    lat: np.ndarray
    month: list[date]


def points(
    conn: Connection, crime_type: str | None, first: date | None = None, last: date | None = None
) -> EventPoints:
    """Public points and months of events of one crime type (all types when None), first to
    last month inclusive."""
    c = crime_events.c
    query = select(c.public_longitude, c.public_latitude, c.month)
    if crime_type is not None:
        query = query.where(c.crime_type == crime_type)
    if first is not None:
        query = query.where(c.month >= first)
    if last is not None:
        query = query.where(c.month <= last)
    rows = conn.execute(query).all()
    return EventPoints(
        np.array([r[0] for r in rows], dtype=np.float64),
        np.array([r[1] for r in rows], dtype=np.float64),
        [r[2] for r in rows],
    )


def months(conn: Connection, source: str | None = None) -> tuple[date | None, date | None]:
    """The first and last months held (of one source, if given)."""
    c = crime_events.c
    query = select(func.min(c.month), func.max(c.month))
    if source is not None:
        query = query.where(c.source == source)
    first, last = conn.execute(query).one()
    return first, last


def monthly_counts(
    conn: Connection, first: date | None = None, last: date | None = None
) -> list[tuple[date, str, str, int]]:
    """(month, crime type, LSOA code, events) for the trends by crime type and area."""
    c = crime_events.c
    query = select(c.month, c.crime_type, c.lsoa_code, func.count()).group_by(
        c.month, c.crime_type, c.lsoa_code
    )
    if first is not None:
        query = query.where(c.month >= first)
    if last is not None:
        query = query.where(c.month <= last)
    return [(m, t, lsoa, int(n)) for m, t, lsoa, n in conn.execute(query)]


def crime_types(conn: Connection) -> list[str]:
    rows = conn.execute(
        select(crime_events.c.crime_type).distinct().order_by(crime_events.c.crime_type)
    )
    return [row[0] for row in rows]


def _crime(row: RowMapping) -> StoredCrime:
    return StoredCrime(
        id=row["id"],
        source=row["source"],
        crime_id=row["crime_id"],
        month=row["month"],
        crime_type=row["crime_type"],
        force=row["force"],
        public_lat=row["public_latitude"],
        public_lon=row["public_longitude"],
        location=row["location"],
        lsoa_code=row["lsoa_code"],
        outcome=row["outcome"],
        outcome_month=row["outcome_month"],
        occurred_at=row["occurred_at"],
    )


_PUBLIC = [
    crime_events.c[name]
    for name in (
        "id",
        "source",
        "crime_id",
        "month",
        "crime_type",
        "force",
        "public_latitude",
        "public_longitude",
        "location",
        "lsoa_code",
        "outcome",
        "outcome_month",
        "occurred_at",
    )
]


def crimes_in_box(
    conn: Connection,
    month: date,
    box: tuple[float, float, float, float],
    crime_type: str | None = None,
    limit: int = 10_000,
) -> list[StoredCrime]:
    """Crimes of a month whose public point lies in (min lat, min lon, max lat, max lon)."""
    c = crime_events.c
    query = select(*_PUBLIC).where(
        and_(
            c.month == month,
            c.public_latitude.between(box[0], box[2]),
            c.public_longitude.between(box[1], box[3]),
        )
    )
    if crime_type is not None:
        query = query.where(c.crime_type == crime_type)
    return [_crime(row) for row in conn.execute(query.order_by(c.id).limit(limit)).mappings()]


def crime_by_id(conn: Connection, crime_id: str) -> StoredCrime | None:
    row = (
        conn.execute(select(*_PUBLIC).where(crime_events.c.crime_id == crime_id).limit(1))
        .mappings()
        .first()
    )
    return _crime(row) if row else None


def platform_crime(conn: Connection, reference: str) -> tuple[StoredCrime, float, float] | None:
    """A platform crime with its true point (lat, lon): for warning its neighbours only."""
    c = crime_events.c
    row = (
        conn.execute(
            select(*_PUBLIC, c.latitude, c.longitude).where(
                c.source == PLATFORM, c.source_key == reference
            )
        )
        .mappings()
        .first()
    )
    return (_crime(row), row["latitude"], row["longitude"]) if row else None


def distinct_months(conn: Connection) -> list[date]:
    return [row[0] for row in conn.execute(select(crime_events.c.month).distinct())]


def located_counts(
    conn: Connection, first: date, last: date
) -> list[tuple[float, float, str, int]]:
    """(public lon, public lat, crime type, events) per map point, first to last month."""
    c = crime_events.c
    query = (
        select(c.public_longitude, c.public_latitude, c.crime_type, func.count())
        .where(c.month >= first, c.month <= last)
        .group_by(c.public_longitude, c.public_latitude, c.crime_type)
    )
    return [(lon, lat, t, int(n)) for lon, lat, t, n in conn.execute(query)]
