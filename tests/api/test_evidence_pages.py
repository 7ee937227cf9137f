"""The staff evidence pages: list and upload, errors next to fields, the exhibit and its chain."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi.testclient import TestClient

from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from tests.factories import PASSWORD, report_payload, seed_staff

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"door photo" * 100
PDF = b"%PDF-1.4\n" + b"witness statement" * 50


@pytest.fixture
def reference(client: TestClient, db: Database, clock: FixedClock) -> str:
    seed_staff(db, clock)
    response = client.post("/api/v1/reports", json=report_payload(clock.now()))
    reference: str = response.json()["reference"]
    return reference


def sign_in(client: TestClient, username: str) -> None:
    response = client.post(
        "/staff/sign-in", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def post_upload(
    client: TestClient,
    reference: str,
    csrf: str,
    content: bytes,
    kind: str = "photo",
    description: str = "The forced back door",
) -> httpx.Response:
    return client.post(
        f"/staff/cases/{reference}/evidence",
        data={
            "csrf_token": csrf,
            "kind": kind,
            "description": description,
            "reason": "Photographed at the scene",
        },
        files={"file": ("door.jpg", content, "image/jpeg")},
        follow_redirects=False,
    )


def test_the_evidence_page_needs_a_signed_in_member_of_staff(
    client: TestClient, reference: str
) -> None:
    response = client.get(f"/staff/cases/{reference}/evidence", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/sign-in")


def test_an_officer_uploads_from_the_page_and_sees_the_exhibit_and_its_custody(
    client: TestClient, reference: str
) -> None:
    sign_in(client, "investigator")
    page = client.get(f"/staff/cases/{reference}/evidence")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert f'href="/staff/cases/{reference}"' in page.text
    response = post_upload(client, reference, csrf_of(page.text), JPEG)
    assert response.status_code == 303
    item_url = response.headers["location"]
    assert re.fullmatch(r"/staff/evidence/\d+", item_url)
    item = client.get(item_url)
    assert "Exhibit SC/1" in item.text
    assert "Received (uploaded)" in item.text and "Photographed at the scene" in item.text
    listing = client.get(f"/staff/cases/{reference}/evidence")
    assert item_url in listing.text and "door.jpg" in listing.text


def test_upload_errors_are_shown_next_to_their_fields_with_the_answers_kept(
    client: TestClient, reference: str
) -> None:
    sign_in(client, "investigator")
    csrf = csrf_of(client.get(f"/staff/cases/{reference}/evidence").text)
    response = post_upload(
        client, reference, csrf, PDF, kind="photo", description="A note about the door"
    )
    assert response.status_code == 422
    html: str = response.text
    assert 'id="upload-file-error"' in html and "PDF document" in html
    assert 'aria-invalid="true"' in html
    assert "A note about the door" in html
    missing = post_upload(client, reference, csrf, JPEG, kind="", description="")
    text: str = missing.text
    assert 'id="upload-kind-error"' in text and 'id="upload-description-error"' in text


def test_a_form_without_the_csrf_token_is_refused(client: TestClient, reference: str) -> None:
    sign_in(client, "investigator")
    response = post_upload(client, reference, "forged", JPEG)
    assert response.status_code == 403


def test_opening_and_sealing_from_the_exhibit_page_are_recorded(
    client: TestClient, reference: str
) -> None:
    sign_in(client, "investigator")
    csrf = csrf_of(client.get(f"/staff/cases/{reference}/evidence").text)
    item_url = post_upload(client, reference, csrf, JPEG).headers["location"]
    no_reason = client.post(f"{item_url}/content", data={"csrf_token": csrf, "mode": "view"})
    assert no_reason.status_code == 422
    assert 'id="open-reason-error"' in no_reason.text
    opened = client.post(
        f"{item_url}/content", data={"csrf_token": csrf, "mode": "view", "reason": "Check quality"}
    )
    assert opened.content == JPEG
    assert opened.headers["content-disposition"].startswith("inline")
    sealed = client.post(
        f"{item_url}/custody",
        data={"csrf_token": csrf, "action": "sealed", "reason": "Seal 0012345"},
    )
    assert sealed.status_code == 200 and "Sealed, held by" in sealed.text
    refused = client.post(
        f"{item_url}/custody",
        data={
            "csrf_token": csrf,
            "action": "disclosed",
            "reason": "Advice",
            "recipient_agency": "CPS-LDN",
        },
    )
    assert refused.status_code == 409 and "is sealed" in refused.text
    page = client.get(item_url).text
    for label in ("Received (uploaded)", "Viewed", "Check quality", "Sealed"):
        assert label in page


def test_a_role_without_the_permission_gets_the_not_allowed_page(
    client: TestClient, reference: str
) -> None:
    sign_in(client, "clerk")
    response = client.get(f"/staff/cases/{reference}/evidence")
    assert response.status_code == 403
    assert "Court clerk" in response.text
