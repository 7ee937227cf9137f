"""The intake form read into a call: answers, flags, overrides, and every problem by field."""

from __future__ import annotations

import pytest

from safercity.contact.intake_form import read_intake
from safercity.contact.model import RiskLevel, VulnerabilityFlag
from safercity.dispatch.capabilities import Service
from safercity.platform.errors import InvalidInput


def _form(**overrides: str | list[str]) -> dict[str, str | list[str]]:
    data: dict[str, str | list[str]] = {
        "lat": "51.5",
        "lon": "-0.12",
        "description": "Smoke from a window",
        "incident_type": "house_fire_persons_reported",
    }
    data.update(overrides)
    return data


def test_answers_are_yes_no_or_not_known() -> None:
    call = read_intake(_form(q_persons_reported="yes", q_persons_trapped="no", q_conscious=""))
    assert call.answers.persons_reported is True
    assert call.answers.persons_trapped is False
    assert call.answers.conscious is None


def test_flags_thrive_and_overrides_are_read() -> None:
    call = read_intake(
        _form(
            flags=["child", "disability"],
            thrive_threat="Fire spreading",
            override="high",
            override_reason="Child inside",
            priority_police="S",
        )
    )
    assert call.flags == {VulnerabilityFlag.CHILD, VulnerabilityFlag.DISABILITY}
    assert call.thrive.threat == "Fire spreading"
    assert call.thrive.override is RiskLevel.HIGH
    assert call.overrides == {Service.POLICE: "S"}


def test_every_problem_is_named_by_its_field() -> None:
    with pytest.raises(InvalidInput) as raised:
        read_intake(_form(lat="north", description="", incident_type="", flags=["alien"]))
    fields = {e.field for e in raised.value.field_errors}
    assert fields == {"location", "description", "incident_type", "flags"}


def test_an_override_without_a_reason_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        read_intake(_form(override="low"))
    assert raised.value.field_errors[0].field == "override_reason"


def test_a_call_joining_an_incident_needs_no_type() -> None:
    call = read_intake(_form(incident_type="", merge_into="7"))
    assert call.merge_into == 7
