"""The audit table and its head row, which serialises writers so the chain never forks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Column, Integer, String, Table, Text, bindparam, select, update
from sqlalchemy.engine import Connection

from safercity.platform.audit.model import GENESIS_HASH, AuditEntry, AuditRecord, entry_hash
from safercity.platform.db import UtcDateTime, metadata

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(20), nullable=False),
    Column("subject_type", String(40), nullable=False),
    Column("subject_id", String(80), nullable=False),
    Column("purpose", String(200), nullable=False),
    Column("recipient", String(200)),
    Column("detail", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("last_hash", String(64), nullable=False),
)

HEAD_ID = 1
_SET_LAST_HASH = (
    update(audit_head).where(audit_head.c.id == HEAD_ID).values(last_hash=bindparam("last_hash"))
)


def append(conn: Connection, records: list[tuple[datetime, AuditRecord]]) -> None:
    """Append entries inside the caller's transaction, so they commit with the change they log."""
    if not records:
        return
    # Moving the head first takes its row lock, which serialises appenders on PostgreSQL and
    # SQLite alike, and hands back the sequence and hash to chain from.
    moved = conn.execute(
        update(audit_head)
        .where(audit_head.c.id == HEAD_ID)
        .values(seq=audit_head.c.seq + len(records))
        .returning(audit_head.c.seq, audit_head.c.last_hash)
    ).first()
    if moved is None:
        raise RuntimeError("audit_head has no row: run `safercity db upgrade`")
    seq, prev = moved.seq - len(records), moved.last_hash
    rows = []
    for at, record in records:
        seq += 1
        digest = entry_hash(seq, at, record, prev)
        rows.append(
            {
                "seq": seq,
                "at": at,
                "actor": record.actor,
                "action": record.action.value,
                "subject_type": record.subject_type,
                "subject_id": record.subject_id,
                "purpose": record.purpose,
                "recipient": record.recipient,
                "detail": record.detail,
                "prev_hash": prev,
                "entry_hash": digest,
            }
        )
        prev = digest
    conn.execute(audit_log.insert(), rows)
    conn.execute(_SET_LAST_HASH, {"last_hash": prev})


def head(conn: Connection) -> tuple[int, str]:
    row = conn.execute(select(audit_head).where(audit_head.c.id == HEAD_ID)).mappings().first()
    return (0, GENESIS_HASH) if row is None else (row["seq"], row["last_hash"])


def _entry(row: dict[str, object]) -> AuditEntry:
    return AuditEntry(**row)  # type: ignore[arg-type]


def entries(conn: Connection, batch: int = 5000) -> Iterator[AuditEntry]:
    """Every entry in sequence order, read in batches to keep memory flat."""
    last = 0
    while True:
        query = select(audit_log).where(audit_log.c.seq > last).order_by(audit_log.c.seq)
        rows = conn.execute(query.limit(batch)).mappings().all()
        if not rows:
            return
        for row in rows:
            yield _entry(dict(row))
        last = rows[-1]["seq"]


def entries_about(conn: Connection, subject_type: str, subject_id: str) -> list[AuditEntry]:
    query = (
        select(audit_log)
        .where(audit_log.c.subject_type == subject_type, audit_log.c.subject_id == subject_id)
        .order_by(audit_log.c.seq)
    )
    return [_entry(dict(row)) for row in conn.execute(query).mappings()]
