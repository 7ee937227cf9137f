"""Likely duplicate calls and the handler's decision to merge or keep separate."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from safercity.contact.duplicates import (
    Decision,
    DuplicateRule,
    MatchReason,
    decide,
    distance_m,
    likely_duplicates,
)
from safercity.contact.grading import grade
from safercity.contact.model import Call, Incident, IncidentStatus, Location, open_incident
from safercity.contact.taxonomy import KeyAnswers, load_taxonomy
from safercity.platform.errors import Conflict, InvalidInput

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# Trafalgar Square; one degree of latitude is about 111,195 m on the haversine sphere.
LAT, LON = 51.5080, -0.1281
M_PER_DEG_LAT = 111_195.08


def _north(metres: float) -> Location:
    return Location(LAT + metres / M_PER_DEG_LAT, LON)


def _call(call_id: str, location: Location, minutes: float = 0, number: str | None = None) -> Call:
    return Call(
        id=call_id,
        received_at=T0 + timedelta(minutes=minutes),
        location=location,
        description="smoke from a window",
        callback_number=number,
    )


def _incident(incident_id: str, call: Call) -> Incident:
    grading = grade(load_taxonomy().get("house_fire_persons_reported"), KeyAnswers())
    return open_incident(incident_id, call, grading)


OPEN = _incident("inc-1", _call("call-1", _north(0), number="020 7946 0001"))


def test_call_150_m_away_5_minutes_later_is_a_likely_duplicate() -> None:
    found = likely_duplicates(_call("c2", _north(150), minutes=5), [OPEN])
    assert [c.incident_id for c in found] == ["inc-1"]
    assert found[0].reasons == {MatchReason.NEARBY}
    assert found[0].distance_m == pytest.approx(150, abs=1)


def test_call_210_m_away_is_not_a_duplicate_by_default() -> None:
    assert likely_duplicates(_call("c2", _north(210), minutes=1), [OPEN]) == []


def test_call_11_minutes_later_is_not_a_duplicate_by_default() -> None:
    assert likely_duplicates(_call("c2", _north(10), minutes=11), [OPEN]) == []


def test_time_and_distance_windows_are_configurable() -> None:
    rule = DuplicateRule(within_s=30 * 60, within_m=500)
    found = likely_duplicates(_call("c2", _north(450), minutes=25), [OPEN], rule)
    assert [c.incident_id for c in found] == ["inc-1"]


def test_call_from_same_number_is_a_likely_duplicate_even_far_away() -> None:
    far = _call("c2", Location(51.60, -0.30), minutes=40, number="+44 20 7946 0001")
    found = likely_duplicates(far, [OPEN])
    assert [c.incident_id for c in found] == ["inc-1"]
    assert found[0].same_number
    assert found[0].distance_m > 10_000


def test_withheld_number_never_matches_on_number() -> None:
    far = _call("c2", Location(51.60, -0.30), minutes=1, number=None)
    assert likely_duplicates(far, [OPEN]) == []


def test_candidates_rank_same_number_first_then_nearest_in_space_and_time() -> None:
    near = _incident("inc-near", _call("a", _north(20), minutes=4))
    farther = _incident("inc-far", _call("b", _north(180), minutes=4))
    same_number = _incident("inc-number", _call("c", Location(51.55, -0.2), number="07700900123"))
    new = _call("new", _north(0), minutes=5, number="07700 900123")
    found = likely_duplicates(new, [farther, near, same_number])
    assert [c.incident_id for c in found] == ["inc-number", "inc-near", "inc-far"]


def test_closed_or_merged_incidents_are_not_offered() -> None:
    closed = replace(OPEN, status=IncidentStatus.CLOSED)
    assert likely_duplicates(_call("c2", _north(10), minutes=1), [closed]) == []


def test_window_is_measured_from_the_incidents_latest_call() -> None:
    second = _call("call-2", _north(50), minutes=8)
    outcome = decide(second, Decision.MERGE, merge_into=OPEN)
    found = likely_duplicates(_call("c3", _north(20), minutes=16), [outcome.incident])
    assert [c.incident_id for c in found] == ["inc-1"]


def test_merging_keeps_one_incident_with_all_its_calls() -> None:
    second = _call("call-2", _north(50), minutes=2, number="07700900999")
    outcome = decide(second, Decision.MERGE, merge_into=OPEN)
    assert outcome.joined
    assert outcome.incident.id == "inc-1"
    assert [c.id for c in outcome.incident.calls] == ["call-1", "call-2"]
    assert outcome.incident.callback_numbers == {"02079460001", "07700900999"}


def test_keeping_separate_opens_a_new_incident_from_the_call() -> None:
    second = _call("call-2", _north(50), minutes=2)
    grading = grade(load_taxonomy().get("rubbish_or_grass_fire"), KeyAnswers())
    outcome = decide(second, Decision.KEEP_SEPARATE, new_incident_id="inc-2", grading=grading)
    assert not outcome.joined
    assert outcome.incident.id == "inc-2"
    assert [c.id for c in outcome.incident.calls] == ["call-2"]
    assert outcome.incident.type_code == "rubbish_or_grass_fire"


def test_merge_without_an_incident_or_into_a_closed_one_is_refused() -> None:
    second = _call("call-2", _north(50), minutes=2)
    with pytest.raises(InvalidInput):
        decide(second, Decision.MERGE)
    with pytest.raises(Conflict):
        decide(second, Decision.MERGE, merge_into=replace(OPEN, status=IncidentStatus.CLOSED))
    with pytest.raises(Conflict):
        decide(OPEN.calls[0], Decision.MERGE, merge_into=OPEN)


def test_out_of_range_duplicate_window_is_refused() -> None:
    with pytest.raises(InvalidInput):
        DuplicateRule(within_s=0)


def test_distance_is_great_circle_metres() -> None:
    assert distance_m(LAT, LON, LAT + 1 / M_PER_DEG_LAT * 200, LON) == pytest.approx(200, 0.001)
