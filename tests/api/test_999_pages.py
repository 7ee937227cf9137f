"""The control room pages: intake form errors beside their fields, the panel's actions."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from tests.api.test_evidence_pages import csrf_of, sign_in
from tests.factories import WATERLOO, seed_fleet, seed_staff


@pytest.fixture
def csrf(client: TestClient, db: Database, clock: FixedClock) -> str:
    seed_staff(db, clock)
    seed_fleet(db, clock)
    sign_in(client, "handler")
    page = client.get("/staff/999")
    assert page.status_code == 200
    return csrf_of(page.text)


def _form(csrf: str, **overrides: str | list[str]) -> dict[str, str | list[str]]:
    data: dict[str, str | list[str]] = {
        "csrf_token": csrf,
        "caller_name": "Sam Taylor",
        "callback_number": "07700 900123",
        "address": "County Hall",
        "lat": str(WATERLOO[0]),
        "lon": str(WATERLOO[1]),
        "description": "Man collapsed, not breathing",
        "incident_type": "cardiac_arrest",
        "q_conscious": "no",
        "q_breathing": "no",
        "flags": ["older_person"],
        "thrive_harm": "Risk of death",
    }
    data.update(overrides)
    return data


def _board_data(html: str) -> dict[str, object]:
    match = re.search(r'<script type="application/json" id="board-data">(.*?)</script>', html)
    assert match
    data: dict[str, object] = json.loads(match.group(1))
    return data


def test_taking_a_call_opens_the_incident_with_its_recommendation(
    client: TestClient, csrf: str
) -> None:
    response = client.post("/staff/999/calls", data=_form(csrf), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/999?incident=1")
    page = client.get(response.headers["location"])
    assert "#1 Cardiac or respiratory arrest" in page.text
    assert 'value="AMB1"' in page.text and "Accept and send" in page.text
    assert "Older person" in page.text and "Risk of death" in page.text
    incidents = _board_data(page.text)["incidents"]
    assert isinstance(incidents, list) and incidents[0]["id"] == 1
    # The board's data carries no caller's name or number.
    assert "Sam Taylor" not in json.dumps(_board_data(page.text))


def test_intake_errors_sit_next_to_their_fields_and_keep_what_was_typed(
    client: TestClient, csrf: str
) -> None:
    response = client.post(
        "/staff/999/calls", data=_form(csrf, lat="", lon="", incident_type="", description="")
    )
    assert response.status_code == 422
    html = response.text
    assert 'id="f-location-error"' in html and 'id="f-incident-type-error"' in html
    assert 'id="f-description-error"' in html
    assert 'value="Sam Taylor"' in html
    outside = client.post("/staff/999/calls", data=_form(csrf, lat="51.75", lon="-0.1"))
    assert outside.status_code == 422 and "outside the service area" in outside.text
    assert _board_data(outside.text)["incidents"] == []


def test_accepting_the_recommendation_and_a_crew_update_from_the_panel(
    client: TestClient, csrf: str
) -> None:
    client.post("/staff/999/calls", data=_form(csrf))
    sent = client.post(
        "/staff/999/incidents/1/dispatch",
        data={"csrf_token": csrf, "units": ["AMB1"]},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    page = client.get("/staff/999?incident=1").text
    assert 'data-unit-status="AMB1">Dispatched<' in page
    updated = client.post(
        "/staff/999/incidents/1/units/AMB1/status",
        data={"csrf_token": csrf, "status": "on_scene"},
    )
    assert 'data-unit-status="AMB1">On scene<' in updated.text
    again = client.post(
        "/staff/999/incidents/1/dispatch", data={"csrf_token": csrf, "extra_units": "AMB1"}
    )
    assert again.status_code == 409 and "already assigned" in again.text


def test_a_duplicate_is_offered_while_typing_and_merged_from_the_panel(
    client: TestClient, csrf: str
) -> None:
    client.post("/staff/999/calls", data=_form(csrf))
    offered = client.get(
        "/staff/999/likely-duplicates",
        params={"lat": 51.5036, "lon": -0.1193, "callback_number": ""},
    )
    assert "Join #1" in offered.text
    client.post(
        "/staff/999/calls",
        data=_form(csrf, callback_number="07700 900456", lat="51.5036", lon="-0.1193"),
    )
    page = client.get("/staff/999?incident=2").text
    assert "Merge into #1" in page
    merged = client.post(
        "/staff/999/incidents/2/merge",
        data={"csrf_token": csrf, "into": "1"},
        follow_redirects=False,
    )
    assert merged.headers["location"].startswith("/staff/999?incident=1")
    assert "Calls (2)" in client.get("/staff/999?incident=1").text


def test_the_control_room_needs_999_permissions(
    client: TestClient, db: Database, clock: FixedClock
) -> None:
    seed_staff(db, clock)
    sign_in(client, "investigator")
    assert client.get("/staff/999").status_code == 403


def test_joining_an_offered_incident_from_the_intake_form_needs_no_type(
    client: TestClient, csrf: str
) -> None:
    client.post("/staff/999/calls", data=_form(csrf))
    joined = client.post(
        "/staff/999/calls",
        data=_form(csrf, incident_type="", merge_into="1", callback_number="07700 900456"),
        follow_redirects=False,
    )
    assert joined.status_code == 303
    assert joined.headers["location"].startswith("/staff/999?incident=1")
    assert "Calls (2)" in client.get("/staff/999?incident=1").text
