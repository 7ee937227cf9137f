"""Near-repeat warnings' rules: who is in range, once per risk period, what they are told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from safercity.platform.errors import InvalidInput
from safercity.prevention.nearrepeat import (
    NearRepeatRule,
    SubscriberKind,
    Subscription,
    WarningChannel,
    advice,
    check_contact,
    check_radius,
    in_range,
    message,
    needs_warning,
)

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


def household(**changes: object) -> Subscription:
    values: dict[str, object] = {
        "id": 1,
        "kind": SubscriberKind.HOUSEHOLD,
        "name": "Flat 3",
        "channel": WarningChannel.EMAIL,
        "contact": "a@example.org",
        "lat": 51.4739,
        "lon": -0.0911,
        "radius_m": 100.0,
        "crime_types": ("Burglary",),
    } | changes
    return Subscription(**values)  # type: ignore[arg-type]


def test_a_home_within_the_range_plus_its_radius_is_in_range() -> None:
    rule = NearRepeatRule(range_m=400, days=28)
    # About 450 m north: inside 400 m + the home's 100 m, outside 400 m + 10 m.
    assert in_range(household(), 51.4739 + 450 / 111_195, -0.0911, rule)
    assert not in_range(household(radius_m=10.0), 51.4739 + 450 / 111_195, -0.0911, rule)
    assert not in_range(household(), 51.49, -0.0911, rule)


def test_the_risk_lasts_the_rules_days() -> None:
    assert NearRepeatRule(days=28).lasts_until(NOW) == NOW + timedelta(days=28)


def test_a_subscriber_already_warned_is_not_warned_again_until_the_risk_passes() -> None:
    assert needs_warning(household(), "Burglary", NOW)
    warned = household(warned_until=NOW + timedelta(days=3))
    assert not needs_warning(warned, "Burglary", NOW)
    assert needs_warning(warned, "Burglary", NOW + timedelta(days=3))
    assert not needs_warning(household(), "Robbery", NOW)  # not a type they follow


def test_the_message_names_the_street_point_and_the_advice_never_a_home() -> None:
    subject, body = message("Burglary", "On or near Camberwell Grove", NOW + timedelta(days=28))
    assert "Burglary" in subject
    assert "near Camberwell Grove" in body and "01 January 2027" in body
    assert "Lock doors and windows" in body
    assert advice("Burglary") in body
    assert "101" in advice("Robbery")


def test_contacts_and_radius_are_checked_with_the_field_named() -> None:
    assert check_contact(WarningChannel.SMS, " 07700 900123 ") == "07700 900123"
    with pytest.raises(InvalidInput) as bad_email:
        check_contact(WarningChannel.EMAIL, "not-an-email")
    assert bad_email.value.field_errors[0].field == "contact"
    with pytest.raises(InvalidInput):
        check_contact(WarningChannel.SMS, "020 7946 0000")
    with pytest.raises(InvalidInput) as bad_radius:
        check_radius(5000)
    assert bad_radius.value.field_errors[0].field == "radius_m"
