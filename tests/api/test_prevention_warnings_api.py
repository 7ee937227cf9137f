"""Near-repeat warnings through the API: register, a burglary recorded nearby, one warning each,
never twice in a risk period; the alert listed and served as valid CAP 1.2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from safercity.platform import outbox
from safercity.platform.audit import service as audit
from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from safercity.prevention import events, police_uk, warnings
from safercity.prevention.cap import validate
from tests.factories import Staff, recorded_burglary, seed_staff

FIXTURE = Path(__file__).parent.parent / "data" / "prevention" / "police_uk"
HOME = (51.4739, -0.0911)  # Camberwell


@pytest.fixture
def staff(db: Database, clock: FixedClock) -> Staff:
    return seed_staff(db, clock)


def register(client: TestClient, **changes: Any) -> dict[str, Any]:
    body = {
        "kind": "household",
        "name": "Flat 3",
        "channel": "email",
        "contact": "resident@example.org",
        "lat": HOME[0],
        "lon": HOME[1],
        "radius_m": 100,
        "crime_types": ["Burglary"],
    } | changes
    response = client.post("/api/v1/prevention/subscriptions", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def take_in(db: Database, clock: FixedClock) -> int:
    return events.sync_platform_crimes(db, clock, "s", on_new=warnings.warn_neighbours)


def warnings_sent(db: Database) -> list[outbox.OutboxMessage]:
    with db.transaction() as conn:
        return [m for m in outbox.recent_messages(conn) if m.topic == "prevention_alert"]


def test_neighbours_in_range_are_warned_once_and_those_far_away_not_at_all(
    client: TestClient, db: Database, clock: FixedClock, staff: Staff
) -> None:
    events.import_files(db, clock, [FIXTURE], police_uk.ImportReport())
    near = register(client)
    register(
        client,
        name="Watch group",
        contact="watch@example.org",
        radius_m=300,
        kind="watch_group",
        lat=HOME[0] + 0.004,
    )
    register(client, name="Far away", contact="far@example.org", lat=51.55, lon=-0.2)
    recorded_burglary(db, clock, staff, *HOME)
    assert take_in(db, clock) == 1
    sent = warnings_sent(db)
    assert sorted(m.recipient for m in sent) == ["resident@example.org", "watch@example.org"]
    assert "Sam Taylor" not in sent[0].body and "Acacia" not in sent[0].body
    assert "Lock doors and windows" in sent[0].body

    # A second burglary next door in the same risk period: a new alert, no second message.
    recorded_burglary(db, clock, staff, HOME[0] + 0.0005, HOME[1])
    take_in(db, clock)
    assert len(warnings_sent(db)) == 2
    listed = client.get("/api/v1/prevention/alerts").json()
    assert listed["count"] == 2

    # Once unsubscribed, nothing more.
    token = near["unsubscribe_url"].rsplit("/", 1)[1]
    assert client.delete(f"/api/v1/prevention/subscriptions/{token}").status_code == 204
    assert client.delete(f"/api/v1/prevention/subscriptions/{token}").status_code == 204
    with db.transaction() as conn:
        trail = audit.trail(conn, "prevention_subscription", str(near["id"]))
    assert [e.action for e in trail] == ["collection", "consultation", "alteration"]


def test_each_alert_is_valid_cap_at_the_anonymised_point(
    client: TestClient, db: Database, clock: FixedClock, staff: Staff
) -> None:
    events.import_files(db, clock, [FIXTURE], police_uk.ImportReport())
    recorded_burglary(db, clock, staff, *HOME)
    take_in(db, clock)
    alert = client.get("/api/v1/prevention/alerts", params={"lat": HOME[0], "lng": HOME[1]}).json()[
        "data"
    ][0]
    assert (alert["lat"], alert["lon"]) != HOME
    assert (
        client.get("/api/v1/prevention/alerts", params={"lat": 51.6, "lng": 0.2}).json()["count"]
        == 0
    )
    cap = client.get(alert["cap_url"])
    assert cap.status_code == 200
    assert cap.headers["content-type"].startswith("application/cap+xml")
    validate(cap.content)
    assert b"-00:00</sent>" in cap.content
    assert f"{alert['lat']:.6f}".encode() in cap.content
    assert client.get("/api/v1/prevention/alerts/999/cap").status_code == 404


def test_a_registration_with_bad_fields_names_each_one(client: TestClient) -> None:
    bad = client.post(
        "/api/v1/prevention/subscriptions",
        json={
            "kind": "household",
            "name": "X",
            "channel": "sms",
            "contact": "hello",
            "lat": 51.5,
            "lon": -0.1,
        },
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "contact"
    outside = client.post(
        "/api/v1/prevention/subscriptions",
        json={
            "kind": "household",
            "name": "X",
            "channel": "email",
            "contact": "a@b.org",
            "lat": 52.2,
            "lon": 0.1,
        },
    )
    assert outside.status_code == 422 and "outside the city" in outside.text
    unknown = client.delete("/api/v1/prevention/subscriptions/nosuchtoken123")
    assert unknown.status_code == 404
