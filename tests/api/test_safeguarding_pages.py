"""The safeguarding hub's pages: what each partner sees, and errors beside their fields."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from tests.api.test_evidence_pages import csrf_of, sign_in
from tests.factories import seed_hub

HUB = "/safeguarding"
DA = "domestic_abuse_marac"


@pytest.fixture(autouse=True)
def hub(db: Database, clock: FixedClock) -> None:
    seed_hub(db, clock)


def _csrf(client: TestClient) -> str:
    return csrf_of(client.get(HUB).text)


def _add_person(client: TestClient) -> str:
    sign_in(client, "sg_investigator")
    response = client.post(
        f"{HUB}/people/new",
        data={
            "csrf_token": _csrf(client),
            "purpose": DA,
            "given_name": "Maya",
            "family_name": "Singh",
            "address": "1 Example Road, SE15",
            "phone": "07700 900123",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    match = re.search(r"/people/(SG-[A-Z0-9]+)", response.headers["location"])
    assert match
    return match.group(1)


def test_the_nav_offers_the_hub_to_safeguarding_staff_only(client: TestClient) -> None:
    sign_in(client, "sg_idva")
    assert 'href="/safeguarding"' in client.get(HUB).text
    sign_in(client, "sg_handler")
    assert 'href="/safeguarding"' not in client.get("/staff").text


def test_a_new_person_needs_a_name_and_a_purpose(client: TestClient) -> None:
    sign_in(client, "sg_investigator")
    response = client.post(
        f"{HUB}/people/new", data={"csrf_token": _csrf(client), "given_name": "Maya"}
    )
    assert response.status_code == 422
    assert 'id="f-purpose-error"' in response.text
    assert 'id="f-family-name-error"' in response.text


def test_no_record_is_read_until_a_purpose_is_chosen(client: TestClient) -> None:
    ref = _add_person(client)
    page = client.get(f"{HUB}/people/{ref}")
    assert "Choose the purpose of your enquiry" in page.text and "Example Road" not in page.text
    opened = client.get(f"{HUB}/people/{ref}", params={"purpose": DA})
    assert "1 Example Road, SE15" in opened.text


def test_the_charity_sees_the_agreed_fields_and_the_names_of_the_rest(client: TestClient) -> None:
    ref = _add_person(client)
    sign_in(client, "sg_idva")
    page = client.get(f"{HUB}/people/{ref}", params={"purpose": DA})
    assert page.status_code == 200
    assert "07700 900123" in page.text and "Example Road" not in page.text
    assert "Withheld under the agreement: address" in page.text


def test_a_school_finds_nothing(client: TestClient) -> None:
    ref = _add_person(client)
    sign_in(client, "sg_dsl")
    found = client.get(HUB, params={"q": "Maya", "purpose": "safeguarding_child"})
    assert 'id="no-results"' in found.text and ref not in found.text
    assert client.get(f"{HUB}/people/{ref}", params={"purpose": DA}).status_code == 404


def test_dash_with_15_yes_offers_the_marac_referral(client: TestClient) -> None:
    ref = _add_person(client)
    answers = {f"q{n}": "yes" if n <= 15 else "no" for n in range(1, 28)}
    missing = client.post(
        f"{HUB}/people/{ref}/dash", data={"csrf_token": _csrf(client), "purpose": DA}
    )
    assert missing.status_code == 422 and 'id="f-q1-error"' in missing.text
    result = client.post(
        f"{HUB}/people/{ref}/dash", data={"csrf_token": _csrf(client), "purpose": DA, **answers}
    )
    assert result.status_code == 200
    assert 'id="risk-level">High' in result.text and 'id="make-marac-referral"' in result.text


def test_a_referral_without_consent_shows_the_error_beside_the_basis(client: TestClient) -> None:
    ref = _add_person(client)
    response = client.post(
        f"{HUB}/referrals/new",
        data={
            "csrf_token": _csrf(client),
            "person_ref": ref,
            "to_agency": "SOLACE",
            "purpose": DA,
            "reason": "High risk",
        },
    )
    assert response.status_code == 422
    assert 'id="f-lawful-basis-override-error"' in response.text


def test_break_glass_shows_the_banner_and_the_audit_shows_it(client: TestClient) -> None:
    ref = _add_person(client)
    sign_in(client, "sg_paramedic")
    opened = client.post(
        f"{HUB}/people/{ref}/break-glass",
        data={
            "csrf_token": _csrf(client),
            "purpose": "mental_health_crisis",
            "justification": "Unconscious at the scene, need next of kin now",
        },
    )
    assert opened.status_code == 200 and 'id="break-glass-banner"' in opened.text
    assert "1 Example Road, SE15" in opened.text
    sign_in(client, "sg_supervisor")
    trail = client.get(f"{HUB}/people/{ref}/audit")
    assert "Break-glass by sg_paramedic@LAS" in trail.text
    sign_in(client, "sg_socialworker")
    assert client.get(f"{HUB}/people/{ref}/audit").status_code == 403
