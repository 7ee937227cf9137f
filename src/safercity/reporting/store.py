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


def claim_key(conn: Connection, key: str, fingerprint: str, reference: str, now: datetime) -> None:
    """Raises IntegrityError when the key is taken (after waiting for its transaction)."""
    conn.execute(
        idempotency_keys.insert(),
        {"key": key, "fingerprint": fingerprint, "reference": reference, "created_at": now},
    )


def find_key(conn: Connection, key: str) -> RowMapping | None:
    query = select(idempotency_keys).where(idempotency_keys.c.key == key)
    return conn.execute(query).mappings().first()


def forget_keys_before(conn: Connection, before: datetime) -> None:
    conn.execute(delete(idempotency_keys).where(idempotency_keys.c.created_at < before))
