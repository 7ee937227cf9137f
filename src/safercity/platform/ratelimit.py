"""Failure counting for guessable secrets (tracking codes), kept in the database so it holds
across restarts and across several server processes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Column, Integer, String, Table, delete, select, update
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
    now = clock.now()
    for key in keys:
        row = (
            conn.execute(select(failure_counters).where(failure_counters.c.key == key))
            .mappings()
            .first()
        )
        if row is None:
            conn.execute(failure_counters.insert().values(key=key, window_start=now, failures=1))
        elif now - row["window_start"] >= window:
            conn.execute(
                update(failure_counters)
                .where(failure_counters.c.key == key)
                .values(window_start=now, failures=1)
            )
        else:
            conn.execute(
                update(failure_counters)
                .where(failure_counters.c.key == key)
                .values(failures=failure_counters.c.failures + 1)
            )


def forget(conn: Connection, older_than: timedelta, clock: Clock) -> None:
    conn.execute(
        delete(failure_counters).where(failure_counters.c.window_start < clock.now() - older_than)
    )
