"""Tables for items of evidence and their chain of custody (append-only: no update, no delete)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.engine import Connection, RowMapping

from safercity.evidence.model import (
    CustodyEvent,
    EvidenceItem,
    EvidenceRecord,
    Handler,
)
from safercity.evidence.vocabulary import CustodyAction, EvidenceKind, MediaType
from safercity.platform.db import UtcDateTime, metadata

evidence_items = Table(
    "evidence_items",
    metadata,
    Column("id", Integer, primary_key=True),
    # The case's crime reference; the case file belongs to the cases capability.
    Column("case_reference", String(40), nullable=False, index=True),
    Column("exhibit_seq", Integer, nullable=False),
    Column("exhibit_number", String(20), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("original_filename", String(200), nullable=False),
    Column("media_type", String(40), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("description", Text, nullable=False),
    Column("added_by", String(200), nullable=False),
    Column("added_by_name", String(200), nullable=False),
    Column("added_by_agency", String(200), nullable=False),
    Column("added_at", UtcDateTime(), nullable=False),
    UniqueConstraint("case_reference", "exhibit_seq"),
)

evidence_custody = Table(
    "evidence_custody",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("evidence_id", ForeignKey("evidence_items.id"), nullable=False, index=True),
    Column("action", String(20), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("actor_name", String(200), nullable=False),
    Column("actor_agency", String(200), nullable=False),
    Column("reason", String(200), nullable=False),
    Column("recipient", String(200)),
    Column("recipient_agency", String(40)),
)


@dataclass(frozen=True)
class StoredFile:
    """What ``evidence verify`` needs of each item: where its file is and what it should hash to."""

    evidence_id: int
    case_reference: str
    exhibit_number: str
    sha256: str


def next_exhibit_seq(conn: Connection, reference: str) -> int:
    query = select(func.coalesce(func.max(evidence_items.c.exhibit_seq), 0)).where(
        evidence_items.c.case_reference == reference
    )
    return int(conn.execute(query).scalar_one()) + 1


def insert_item(conn: Connection, **values: object) -> int:
    new_id = conn.execute(evidence_items.insert().values(**values)).inserted_primary_key
    assert new_id is not None
    return int(new_id[0])


def append_custody(
    conn: Connection,
    evidence_id: int,
    action: CustodyAction,
    at: datetime,
    handler: Handler,
    reason: str,
    recipient: str | None = None,
    recipient_agency: str | None = None,
) -> None:
    conn.execute(
        evidence_custody.insert().values(
            evidence_id=evidence_id,
            action=action.value,
            at=at,
            actor=handler.actor,
            actor_name=handler.name,
            actor_agency=handler.agency,
            reason=reason,
            recipient=recipient,
            recipient_agency=recipient_agency,
        )
    )


def _item(row: RowMapping) -> EvidenceItem:
    return EvidenceItem(
        id=row["id"],
        case_reference=row["case_reference"],
        exhibit_number=row["exhibit_number"],
        kind=EvidenceKind(row["kind"]),
        original_filename=row["original_filename"],
        media_type=MediaType(row["media_type"]),
        size_bytes=row["size_bytes"],
        sha256=row["sha256"],
        description=row["description"],
        added_by=Handler(row["added_by"], row["added_by_name"], row["added_by_agency"]),
        added_at=row["added_at"],
    )


def _event(row: RowMapping) -> CustodyEvent:
    return CustodyEvent(
        id=row["id"],
        action=CustodyAction(row["action"]),
        at=row["at"],
        handler=Handler(row["actor"], row["actor_name"], row["actor_agency"]),
        reason=row["reason"],
        recipient=row["recipient"],
        recipient_agency=row["recipient_agency"],
    )


def _custody(conn: Connection, evidence_ids: list[int]) -> dict[int, list[CustodyEvent]]:
    chains: dict[int, list[CustodyEvent]] = {i: [] for i in evidence_ids}
    if not evidence_ids:
        return chains
    query = (
        select(evidence_custody)
        .where(evidence_custody.c.evidence_id.in_(evidence_ids))
        .order_by(evidence_custody.c.id)
    )
    for row in conn.execute(query).mappings():
        chains[row["evidence_id"]].append(_event(row))
    return chains


def record(conn: Connection, evidence_id: int) -> EvidenceRecord | None:
    """An exhibit with its chain of custody, oldest first."""
    query = select(evidence_items).where(evidence_items.c.id == evidence_id)
    row = conn.execute(query).mappings().first()
    if row is None:
        return None
    chain = _custody(conn, [evidence_id])[evidence_id]
    return EvidenceRecord(item=_item(row), custody=tuple(chain))


def records_for_case(conn: Connection, reference: str) -> list[EvidenceRecord]:
    """Every exhibit in a case, in exhibit order, each with its chain (two queries in all)."""
    query = (
        select(evidence_items)
        .where(evidence_items.c.case_reference == reference)
        .order_by(evidence_items.c.exhibit_seq)
    )
    items = [_item(row) for row in conn.execute(query).mappings()]
    chains = _custody(conn, [item.id for item in items])
    return [EvidenceRecord(item=item, custody=tuple(chains[item.id])) for item in items]


def stored_files(conn: Connection, batch: int = 5000) -> Iterator[StoredFile]:
    """Every item's file, in id order, read in batches to keep memory flat."""
    last = 0
    columns = (
        evidence_items.c.id,
        evidence_items.c.case_reference,
        evidence_items.c.exhibit_number,
        evidence_items.c.sha256,
    )
    while True:
        query = select(*columns).where(evidence_items.c.id > last).order_by(evidence_items.c.id)
        rows = conn.execute(query.limit(batch)).all()
        if not rows:
            return
        for row in rows:
            yield StoredFile(row[0], row[1], row[2], row[3])
        last = rows[-1][0]
