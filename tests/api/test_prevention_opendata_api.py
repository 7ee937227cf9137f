"""Open data in data.police.uk's shapes, read with the unmodified PyPI police-api-client."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from police_api import PoliceAPI

from safercity.cases import service as cases
from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from safercity.prevention import events, police_uk, store
from safercity.prevention.model import persistent_id
from tests.factories import Staff, recorded_burglary, seed_staff

FIXTURE = Path(__file__).parent.parent / "data" / "prevention" / "police_uk"
SECRET = "open-data-test"


@pytest.fixture
def imported(db: Database, clock: FixedClock) -> Database:
    events.import_files(db, clock, [FIXTURE], police_uk.ImportReport())
    return db


def _a_crime(db: Database) -> tuple[str, float, float, str, str]:
    with db.transaction() as conn:
        crimes = store.crimes_in_box(conn, date(2016, 1, 1), (51.2, -0.6, 51.8, 0.4), "Burglary", 5)
    crime = crimes[0]
    return crime.crime_id, crime.public_lat, crime.public_lon, crime.location, crime.outcome


def test_forces_and_categories_have_data_police_uk_shapes(client: TestClient) -> None:
    forces = client.get("/api/forces")
    assert forces.headers["access-control-allow-origin"] == "*"
    assert {"id": "metropolitan", "name": "Metropolitan Police Service"} in forces.json()
    assert client.get("/api/forces/metropolitan").json()["name"] == "Metropolitan Police Service"
    assert client.get("/api/forces/atlantis").status_code == 404
    categories = client.get("/api/crime-categories", params={"date": "2016-01"}).json()
    assert categories[0] == {"url": "all-crime", "name": "All crime and ASB"}
    assert {"url": "violent-crime", "name": "Violence and sexual offences"} in categories


def test_street_crimes_within_a_mile_in_the_months_shape(
    client: TestClient, imported: Database
) -> None:
    crime_id, lat, lon, location, outcome = _a_crime(imported)
    found = client.get(
        "/api/crimes-street/all-crime", params={"lat": lat, "lng": lon, "date": "2016-01"}
    ).json()
    mine = next(c for c in found if c["persistent_id"] == crime_id)
    assert mine["category"] == "burglary" and mine["month"] == "2016-01"
    assert mine["location"]["latitude"] == f"{lat:.6f}"
    assert mine["location"]["street"]["name"] == location
    assert mine["outcome_status"]["category"] == outcome
    assert (
        client.get(
            "/api/crimes-street/robbery", params={"lat": lat, "lng": lon, "date": "2016-01"}
        ).json()
        == []
    )
    bad = client.get("/api/crimes-street/all-crime", params={"lat": lat})
    assert bad.status_code == 422 and "lng" in bad.text
    assert (
        client.get("/api/crimes-street/dragons", params={"lat": lat, "lng": lon}).status_code == 404
    )
    corners = [(lat - 0.01, lon - 0.01), (lat + 0.01, lon - 0.01), (lat + 0.01, lon + 0.01)]
    box = ":".join(f"{a},{b}" for a, b in [*corners, (lat - 0.01, lon + 0.01)])
    area = client.get("/api/crimes-street/burglary", params={"poly": box, "date": "2016-01"})
    assert crime_id in {c["persistent_id"] for c in area.json()}


@pytest.fixture
def live_url(app: FastAPI) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/api/"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def test_the_unmodified_police_api_client_reads_crimes_and_outcomes(
    live_url: str, imported: Database, clock: FixedClock
) -> None:
    crime_id, lat, lon, location, outcome = _a_crime(imported)
    api = PoliceAPI(base_url=live_url)
    assert "metropolitan" in {f.id for f in api.get_forces()}
    crimes = api.get_crimes_point(lat, lon, date="2016-01")
    crime = next(c for c in crimes if c.persistent_id == crime_id)
    assert crime.category.name == "Burglary"
    assert crime.location.name == location
    assert [o.category.name for o in crime.outcomes] == [outcome]
    assert api.get_crime(crime_id).outcomes[0].category.name == outcome


def test_a_platform_crime_is_served_at_an_anonymised_point_with_its_outcome(
    live_url: str, imported: Database, clock: FixedClock
) -> None:
    staff: Staff = seed_staff(imported, clock)
    reference = recorded_burglary(imported, clock, staff, 51.4739, -0.0911)
    events.sync_platform_crimes(imported, clock, SECRET)
    cases.close_with_police_outcome(
        imported,
        clock,
        staff["investigator"],
        reference,
        outcome="Investigation complete; no suspect identified",
        reason="No lines of enquiry.",
    )
    events.sync_platform_crimes(imported, clock, SECRET)
    api = PoliceAPI(base_url=live_url)
    crime = api.get_crime(persistent_id(SECRET, reference))
    assert [o.category.name for o in crime.outcomes] == [
        "Investigation complete; no suspect identified"
    ]
    assert (float(crime.location.latitude), float(crime.location.longitude)) != (51.4739, -0.0911)
    assert crime.location.name.startswith("On or near")
