"""Tables of the case file, and the queries that load and save it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    Select,
    String,
    Table,
    Text,
    select,
    update,
)
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.orm import aliased

from safercity.cases.casefile import (
    CaseFile,
    CaseSummary,
    LogEntry,
    Suspect,
    VictimMessage,
)
from safercity.cases.model import TimelineEntry, VictimDetails
from safercity.cases.vocabulary import CaseStatus, ContactChannel, SuspectStatus
from safercity.platform.db import UtcDateTime, metadata
from safercity.platform.identity.store import agencies, staff_users

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(20), nullable=False, unique=True),
    Column("status", String(30), nullable=False, index=True),
    Column("crime_type", String(60), nullable=False),
    Column("offence", String(120)),
    Column("description", Text, nullable=False),
    Column("occurred_from", UtcDateTime(), nullable=False),
    Column("occurred_to", UtcDateTime()),
    Column("location_text", String(500)),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("borough", String(100)),
    Column("reported_at", UtcDateTime(), nullable=False, index=True),
    Column("victim_name", String(200), nullable=False),
    Column("victim_channel", String(10), nullable=False),
    Column("victim_email", String(200)),
    Column("victim_phone", String(40)),
    Column("victim_address", String(500)),
    # Enhanced Rights reasons, one a line; empty when the victim has standard rights.
    Column("enhanced_rights", Text, nullable=False),
    Column("reporter_is_victim", Boolean, nullable=False),
    Column("agency_id", ForeignKey("agencies.id"), index=True),
    Column("officer_id", ForeignKey("staff_users.id"), index=True),
    Column("recording_decision", String(30)),
    Column("recording_reason", Text),
    Column("recorded_at", UtcDateTime()),
    Column("prosecutor_agency_id", ForeignKey("agencies.id"), index=True),
    Column("court_agency_id", ForeignKey("agencies.id"), index=True),
    Column("outcome", String(100)),
    Column("outcome_reason", Text),
    Column("closed_at", UtcDateTime()),
    Column("updated_at", UtcDateTime(), nullable=False),
)

case_timeline = Table(
    "case_timeline",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("title", String(200), nullable=False),
    Column("detail", Text, nullable=False),
)

case_log = Table(
    "case_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("author", String(300), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("text", Text, nullable=False),
)

victim_messages = Table(
    "victim_messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("text", Text, nullable=False),
)

suspects = Table(
    "suspects",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("date_of_birth", Date),
    Column("status", String(40), nullable=False),
    Column("interviewed", Boolean, nullable=False),
    Column("bail_return", Date),
    Column("charges", Text),
    Column("decision_reason", Text),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

prosecution_notes = Table(
    "prosecution_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("author", String(300), nullable=False),
    Column("decision", String(20), nullable=False),
    Column("text", Text, nullable=False),
)

hearings = Table(
    "hearings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id"), nullable=False, index=True),
    Column("court_agency_id", ForeignKey("agencies.id"), nullable=False, index=True),
    Column("court_name", String(200), nullable=False),
    Column("starts_at", UtcDateTime(), nullable=False),
    Column("place", String(200), nullable=False),
    Column("result", String(100)),
    Column("result_at", UtcDateTime()),
    Column("created_at", UtcDateTime(), nullable=False),
)


def reference_taken(conn: Connection, reference: str) -> bool:
    query = select(cases.c.id).where(cases.c.reference == reference)
    return conn.execute(query).first() is not None


def insert_case(conn: Connection, **values: Any) -> int:
    # Values as parameters, not .values(): the compiled statement is then reused as it is.
    result = conn.execute(cases.insert(), values).inserted_primary_key
    assert result is not None
    return int(result[0])


def update_case(conn: Connection, case_id: int, now: datetime, **values: Any) -> None:
    conn.execute(update(cases).where(cases.c.id == case_id).values(updated_at=now, **values))


_officer = aliased(staff_users, name="officer")
_force = aliased(agencies, name="force")
_prosecutor = aliased(agencies, name="prosecutor")


def _case_query() -> Select[Any]:
    return (
        select(
            cases,
            _officer.c.display_name.label("officer_name"),
            _officer.c.email.label("officer_email"),
            _officer.c.phone.label("officer_phone"),
            _force.c.name.label("agency_name"),
            _prosecutor.c.name.label("prosecutor_agency_name"),
        )
        .outerjoin(_officer, _officer.c.id == cases.c.officer_id)
        .outerjoin(_force, _force.c.id == cases.c.agency_id)
        .outerjoin(_prosecutor, _prosecutor.c.id == cases.c.prosecutor_agency_id)
    )


def _victim(row: RowMapping) -> VictimDetails:
    reasons = tuple(r for r in row["enhanced_rights"].split("\n") if r)
    return VictimDetails(
        name=row["victim_name"],
        preferred_channel=ContactChannel(row["victim_channel"]),
        email=row["victim_email"],
        phone=row["victim_phone"],
        address=row["victim_address"],
        enhanced_rights_reasons=reasons,
    )


_CASE_FIELDS = [
    "id",
    "reference",
    "crime_type",
    "offence",
    "description",
    "occurred_from",
    "occurred_to",
    "location_text",
    "latitude",
    "longitude",
    "borough",
    "reported_at",
    "reporter_is_victim",
    "agency_id",
    "agency_name",
    "officer_id",
    "officer_name",
    "officer_email",
    "officer_phone",
    "recording_decision",
    "recording_reason",
    "recorded_at",
    "prosecutor_agency_id",
    "prosecutor_agency_name",
    "court_agency_id",
    "outcome",
    "outcome_reason",
    "closed_at",
]


def _case(row: RowMapping) -> CaseFile:
    values = {name: row[name] for name in _CASE_FIELDS}
    return CaseFile(status=CaseStatus(row["status"]), victim=_victim(row), **values)


def case_by_reference(conn: Connection, reference: str) -> CaseFile | None:
    row = conn.execute(_case_query().where(cases.c.reference == reference)).mappings().first()
    return _case(row) if row else None


def _summary(row: RowMapping) -> CaseSummary:
    return CaseSummary(
        id=row["id"],
        reference=row["reference"],
        status=CaseStatus(row["status"]),
        crime_type=row["crime_type"],
        offence=row["offence"],
        borough=row["borough"],
        reported_at=row["reported_at"],
        officer_name=row["officer_name"],
        has_enhanced_rights=bool(row["enhanced_rights"]),
        agency_id=row["agency_id"],
    )


def case_summaries(
    conn: Connection,
    statuses: tuple[CaseStatus, ...],
    *,
    agency_id: int | None = None,
    unowned_too: bool = False,
    officer_id: int | None = None,
    prosecutor_agency_id: int | None = None,
    court_agency_id: int | None = None,
    newest_first: bool = False,
    limit: int = 200,
) -> list[CaseSummary]:
    """Cases in some statuses, filtered by who holds them; oldest report first by default."""
    query = _case_query().where(cases.c.status.in_([s.value for s in statuses]))
    if agency_id is not None:
        owned = cases.c.agency_id == agency_id
        query = query.where(owned | cases.c.agency_id.is_(None) if unowned_too else owned)
    if officer_id is not None:
        query = query.where(cases.c.officer_id == officer_id)
    if prosecutor_agency_id is not None:
        query = query.where(cases.c.prosecutor_agency_id == prosecutor_agency_id)
    if court_agency_id is not None:
        query = query.where(
            (cases.c.court_agency_id == court_agency_id) | cases.c.court_agency_id.is_(None)
        )
    order = cases.c.reported_at.desc() if newest_first else cases.c.reported_at
    rows = conn.execute(query.order_by(order, cases.c.id).limit(limit)).mappings()
    return [_summary(row) for row in rows]


def add_timeline(conn: Connection, case_id: int, at: datetime, title: str, detail: str) -> None:
    conn.execute(
        case_timeline.insert(), {"case_id": case_id, "at": at, "title": title, "detail": detail}
    )


def timeline(conn: Connection, case_id: int) -> list[TimelineEntry]:
    query = (
        select(case_timeline)
        .where(case_timeline.c.case_id == case_id)
        .order_by(case_timeline.c.at, case_timeline.c.id)
    )
    return [
        TimelineEntry(at=row["at"], title=row["title"], detail=row["detail"])
        for row in conn.execute(query).mappings()
    ]


def add_log(
    conn: Connection, case_id: int, at: datetime, author: str, kind: str, text: str
) -> None:
    conn.execute(
        case_log.insert().values(case_id=case_id, at=at, author=author, kind=kind, text=text)
    )


def log(conn: Connection, case_id: int) -> list[LogEntry]:
    query = select(case_log).where(case_log.c.case_id == case_id).order_by(case_log.c.id)
    return [
        LogEntry(at=row["at"], author=row["author"], kind=row["kind"], text=row["text"])
        for row in conn.execute(query).mappings()
    ]


def add_victim_message(conn: Connection, case_id: int, at: datetime, kind: str, text: str) -> None:
    conn.execute(victim_messages.insert().values(case_id=case_id, at=at, kind=kind, text=text))


def victim_messages_of(conn: Connection, case_id: int) -> list[VictimMessage]:
    query = (
        select(victim_messages)
        .where(victim_messages.c.case_id == case_id)
        .order_by(victim_messages.c.id)
    )
    return [
        VictimMessage(id=row["id"], at=row["at"], kind=row["kind"], text=row["text"])
        for row in conn.execute(query).mappings()
    ]


def add_suspect(conn: Connection, **values: Any) -> int:
    result = conn.execute(suspects.insert().values(**values)).inserted_primary_key
    assert result is not None
    return int(result[0])


def _suspect(row: RowMapping) -> Suspect:
    return Suspect(
        id=row["id"],
        name=row["name"],
        date_of_birth=row["date_of_birth"],
        status=SuspectStatus(row["status"]),
        interviewed=row["interviewed"],
        bail_return=row["bail_return"],
        charges=row["charges"],
        decision_reason=row["decision_reason"],
        updated_at=row["updated_at"],
    )


def suspects_of(conn: Connection, case_id: int) -> list[Suspect]:
    query = select(suspects).where(suspects.c.case_id == case_id).order_by(suspects.c.id)
    return [_suspect(row) for row in conn.execute(query).mappings()]


def suspect(conn: Connection, case_id: int, suspect_id: int) -> Suspect | None:
    query = select(suspects).where(suspects.c.case_id == case_id, suspects.c.id == suspect_id)
    row = conn.execute(query).mappings().first()
    return _suspect(row) if row else None


def update_suspect(conn: Connection, suspect_id: int, **values: Any) -> None:
    conn.execute(update(suspects).where(suspects.c.id == suspect_id).values(**values))


def recorded_crimes_since(conn: Connection, since: datetime | None) -> list[RowMapping]:
    """Cases recorded as crimes, with a point, recorded or closed at or after ``since``."""
    c = cases.c
    query = (
        select(
            c.reference,
            c.crime_type,
            c.recorded_at,
            c.occurred_from,
            c.latitude,
            c.longitude,
            c.outcome,
            c.closed_at,
            _force.c.name.label("force_name"),
        )
        .join(_force, _force.c.id == c.agency_id, isouter=True)
        .where(
            c.recorded_at.is_not(None),
            c.recording_decision != "not_a_crime",
            c.latitude.is_not(None),
            c.longitude.is_not(None),
        )
        .order_by(c.recorded_at, c.id)
    )
    if since is not None:
        query = query.where((c.recorded_at >= since) | (c.closed_at >= since))
    return list(conn.execute(query).mappings())
