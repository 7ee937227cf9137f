"""The 999 API: a call opens or joins an incident, the recommendation, dispatch, unit status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from safercity.dispatch import service as dispatch
from safercity.platform.audit import service as audit
from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from tests.factories import WATERLOO, call_payload, seed_fleet, seed_staff, token_for


@pytest.fixture
def handler(client: TestClient, db: Database, clock: FixedClock) -> dict[str, str]:
    seed_staff(db, clock)
    seed_fleet(db, clock)
    return token_for(client, "handler")


def _call(client: TestClient, auth: dict[str, str], **overrides: object) -> dict[str, object]:
    response = client.post("/api/v1/calls", json=call_payload(**overrides), headers=auth)
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_a_call_opens_a_graded_incident(client: TestClient, handler: dict[str, str]) -> None:
    body = _call(client, handler)
    incident = body["incident"]
    assert isinstance(incident, dict)
    assert body["id"] == incident["id"] and body["joined"] is False
    assert incident["type_label"] == "Cardiac or respiratory arrest"
    assert [(g["service"], g["priority"]) for g in incident["grades"]] == [("ambulance", "C1")]
    assert incident["risk"] == "high" and incident["borough"] == "Lambeth"
    got = client.get(f"/api/v1/incidents/{body['id']}", headers=handler).json()
    assert got["call_list"][0]["callback_number"] == "07700900123"
    assert got["timeline"][0]["kind"] == "opened"


def test_cardiac_arrest_recommends_one_unit_with_paramedic_defibrillator_and_transport(
    client: TestClient, handler: dict[str, str]
) -> None:
    incident_id = _call(client, handler)["id"]
    rec = client.get(f"/api/v1/incidents/{incident_id}/recommendation", headers=handler).json()
    # The ambulance at 600 m carries all three needs: one vehicle beats a car plus an ambulance.
    assert [u["call_sign"] for u in rec["units"]] == ["AMB1"]
    assert set(rec["units"][0]["fills"]) == {"paramedic", "defibrillator", "patient_transport"}
    assert rec["units"][0]["eta_source"] == "travel_model"
    assert rec["complete"] is True and rec["degraded"] is None
    assert "ETA" not in rec["units"][0]["reason"] or rec["units"][0]["reason"]


def test_house_fire_with_persons_sends_two_engines_an_ambulance_and_police(
    client: TestClient, handler: dict[str, str]
) -> None:
    incident_id = _call(
        client,
        handler,
        incident_type="house_fire_persons_reported",
        answers={"persons_reported": True},
    )["id"]
    rec = client.get(f"/api/v1/incidents/{incident_id}/recommendation", headers=handler).json()
    signs = {u["call_sign"] for u in rec["units"]}
    assert {"FE1", "FE2", "AMB1", "POL1"} <= signs
    assert len([s for s in signs if s.startswith("FE")]) == 2


def test_mental_health_crisis_without_crime_or_risk_goes_to_health_not_police(
    client: TestClient, handler: dict[str, str]
) -> None:
    incident_id = _call(
        client,
        handler,
        incident_type="mental_health_crisis",
        answers={"crime_in_progress": False, "risk_to_life": False},
        description="Neighbour very distressed, no weapons, no threats.",
    )["id"]
    got = client.get(f"/api/v1/incidents/{incident_id}", headers=handler).json()
    police = next(g for g in got["grades"] if g["service"] == "police")
    assert police["priority"] == "R" and "Right Care, Right Person" in police["reason"]
    rec = client.get(f"/api/v1/incidents/{incident_id}/recommendation", headers=handler).json()
    assert [u["call_sign"] for u in rec["units"]] == ["MHC1"]


def test_dispatch_moves_units_by_themselves_and_crews_report_the_rest(
    client: TestClient, handler: dict[str, str], ctx: object, db: Database, clock: FixedClock
) -> None:
    incident_id = _call(client, handler)["id"]
    sent = client.post(
        f"/api/v1/incidents/{incident_id}/assignments", json={"units": ["AMB1"]}, headers=handler
    )
    assert sent.status_code == 200, sent.text
    (assignment,) = sent.json()["assignments"]
    assert assignment["status"] == "dispatched" and assignment["eta_s"] > 0
    unit = client.get("/api/v1/units/AMB1", headers=handler).json()
    assert unit["status"] == "dispatched" and unit["incident_id"] == incident_id

    clock.advance(timedelta(seconds=61))
    dispatch.advance(db, clock)
    assert client.get("/api/v1/units/AMB1", headers=handler).json()["status"] == "en_route"
    clock.advance(timedelta(seconds=assignment["eta_s"]))
    dispatch.advance(db, clock)
    on_scene = client.get("/api/v1/units/AMB1", headers=handler).json()
    assert on_scene["status"] == "on_scene"
    assert (on_scene["lat"], on_scene["lon"]) == pytest.approx(WATERLOO)

    for status in ("at_hospital", "cleared"):
        moved = client.post("/api/v1/units/AMB1/status", json={"status": status}, headers=handler)
        assert moved.status_code == 200, moved.text
    assert client.get("/api/v1/units/AMB1", headers=handler).json()["status"] == "available"
    got = client.get(f"/api/v1/incidents/{incident_id}", headers=handler).json()
    assert got["assignments"][0]["status"] == "cleared"
    closed = client.post(f"/api/v1/incidents/{incident_id}/close", headers=handler)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_a_unit_is_never_sent_twice_to_the_same_incident(
    client: TestClient, handler: dict[str, str]
) -> None:
    incident_id = _call(client, handler)["id"]
    url = f"/api/v1/incidents/{incident_id}/assignments"
    assert client.post(url, json={"units": ["AMB1"]}, headers=handler).status_code == 200
    again = client.post(url, json={"units": ["AMB1", "FRU1"]}, headers=handler)
    assert again.status_code == 409
    assert "already assigned" in again.json()["detail"]
    # All or none: FRU1 was not sent either.
    assert client.get("/api/v1/units/FRU1", headers=handler).json()["status"] == "available"
    rec = client.get(f"/api/v1/incidents/{incident_id}/recommendation", headers=handler).json()
    assert rec["units"] == [] and rec["still_needed"] == []


def test_diversion_to_a_more_urgent_incident_needs_confirmation(
    client: TestClient, handler: dict[str, str]
) -> None:
    fall = _call(
        client,
        handler,
        incident_type="fall_with_injury",
        answers={"injured": True, "conscious": True},
        description="Elderly woman fell, hip pain.",
        callback_number="020 7946 0999",
        location={"lat": 51.515, "lon": -0.14, "address": "Oxford Street"},
    )["id"]
    client.post(f"/api/v1/incidents/{fall}/assignments", json={"units": ["AMB1"]}, headers=handler)
    arrest = _call(client, handler)["id"]
    url = f"/api/v1/incidents/{arrest}/assignments"
    refused = client.post(url, json={"units": ["AMB1"]}, headers=handler)
    assert refused.status_code == 409 and "Confirm the diversion" in refused.json()["detail"]
    diverted = client.post(url, json={"units": ["AMB1"], "confirm_divert": True}, headers=handler)
    assert diverted.status_code == 200, diverted.text
    old = client.get(f"/api/v1/incidents/{fall}", headers=handler).json()
    assert old["assignments"][0]["status"] == "diverted"
    # Back the other way is refused: a fall is not more urgent than a cardiac arrest.
    back = client.post(
        f"/api/v1/incidents/{fall}/assignments",
        json={"units": ["AMB1"], "confirm_divert": True},
        headers=handler,
    )
    assert back.status_code == 409 and "at least as urgent" in back.json()["detail"]


def test_a_second_call_nearby_is_offered_as_a_duplicate_and_merged(
    client: TestClient, handler: dict[str, str], ctx: object, db: Database
) -> None:
    first = _call(client, handler)["id"]
    client.post(f"/api/v1/incidents/{first}/assignments", json={"units": ["AMB1"]}, headers=handler)
    second = _call(
        client,
        handler,
        callback_number="07700 900456",
        caller_name="",
        location={"lat": 51.5036, "lon": -0.1193, "address": "Westminster Bridge Road"},
        description="Someone collapsed by County Hall",
    )
    offered = second["likely_duplicates"]
    assert isinstance(offered, list) and offered[0]["incident_id"] == first
    assert offered[0]["reasons"] == ["nearby"]
    merged = client.post(
        f"/api/v1/incidents/{second['id']}/merge", json={"into": first}, headers=handler
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["calls"] == 2
    gone = client.get(f"/api/v1/incidents/{second['id']}", headers=handler).json()
    assert gone["status"] == "merged" and gone["merged_into"] == first
    open_ids = [i["id"] for i in client.get("/api/v1/incidents", headers=handler).json()]
    assert open_ids == [first]
    with db.engine.connect() as conn:
        trail = audit.trail(conn, "incident", str(first))
    assert [e.action for e in trail][-1] == "combination"


def test_a_call_from_the_same_number_is_offered_however_far_and_can_be_kept_separate(
    client: TestClient, handler: dict[str, str]
) -> None:
    first = _call(client, handler)["id"]
    far = _call(client, handler, location={"lat": 51.55, "lon": -0.2, "address": "Kilburn"})
    assert [d["reasons"] for d in far["likely_duplicates"]] == [["same_number"]]
    kept = client.post(
        f"/api/v1/incidents/{far['id']}/keep-separate", json={"other": first}, headers=handler
    )
    assert kept.status_code == 204
    got = client.get(f"/api/v1/incidents/{far['id']}", headers=handler).json()
    assert got["likely_duplicates"] == []


def test_joining_an_incident_directly_keeps_both_calls(
    client: TestClient, handler: dict[str, str]
) -> None:
    first = _call(client, handler)["id"]
    joined = _call(client, handler, merge_into=first, description="Second caller, same man")
    assert joined["joined"] is True and joined["id"] == first
    assert joined["incident"]["calls"] == 2  # type: ignore[index]


@pytest.mark.parametrize(
    ("overrides", "field", "status"),
    [
        ({"location": {"lat": 51.75, "lon": -0.1}}, "location", 422),
        ({"incident_type": "alien_landing"}, "incident_type", 422),
        ({"priority": {"police": "C1"}}, "priority", 422),
        ({"callback_number": "call me maybe"}, "callback_number", 422),
        ({"merge_into": 99999}, None, 404),
    ],
)
def test_bad_calls_get_a_clear_error_and_write_nothing(
    client: TestClient,
    handler: dict[str, str],
    overrides: dict[str, object],
    field: str | None,
    status: int,
) -> None:
    response = client.post("/api/v1/calls", json=call_payload(**overrides), headers=handler)
    assert response.status_code == status, response.text
    problem = response.json()
    if field:
        assert any(e["field"].startswith(field) for e in problem["errors"]), problem
    assert client.get("/api/v1/incidents", headers=handler).json() == []


def test_an_unknown_unit_is_a_clear_error_and_nothing_is_sent(
    client: TestClient, handler: dict[str, str]
) -> None:
    incident_id = _call(client, handler)["id"]
    response = client.post(
        f"/api/v1/incidents/{incident_id}/assignments",
        json={"units": ["AMB1", "NOPE9"]},
        headers=handler,
    )
    assert response.status_code == 404 and "NOPE9" in response.json()["detail"]
    assert client.get("/api/v1/units/AMB1", headers=handler).json()["status"] == "available"


def test_degraded_mode_dispatch_by_hand_when_the_recommender_fails(
    client: TestClient, handler: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    incident_id = _call(client, handler)["id"]

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("solver crashed")

    monkeypatch.setattr("safercity.dispatch.recommend.recommend", broken)
    rec = client.get(f"/api/v1/incidents/{incident_id}/recommendation", headers=handler).json()
    assert rec["units"] == [] and "recommender failed" in rec["degraded"]
    sent = client.post(
        f"/api/v1/incidents/{incident_id}/assignments", json={"units": ["FRU1"]}, headers=handler
    )
    assert sent.status_code == 200


def test_positions_update_through_the_api_and_change_etas(
    client: TestClient, handler: dict[str, str]
) -> None:
    incident_id = _call(client, handler)["id"]
    moved = client.put(
        "/api/v1/units/AMB2/position", json={"lat": 51.5034, "lon": -0.1196}, headers=handler
    )
    assert moved.status_code == 200
    rec = client.get(f"/api/v1/incidents/{incident_id}/recommendation", headers=handler).json()
    assert [u["call_sign"] for u in rec["units"]] == ["AMB2"]


def test_roles_without_999_permissions_are_refused(
    client: TestClient, handler: dict[str, str]
) -> None:
    investigator = token_for(client, "investigator")
    response = client.post("/api/v1/calls", json=call_payload(), headers=investigator)
    assert response.status_code == 403
    paramedic = token_for(client, "paramedic")  # a dispatcher: sends units, does not take calls
    assert client.post("/api/v1/calls", json=call_payload(), headers=paramedic).status_code == 403
    assert client.get("/api/v1/units", headers=paramedic).status_code == 200
