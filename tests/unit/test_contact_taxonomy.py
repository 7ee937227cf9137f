"""The joint incident taxonomy: the bundled data and the loader's checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from safercity.contact.priority import (
    AmbulanceCategory,
    FireResponse,
    PoliceGrade,
    deploys,
    standard,
)
from safercity.contact.taxonomy import load_taxonomy, taxonomy_from_dict
from safercity.dispatch.capabilities import Service


def test_bundled_london_taxonomy_loads_with_about_25_types_across_services() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.city == "London"
    assert len(taxonomy.types) >= 25
    services = {s for t in taxonomy.types.values() for s in t.plans}
    assert services == {Service.POLICE, Service.AMBULANCE, Service.FIRE, Service.HEALTH}


def test_every_type_has_an_attendance_for_every_priority_it_can_take() -> None:
    for incident_type in load_taxonomy().types.values():
        for plan in incident_type.plans.values():
            for priority in plan.reachable():
                needs = plan.attendances[priority]
                assert needs or not deploys(priority), (incident_type.code, priority)
                assert all(n.count > 0 and n.deadline_s > 0 for n in needs)


def test_another_citys_taxonomy_loads_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "city.json"
    path.write_text(
        json.dumps(
            {
                "city": "Elsewhere",
                "source": "test",
                "types": [
                    {
                        "code": "cardiac_arrest",
                        "label": "Cardiac arrest",
                        "services": {
                            "ambulance": {
                                "default": "C1",
                                "attendances": {"C1": [{"capability": "paramedic"}]},
                            }
                        },
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    taxonomy = load_taxonomy(path)
    need = (
        taxonomy.get("cardiac_arrest").plans[Service.AMBULANCE].attendances[AmbulanceCategory.C1][0]
    )
    assert taxonomy.city == "Elsewhere"
    assert need.deadline_s == 7 * 60  # no deadline given: the category's mean standard


def _one_type(services: dict[str, object]) -> dict[str, object]:
    return {
        "city": "X",
        "source": "test",
        "types": [{"code": "t", "label": "T", "services": services}],
    }


def test_a_priority_reachable_by_a_rule_without_an_attendance_is_refused() -> None:
    data = _one_type(
        {
            "police": {
                "default": "S",
                "rules": [{"when": {"weapons": True}, "priority": "I", "reason": "weapon"}],
                "attendances": {"S": [{"capability": "police_officer"}]},
            }
        }
    )
    with pytest.raises(ValueError, match="no attendance for priority I"):
        taxonomy_from_dict(data)


def test_a_rule_asking_an_unknown_question_is_refused() -> None:
    data = _one_type(
        {
            "police": {
                "default": "S",
                "rules": [{"when": {"favourite_colour": True}, "priority": "S", "reason": "x"}],
                "attendances": {"S": [{"capability": "police_officer"}]},
            }
        }
    )
    with pytest.raises(ValueError, match="unknown questions"):
        taxonomy_from_dict(data)


def test_a_priority_from_another_services_scale_is_refused() -> None:
    data = _one_type(
        {"fire": {"default": "C1", "attendances": {"C1": [{"capability": "firefighting"}]}}}
    )
    with pytest.raises(ValueError, match="fire has no priority 'C1'"):
        taxonomy_from_dict(data)


def test_unknown_incident_type_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="unknown incident type 'alien_landing'"):
        load_taxonomy().get("alien_landing")


def test_ambulance_categories_carry_the_national_response_standards() -> None:
    assert (standard(AmbulanceCategory.C1).mean_s, standard(AmbulanceCategory.C1).p90_s) == (
        420,
        900,
    )
    assert (standard(AmbulanceCategory.C2).mean_s, standard(AmbulanceCategory.C2).p90_s) == (
        1080,
        2400,
    )
    assert standard(AmbulanceCategory.C3).p90_s == 120 * 60
    assert standard(AmbulanceCategory.C4).p90_s == 180 * 60


def test_police_immediate_is_15_minutes_significant_an_hour_and_referral_sends_nobody() -> None:
    assert standard(PoliceGrade.I).target_s == 15 * 60
    assert standard(PoliceGrade.S).target_s == 60 * 60
    assert not deploys(PoliceGrade.R)
    assert deploys(FireResponse.NON_EMERGENCY)


def test_intake_screen_lists_every_type_by_label() -> None:
    choices = load_taxonomy().choices()
    assert ("cardiac_arrest", "Cardiac or respiratory arrest") in choices
    assert [label for _, label in choices] == sorted(label for _, label in choices)
