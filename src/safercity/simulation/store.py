"""The table of simulation requests ("open choices"), and the queries on it.

A request names up to four bundled scenarios, a length in days and a seed. It waits in the
queue, runs (its progress counted in simulated days over all its scenarios), and ends done,
with each scenario's `RunResult` kept as JSON, or failed, with the reason. Results hold no
personal data; `requested_by` (who asked) is never shown on the public pages.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Integer, String, Table, Text, insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from safercity.platform.db import UtcDateTime, metadata
from safercity.simulation.results import RunResult


class RunStatus(StrEnum):
    """Where a simulation request stands; each with the label and colour the pages show."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def colour(self) -> str:
        return _COLOURS[self]

    @property
    def finished(self) -> bool:
        return self in (RunStatus.DONE, RunStatus.FAILED)


_LABELS = {
    RunStatus.QUEUED: "Queued",
    RunStatus.RUNNING: "Running",
    RunStatus.DONE: "Done",
    RunStatus.FAILED: "Failed",
}
_COLOURS = {
    RunStatus.QUEUED: "#505a5f",
    RunStatus.RUNNING: "#1d70b8",
    RunStatus.DONE: "#00703c",
    RunStatus.FAILED: "#d4351c",
}

simulation_runs = Table(
    "simulation_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("requested_by", String(200), nullable=False),
    Column("requested_at", UtcDateTime(), nullable=False, index=True),
    Column("scenarios", Text, nullable=False),  # JSON: the scenario names, in order
    Column("days", Integer, nullable=False),
    Column("seed", Integer, nullable=False),
    Column("status", String(10), nullable=False, index=True),
    # Simulated days done over all the request's scenarios, out of days × scenarios.
    Column("progress_days", Integer, nullable=False),
    Column("total_days", Integer, nullable=False),
    Column("error", Text),
    Column("results", Text),  # JSON: each scenario's RunResult.to_dict(), in order
    Column("started_at", UtcDateTime()),
    Column("finished_at", UtcDateTime()),
)


@dataclass(frozen=True)
class SimulationRun:
    """A simulation request as stored. `results` is empty until it is done, and in lists."""

    id: int
    requested_by: str
    requested_at: datetime
    scenarios: tuple[str, ...]
    days: int
    seed: int
    status: RunStatus
    progress_days: int
    total_days: int
    error: str | None
    started_at: datetime | None
    finished_at: datetime | None
    results: tuple[RunResult, ...] = ()


_SUMMARY = [c for c in simulation_runs.c if c.name != "results"]


def _run(row: RowMapping, results: str | None = None) -> SimulationRun:
    return SimulationRun(
        id=row["id"],
        requested_by=row["requested_by"],
        requested_at=row["requested_at"],
        scenarios=tuple(json.loads(row["scenarios"])),
        days=row["days"],
        seed=row["seed"],
        status=RunStatus(row["status"]),
        progress_days=row["progress_days"],
        total_days=row["total_days"],
        error=row["error"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        results=tuple(RunResult.from_dict(r) for r in json.loads(results)) if results else (),
    )


def insert_run(
    conn: Connection,
    *,
    requested_by: str,
    at: datetime,
    scenarios: Sequence[str],
    days: int,
    seed: int,
) -> int:
    """Queue a new request; returns its id."""
    result = conn.execute(
        insert(simulation_runs).values(
            requested_by=requested_by,
            requested_at=at,
            scenarios=json.dumps(list(scenarios)),
            days=days,
            seed=seed,
            status=RunStatus.QUEUED.value,
            progress_days=0,
            total_days=days * len(scenarios),
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def load_run(conn: Connection, run_id: int) -> SimulationRun | None:
    """One request with its results, or None."""
    row = (
        conn.execute(select(simulation_runs).where(simulation_runs.c.id == run_id))
        .mappings()
        .first()
    )
    return _run(row, row["results"]) if row else None


def recent_runs(conn: Connection, limit: int) -> list[SimulationRun]:
    """The latest requests first, without their results (a list need not read them)."""
    rows = conn.execute(
        select(*_SUMMARY).order_by(simulation_runs.c.id.desc()).limit(limit)
    ).mappings()
    return [_run(row) for row in rows]


def claim_next(conn: Connection, at: datetime) -> SimulationRun | None:
    """The oldest queued request, now marked running; None when the queue is empty.

    The update only succeeds while the request is still queued, so two workers cannot both
    take it."""
    found = conn.execute(
        select(simulation_runs.c.id)
        .where(simulation_runs.c.status == RunStatus.QUEUED.value)
        .order_by(simulation_runs.c.id)
        .limit(1)
    ).scalar()
    if found is None:
        return None
    claimed = conn.execute(
        update(simulation_runs)
        .where(simulation_runs.c.id == found, simulation_runs.c.status == RunStatus.QUEUED.value)
        .values(status=RunStatus.RUNNING.value, progress_days=0, started_at=at)
    )
    return load_run(conn, int(found)) if claimed.rowcount == 1 else None


def set_progress(conn: Connection, run_id: int, days_done: int) -> None:
    conn.execute(
        update(simulation_runs)
        .where(simulation_runs.c.id == run_id, simulation_runs.c.status == RunStatus.RUNNING.value)
        .values(progress_days=days_done)
    )


def finish(conn: Connection, run_id: int, at: datetime, results: Sequence[dict[str, Any]]) -> None:
    conn.execute(
        update(simulation_runs)
        .where(simulation_runs.c.id == run_id)
        .values(
            status=RunStatus.DONE.value,
            progress_days=simulation_runs.c.total_days,
            results=json.dumps(list(results)),
            error=None,
            finished_at=at,
        )
    )


def fail(conn: Connection, run_id: int, at: datetime, error: str) -> None:
    conn.execute(
        update(simulation_runs)
        .where(simulation_runs.c.id == run_id)
        .values(status=RunStatus.FAILED.value, error=error, finished_at=at)
    )


def requeue_running(conn: Connection) -> int:
    """Put requests left running (the process stopped under them) back in the queue."""
    result = conn.execute(
        update(simulation_runs)
        .where(simulation_runs.c.status == RunStatus.RUNNING.value)
        .values(status=RunStatus.QUEUED.value, progress_days=0, started_at=None)
    )
    return int(result.rowcount)
