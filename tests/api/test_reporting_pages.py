"""The public's pages over HTTP: the report form, the confirmation and the tracking page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from safercity.cases.store import cases
from safercity.cases.victims_code import QUESTIONS
from safercity.cases.vocabulary import CRIME_TYPES
from safercity.platform.db import Database
from safercity.reporting.pages import TRACKING_COOKIE

KEY = "3b0f1c9e-6a43-4c1e-9f57-2d3c8e1b7a10"


def _form(**overrides: str) -> dict[str, str]:
    values = {
        "idempotency_key": KEY,
        "crime_type": "Burglary",
        "description": "The back door was forced and a laptop was taken.",
        "occurred_from": "2026-11-22T18:30",
        "occurred_to": "",
        "location.text": "12 Acacia Avenue, SE15 4AB",
        "location.latitude": "51.47",
        "location.longitude": "-0.069",
        "reporter_is_victim": "yes",
        "victim.name": "Sam Taylor",
        "victim.preferred_channel": "email",
        "victim.email": "sam.taylor@example.com",
        "victim.phone": "",
        "victim.address": "",
        "enhanced_rights.under_18": "no",
    }
    values.update(overrides)
    return values


def _field_error(html: str, field_id: str) -> str:
    found = re.search(
        rf'id="{field_id}-error"><span class="visually-hidden">Error: </span>(.*?)</p>', html
    )
    return found[1] if found else ""


def _submitted(client: TestClient, **overrides: str) -> tuple[str, str]:
    response = client.post("/report", data=_form(**overrides))
    assert response.status_code == 200, response.text
    reference = re.search(r'id="crime-reference">([^<]+)<', response.text)
    code = re.search(r'id="tracking-code">([^<]+)<', response.text)
    assert reference and code
    return reference[1], code[1]


def _count(db: Database) -> int:
    with db.transaction() as conn:
        return int(conn.execute(select(func.count()).select_from(cases)).scalar_one())


def _stored(db: Database, column: str) -> Any:
    with db.transaction() as conn:
        return conn.execute(select(cases.c[column])).scalar_one()


def _opened(client: TestClient, reference: str, code: str) -> str:
    response = client.post("/track", data={"reference": reference, "tracking_code": code})
    assert response.status_code == 200 and str(response.url).endswith("/track")
    return response.text


def test_the_form_offers_every_crime_type_every_enhanced_rights_question_and_a_999_banner(
    client: TestClient,
) -> None:
    html = client.get("/report").text
    assert all(f">{crime}</option>" in html for crime in CRIME_TYPES)
    assert all(question.replace("'", "&#39;") in html for question in QUESTIONS.values())
    assert 'href="tel:999"' in html
    assert re.search(r'name="idempotency_key" value="[0-9a-f-]{36}"', html)


class _Controls(HTMLParser):
    """Collects the ids of visible form controls and the ids that labels point at."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[str] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("input", "select", "textarea") and values.get("type") != "hidden":
            self.controls.append(values.get("id") or f"<{tag} name={values.get('name')}>")
        if tag == "label" and values.get("for"):
            self.labelled.add(values["for"] or "")


def test_every_input_on_the_public_pages_has_a_label(client: TestClient) -> None:
    pages = [
        client.get("/report").text,
        client.get("/track").text,
        _opened(client, *_submitted(client)),
    ]
    for html in pages:
        parser = _Controls()
        parser.feed(html)
        assert len(parser.controls) > 1
        assert set(parser.controls) <= parser.labelled


def test_a_bad_submission_shows_each_error_next_to_its_field_and_keeps_the_answers(
    client: TestClient, db: Database
) -> None:
    response = client.post(
        "/report",
        data=_form(
            description="Too short", **{"victim.email": "not-an-email", "occurred_from": ""}
        ),
    )
    assert response.status_code == 422
    html = response.text
    assert "at least 10 characters" in _field_error(html, "f-description")
    assert "name@example.com" in _field_error(html, "f-victim-email")
    assert "date and time" in _field_error(html, "f-occurred-from")
    assert 'href="#f-description"' in html and 'href="#f-victim-email"' in html
    assert ">Too short</textarea>" in html and 'value="not-an-email"' in html
    assert f'value="{KEY}"' in html  # the same report, still, when sent again
    assert _count(db) == 0


def test_an_unreadable_date_and_a_pin_outside_london_are_named_next_to_their_fields(
    client: TestClient,
) -> None:
    html = client.post(
        "/report",
        data=_form(
            **{
                "occurred_from": "last tuesday",
                "location.latitude": "52.2",
                "location.longitude": "0.12",
            }
        ),
    ).text
    assert "like 20/11/2026 18:30" in _field_error(html, "f-occurred-from")
    assert "outside the city" in html and 'id="map-error"' in html


def test_form_times_are_taken_as_london_time(client: TestClient, db: Database) -> None:
    _submitted(client, occurred_from="2026-07-01T12:00")  # BST: 11:00 UTC
    assert _stored(db, "occurred_from") == datetime(2026, 7, 1, 11, 0, tzinfo=UTC)
    assert _stored(db, "borough") == "Southwark"


def test_the_confirmation_shows_reference_and_private_code_and_is_never_cached(
    client: TestClient,
) -> None:
    response = client.post("/report", data=_form())
    assert response.headers["cache-control"] == "no-store"
    assert "Keep the code private" in response.text
    assert 'href="/track"' in response.text


def test_the_same_form_sent_twice_gives_one_report(client: TestClient, db: Database) -> None:
    first = _submitted(client)
    assert _submitted(client) == first
    assert _count(db) == 1


def test_a_key_reused_with_other_answers_asks_to_check_and_gives_a_new_key(
    client: TestClient, db: Database
) -> None:
    _submitted(client)
    response = client.post("/report", data=_form(description="Something else happened here."))
    assert response.status_code == 409
    assert "already sent with different answers" in response.text
    assert f'value="{KEY}"' not in response.text
    assert _count(db) == 1


def test_tracking_keeps_the_code_out_of_urls_and_shows_status_and_timeline(
    client: TestClient,
) -> None:
    reference, code = _submitted(client)
    response = client.post(
        "/track",
        data={"reference": reference.lower(), "tracking_code": code},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/track"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and code not in cookie
    html = client.get("/track").text
    assert 'id="case-status"' in html and "Report received" in html
    assert "will read this within" in html


def test_a_wrong_code_reads_exactly_like_an_unknown_reference(client: TestClient) -> None:
    reference, _code = _submitted(client)
    wrong = client.post("/track", data={"reference": reference, "tracking_code": "AAAAA-BBBBB"})
    unknown = client.post(
        "/track", data={"reference": "SC-0000-0000", "tracking_code": "AAAAA-BBBBB"}
    )
    assert wrong.status_code == unknown.status_code == 404
    message = re.compile(r"<p>(No report matches[^<]*)</p>")
    assert message.findall(wrong.text) == message.findall(unknown.text) != []


def test_too_many_wrong_codes_give_a_clear_429(client: TestClient) -> None:
    reference, _code = _submitted(client)
    for _ in range(10):
        client.post("/track", data={"reference": reference, "tracking_code": "AAAAA-BBBBB"})
    response = client.post("/track", data={"reference": reference, "tracking_code": "AAAAA-BBBBB"})
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert "Too many attempts" in response.text


def test_the_victim_adds_a_message_and_an_empty_one_is_shown_next_to_its_field(
    client: TestClient,
) -> None:
    html = _opened(client, *_submitted(client))
    token = re.search(r'name="form_token" value="([^"]+)"', html)
    assert token
    empty = client.post(
        "/track/message", data={"form_token": token[1], "kind": "message", "text": " "}
    )
    assert empty.status_code == 422 and _field_error(empty.text, "f-message-text")
    sent = client.post(
        "/track/message",
        data={"form_token": token[1], "kind": "message", "text": "A neighbour's camera saw them."},
    )
    assert sent.status_code == 200 and "Your message has been sent" in sent.text
    assert "You sent a message" in sent.text


def test_a_message_needs_the_open_case_and_its_form_token(client: TestClient) -> None:
    _opened(client, *_submitted(client))
    forged = client.post(
        "/track/message",
        data={"form_token": "0" * 32, "kind": "message", "text": "Not from the tracking page."},
    )
    assert forged.status_code == 403
    client.cookies.set(
        TRACKING_COOKIE, "U0MtMDAwMC0wMDAw.9999999999.0123456789abcdef", path="/track"
    )
    assert 'id="f-reference"' in client.get("/track").text  # a forged cookie opens nothing


def test_closing_forgets_the_case_on_this_device(client: TestClient) -> None:
    _opened(client, *_submitted(client))
    html = client.post("/track/close").text
    assert 'id="f-reference"' in html and 'id="case-status"' not in html


def test_a_post_far_bigger_than_the_form_is_refused(client: TestClient) -> None:
    response = client.post("/report", data=_form(description="x" * 300_000))
    assert response.status_code == 413


def test_borough_boundaries_are_served_as_cacheable_geojson(client: TestClient) -> None:
    response = client.get("/city/boroughs.geojson")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    assert "max-age" in response.headers["cache-control"]
    assert len(response.json()["features"]) == 33
