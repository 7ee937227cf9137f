"""The public prevention page: warnings in force, registering with errors beside their fields,
and stopping warnings."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from safercity.prevention import events, police_uk, warnings
from tests.factories import recorded_burglary, seed_staff

FIXTURE = Path(__file__).parent.parent / "data" / "prevention" / "police_uk"


def test_the_page_lists_warnings_in_force_with_advice_and_their_cap(
    client: TestClient, db: Database, clock: FixedClock
) -> None:
    assert "No warnings are in force" in client.get("/prevention").text
    events.import_files(db, clock, [FIXTURE], police_uk.ImportReport())
    recorded_burglary(db, clock, seed_staff(db, clock), 51.4739, -0.0911)
    events.sync_platform_crimes(db, clock, "s", on_new=warnings.warn_neighbours)
    page = client.get("/prevention", params={"borough": "Southwark"}).text
    assert "Burglary near" in page and "Lock doors and windows" in page
    assert "/api/v1/prevention/alerts/1/cap" in page
    elsewhere = client.get("/prevention", params={"borough": "Havering"}).text
    assert "No warnings are in force in Havering" in elsewhere


def test_registering_gives_a_link_that_stops_the_warnings(client: TestClient) -> None:
    done = client.post(
        "/prevention/register",
        data={
            "kind": "household",
            "name": "Flat 3",
            "channel": "sms",
            "contact": "07700 900123",
            "place_borough": "Southwark",
            "radius_m": "200",
            "type.Burglary": "1",
        },
    )
    assert done.status_code == 200 and "You are registered" in done.text
    link = done.text.split('id="unsubscribe-link" href="')[1].split('"')[0]
    assert "Stop my warnings" in client.get(link).text
    assert "Warnings stopped" in client.post(link).text


def test_mistakes_are_shown_beside_their_fields_and_the_answers_kept(client: TestClient) -> None:
    page = client.post(
        "/prevention/register",
        data={
            "kind": "household",
            "name": "Flat 3",
            "channel": "email",
            "contact": "nope",
            "radius_m": "100",
            "type.Burglary": "1",
        },
    )
    assert page.status_code == 422
    assert 'id="f-location-latitude-error"' in page.text or 'id="map-error"' in page.text
    no_place = client.post(
        "/prevention/register",
        data={
            "kind": "household",
            "name": "Flat 3",
            "channel": "email",
            "contact": "a@example.org",
            "place_borough": "Southwark",
            "radius_m": "100",
        },
    )
    assert no_place.status_code == 422
    assert 'id="f-crime-types-error"' in no_place.text
    assert 'value="a@example.org"' in no_place.text
    bad_contact = client.post(
        "/prevention/register",
        data={
            "kind": "household",
            "name": "Flat 3",
            "channel": "email",
            "contact": "nope",
            "place_borough": "Southwark",
            "radius_m": "100",
            "type.Burglary": "1",
        },
    )
    assert 'id="f-contact-error"' in bad_contact.text
