"""Tables of 999 intake (incidents, their calls and timelines), and the queries on them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection, RowMapping

from safercity.contact.grading import grading_from_dict, grading_to_dict
from safercity.contact.model import (
    Call,
    Incident,
    IncidentStatus,
    Location,
    RiskLevel,
    Thrive,
    VulnerabilityFlag,
)
from safercity.contact.taxonomy import KeyAnswers
from safercity.platform.db import UtcDateTime, metadata

incidents = Table(
    "incidents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("type_code", String(60), nullable=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("address", String(200), nullable=False),
    Column("borough", String(60)),
    Column("opened_at", UtcDateTime(), nullable=False, index=True),
    Column("status", String(10), nullable=False, index=True),
    Column("merged_into", Integer),
    # The grading as decided at the time (JSON), so a later taxonomy change cannot rewrite it.
    Column("grading", Text, nullable=False),
    Column("answers", Text, nullable=False),
    Column("thrive", Text, nullable=False),
    Column("flags", String(300), nullable=False),
    # The tightest deadline of the attendance, in seconds: the queue and diversions sort on it.
    Column("urgency_s", Integer),
    Column("opened_by", String(200), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("closed_at", UtcDateTime()),
)

calls = Table(
    "calls",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False, index=True),
    Column("received_at", UtcDateTime(), nullable=False, index=True),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("address", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("callback_number", String(32), index=True),
    Column("caller_name", String(200), nullable=False),
    Column("taken_by", String(200), nullable=False),
)

incident_events = Table(
    "incident_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False, index=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("text", String(500), nullable=False),
    Column("actor", String(200), nullable=False),
)

# Pairs of incidents a handler decided are not the same emergency: not offered again.
kept_separate = Table(
    "incidents_kept_separate",
    metadata,
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False),
    Column("other_id", Integer, ForeignKey("incidents.id"), nullable=False),
    Column("decided_by", String(200), nullable=False),
    Column("decided_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("incident_id", "other_id", name="pk_incidents_kept_separate"),
)


@dataclass(frozen=True)
class IncidentRow:
    """An incident as stored, with what the model does not carry."""

    incident: Incident
    answers: KeyAnswers
    borough: str | None
    urgency_s: int | None
    opened_by: str
    updated_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    kind: str
    text: str
    actor: str


def _thrive_to_json(thrive: Thrive) -> str:
    data = {
        name: getattr(thrive, name)
        for name in (
            "threat",
            "harm",
            "risk",
            "investigation",
            "vulnerability",
            "engagement",
            "override_reason",
        )
    }
    data["derived_risk"] = thrive.derived_risk.value
    data["override"] = thrive.override.value if thrive.override else None
    return json.dumps(data)


def _thrive_from_json(text: str) -> Thrive:
    data: dict[str, Any] = json.loads(text)
    override = data.pop("override")
    derived = data.pop("derived_risk")
    return Thrive(
        **data,
        derived_risk=RiskLevel(derived),
        override=RiskLevel(override) if override else None,
    )


def _answers_to_json(answers: KeyAnswers) -> str:
    return json.dumps({k: v for k, v in vars(answers).items() if v is not None})


def insert_incident(
    conn: Connection,
    incident: Incident,
    *,
    answers: KeyAnswers,
    borough: str | None,
    opened_by: str,
) -> int:
    """Save a new incident (its calls are saved with `insert_call`); returns its id."""
    result = conn.execute(
        insert(incidents).values(
            type_code=incident.type_code,
            latitude=incident.location.lat,
            longitude=incident.location.lon,
            address=incident.location.address,
            borough=borough,
            opened_at=incident.opened_at,
            status=incident.status.value,
            grading=json.dumps(grading_to_dict(incident.grading)),
            answers=_answers_to_json(answers),
            thrive=_thrive_to_json(incident.thrive),
            flags=",".join(sorted(f.value for f in incident.flags)),
            urgency_s=incident.grading.most_urgent_s,
            opened_by=opened_by,
            updated_at=incident.opened_at,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def insert_call(conn: Connection, incident_id: int, call: Call, taken_by: str) -> int:
    result = conn.execute(
        insert(calls).values(
            incident_id=incident_id,
            received_at=call.received_at,
            latitude=call.location.lat,
            longitude=call.location.lon,
            address=call.location.address,
            description=call.description,
            callback_number=call.callback_number,
            caller_name=call.caller_name,
            taken_by=taken_by,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def move_calls(conn: Connection, from_incident: int, to_incident: int) -> None:
    conn.execute(
        update(calls).where(calls.c.incident_id == from_incident).values(incident_id=to_incident)
    )


def save_incident(conn: Connection, incident: Incident, now: datetime) -> None:
    """Write back what can change on an incident: status, merge, flags, THRIVE, closing."""
    closing = incident.status is IncidentStatus.CLOSED
    conn.execute(
        update(incidents)
        .where(incidents.c.id == int(incident.id))
        .values(
            status=incident.status.value,
            merged_into=int(incident.merged_into) if incident.merged_into else None,
            flags=",".join(sorted(f.value for f in incident.flags)),
            thrive=_thrive_to_json(incident.thrive),
            updated_at=now,
            **({"closed_at": now} if closing else {}),
        )
    )


def add_event(
    conn: Connection, incident_id: int, at: datetime, kind: str, text: str, actor: str
) -> None:
    conn.execute(
        insert(incident_events).values(
            incident_id=incident_id, at=at, kind=kind, text=text[:500], actor=actor
        )
    )


def events(conn: Connection, incident_id: int) -> list[TimelineEvent]:
    rows = conn.execute(
        select(incident_events)
        .where(incident_events.c.incident_id == incident_id)
        .order_by(incident_events.c.at, incident_events.c.id)
    ).mappings()
    return [TimelineEvent(r["at"], r["kind"], r["text"], r["actor"]) for r in rows]


def _call(row: RowMapping) -> Call:
    return Call(
        id=str(row["id"]),
        received_at=row["received_at"],
        location=Location(row["latitude"], row["longitude"], row["address"]),
        description=row["description"],
        callback_number=row["callback_number"],
        caller_name=row["caller_name"],
    )


def _calls_of(conn: Connection, ids: list[int]) -> dict[int, list[Call]]:
    found: dict[int, list[Call]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = conn.execute(
        select(calls).where(calls.c.incident_id.in_(ids)).order_by(calls.c.received_at, calls.c.id)
    ).mappings()
    for row in rows:
        found[row["incident_id"]].append(_call(row))
    return found


def _row(row: RowMapping, its_calls: list[Call]) -> IncidentRow:
    incident = Incident(
        id=str(row["id"]),
        type_code=row["type_code"],
        location=Location(row["latitude"], row["longitude"], row["address"]),
        opened_at=row["opened_at"],
        grading=grading_from_dict(json.loads(row["grading"])),
        calls=tuple(its_calls),
        thrive=_thrive_from_json(row["thrive"]),
        flags=frozenset(VulnerabilityFlag(f) for f in row["flags"].split(",") if f),
        status=IncidentStatus(row["status"]),
        merged_into=str(row["merged_into"]) if row["merged_into"] is not None else None,
    )
    return IncidentRow(
        incident=incident,
        answers=KeyAnswers(**json.loads(row["answers"])),
        borough=row["borough"],
        urgency_s=row["urgency_s"],
        opened_by=row["opened_by"],
        updated_at=row["updated_at"],
        closed_at=row["closed_at"],
    )


def _load(conn: Connection, rows: Iterable[RowMapping]) -> list[IncidentRow]:
    found = list(rows)
    by_id = _calls_of(conn, [r["id"] for r in found])
    return [_row(r, by_id[r["id"]]) for r in found]


def incident(conn: Connection, incident_id: int, *, for_update: bool = False) -> IncidentRow | None:
    query = select(incidents).where(incidents.c.id == incident_id)
    if for_update:
        # Two handlers merging or closing the same incident queue here on PostgreSQL.
        query = query.with_for_update()
    rows = _load(conn, conn.execute(query).mappings())
    return rows[0] if rows else None


def open_incidents(conn: Connection, *, since: datetime | None = None) -> list[IncidentRow]:
    """Open incidents, newest first; with `since`, only those with a call at or after it."""
    query = select(incidents).where(incidents.c.status == IncidentStatus.OPEN.value)
    if since is not None:
        recent = select(calls.c.incident_id).where(calls.c.received_at >= since)
        query = query.where(incidents.c.id.in_(recent))
    return _load(conn, conn.execute(query.order_by(incidents.c.opened_at.desc())).mappings())


def open_with_number(conn: Connection, number: str) -> list[IncidentRow]:
    recent = select(calls.c.incident_id).where(calls.c.callback_number == number)
    query = select(incidents).where(
        incidents.c.status == IncidentStatus.OPEN.value, incidents.c.id.in_(recent)
    )
    return _load(conn, conn.execute(query).mappings())


def kept_apart(conn: Connection, incident_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each incident, the incidents a handler said it is not the same as (one query)."""
    found: dict[int, set[int]] = {i: set() for i in incident_ids}
    if found:
        rows = conn.execute(
            select(kept_separate.c.incident_id, kept_separate.c.other_id).where(
                kept_separate.c.incident_id.in_(list(found))
            )
        ).all()
        for incident_id, other_id in rows:
            found[incident_id].add(other_id)
    return found


def keep_apart(conn: Connection, a: int, b: int, actor: str, at: datetime) -> None:
    already = kept_apart(conn, [a, b])
    for first, second in ((a, b), (b, a)):
        if second not in already[first]:
            conn.execute(
                insert(kept_separate).values(
                    incident_id=first, other_id=second, decided_by=actor, decided_at=at
                )
            )
