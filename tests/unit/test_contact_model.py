"""Calls, incidents, THRIVE notes and vulnerability flags."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from safercity.contact.grading import Grading, grade
from safercity.contact.model import (
    Call,
    IncidentStatus,
    Location,
    RiskLevel,
    Thrive,
    VulnerabilityFlag,
    derive_risk,
    flag,
    merge_incidents,
    normalise_number,
    open_incident,
)
from safercity.contact.taxonomy import KeyAnswers, load_taxonomy
from safercity.platform.errors import Conflict, InvalidInput

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
HERE = Location(51.5080, -0.1281, "Trafalgar Square")


def _call(call_id: str, number: str | None = None) -> Call:
    return Call(call_id, T0, HERE, "a man is shouting in the street", number)


def _grading(code: str, answers: KeyAnswers | None = None) -> Grading:
    return grade(load_taxonomy().get(code), answers or KeyAnswers())


def test_callback_numbers_compare_in_one_form() -> None:
    assert normalise_number("+44 (20) 7946-0001") == "02079460001"
    assert normalise_number("   ") is None


def test_a_callback_number_that_is_not_a_phone_number_is_refused() -> None:
    with pytest.raises(InvalidInput):
        normalise_number("call me maybe")


def test_free_text_with_control_characters_is_refused() -> None:
    with pytest.raises(InvalidInput, match="control characters"):
        Call("c1", T0, HERE, "fire\x00")
    with pytest.raises(InvalidInput, match="too long"):
        Thrive(threat="x" * 2001)


def test_location_off_the_earth_is_refused() -> None:
    with pytest.raises(InvalidInput):
        Location(91.0, 0.0)


def test_overall_risk_is_high_when_a_service_is_due_within_15_minutes() -> None:
    assert derive_risk(_grading("cardiac_arrest")) is RiskLevel.HIGH


def test_overall_risk_is_medium_when_a_vulnerable_person_is_involved() -> None:
    low = _grading("anti_social_behaviour")
    assert derive_risk(low) is RiskLevel.LOW
    assert derive_risk(low, [VulnerabilityFlag.OLDER_PERSON]) is RiskLevel.MEDIUM


def test_flagging_a_vulnerable_person_updates_the_derived_risk() -> None:
    incident = open_incident("i1", _call("c1"), _grading("anti_social_behaviour"))
    assert incident.thrive.overall is RiskLevel.LOW
    flagged = flag(incident, VulnerabilityFlag.CHILD)
    assert flagged.flags == {VulnerabilityFlag.CHILD}
    assert flagged.thrive.overall is RiskLevel.MEDIUM


def test_handler_overrides_the_overall_risk_with_a_reason() -> None:
    notes = Thrive(threat="neighbour dispute", derived_risk=RiskLevel.LOW)
    raised = notes.overridden(RiskLevel.HIGH, "caller says he has a knife")
    assert raised.overall is RiskLevel.HIGH
    assert raised.derived_risk is RiskLevel.LOW
    with pytest.raises(InvalidInput, match="needs a reason"):
        notes.overridden(RiskLevel.HIGH, "  ")


def test_thrive_notes_are_kept_on_the_incident() -> None:
    notes = Thrive(threat="t", harm="h", risk="r", investigation="i", vulnerability="v")
    incident = open_incident("i1", _call("c1"), _grading("cardiac_arrest"), thrive=notes)
    assert (incident.thrive.threat, incident.thrive.vulnerability) == ("t", "v")
    assert incident.thrive.derived_risk is RiskLevel.HIGH


def test_merging_two_incidents_keeps_every_call_and_flag_on_one() -> None:
    keep = open_incident("i1", _call("c1"), _grading("assault_in_progress"))
    absorb = flag(
        open_incident("i2", _call("c2"), _grading("assault_in_progress")),
        VulnerabilityFlag.DOMESTIC_ABUSE,
    )
    kept, merged = merge_incidents(keep, absorb)
    assert [c.id for c in kept.calls] == ["c1", "c2"]
    assert kept.flags == {VulnerabilityFlag.DOMESTIC_ABUSE}
    assert (merged.status, merged.merged_into) == (IncidentStatus.MERGED, "i1")
    with pytest.raises(Conflict):
        merge_incidents(kept, merged)
