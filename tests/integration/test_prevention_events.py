"""The store of crime events on the real database: data.police.uk imports and the platform's
recorded crimes."""

from __future__ import annotations

from pathlib import Path

import pytest

from safercity.cases import service as cases
from safercity.cases.service import RecordingDecision
from safercity.platform.audit import service as audit
from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from safercity.prevention import events, police_uk, store
from safercity.prevention.model import PLATFORM, POLICE_UK, persistent_id
from tests.factories import Staff, recorded_burglary, seed_staff
from tests.unit.test_cases_intake import a_report

FIXTURE = Path(__file__).parent.parent / "data" / "prevention" / "police_uk"
SECRET = "test-secret"


@pytest.fixture
def staff(db: Database, clock: FixedClock) -> Staff:
    return seed_staff(db, clock)


def test_an_import_stores_each_usable_row_once_and_counts_the_rest(
    db: Database, clock: FixedClock
) -> None:
    report = police_uk.ImportReport()
    added = events.import_files(db, clock, [FIXTURE], report)
    assert added == report.accepted == 496
    assert report.rejected_total == 4
    again = police_uk.ImportReport()
    assert events.import_files(db, clock, [FIXTURE], again) == 0
    with db.transaction() as conn:
        assert store.count(conn, POLICE_UK) == 496
        first, last = store.months(conn)
        assert (f"{first:%Y-%m}", f"{last:%Y-%m}") == ("2016-01", "2016-01")


def test_a_recorded_crime_is_taken_in_once_at_an_anonymised_point(
    db: Database, clock: FixedClock, staff: Staff
) -> None:
    events.import_files(db, clock, [FIXTURE], police_uk.ImportReport())
    reference = recorded_burglary(db, clock, staff)
    seen: list[str] = []
    taken = events.sync_platform_crimes(
        db, clock, SECRET, on_new=lambda conn, clk, crime, lat, lon: seen.append(crime.crime_id)
    )
    assert taken == 1
    assert seen == [persistent_id(SECRET, reference)]
    assert events.sync_platform_crimes(db, clock, SECRET) == 0
    with db.transaction() as conn:
        held = store.platform_crime(conn, reference)
        points = {(p.lat, p.lon) for p in store.map_points(conn)}
    assert held is not None
    crime, true_lat, true_lon = held
    assert (true_lat, true_lon) == (51.4739, -0.0911)
    assert crime.source == PLATFORM and crime.crime_type == "Burglary"
    assert (crime.public_lat, crime.public_lon) in points  # a published map point, not the home
    assert crime.outcome == "Under investigation"
    with db.transaction() as conn:
        consulted = audit.trail(conn, "case", reference)
    assert any(e.actor == "system:prevention" and e.action == "consultation" for e in consulted)


def test_a_report_not_recorded_as_a_crime_is_not_taken_in(
    db: Database, clock: FixedClock, staff: Staff
) -> None:
    with db.transaction() as conn:
        reference = cases.open_from_report(conn, clock, a_report(clock))
    cases.record_decision(
        db,
        clock,
        staff["handler"],
        reference,
        decision=RecordingDecision.NOT_A_CRIME,
        reason="Lost property.",
        offence=None,
    )
    assert events.sync_platform_crimes(db, clock, SECRET) == 0
