"""Use cases that fill the store of crime events: importing data.police.uk files, and taking in
the crimes recorded on this platform (which also warns their neighbours)."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from safercity.cases import service as cases
from safercity.platform.clock import Clock
from safercity.platform.db import Database
from safercity.platform.errors import FieldError, InvalidInput
from safercity.prevention import police_uk, store
from safercity.prevention.model import PLATFORM, POLICE_UK, Anonymiser, StoredCrime, persistent_id

PLATFORM_SYNC = "platform_crimes"
# Each sync looks this far behind the last one, so a crime whose transaction committed just
# after the last sync read is still found; crimes already held are skipped.
SYNC_OVERLAP = timedelta(minutes=10)
DEFAULT_FORCE = "metropolitan"

NewCrimeHook = Callable[[Connection, Clock, StoredCrime, float, float], object]


def _row_key(event: police_uk.CrimeEvent, seen: Counter[str]) -> str:
    """data.police.uk's Crime ID; a row without one (anti-social behaviour) is keyed by its
    content and how many identical rows came before it, so a re-import matches it again."""
    if event.crime_id:
        return event.crime_id
    digest = hashlib.sha1(  # noqa: S324 - a key, not a security measure
        "|".join(
            [
                event.month.isoformat(),
                f"{event.lon:.6f}",
                f"{event.lat:.6f}",
                event.location,
                event.lsoa_code,
                event.crime_type,
                event.outcome,
            ]
        ).encode()
    ).hexdigest()
    seen[digest] += 1
    return f"row:{digest}:{seen[digest]}"


def _police_uk_row(event: police_uk.CrimeEvent, key: str, now: datetime) -> dict[str, Any]:
    return {
        "source": POLICE_UK,
        "source_key": key,
        "crime_id": event.crime_id or key,
        "month": event.month,
        "crime_type": event.crime_type,
        "force": event.force,
        "latitude": event.lat,
        "longitude": event.lon,
        "public_latitude": event.lat,
        "public_longitude": event.lon,
        "location": event.location[:200],
        "lsoa_code": event.lsoa_code,
        "outcome": event.outcome,
        "outcome_month": None,
        "occurred_at": None,
        "case_reference": None,
        "imported_at": now,
    }


def import_files(
    db: Database,
    clock: Clock,
    paths: Iterable[str | Path],
    report: police_uk.ImportReport,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Import data.police.uk street-level files (or folders of them); returns how many events
    were new. Every row read is accepted or counted in ``report`` by its reason. Each batch is
    its own transaction, so an import stopped half-way keeps what it had stored."""
    added = 0
    seen: Counter[str] = Counter()
    now = clock.now()
    for batch in police_uk.read_crimes(paths, report):
        rows = [_police_uk_row(event, _row_key(event, seen), now) for event in batch]
        with db.transaction() as conn:
            added += store.upsert(conn, rows)
        if progress is not None:
            progress(len(batch))
    return added


def bundled_files() -> list[Path]:
    """The London demo's crime events: the Metropolitan Police's street-level burglaries of
    2021–2023 from data.police.uk (OGL v3), shipped with the package."""
    folder = Path(str(resources.files("safercity.prevention").joinpath("data")))
    return sorted(folder.glob("met-burglary-street-*.csv.gz"))


def check_store_ready(db: Database) -> None:
    """InvalidInput, saying what to run, when the database has no store of crime events yet."""
    if not inspect(db.engine).has_table(store.crime_events.name):
        raise InvalidInput(
            "The database has no store of crime events yet.",
            [FieldError("database", "Run `safercity db upgrade` first, then import again.")],
        )


def has_published_events(db: Database) -> bool:
    with db.transaction() as conn:
        return store.count(conn, POLICE_UK) > 0


def _force_id(name: str | None) -> str:
    if name:
        for force, force_name in police_uk.FORCES.items():
            if force_name.lower() == name.lower():
                return force
    return DEFAULT_FORCE


def _month(at: datetime) -> date:
    return date(at.year, at.month, 1)


def sync_platform_crimes(
    db: Database, clock: Clock, secret: str, on_new: NewCrimeHook | None = None
) -> int:
    """Take in crimes recorded on the platform since the last sync, and the outcomes of those
    closed since. Each new crime is placed at its nearest anonymised map point for publication;
    ``on_new`` (the near-repeat warnings) runs for it in the same transaction, so a crime is
    taken in and its neighbours warned together, or neither. Returns how many were new."""
    now = clock.now()
    with db.transaction() as conn:
        since = store.last_sync(conn, PLATFORM_SYNC)
        crimes = cases.recorded_crimes(conn, clock, since)
        known = store.known_platform_keys(conn, (c.reference for c in crimes))
        anonymiser = Anonymiser(store.map_points(conn)) if len(known) < len(crimes) else None
        new = 0
        for crime in crimes:
            if crime.reference in known:
                if crime.outcome and crime.closed_at:
                    store.set_outcome(conn, crime.reference, crime.outcome, _month(crime.closed_at))
                continue
            assert anonymiser is not None
            point = anonymiser.snap(crime.lat, crime.lon)
            outcome = crime.outcome or "Under investigation"
            store.upsert(
                conn,
                [
                    {
                        "source": PLATFORM,
                        "source_key": crime.reference,
                        "crime_id": persistent_id(secret, crime.reference),
                        "month": _month(crime.occurred_at),
                        "crime_type": crime.crime_type,
                        "force": _force_id(crime.force_name),
                        "latitude": crime.lat,
                        "longitude": crime.lon,
                        "public_latitude": point.lat,
                        "public_longitude": point.lon,
                        "location": point.location,
                        "lsoa_code": "",
                        "outcome": outcome,
                        "outcome_month": _month(crime.closed_at) if crime.closed_at else None,
                        "occurred_at": crime.occurred_at,
                        "case_reference": crime.reference,
                        "imported_at": now,
                    }
                ],
            )
            new += 1
            if on_new is not None:
                found = store.platform_crime(conn, crime.reference)
                assert found is not None
                on_new(conn, clock, *found)
        store.mark_synced(conn, PLATFORM_SYNC, now - SYNC_OVERLAP)
    return new
