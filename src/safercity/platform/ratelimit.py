"""Failure counting for guessable secrets (tracking codes), kept in the database so it holds
across restarts and across several server processes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Column, Integer, String, Table, case, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from safercity.platform.clock import Clock
from safercity.platform.db import UtcDateTime, metadata
from safercity.platform.errors import RateLimited

failure_counters = Table(
    "failure_counters",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("window_start", UtcDateTime(), nullable=False),
    Column("failures", Integer, nullable=False),
)


def check(conn: Connection, clock: Clock, keys: list[str], limit: int, window: timedelta) -> None:
    """Raise RateLimited if any key has had ``limit`` failures in the current window."""
    now = clock.now()
    rows = conn.execute(select(failure_counters).where(failure_counters.c.key.in_(keys)))
    for row in rows.mappings():
        if now - row["window_start"] < window and row["failures"] >= limit:
            wait = int((row["window_start"] + window - now).total_seconds()) + 1
            error = RateLimited(
                f"Too many attempts with a wrong reference or tracking code. Wait {wait} "
                "seconds and check both against the message you were given."
            )
            error.retry_after_seconds = wait
            raise error


def count_failure(conn: Connection, clock: Clock, keys: list[str], window: timedelta) -> None:
    """Count one failure against each key, starting a new window when the last has passed.

    One upsert per key, so two failures at the same moment cannot collide on the key.
    """
    now = clock.now()
    insert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    window_over = failure_counters.c.window_start <= now - window
    for key in keys:
        statement = insert(failure_counters).values(key=key, window_start=now, failures=1)
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=[failure_counters.c.key],
                set_={
                    "window_start": case((window_over, now), else_=failure_counters.c.window_start),
                    "failures": case((window_over, 1), else_=failure_counters.c.failures + 1),
                },
            )
        )


def forget(conn: Connection, older_than: timedelta, clock: Clock) -> None:
    conn.execute(
        delete(failure_counters).where(failure_counters.c.window_start < clock.now() - older_than)
    )
