"""The staff case API: the case file's journey over HTTP, and who may do what."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from safercity.platform import outbox
from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from tests.factories import Staff, report_payload, seed_staff, token_for

API = "/api/v1/cases"


@pytest.fixture
def staff(db: Database, clock: FixedClock) -> Staff:
    return seed_staff(db, clock)


@pytest.fixture
def tokens(client: TestClient, staff: Staff) -> dict[str, dict[str, str]]:
    names = ("handler", "investigator", "supervisor", "prosecutor", "witnesscare", "clerk")
    return {name: token_for(client, name) for name in names}


def report(client: TestClient, clock: FixedClock, **overrides: Any) -> tuple[str, str]:
    response = client.post("/api/v1/reports", json=report_payload(clock.now(), **overrides))
    assert response.status_code == 201, response.text
    return response.json()["reference"], response.json()["tracking_code"]


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def to_charge(client: TestClient, tokens: dict[str, dict[str, str]], ref: str) -> int:
    inv = tokens["investigator"]
    ok(
        client.post(
            f"{API}/{ref}/recording-decision",
            headers=inv,
            json={
                "decision": "crime",
                "reason": "Burglary: forced entry.",
                "offence": "Residential burglary of a home",
            },
        )
    )
    ok(
        client.post(
            f"{API}/{ref}/allocation",
            headers=tokens["supervisor"],
            json={"officer": "investigator"},
        )
    )
    ok(
        client.post(
            f"{API}/{ref}/log", headers=inv, json={"text": "Neighbour saw Jo Bloggs at the door."}
        ),
        201,
    )
    suspect = ok(
        client.post(
            f"{API}/{ref}/suspects",
            headers=inv,
            json={"name": "Jo Bloggs", "date_of_birth": "1990-05-01"},
        ),
        201,
    )["id"]
    for action in ("arrest", "interview"):
        ok(
            client.post(
                f"{API}/{ref}/suspects/{suspect}/actions", headers=inv, json={"action": action}
            )
        )
    return int(suspect)


def test_the_whole_journey_over_the_api_ends_with_every_update_sent_on_time(
    client: TestClient, clock: FixedClock, db: Database, tokens: dict[str, dict[str, str]]
) -> None:
    ref, code = report(client, clock)
    triage = ok(client.get(API, params={"queue": "triage"}, headers=tokens["handler"]))
    assert [c["reference"] for c in triage["data"]] == [ref]
    suspect = to_charge(client, tokens, ref)
    ok(
        client.post(
            f"{API}/{ref}/suspects/{suspect}/charge",
            headers=tokens["investigator"],
            json={"charges": "Burglary, s.9(1)(b) Theft Act 1968"},
        )
    )
    queue = ok(client.get(API, params={"queue": "prosecution"}, headers=tokens["prosecutor"]))
    assert [c["reference"] for c in queue["data"]] == [ref]
    ok(
        client.post(
            f"{API}/{ref}/prosecution/decision",
            headers=tokens["prosecutor"],
            json={"decision": "accept", "text": ""},
        )
    )
    starts = (clock.now() + timedelta(days=10)).isoformat()
    hearing = ok(
        client.post(
            f"{API}/{ref}/hearings",
            headers=tokens["clerk"],
            json={"starts_at": starts, "place": "Courtroom 1"},
        ),
        201,
    )["id"]
    case = ok(
        client.post(
            f"{API}/{ref}/hearings/{hearing}/result",
            headers=tokens["clerk"],
            json={"result": "Offender given community sentence"},
        )
    )
    assert case["status"]["code"] == "closed"
    outbox.deliver_pending(db, clock, outbox.KeepTransport())

    updates = ok(client.get(f"{API}/{ref}", headers=tokens["supervisor"]))["victim_updates"]
    assert [u["event"] for u in updates] == [
        "arrested",
        "interviewed",
        "charged",
        "hearing_listed",
        "court_result",
    ]
    assert {u["status"]["code"] for u in updates} == {"sent_on_time"}
    victim = ok(client.get(f"/api/v1/reports/{ref}", headers={"X-Tracking-Code": code}))
    assert victim["outcome"] == "Offender given community sentence"


def test_the_victim_view_never_shows_suspects_names_log_entries_or_prosecutor_requests(
    client: TestClient, clock: FixedClock, tokens: dict[str, dict[str, str]]
) -> None:
    ref, code = report(client, clock)
    suspect = to_charge(client, tokens, ref)
    ok(
        client.post(
            f"{API}/{ref}/suspects/{suspect}/charge",
            headers=tokens["investigator"],
            json={"charges": "Burglary"},
        )
    )
    ok(
        client.post(
            f"{API}/{ref}/prosecution/decision",
            headers=tokens["prosecutor"],
            json={"decision": "return", "text": "Secret request: get the CCTV."},
        )
    )
    victim = json.dumps(ok(client.get(f"/api/v1/reports/{ref}", headers={"X-Tracking-Code": code})))
    assert "Bloggs" not in victim
    assert "Neighbour saw" not in victim
    assert "Secret request" not in victim
    assert "A suspect has been charged" in victim


def test_a_court_clerk_cannot_charge(
    client: TestClient, clock: FixedClock, tokens: dict[str, dict[str, str]]
) -> None:
    ref, _ = report(client, clock)
    suspect = to_charge(client, tokens, ref)
    response = client.post(
        f"{API}/{ref}/suspects/{suspect}/charge",
        headers=tokens["clerk"],
        json={"charges": "Burglary"},
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


def test_a_prosecutor_cannot_record_a_court_result(
    client: TestClient, clock: FixedClock, tokens: dict[str, dict[str, str]]
) -> None:
    ref, _ = report(client, clock)
    suspect = to_charge(client, tokens, ref)
    ok(
        client.post(
            f"{API}/{ref}/suspects/{suspect}/charge",
            headers=tokens["investigator"],
            json={"charges": "Burglary"},
        )
    )
    ok(
        client.post(
            f"{API}/{ref}/prosecution/decision",
            headers=tokens["prosecutor"],
            json={"decision": "accept"},
        )
    )
    response = client.post(
        f"{API}/{ref}/hearings/1/result",
        headers=tokens["prosecutor"],
        json={"result": "Offender fined"},
    )
    assert response.status_code == 403


def test_without_a_token_the_api_answers_401(client: TestClient, staff: Staff) -> None:
    response = client.get(API, params={"queue": "triage"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_an_unknown_case_is_404(client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    response = client.get(f"{API}/SC-0000-0000", headers=tokens["investigator"])
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_a_step_out_of_order_is_409_and_bad_input_is_422_naming_the_field(
    client: TestClient, clock: FixedClock, tokens: dict[str, dict[str, str]]
) -> None:
    ref, _ = report(client, clock)
    response = client.post(
        f"{API}/{ref}/allocation", headers=tokens["supervisor"], json={"officer": "investigator"}
    )
    assert response.status_code == 409
    response = client.post(
        f"{API}/{ref}/recording-decision",
        headers=tokens["investigator"],
        json={"decision": "crime", "reason": "\x00"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"


def test_an_investigator_can_take_a_case_but_not_allocate_it_to_someone_else(
    client: TestClient, clock: FixedClock, tokens: dict[str, dict[str, str]]
) -> None:
    ref, _ = report(client, clock)
    ok(
        client.post(
            f"{API}/{ref}/recording-decision",
            headers=tokens["investigator"],
            json={"decision": "crime", "reason": "Theft."},
        )
    )
    response = client.post(
        f"{API}/{ref}/allocation", headers=tokens["investigator"], json={"officer": "supervisor"}
    )
    assert response.status_code == 403
    case = ok(
        client.post(
            f"{API}/{ref}/allocation",
            headers=tokens["investigator"],
            json={"officer": "investigator"},
        )
    )
    assert case["officer_name"] == "Investigator Example"
    assert case["status"]["code"] == "under_investigation"


def test_phone_updates_show_as_due_to_the_supervisor_until_marked_told(
    client: TestClient, clock: FixedClock, tokens: dict[str, dict[str, str]]
) -> None:
    victim = {"name": "Ali Khan", "preferred_channel": "phone", "phone": "07700 900456"}
    ref, _ = report(client, clock, victim=victim)
    ok(
        client.post(
            f"{API}/{ref}/recording-decision",
            headers=tokens["handler"],
            json={"decision": "not_a_crime", "reason": "Lost property, not theft."},
        )
    )
    clock.advance(timedelta(days=8))  # Tuesday: past the 5 working days
    tokens = {name: token_for(client, name) for name in ("supervisor", "witnesscare")}
    due = ok(
        client.get(f"{API}/victim-updates", params={"scope": "due"}, headers=tokens["supervisor"])
    )
    assert due["count"] == 1 and due["data"][0]["status"]["code"] == "overdue"
    update_id = due["data"][0]["id"]
    ok(
        client.post(
            f"{API}/{ref}/victim-updates/{update_id}/told",
            headers=tokens["witnesscare"],
            json={"how": "Phoned and explained."},
        )
    )
    due = ok(
        client.get(f"{API}/victim-updates", params={"scope": "due"}, headers=tokens["supervisor"])
    )
    assert due["count"] == 0
    everything = ok(
        client.get(f"{API}/victim-updates", params={"scope": "all"}, headers=tokens["supervisor"])
    )
    assert everything["data"][0]["status"]["code"] == "sent_late"


def test_the_court_clerk_sees_defendants_and_hearings_but_not_the_investigation_log(
    client: TestClient, clock: FixedClock, tokens: dict[str, dict[str, str]]
) -> None:
    ref, _ = report(client, clock)
    suspect = to_charge(client, tokens, ref)
    ok(
        client.post(
            f"{API}/{ref}/suspects/{suspect}/charge",
            headers=tokens["investigator"],
            json={"charges": "Burglary"},
        )
    )
    ok(
        client.post(
            f"{API}/{ref}/prosecution/decision",
            headers=tokens["prosecutor"],
            json={"decision": "accept"},
        )
    )
    case = ok(client.get(f"{API}/{ref}", headers=tokens["clerk"]))
    assert case["log"] == [] and case["victim"] is None
    assert [s["name"] for s in case["suspects"]] == ["Jo Bloggs"]
    assert case["actions"] == ["list_hearing", "record_result"]


def test_every_request_body_in_the_cases_api_has_an_example(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path, methods in schema["paths"].items():
        if not path.startswith(API):
            continue
        for operation in methods.values():
            json_body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if json_body:
                ref = json_body["schema"]["$ref"].split("/")[-1]
                assert schema["components"]["schemas"][ref].get("examples"), (path, ref)
