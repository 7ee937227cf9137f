"""The staff case pages: the journey in the browser's forms, errors next to fields, and roles."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from tests.factories import PASSWORD, report_payload, seed_staff


@pytest.fixture
def reference(client: TestClient, db: Database, clock: FixedClock) -> str:
    seed_staff(db, clock)
    response = client.post("/api/v1/reports", json=report_payload(clock.now()))
    reference: str = response.json()["reference"]
    return reference


def sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    response = client.post(
        "/staff/sign-in", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def post(client: TestClient, reference: str, path: str, **data: Any) -> httpx.Response:
    page = client.get(f"/staff/cases/{reference}")
    assert page.status_code == 200, page.text
    return client.post(
        f"/staff/cases/{reference}{path}",
        data={"csrf_token": csrf_of(page.text), **data},
        follow_redirects=False,
    )


def done(response: httpx.Response) -> None:
    assert response.status_code == 303, response.text
    assert "?done=" in response.headers["location"]


def suspect_id(client: TestClient, reference: str) -> str:
    match = re.search(r"/suspects/(\d+)/actions", client.get(f"/staff/cases/{reference}").text)
    assert match
    return match.group(1)


def test_staff_pages_need_sign_in(client: TestClient, reference: str) -> None:
    for path in ("/staff", f"/staff/cases/{reference}", "/staff/cases/triage"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/staff/sign-in")


def test_the_home_page_shows_the_queues_of_the_role(client: TestClient, reference: str) -> None:
    sign_in(client, "clerk")
    home = client.get("/staff").text
    assert "/staff/cases/court" in home and "/staff/cases/triage" not in home
    sign_in(client, "supervisor")
    home = client.get("/staff").text
    assert "/staff/cases/triage" in home and "/staff/victim-updates" in home


def test_the_triage_queue_shows_the_24_hour_clock(
    client: TestClient, reference: str, clock: FixedClock
) -> None:
    clock.advance(timedelta(hours=3))
    sign_in(client, "handler")
    page = client.get("/staff/cases/triage").text
    assert reference in page and "21 h 00 min left" in page


def test_a_recording_decision_without_a_reason_shows_the_error_next_to_the_field(
    client: TestClient, reference: str
) -> None:
    sign_in(client, "investigator")
    response = post(client, reference, "/recording-decision", decision="crime", reason="")
    assert response.status_code == 422
    assert 'id="record-reason-error"' in response.text
    assert 'aria-describedby="record-reason-hint record-reason-error"' in response.text
    assert 'value="crime" checked' in response.text


def test_a_form_without_the_csrf_token_is_refused(client: TestClient, reference: str) -> None:
    sign_in(client, "investigator")
    response = client.post(
        f"/staff/cases/{reference}/recording-decision",
        data={"decision": "crime", "reason": "Theft."},
    )
    assert response.status_code == 403


def test_the_whole_journey_through_the_pages(
    client: TestClient, reference: str, clock: FixedClock
) -> None:
    sign_in(client, "investigator")
    done(
        post(
            client,
            reference,
            "/recording-decision",
            decision="crime",
            reason="Burglary.",
            offence="Residential burglary of a home",
        )
    )
    done(post(client, reference, "/allocation", officer="investigator"))
    done(post(client, reference, "/log", text="Door-to-door enquiries done."))
    done(post(client, reference, "/suspects", name="Jo Bloggs", date_of_birth="1990-05-01"))
    suspect = suspect_id(client, reference)
    for action in ("arrest", "interview"):
        done(post(client, reference, f"/suspects/{suspect}/actions", action=action))
    done(post(client, reference, f"/suspects/{suspect}/charge", charges="Burglary"))

    sign_in(client, "prosecutor")
    assert reference in client.get("/staff/cases/prosecution").text
    page = client.get(f"/staff/cases/{reference}").text
    assert "Door-to-door enquiries done." in page and "Jo Bloggs" in page
    done(post(client, reference, "/prosecution/decision", decision="accept", text=""))

    sign_in(client, "clerk")
    assert reference in client.get("/staff/cases/court").text
    day = (clock.now() + timedelta(days=14)).date().isoformat()
    done(
        post(
            client,
            reference,
            "/hearings",
            hearing_date=day,
            hearing_time="10:00",
            place="Courtroom 2",
            court_name="Camberwell Green Magistrates' Court",
        )
    )
    page = client.get(f"/staff/cases/{reference}").text
    assert "Door-to-door" not in page and "sam.taylor@example.com" not in page
    hearing = re.search(r"/hearings/(\d+)/result", page)
    assert hearing
    done(post(client, reference, f"/hearings/{hearing.group(1)}/result", result="Offender fined"))
    assert "Offender fined" in client.get(f"/staff/cases/{reference}").text

    sign_in(client, "supervisor")
    outbox = client.get("/staff/outbox").text
    assert outbox.count(f'href="/staff/cases/{reference}#updates"') == 5


def test_a_prosecutor_sees_no_investigator_actions(client: TestClient, reference: str) -> None:
    sign_in(client, "investigator")
    done(post(client, reference, "/recording-decision", decision="crime", reason="Theft."))
    done(post(client, reference, "/allocation", officer="investigator"))
    page = client.get(f"/staff/cases/{reference}").text
    assert '/suspects"' in page and '/log"' in page
    sign_in(client, "prosecutor")
    response = client.get(f"/staff/cases/{reference}")
    assert response.status_code == 403


def test_bail_without_a_return_date_is_shown_next_to_the_date(
    client: TestClient, reference: str
) -> None:
    sign_in(client, "investigator")
    done(post(client, reference, "/recording-decision", decision="crime", reason="Theft."))
    done(post(client, reference, "/allocation", officer="investigator"))
    done(post(client, reference, "/suspects", name="Jo Bloggs"))
    suspect = suspect_id(client, reference)
    done(post(client, reference, f"/suspects/{suspect}/actions", action="arrest"))
    response = post(client, reference, f"/suspects/{suspect}/actions", action="bail")
    assert response.status_code == 422
    assert f'id="suspect-{suspect}-bail-return-error"' in response.text


def test_a_step_out_of_order_comes_back_with_the_reason(client: TestClient, reference: str) -> None:
    sign_in(client, "investigator")
    done(
        post(
            client,
            reference,
            "/recording-decision",
            decision="not_a_crime",
            reason="Lost, not stolen.",
        )
    )
    page = client.get(f"/staff/cases/{reference}")
    response = client.post(
        f"/staff/cases/{reference}/recording-decision",
        data={"csrf_token": csrf_of(page.text), "decision": "crime", "reason": "Changed."},
        follow_redirects=False,
    )
    assert response.status_code == 409
    assert "Not possible while the case is" in response.text


def test_the_find_box_opens_a_case_by_reference(client: TestClient, reference: str) -> None:
    sign_in(client, "investigator")
    response = client.get(
        "/staff/cases", params={"reference": reference.lower()}, follow_redirects=False
    )
    assert response.headers["location"] == f"/staff/cases/{reference}"
    assert client.get("/staff/cases", params={"reference": "SC-0000-0000"}).status_code == 404


def test_the_supervisor_sees_phone_updates_overdue_until_someone_marks_them_told(
    client: TestClient, db: Database, clock: FixedClock
) -> None:
    seed_staff(db, clock)
    victim = {"name": "Ali Khan", "preferred_channel": "phone", "phone": "07700 900456"}
    reference = client.post(
        "/api/v1/reports", json=report_payload(clock.now(), victim=victim)
    ).json()["reference"]
    sign_in(client, "investigator")
    done(
        post(
            client,
            reference,
            "/recording-decision",
            decision="not_a_crime",
            reason="Lost, not stolen.",
        )
    )
    clock.advance(timedelta(days=8))
    sign_in(client, "supervisor")
    page = client.get("/staff/victim-updates").text
    assert reference in page and "Overdue" in page
    update = re.search(r"/victim-updates/(\d+)/told", client.get(f"/staff/cases/{reference}").text)
    assert update
    sign_in(client, "witnesscare")
    done(post(client, reference, f"/victim-updates/{update.group(1)}/told", how="Phoned."))
    sign_in(client, "supervisor")
    assert reference not in client.get("/staff/victim-updates").text
    assert "Sent late" in client.get("/staff/outbox").text
