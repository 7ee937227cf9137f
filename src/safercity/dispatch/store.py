"""Tables of the fleet (units and where they are) and of assignments, and the queries on them.

A unit has at most one active assignment: a partial unique index says so in the database, so two
handlers racing to send the same unit cannot both succeed, whatever the application does.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, RowMapping

from safercity.dispatch.assignment import ACTIVE, Assignment, AssignmentStatus, UnitState
from safercity.dispatch.capabilities import Capability, Service
from safercity.dispatch.fleet import CAPABILITY_SEPARATOR, Unit, UnitType
from safercity.platform.db import UtcDateTime, metadata

_ACTIVE_SQL = "status IN ({})".format(", ".join(f"'{s.value}'" for s in sorted(ACTIVE)))
# The same words as the partial index's predicate: with bound parameters instead, SQLite
# cannot tell the index applies and scans every assignment ever made.
_ACTIVE = text("assignments." + _ACTIVE_SQL)

units = Table(
    "units",
    metadata,
    Column("call_sign", String(64), primary_key=True),
    Column("service", String(12), nullable=False),
    Column("agency_code", String(64), nullable=False),
    Column("unit_type", String(30), nullable=False),
    Column("home_base_code", String(64), nullable=False),
    Column("capabilities", String(300), nullable=False),
    Column("crew", Integer, nullable=False),
    Column("home_latitude", Float, nullable=False),
    Column("home_longitude", Float, nullable=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("position_at", UtcDateTime(), nullable=False),
    Column("on_duty", Boolean, nullable=False),
)

assignments = Table(
    "assignments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, nullable=False, index=True),
    Column("call_sign", String(64), ForeignKey("units.call_sign"), nullable=False, index=True),
    Column("status", String(12), nullable=False),
    Column("dispatched_at", UtcDateTime(), nullable=False),
    Column("status_at", UtcDateTime(), nullable=False),
    Column("eta_s", Float),
    Column("en_route_due", UtcDateTime(), nullable=False),
    Column("on_scene_due", UtcDateTime()),
    Column("urgency_s", Integer),
    Column("scene_latitude", Float, nullable=False),
    Column("scene_longitude", Float, nullable=False),
    Column("reason", String(300), nullable=False),
    Column("dispatched_by", String(200), nullable=False),
    Index(
        "uq_assignments_active_unit",
        "call_sign",
        unique=True,
        sqlite_where=text(_ACTIVE_SQL),
        postgresql_where=text(_ACTIVE_SQL),
    ),
)

assignment_log = Table(
    "assignment_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("assignment_id", Integer, ForeignKey("assignments.id"), nullable=False, index=True),
    Column("status", String(12), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(200), nullable=False),
)


@lru_cache(maxsize=16_384)
def _cached_unit(
    call_sign: str,
    service: str,
    agency_code: str,
    unit_type: str,
    home_base_code: str,
    capabilities: str,
    crew: int,
) -> Unit:
    # A fleet barely changes: each distinct row becomes a Unit once, not on every read.
    return Unit(
        call_sign=call_sign,
        service=Service(service),
        agency_code=agency_code,
        unit_type=UnitType(unit_type),
        home_base_code=home_base_code,
        capabilities=frozenset(
            Capability(c) for c in capabilities.split(CAPABILITY_SEPARATOR) if c
        ),
        crew=crew,
    )


_UNIT_COLUMNS = (
    units.c.call_sign,
    units.c.service,
    units.c.agency_code,
    units.c.unit_type,
    units.c.home_base_code,
    units.c.capabilities,
    units.c.crew,
)


def _unit(row: RowMapping) -> Unit:
    return _cached_unit(*(row[c.name] for c in _UNIT_COLUMNS))


def free_units(conn: Connection) -> list[tuple[Unit, tuple[float, float]]]:
    """On-duty units with no active assignment, and where each is: what a recommendation
    needs, read in one query of seven short columns."""
    busy = select(assignments.c.call_sign).where(_ACTIVE)
    rows = conn.execute(
        select(*_UNIT_COLUMNS, units.c.latitude, units.c.longitude).where(
            units.c.on_duty.is_(True), units.c.call_sign.not_in(busy)
        )
    ).all()
    return [(_cached_unit(*row[:7]), (row[7], row[8])) for row in rows]


def units_sent_to(conn: Connection, incident_id: int) -> list[Unit]:
    """The units with an active assignment to this incident."""
    rows = conn.execute(
        select(*_UNIT_COLUMNS)
        .join(assignments, assignments.c.call_sign == units.c.call_sign)
        .where(assignments.c.incident_id == incident_id, _ACTIVE)
    ).all()
    return [_cached_unit(*row) for row in rows]


def _assignment(row: RowMapping) -> Assignment:
    return Assignment(
        id=row["id"],
        incident_id=str(row["incident_id"]),
        call_sign=row["call_sign"],
        status=AssignmentStatus(row["status"]),
        dispatched_at=row["dispatched_at"],
        status_at=row["status_at"],
        eta_s=row["eta_s"],
        en_route_due=row["en_route_due"],
        on_scene_due=row["on_scene_due"],
        reason=row["reason"],
        dispatched_by=row["dispatched_by"],
    )


def upsert_unit(conn: Connection, unit: Unit, home: tuple[float, float], now: datetime) -> bool:
    """Add a unit, or update its type, base and kit; True if it was new. Position is kept."""
    values = {
        "service": unit.service.value,
        "agency_code": unit.agency_code,
        "unit_type": unit.unit_type.value,
        "home_base_code": unit.home_base_code,
        "capabilities": CAPABILITY_SEPARATOR.join(sorted(c.value for c in unit.capabilities)),
        "crew": unit.crew,
        "home_latitude": home[0],
        "home_longitude": home[1],
    }
    changed = conn.execute(
        update(units).where(units.c.call_sign == unit.call_sign).values(**values)
    ).rowcount
    if changed:
        return False
    conn.execute(
        insert(units).values(
            call_sign=unit.call_sign,
            latitude=home[0],
            longitude=home[1],
            position_at=now,
            on_duty=True,
            **values,
        )
    )
    return True


def _active(conn: Connection, call_signs: Iterable[str] | None = None) -> dict[str, Assignment]:
    query = select(assignments).where(_ACTIVE)
    if call_signs is not None:
        query = query.where(assignments.c.call_sign.in_(list(call_signs)))
    return {r["call_sign"]: _assignment(r) for r in conn.execute(query).mappings()}


def _state(row: RowMapping, active: dict[str, Assignment]) -> UnitState:
    return UnitState(
        unit=_unit(row),
        home=(row["home_latitude"], row["home_longitude"]),
        position=(row["latitude"], row["longitude"]),
        position_at=row["position_at"],
        on_duty=row["on_duty"],
        assignment=active.get(row["call_sign"]),
    )


def unit_states(conn: Connection, call_signs: Iterable[str] | None = None) -> list[UnitState]:
    """Units (all, or those named) with their positions and active assignments, by call sign."""
    query = select(units).order_by(units.c.call_sign)
    wanted = None if call_signs is None else list(call_signs)
    if wanted is not None:
        query = query.where(units.c.call_sign.in_(wanted))
    active = _active(conn, wanted)
    return [_state(r, active) for r in conn.execute(query).mappings()]


def lock_unit(conn: Connection, call_sign: str) -> UnitState | None:
    """The unit, its row locked until commit on PostgreSQL (SQLite already serialises writers)."""
    row = (
        conn.execute(select(units).where(units.c.call_sign == call_sign).with_for_update())
        .mappings()
        .first()
    )
    return None if row is None else _state(row, _active(conn, [call_sign]))


def move_unit(conn: Connection, call_sign: str, lat: float, lon: float, at: datetime) -> None:
    conn.execute(
        update(units)
        .where(units.c.call_sign == call_sign)
        .values(latitude=lat, longitude=lon, position_at=at)
    )


def insert_assignment(
    conn: Connection,
    *,
    incident_id: int,
    call_sign: str,
    at: datetime,
    eta_s: float | None,
    en_route_due: datetime,
    on_scene_due: datetime | None,
    urgency_s: int | None,
    scene: tuple[float, float],
    reason: str,
    actor: str,
) -> int:
    result = conn.execute(
        insert(assignments).values(
            incident_id=incident_id,
            call_sign=call_sign,
            status=AssignmentStatus.DISPATCHED.value,
            dispatched_at=at,
            status_at=at,
            eta_s=eta_s,
            en_route_due=en_route_due,
            on_scene_due=on_scene_due,
            urgency_s=urgency_s,
            scene_latitude=scene[0],
            scene_longitude=scene[1],
            reason=reason[:300],
            dispatched_by=actor,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    assignment_id = int(key[0])
    log_status(conn, assignment_id, AssignmentStatus.DISPATCHED, at, actor)
    return assignment_id


def set_status(
    conn: Connection,
    assignment_id: int,
    expected: AssignmentStatus,
    to: AssignmentStatus,
    at: datetime,
    actor: str,
) -> bool:
    """Move an assignment on, only if it is still in `expected`; False if someone moved it."""
    moved = conn.execute(
        update(assignments)
        .where(assignments.c.id == assignment_id, assignments.c.status == expected.value)
        .values(status=to.value, status_at=at)
    ).rowcount
    if moved:
        log_status(conn, assignment_id, to, at, actor)
    return bool(moved)


def log_status(
    conn: Connection, assignment_id: int, status: AssignmentStatus, at: datetime, actor: str
) -> None:
    conn.execute(
        insert(assignment_log).values(
            assignment_id=assignment_id, status=status.value, at=at, actor=actor
        )
    )


def assignment(conn: Connection, assignment_id: int) -> Assignment | None:
    row = (
        conn.execute(select(assignments).where(assignments.c.id == assignment_id))
        .mappings()
        .first()
    )
    return None if row is None else _assignment(row)


def urgency_of(conn: Connection, assignment_id: int) -> int | None:
    value = conn.execute(
        select(assignments.c.urgency_s).where(assignments.c.id == assignment_id)
    ).scalar_one_or_none()
    return None if value is None else int(value)


def scene_of(conn: Connection, assignment_id: int) -> tuple[float, float] | None:
    row = conn.execute(
        select(assignments.c.scene_latitude, assignments.c.scene_longitude).where(
            assignments.c.id == assignment_id
        )
    ).first()
    return None if row is None else (float(row[0]), float(row[1]))


def reassign(conn: Connection, assignment_ids: list[int], incident_id: int) -> None:
    if assignment_ids:
        conn.execute(
            update(assignments)
            .where(assignments.c.id.in_(assignment_ids))
            .values(incident_id=incident_id)
        )


def incident_assignments(conn: Connection, incident_ids: Iterable[int]) -> list[Assignment]:
    """Every assignment (active or ended) of these incidents, in dispatch order."""
    ids = list(incident_ids)
    if not ids:
        return []
    rows = conn.execute(
        select(assignments)
        .where(assignments.c.incident_id.in_(ids))
        .order_by(assignments.c.dispatched_at, assignments.c.id)
    ).mappings()
    return [_assignment(r) for r in rows]


def due_assignments(conn: Connection, now: datetime) -> list[Assignment]:
    """Active assignments with a status change due by `now` (en route, or on scene at ETA)."""
    dispatched = (assignments.c.status == AssignmentStatus.DISPATCHED.value) & (
        assignments.c.en_route_due <= now
    )
    en_route = (assignments.c.status == AssignmentStatus.EN_ROUTE.value) & (
        assignments.c.on_scene_due <= now
    )
    rows = conn.execute(
        select(assignments).where(_ACTIVE, dispatched | en_route).order_by(assignments.c.id)
    ).mappings()
    return [_assignment(r) for r in rows]


def assignment_history(
    conn: Connection, assignment_ids: Iterable[int]
) -> dict[int, list[tuple[str, datetime, str]]]:
    ids = list(assignment_ids)
    found: dict[int, list[tuple[str, datetime, str]]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = conn.execute(
        select(assignment_log)
        .where(assignment_log.c.assignment_id.in_(ids))
        .order_by(assignment_log.c.at, assignment_log.c.id)
    ).mappings()
    for r in rows:
        found[r["assignment_id"]].append((r["status"], r["at"], r["actor"]))
    return found
