"""Failure counting for tracking codes: windows, limits, and concurrent failures."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from safercity.platform import ratelimit
from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from safercity.platform.errors import RateLimited

WINDOW = timedelta(minutes=5)


def _fail(db: Database, clock: FixedClock, key: str = "track:client:1.2.3.4") -> None:
    with db.transaction() as conn:
        ratelimit.count_failure(conn, clock, [key], WINDOW)


def _check(db: Database, clock: FixedClock, key: str = "track:client:1.2.3.4") -> None:
    with db.transaction() as conn:
        ratelimit.check(conn, clock, [key], 10, WINDOW)


def test_the_tenth_failure_in_a_window_blocks_until_the_window_ends(
    db: Database, clock: FixedClock
) -> None:
    for _ in range(9):
        _fail(db, clock)
    _check(db, clock)
    _fail(db, clock)
    with pytest.raises(RateLimited) as limited:
        _check(db, clock)
    assert 0 < limited.value.retry_after_seconds <= 301
    clock.advance(WINDOW)
    _check(db, clock)
    _fail(db, clock)
    _check(db, clock)


def test_simultaneous_failures_are_all_counted_without_colliding(
    db: Database, clock: FixedClock
) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: _fail(db, clock, "track:reference:SC-RACE-0001"), range(10)))
    with pytest.raises(RateLimited):
        _check(db, clock, "track:reference:SC-RACE-0001")
