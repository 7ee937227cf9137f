"""CAP 1.2 alerts: valid against the official OASIS schema, with CAP's own way of writing UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from lxml import etree

from safercity.prevention.cap import (
    CAP_NS,
    AlertContent,
    CapInvalid,
    build_alert,
    cap_time,
    validate,
)

SENT = datetime(2026, 12, 4, 10, 15, 30, 123456, tzinfo=UTC)


def content(**changes: object) -> AlertContent:
    values: dict[str, object] = {
        "identifier": "safercity-prevention-abc",
        "sent": SENT,
        "expires": SENT + timedelta(days=28),
        "crime_type": "Burglary",
        "location": "On or near Camberwell Grove",
        "lat": 51.4739,
        "lon": -0.0911,
        "radius_m": 400.0,
        "advice": "Lock doors and windows.",
        "web": "/prevention?alert=safercity-prevention-abc",
    } | changes
    return AlertContent(**values)  # type: ignore[arg-type]


def test_cap_writes_utc_as_minus_zero_never_z_or_plus_zero() -> None:
    assert cap_time(SENT) == "2026-12-04T10:15:30-00:00"
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=timezone(timedelta(hours=1)))
    assert cap_time(summer) == "2026-07-01T11:00:00-00:00"
    with pytest.raises(ValueError, match="timezone-aware"):
        cap_time(datetime(2026, 1, 1))


def test_an_alert_validates_and_says_what_and_where() -> None:
    document = etree.fromstring(build_alert(content()))
    ns = {"cap": CAP_NS}
    assert document.findtext("cap:sent", namespaces=ns) == "2026-12-04T10:15:30-00:00"
    assert document.findtext("cap:msgType", namespaces=ns) == "Alert"
    assert document.findtext("cap:info/cap:category", namespaces=ns) == "Security"
    assert document.findtext("cap:info/cap:expires", namespaces=ns) == "2027-01-01T10:15:30-00:00"
    assert document.findtext("cap:info/cap:area/cap:circle", namespaces=ns) == (
        "51.473900,-0.091100 0.400"
    )
    assert "Camberwell Grove" in (document.findtext("cap:info/cap:headline", namespaces=ns) or "")


def test_an_update_references_the_alert_it_replaces() -> None:
    xml = build_alert(
        content(references="prevention@safercity.invalid,old-id,2026-12-01T00:00:00-00:00")
    )
    assert b"<msgType>Update</msgType>" in xml and b"<references>" in xml


def test_the_schema_refuses_a_bad_status_and_a_z_time() -> None:
    good = build_alert(content())
    with pytest.raises(CapInvalid, match="status"):
        validate(good.replace(b"<status>Actual</status>", b"<status>Bogus</status>"))
    with pytest.raises(CapInvalid):
        validate(good.replace(b"10:15:30-00:00</sent>", b"10:15:30Z</sent>"))
    with pytest.raises(CapInvalid, match="-00:00"):
        validate(good.replace(b"10:15:30-00:00</sent>", b"10:15:30+00:00</sent>"))
    with pytest.raises(CapInvalid, match="not XML"):
        validate(b"<alert")
