"""Handing an incident to another agency's system as a NENA EIDO document, and receiving one."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from safercity.contact.eido import validate
from safercity.platform.audit import service as audit
from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from tests.factories import call_payload, seed_fleet, seed_staff, token_for


@pytest.fixture
def handler(client: TestClient, db: Database, clock: FixedClock) -> dict[str, str]:
    seed_staff(db, clock)
    seed_fleet(db, clock)
    return token_for(client, "handler")


def test_an_incident_exports_as_a_valid_eido_and_the_disclosure_is_audited(
    client: TestClient, handler: dict[str, str], db: Database
) -> None:
    incident_id = client.post("/api/v1/calls", json=call_payload(), headers=handler).json()["id"]
    client.post(
        f"/api/v1/incidents/{incident_id}/assignments", json={"units": ["AMB1"]}, headers=handler
    )
    response = client.get(
        f"/api/v1/incidents/{incident_id}/eido",
        params={"recipient": "Surrey Police CAD"},
        headers=handler,
    )
    assert response.status_code == 200, response.text
    document = response.json()
    assert validate(document) == []
    text = str(document)
    assert "AMB1" in text and "cardiac_arrest" in text
    with db.engine.connect() as conn:
        trail = audit.trail(conn, "incident", str(incident_id))
    disclosure = trail[-1]
    assert disclosure.action == "disclosure" and disclosure.recipient == "Surrey Police CAD"


def test_an_eido_from_another_agency_opens_an_incident_here(
    client: TestClient, handler: dict[str, str]
) -> None:
    incident_id = client.post("/api/v1/calls", json=call_payload(), headers=handler).json()["id"]
    document = client.get(f"/api/v1/incidents/{incident_id}/eido", headers=handler).json()
    client.post(f"/api/v1/incidents/{incident_id}/close", headers=handler)
    received = client.post("/api/v1/incidents/eido", json=document, headers=handler)
    assert received.status_code == 201, received.text
    body = received.json()
    assert body["id"] != incident_id
    assert body["incident"]["type"] == "cardiac_arrest"
    assert body["incident"]["lat"] == pytest.approx(51.50335)
    got = client.get(f"/api/v1/incidents/{body['id']}", headers=handler).json()
    assert got["call_list"][0]["callback_number"] == "07700900123"
    assert "Handed over by" in got["call_list"][0]["description"]


def test_an_invalid_eido_is_refused_naming_the_field_and_writes_nothing(
    client: TestClient, handler: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/incidents/eido", json={"eidoMessageIdentifier": 5}, headers=handler
    )
    assert response.status_code == 422
    assert response.json()["errors"]
    assert client.get("/api/v1/incidents", headers=handler).json() == []
