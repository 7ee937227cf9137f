"""What the public may submit, and the codes that let them follow it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from safercity.reporting.model import ReportDraft, problems, tracking_code, tracking_code_matches

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DRAFT = ReportDraft(
    crime_type="Burglary",
    description="The back door was forced and a laptop taken.",
    occurred_from=NOW - timedelta(days=1),
    occurred_to=None,
    location_text="12 Acacia Avenue, SE15",
    latitude=None,
    longitude=None,
    victim_name="Sam Taylor",
    preferred_channel="email",
    email="sam@example.com",
    phone=None,
    address=None,
)


def _fields(draft: ReportDraft, pin_in_city: bool | None = None) -> set[str]:
    return {error.field for error in problems(draft, NOW, pin_in_city)}


def test_a_complete_draft_has_no_problems() -> None:
    assert _fields(DRAFT) == set()


def test_unknown_crime_type_is_refused_next_to_its_field() -> None:
    assert _fields(replace(DRAFT, crime_type="Jaywalking")) == {"crime_type"}


def test_a_report_needs_a_place_as_text_or_pin() -> None:
    assert _fields(replace(DRAFT, location_text=" ")) == {"location.text"}
    assert _fields(replace(DRAFT, location_text=None, latitude=51.5, longitude=-0.1), True) == set()


def test_a_pin_outside_the_city_is_refused() -> None:
    assert "location.latitude" in _fields(replace(DRAFT, latitude=52.2, longitude=0.1), False)


def test_future_time_and_end_before_start_are_refused() -> None:
    assert _fields(replace(DRAFT, occurred_from=NOW + timedelta(days=1))) == {"occurred_from"}
    ended_before = replace(DRAFT, occurred_to=DRAFT.occurred_from - timedelta(hours=1))
    assert _fields(ended_before) == {"occurred_to"}


def test_the_preferred_channel_needs_its_contact_detail() -> None:
    assert _fields(replace(DRAFT, preferred_channel="sms")) == {"victim.phone"}
    assert _fields(replace(DRAFT, preferred_channel="post")) == {"victim.address"}
    assert _fields(replace(DRAFT, preferred_channel="pigeon")) == {"victim.preferred_channel"}


def test_malformed_email_and_control_characters_are_refused() -> None:
    assert _fields(replace(DRAFT, email="not-an-email")) == {"victim.email"}
    assert _fields(replace(DRAFT, description="broke in\x00 and took things")) == {"description"}


def test_tracking_code_is_stable_for_a_reference_and_differs_between_references() -> None:
    code = tracking_code("key", "SC-AAAA-BBBB")
    assert code == tracking_code("key", "SC-AAAA-BBBB")
    assert code != tracking_code("key", "SC-AAAA-BBBC")
    assert code != tracking_code("other-key", "SC-AAAA-BBBB")
    assert len(code) == 11 and code[5] == "-"


def test_tracking_code_check_tolerates_case_and_spaces_but_not_a_wrong_code() -> None:
    code = tracking_code("key", "SC-1")
    assert tracking_code_matches("key", "SC-1", f" {code.lower()} ")
    assert not tracking_code_matches("key", "SC-1", "AAAAA-AAAAA")
