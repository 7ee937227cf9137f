"""The hub's tables and the queries on them. No access decisions here: the service decides."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    delete,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection, RowMapping

from safercity.platform.db import UtcDateTime, metadata
from safercity.platform.identity.store import agencies
from safercity.safeguarding.agreements import PartnerKind
from safercity.safeguarding.model import (
    MaracAction,
    MaracCase,
    MaracMeeting,
    Partner,
    Person,
    Record,
    RecordKind,
    Referral,
    ReferralStatus,
)

partners = Table(
    "safeguarding_partners",
    metadata,
    Column("agency_id", Integer, ForeignKey("agencies.id"), primary_key=True),
    Column("kind", String(40), nullable=False),
)

people = Table(
    "safeguarding_people",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ref", String(20), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by_agency_id", Integer, ForeignKey("agencies.id"), nullable=False),
    Column("retain_until", Date()),
    Column("erased_at", UtcDateTime()),
)

records = Table(
    "safeguarding_records",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("safeguarding_people.id"), nullable=False, index=True),
    Column("owner_agency_id", Integer, ForeignKey("agencies.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("field_values", Text, nullable=False),
    Column("search_name", String(200), index=True),  # lower-case "given family", identity only
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(200), nullable=False),
)

referrals = Table(
    "safeguarding_referrals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("safeguarding_people.id"), nullable=False, index=True),
    Column("from_agency_id", Integer, ForeignKey("agencies.id"), nullable=False, index=True),
    Column("to_agency_id", Integer, ForeignKey("agencies.id"), nullable=False, index=True),
    Column("purpose", String(40), nullable=False),
    Column("reason", Text, nullable=False),
    Column("person_name", String(200), nullable=False),
    Column("consent", Boolean, nullable=False),
    Column("lawful_basis_override", Text),
    Column("status", String(20), nullable=False),
    Column("decline_reason", Text),
    Column("outcome", Text),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(200), nullable=False),
)

marac_meetings = Table(
    "safeguarding_marac_meetings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("held_on", Date(), nullable=False),
    Column("title", String(200), nullable=False),
    Column("chair_agency_id", Integer, ForeignKey("agencies.id"), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

marac_agencies = Table(
    "safeguarding_marac_agencies",
    metadata,
    Column("meeting_id", Integer, ForeignKey("safeguarding_marac_meetings.id"), primary_key=True),
    Column("agency_id", Integer, ForeignKey("agencies.id"), primary_key=True),
)

marac_cases = Table(
    "safeguarding_marac_cases",
    metadata,
    Column("meeting_id", Integer, ForeignKey("safeguarding_marac_meetings.id"), primary_key=True),
    Column("person_id", Integer, ForeignKey("safeguarding_people.id"), primary_key=True),
    Column("referral_id", Integer, ForeignKey("safeguarding_referrals.id")),
    Column("risk_level", String(20), nullable=False),
    Column("referral_reason", Text, nullable=False),
    Column("person_name", String(200), nullable=False),
)

marac_actions = Table(
    "safeguarding_marac_actions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "meeting_id",
        Integer,
        ForeignKey("safeguarding_marac_meetings.id"),
        nullable=False,
        index=True,
    ),
    Column("person_id", Integer, ForeignKey("safeguarding_people.id"), nullable=False),
    Column("agency_id", Integer, ForeignKey("agencies.id"), nullable=False),
    Column("action", Text, nullable=False),
    Column("due_on", Date()),
    Column("done", Boolean, nullable=False, default=False),
)

alerts = Table(
    "safeguarding_alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("agency_id", Integer, ForeignKey("agencies.id"), nullable=False, index=True),
    Column("person_ref", String(20), nullable=False),
    Column("justification", Text, nullable=False),
    Column("reviewed_by", String(200)),
    Column("reviewed_at", UtcDateTime()),
)

# --- partners ---------------------------------------------------------------------------------


def _partner(row: RowMapping) -> Partner:
    return Partner(row["agency_id"], row["code"], row["name"], PartnerKind(row["kind"]))


def _partner_query() -> Any:
    return select(partners.c.agency_id, partners.c.kind, agencies.c.code, agencies.c.name).join(
        agencies, agencies.c.id == partners.c.agency_id
    )


def set_partner(conn: Connection, agency_id: int, kind: PartnerKind) -> None:
    existing = conn.execute(select(partners.c.kind).where(partners.c.agency_id == agency_id))
    if existing.scalar() is None:
        conn.execute(insert(partners).values(agency_id=agency_id, kind=kind.value))
    else:
        conn.execute(
            update(partners).where(partners.c.agency_id == agency_id).values(kind=kind.value)
        )


def all_partners(conn: Connection) -> list[Partner]:
    rows = conn.execute(_partner_query().order_by(agencies.c.name)).mappings()
    return [_partner(row) for row in rows]


# --- people and records -----------------------------------------------------------------------


def add_person(
    conn: Connection, ref: str, at: datetime, agency_id: int, retain_until: date | None
) -> int:
    result = conn.execute(
        insert(people).values(
            ref=ref, created_at=at, created_by_agency_id=agency_id, retain_until=retain_until
        )
    ).inserted_primary_key
    assert result is not None
    return int(result[0])


def _person(row: RowMapping) -> Person:
    return Person(
        row["id"],
        row["ref"],
        row["created_at"],
        row["code"],
        row["retain_until"],
        row["erased_at"],
    )


def _person_query() -> Any:
    return select(people, agencies.c.code).join(
        agencies, agencies.c.id == people.c.created_by_agency_id
    )


def person_by_ref(conn: Connection, ref: str) -> Person | None:
    row = conn.execute(_person_query().where(people.c.ref == ref)).mappings().first()
    return _person(row) if row else None


def person_by_id(conn: Connection, person_id: int) -> Person | None:
    row = conn.execute(_person_query().where(people.c.id == person_id)).mappings().first()
    return _person(row) if row else None


def set_retain_until(conn: Connection, person_id: int, until: date) -> None:
    conn.execute(update(people).where(people.c.id == person_id).values(retain_until=until))


def people_due_for_erasure(conn: Connection, on: date) -> list[Person]:
    query = (
        _person_query()
        .where(people.c.retain_until < on, people.c.erased_at.is_(None))
        .order_by(people.c.retain_until)
    )
    return [_person(row) for row in conn.execute(query).mappings()]


def add_record(
    conn: Connection,
    person_id: int,
    agency_id: int,
    kind: RecordKind,
    values: dict[str, str],
    at: datetime,
    by: str,
) -> int:
    search_name = None
    if kind is RecordKind.IDENTITY:
        search_name = f"{values.get('given_name', '')} {values.get('family_name', '')}".lower()
    result = conn.execute(
        insert(records).values(
            person_id=person_id,
            owner_agency_id=agency_id,
            kind=kind.value,
            field_values=json.dumps(values, sort_keys=True),
            search_name=search_name,
            created_at=at,
            created_by=by,
        )
    ).inserted_primary_key
    assert result is not None
    return int(result[0])


def _record_query() -> Any:
    return (
        select(records, people.c.ref, agencies.c.code, partners.c.kind.label("owner_kind"))
        .join(people, people.c.id == records.c.person_id)
        .join(agencies, agencies.c.id == records.c.owner_agency_id)
        .join(partners, partners.c.agency_id == records.c.owner_agency_id)
    )


def _record(row: RowMapping) -> Record:
    return Record(
        id=row["id"],
        person_id=row["person_id"],
        person_ref=row["ref"],
        owner_agency=row["code"],
        owner_kind=PartnerKind(row["owner_kind"]),
        kind=RecordKind(row["kind"]),
        values=json.loads(row["field_values"]),
        created_at=row["created_at"],
        created_by=row["created_by"],
    )


def records_of(conn: Connection, person_ids: Sequence[int]) -> list[Record]:
    if not person_ids:
        return []
    query = (
        _record_query()
        .where(records.c.person_id.in_(person_ids))
        .order_by(records.c.created_at, records.c.id)
    )
    return [_record(row) for row in conn.execute(query).mappings()]


def record_by_id(conn: Connection, record_id: int) -> Record | None:
    row = conn.execute(_record_query().where(records.c.id == record_id)).mappings().first()
    return _record(row) if row else None


def identity_matches(conn: Connection, words: Iterable[str], limit: int) -> list[Record]:
    """Identity records whose name holds every word (lower case), and any with the exact ref."""
    query = _record_query().where(records.c.kind == RecordKind.IDENTITY.value)
    for word in words:
        query = query.where(
            or_(records.c.search_name.contains(word, autoescape=True), people.c.ref == word.upper())
        )
    query = query.order_by(records.c.id).limit(limit)
    return [_record(row) for row in conn.execute(query).mappings()]


# --- referrals --------------------------------------------------------------------------------


def add_referral(conn: Connection, **values: object) -> int:
    result = conn.execute(insert(referrals).values(**values)).inserted_primary_key
    assert result is not None
    return int(result[0])


def _referral_query() -> Any:
    sender = agencies.alias("sender")
    receiver = agencies.alias("receiver")
    return (
        select(
            referrals,
            people.c.ref,
            sender.c.code.label("from_code"),
            receiver.c.code.label("to_code"),
            partners.c.kind.label("from_kind"),
        )
        .join(people, people.c.id == referrals.c.person_id)
        .join(sender, sender.c.id == referrals.c.from_agency_id)
        .join(receiver, receiver.c.id == referrals.c.to_agency_id)
        .join(partners, partners.c.agency_id == referrals.c.from_agency_id)
    )


def _referral(row: RowMapping) -> Referral:
    return Referral(
        id=row["id"],
        person_id=row["person_id"],
        person_ref=row["ref"],
        from_agency=row["from_code"],
        from_kind=PartnerKind(row["from_kind"]),
        to_agency=row["to_code"],
        purpose=row["purpose"],
        reason=row["reason"],
        person_name=row["person_name"],
        consent=row["consent"],
        lawful_basis_override=row["lawful_basis_override"],
        status=ReferralStatus(row["status"]),
        decline_reason=row["decline_reason"],
        outcome=row["outcome"],
        created_at=row["created_at"],
        created_by=row["created_by"],
    )


def referral_by_id(conn: Connection, referral_id: int) -> Referral | None:
    row = conn.execute(_referral_query().where(referrals.c.id == referral_id)).mappings().first()
    return _referral(row) if row else None


def referrals_involving(conn: Connection, agency_id: int, limit: int = 200) -> list[Referral]:
    query = (
        _referral_query()
        .where(or_(referrals.c.from_agency_id == agency_id, referrals.c.to_agency_id == agency_id))
        .order_by(referrals.c.created_at.desc(), referrals.c.id.desc())
        .limit(limit)
    )
    return [_referral(row) for row in conn.execute(query).mappings()]


def referrals_of(conn: Connection, person_id: int) -> list[Referral]:
    query = _referral_query().where(referrals.c.person_id == person_id).order_by(referrals.c.id)
    return [_referral(row) for row in conn.execute(query).mappings()]


def update_referral(conn: Connection, referral_id: int, **values: object) -> None:
    conn.execute(update(referrals).where(referrals.c.id == referral_id).values(**values))


# --- Marac ------------------------------------------------------------------------------------


def add_meeting(
    conn: Connection,
    held_on: date,
    title: str,
    chair_agency_id: int,
    agency_ids: Iterable[int],
    at: datetime,
) -> int:
    result = conn.execute(
        insert(marac_meetings).values(
            held_on=held_on, title=title, chair_agency_id=chair_agency_id, created_at=at
        )
    ).inserted_primary_key
    assert result is not None
    meeting_id = int(result[0])
    conn.execute(
        insert(marac_agencies),
        [{"meeting_id": meeting_id, "agency_id": a} for a in sorted(set(agency_ids))],
    )
    return meeting_id


def meeting_by_id(conn: Connection, meeting_id: int) -> MaracMeeting | None:
    row = (
        conn.execute(
            select(marac_meetings, agencies.c.code, partners.c.kind)
            .join(agencies, agencies.c.id == marac_meetings.c.chair_agency_id)
            .join(partners, partners.c.agency_id == marac_meetings.c.chair_agency_id)
            .where(marac_meetings.c.id == meeting_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    members = conn.execute(
        select(agencies.c.code)
        .join(marac_agencies, marac_agencies.c.agency_id == agencies.c.id)
        .where(marac_agencies.c.meeting_id == meeting_id)
    ).scalars()
    cases = conn.execute(
        select(marac_cases, people.c.ref)
        .join(people, people.c.id == marac_cases.c.person_id)
        .where(marac_cases.c.meeting_id == meeting_id)
        .order_by(people.c.ref)
    ).mappings()
    actions = conn.execute(
        select(marac_actions, agencies.c.code)
        .join(agencies, agencies.c.id == marac_actions.c.agency_id)
        .where(marac_actions.c.meeting_id == meeting_id)
        .order_by(marac_actions.c.id)
    ).mappings()
    return MaracMeeting(
        id=row["id"],
        held_on=row["held_on"],
        title=row["title"],
        chair_agency=row["code"],
        chair_kind=PartnerKind(row["kind"]),
        agencies=frozenset(members),
        cases=tuple(
            MaracCase(
                c["meeting_id"],
                c["person_id"],
                c["ref"],
                c["referral_id"],
                c["risk_level"],
                c["referral_reason"],
                c["person_name"],
            )
            for c in cases
        ),
        actions=tuple(
            MaracAction(
                a["id"],
                a["meeting_id"],
                a["person_id"],
                a["code"],
                a["action"],
                a["due_on"],
                a["done"],
            )
            for a in actions
        ),
    )


def meetings_for(conn: Connection, agency_id: int) -> list[int]:
    query = (
        select(marac_meetings.c.id)
        .join(marac_agencies, marac_agencies.c.meeting_id == marac_meetings.c.id)
        .where(marac_agencies.c.agency_id == agency_id)
        .order_by(marac_meetings.c.held_on.desc(), marac_meetings.c.id.desc())
    )
    return list(conn.execute(query).scalars())


def add_marac_case(conn: Connection, **values: object) -> None:
    conn.execute(insert(marac_cases).values(**values))


def marac_case_exists(conn: Connection, meeting_id: int, person_id: int) -> bool:
    query = select(marac_cases.c.person_id).where(
        marac_cases.c.meeting_id == meeting_id, marac_cases.c.person_id == person_id
    )
    return conn.execute(query).first() is not None


def add_marac_action(conn: Connection, **values: object) -> int:
    result = conn.execute(insert(marac_actions).values(**values)).inserted_primary_key
    assert result is not None
    return int(result[0])


# --- break-glass alerts -----------------------------------------------------------------------


def add_alert(
    conn: Connection, at: datetime, actor: str, agency_id: int, person_ref: str, justification: str
) -> int:
    result = conn.execute(
        insert(alerts).values(
            at=at,
            actor=actor,
            agency_id=agency_id,
            person_ref=person_ref,
            justification=justification,
        )
    ).inserted_primary_key
    assert result is not None
    return int(result[0])


def alerts_for(conn: Connection, agency_id: int | None) -> list[RowMapping]:
    query = select(alerts, agencies.c.code).join(agencies, agencies.c.id == alerts.c.agency_id)
    if agency_id is not None:
        query = query.where(alerts.c.agency_id == agency_id)
    return list(conn.execute(query.order_by(alerts.c.at.desc(), alerts.c.id.desc())).mappings())


def review_alert(conn: Connection, alert_id: int, by: str, at: datetime) -> bool:
    done = conn.execute(
        update(alerts)
        .where(alerts.c.id == alert_id, alerts.c.reviewed_at.is_(None))
        .values(reviewed_by=by, reviewed_at=at)
    )
    return done.rowcount == 1


# --- erasure ----------------------------------------------------------------------------------


def erase_person(conn: Connection, person_id: int, at: datetime) -> int:
    """Delete everything held on the person; the person row stays as a tombstone with its ref,
    so the audit log's entries about them still point somewhere. Returns records deleted."""
    conn.execute(delete(marac_actions).where(marac_actions.c.person_id == person_id))
    conn.execute(delete(marac_cases).where(marac_cases.c.person_id == person_id))
    conn.execute(delete(referrals).where(referrals.c.person_id == person_id))
    deleted = conn.execute(delete(records).where(records.c.person_id == person_id)).rowcount
    conn.execute(update(people).where(people.c.id == person_id).values(erased_at=at))
    return int(deleted)
