"""Idempotency keys: a retried or double-clicked submission returns the first report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String, Table, delete, select
from sqlalchemy.engine import Connection, RowMapping

from safercity.platform.db import UtcDateTime, metadata

idempotency_keys = Table(
    "report_idempotency_keys",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("reference", String(40), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)


def claim_key(conn: Connection, key: str, fingerprint: str, now: datetime) -> None:
    """Insert first, before any other write, so a concurrent duplicate waits and then fails."""
    conn.execute(
        idempotency_keys.insert().values(
            key=key, fingerprint=fingerprint, reference="", created_at=now
        )
    )


def set_reference(conn: Connection, key: str, reference: str) -> None:
    conn.execute(
        idempotency_keys.update().where(idempotency_keys.c.key == key).values(reference=reference)
    )


def find_key(conn: Connection, key: str) -> RowMapping | None:
    query = select(idempotency_keys).where(idempotency_keys.c.key == key)
    return conn.execute(query).mappings().first()


def forget_keys_before(conn: Connection, before: datetime) -> None:
    conn.execute(delete(idempotency_keys).where(idempotency_keys.c.created_at < before))
