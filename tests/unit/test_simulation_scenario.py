"""Simulation scenarios and the worlds they build: every bundled scenario loads, a user's
mistakes are each named by their JSON path, and a scenario's fleet, demand and policy changes
reach the city the engine runs."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safercity.dispatch
from safercity.city.estate import closed_fire_stations_2014
from safercity.contact.priority import PoliceGrade
from safercity.dispatch.capabilities import Capability, Service
from safercity.dispatch.fleet import UnitType, london_fleet
from safercity.platform.errors import InvalidInput
from safercity.simulation.demand import area_weights, load_demand
from safercity.simulation.scenario import (
    ControlRooms,
    LessAction,
    bundled_scenarios,
    load_scenario,
    scenario_from_dict,
)
from safercity.simulation.world import World, build_world

DOCUMENTED = {
    "london_today",
    "separate_control_rooms",
    "fire_stations_2013",
    "before_right_care_right_person",
    "police_do_less",
    "growth_5_years",
    "growth_5_years_follow",
}
MH_NO_RISK = "Mental-health crisis, no crime, no risk to life (health attends)"
PROXY = "Other non-urgent calls (proxy)"


def _fields(error: InvalidInput) -> set[str]:
    return {e.field for e in error.field_errors}


def _invalid(data: dict[str, Any]) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        build_world(scenario_from_dict(data))
    return caught.value


def _line(world: World, stream: str, label: str) -> Any:
    for line in world.demand.stream(stream).types:
        if line.label == label:
            return world.grading(stream, line.code, line.label, line.answers)
    raise AssertionError(f"no line {label!r} in the {stream} stream")


def _by_base_and_type(world: World) -> Counter[tuple[str, UnitType]]:
    return Counter((u.home_base_code, u.unit_type) for u in world.units)


@pytest.fixture(scope="module")
def plain() -> World:
    """The bundled demand and fleet with no changes at all."""
    return build_world(scenario_from_dict({}))


@pytest.fixture(scope="module")
def today() -> World:
    return build_world(load_scenario("london_today"))


# -- scenario files ---------------------------------------------------------------------------


def test_the_documented_scenarios_are_bundled() -> None:
    assert set(bundled_scenarios()) >= DOCUMENTED


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_every_bundled_scenario_loads_and_builds_a_world(name: str) -> None:
    scenario = load_scenario(name)
    assert scenario.name == name
    assert scenario.title and scenario.description
    world = build_world(scenario)
    assert world.units and world.home.shape == (len(world.units), 2)
    assert np.isfinite(world.home).all()
    assert [s.name for s in world.demand.streams] == ["police", "ambulance", "fire"]
    for stream in world.demand.streams:  # every demand line is graded as its type
        for line in stream.types:
            graded = world.grading(stream.name, line.code, line.label, line.answers)
            assert graded.grading.incident_type == line.code


def test_a_scenario_loads_from_a_path_as_from_its_bundled_name() -> None:
    path = bundled_scenarios()["separate_control_rooms"]
    by_path, by_name = load_scenario(path), load_scenario("separate_control_rooms")
    assert by_path == by_name
    assert by_name.control_rooms is ControlRooms.SEPARATE
    assert by_name.transfer_delay_s == 120


def test_an_unknown_scenario_name_lists_the_bundled_ones() -> None:
    with pytest.raises(InvalidInput) as caught:
        load_scenario("london_tomorrow")
    assert _fields(caught.value) == {"scenario"}
    assert "london_today" in str(caught.value)


def test_a_file_that_is_not_json_is_invalid_input(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"name": "broken",', encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_scenario(path)
    assert _fields(caught.value) == {"scenario"}


def test_a_fleet_file_is_found_beside_the_scenario_not_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    fleet = folder / "fleet.csv"
    shutil.copy(Path(safercity.dispatch.__file__).parent / "data" / "london_fleet.csv", fleet)
    lines = fleet.read_text(encoding="utf-8").splitlines()
    fleet.write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")  # the header and 3 units
    (folder / "small.json").write_text(json.dumps({"fleet": {"file": "fleet.csv"}}), "utf-8")
    monkeypatch.chdir(tmp_path)  # "fleet.csv" is not here
    scenario = load_scenario(folder / "small.json")
    assert scenario.name == "small"
    assert scenario.fleet_file == fleet
    assert len(build_world(scenario).units) == 3


def test_a_missing_fleet_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        scenario_from_dict({"fleet": {"file": "nowhere.csv"}}, folder=tmp_path)
    assert _fields(caught.value) == {"fleet.file"}


def test_a_scenario_with_several_mistakes_names_each_by_its_json_path() -> None:
    data = {
        "colour": "red",  # not a field
        "control_rooms": "three",
        "transfer_delay_s": -30,
        "demand": {"stream_scale": {"police": -1}, "mental_health_share": {"police": 1.5}},
        "fleet": {
            "scale": {"hovercraft": 2},
            "close_bases": "A21",
            "add_units": [{"unit_type": "airship", "bases": ["A21"], "per_base": 0}],
            "move_units": [{"from": "A21"}],
            "bases": {"NEW": [91, 0]},
            "trucks": 3,
        },
        "policy": {
            "right_care_right_person": "yes",
            "less": [
                {"service": "police", "type": "anti_social_behaviour", "action": "ignore"},
                {"service": "police", "type": "anti_social_behaviour", "action": "downgrade",
                 "to": "C1"},
                {"service": "coastguard", "type": "water_rescue", "action": "stop"},
            ],
        },
    }  # fmt: skip
    with pytest.raises(InvalidInput) as caught:
        scenario_from_dict(data)
    assert _fields(caught.value) == {
        "colour",
        "control_rooms",
        "transfer_delay_s",
        "demand.stream_scale.police",
        "demand.mental_health_share.police",
        "fleet.scale.hovercraft",
        "fleet.close_bases",
        "fleet.add_units[0].unit_type",
        "fleet.add_units[0].per_base",
        "fleet.move_units[0]",
        "fleet.bases.NEW",
        "fleet.trucks",
        "policy.right_care_right_person",
        "policy.less[0].action",
        "policy.less[1].to",
        "policy.less[2].service",
    }
    messages = {e.field: e.message for e in caught.value.field_errors}
    assert "hovercraft" in messages["fleet.scale.hovercraft"]
    assert "I, S, E, R" in messages["policy.less[1].to"]  # the police grades to choose from


def test_a_downgrade_to_a_priority_the_type_lacks_fails_before_the_run() -> None:
    # The police attend a mental-health crisis at I, S or R: never by appointment (E).
    rule = {"service": "police", "type": "mental_health_crisis", "action": "downgrade", "to": "E"}
    error = _invalid({"policy": {"less": [rule]}})
    assert all(f.startswith("policy.less") for f in _fields(error))
    assert "I, S, R" in str(error)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            {"demand": {"growth": {"people_per_year": 1, "years": 1,
                                   "borough_shares": {"Newham": 1}, "people": 5}}},
            "demand.growth.people",
        ),
        (
            {"policy": {"less": [{"service": "police", "type": "anti_social_behaviour",
                                  "action": "stop", "colour": "red"}]}},
            "policy.less[0].colour",
        ),
        ({"costs": {"currency": 5}}, "costs.currency"),
    ],
)  # fmt: skip
def test_a_mistake_inside_a_section_is_named_by_its_whole_path(
    data: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        scenario_from_dict(data)
    assert _fields(caught.value) == {field}


def test_a_less_rule_for_an_unknown_incident_type_is_named() -> None:
    rule = {"service": "police", "type": "anti_social_behavior", "action": "stop"}  # misspelt
    with pytest.raises(InvalidInput) as caught:
        build_world(scenario_from_dict({"policy": {"less": [rule]}}))
    assert any(f.startswith("policy.less[0]") for f in _fields(caught.value))


def test_an_unknown_base_code_in_add_units_points_to_fleet_bases() -> None:
    add = [{"unit_type": "ambulance", "bases": ["MY-NEW-STATION"], "per_base": 2}]
    error = _invalid({"fleet": {"add_units": add}})
    assert _fields(error) == {"fleet"}
    assert "MY-NEW-STATION" in str(error) and "fleet.bases" in str(error)
    # Placed under fleet.bases, the station gets its two ambulances.
    world = build_world(
        scenario_from_dict({"fleet": {"add_units": add, "bases": {"MY-NEW-STATION": [51.5, 0.0]}}})
    )
    here = [u for u in world.units if u.home_base_code == "MY-NEW-STATION"]
    assert [u.unit_type for u in here] == [UnitType.AMBULANCE] * 2
    assert len({u.call_sign for u in world.units}) == len(world.units)
    index = world.units.index(here[0])
    assert tuple(world.home[index]) == (51.5, 0.0)


def test_an_unknown_borough_in_growth_is_named() -> None:
    growth = {"people_per_year": 1000, "years": 1, "borough_shares": {"Newham": 1, "Narnia": 1}}
    error = _invalid({"demand": {"growth": growth}})
    assert _fields(error) == {"demand.growth.borough_shares.Narnia"}
    assert "Narnia" in str(error)


def test_growth_with_no_borough_share_is_invalid() -> None:
    with pytest.raises(InvalidInput) as caught:
        scenario_from_dict({"demand": {"growth": {"people_per_year": 1000, "years": 1}}})
    assert _fields(caught.value) == {"demand.growth.borough_shares"}


def test_an_unknown_demand_stream_is_named() -> None:
    error = _invalid({"demand": {"stream_scale": {"coastguard": 2}}})
    assert _fields(error) == {"demand.stream_scale"}
    assert "coastguard" in str(error) and "police" in str(error)


# -- the world a scenario builds ------------------------------------------------------------


def test_closing_bases_removes_exactly_their_units(plain: World) -> None:
    fleet = plain.units
    police_base = next(u.home_base_code for u in fleet if u.service is Service.POLICE)
    closed = {fleet[0].home_base_code, police_base}
    world = build_world(scenario_from_dict({"fleet": {"close_bases": sorted(closed)}}))
    kept = [u for u in fleet if u.home_base_code not in closed]
    assert len(kept) < len(fleet)
    assert list(world.units) == kept
    assert not {u.home_base_code for u in world.units} & closed


def test_moving_units_takes_every_unit_of_a_base_to_the_other(plain: World) -> None:
    before = _by_base_and_type(plain)
    world = build_world(
        scenario_from_dict({"fleet": {"move_units": [{"from": "A21", "to": "A23"}]}})
    )
    after = _by_base_and_type(world)
    assert not any(base == "A21" for base, _ in after)
    assert after[("A23", UnitType.FIRE_ENGINE)] == (
        before[("A23", UnitType.FIRE_ENGINE)] + before[("A21", UnitType.FIRE_ENGINE)]
    )
    assert len(world.units) == len(plain.units)


def test_fire_stations_2013_has_ten_more_fire_engines_at_the_closed_stations(today: World) -> None:
    then = build_world(load_scenario("fire_stations_2013"))
    extra = _by_base_and_type(then) - _by_base_and_type(today)
    closed = {s.code for s in closed_fire_stations_2014()}
    assert len(closed) == 10
    assert extra == Counter({(code, UnitType.FIRE_ENGINE): 1 for code in closed})
    assert not _by_base_and_type(today) - _by_base_and_type(then)  # nothing else removed
    engines = [u for u in then.units if u.home_base_code in closed]
    assert all(Capability.FIREFIGHTING in u.capabilities for u in engines)
    assert len({u.call_sign for u in then.units}) == len(then.units)


def test_a_fleet_scale_of_five_gives_five_times_the_police_response_cars(
    plain: World, today: World
) -> None:
    before, after = _by_base_and_type(plain), _by_base_and_type(today)
    cars = UnitType.POLICE_RESPONSE_CAR
    total = sum(n for (_, kind), n in before.items() if kind is cars)
    assert total == 140
    assert sum(n for (_, kind), n in after.items() if kind is cars) == 5 * total
    for (base, kind), n in before.items():
        factor = {cars: 5, UnitType.MENTAL_HEALTH_CAR: 6}.get(kind, 1)
        assert after[(base, kind)] == factor * n, (base, kind)
    assert len({u.call_sign for u in today.units}) == len(today.units)


def test_a_fleet_scale_of_zero_takes_a_unit_type_off_the_road() -> None:
    world = build_world(scenario_from_dict({"fleet": {"scale": {"armed_response_vehicle": 0}}}))
    assert not [u for u in world.units if u.unit_type is UnitType.ARMED_RESPONSE_VEHICLE]
    assert len(world.units) == len(london_fleet()) - 12


def test_growth_raises_each_streams_volume_by_its_mean_factor(plain: World) -> None:
    shares = {"Tower Hamlets": 3.0, "Newham": 1.0}
    people, years = 100_000.0, 5.0
    growth = {"people_per_year": people, "years": years, "borough_shares": shares}
    grown = build_world(scenario_from_dict({"demand": {"growth": growth}}))
    model = load_demand()
    areas = model.areas
    factor_by_borough = np.ones(len(areas.boroughs))
    for name, share in shares.items():
        b = areas.boroughs.index(name)
        population = areas.columns["population"][areas.borough_index == b].sum()
        factor_by_borough[b] = 1 + people * years * share / sum(shares.values()) / population
    per_area = factor_by_borough[areas.borough_index]
    for before, after in zip(plain.demand.streams, grown.demand.streams, strict=True):
        expected = float(area_weights(model, before) @ per_area)
        assert 1.001 < expected < 1.2
        assert after.annual_incidents == pytest.approx(before.annual_incidents * expected)
    # The new calls come from where the people are.
    tower_hamlets = areas.borough_index == areas.boroughs.index("Tower Hamlets")
    stream = plain.demand.stream("ambulance")
    share_before = area_weights(plain.demand, stream)[tower_hamlets].sum()
    share_after = area_weights(grown.demand, grown.demand.stream("ambulance"))[tower_hamlets].sum()
    assert share_after > share_before


@pytest.mark.parametrize("rcrp", [True, False])
def test_right_care_right_person_decides_who_goes_to_a_no_crime_no_risk_crisis(
    rcrp: bool,
) -> None:
    world = build_world(scenario_from_dict({"policy": {"right_care_right_person": rcrp}}))
    grades = _line(world, "police", MH_NO_RISK).grading.grades
    health = grades[Service.HEALTH]
    assert [n.capability for n in health.needs] == [Capability.MENTAL_HEALTH_PROFESSIONAL]
    police = grades[Service.POLICE]
    if rcrp:
        assert police.priority is PoliceGrade.R and not police.needs
    else:
        assert police.needs and police.needs[0].capability is Capability.POLICE_OFFICER
    # A crisis with a risk to life brings the police either way.
    assert (
        _line(world, "police", "Mental-health crisis, risk to life")
        .grading.grades[Service.POLICE]
        .needs
    )


def test_police_do_less_resolves_the_proxy_line_without_sending_anyone() -> None:
    scenario = load_scenario("police_do_less")
    assert [r.action for r in scenario.less] == [LessAction.STOP, LessAction.DOWNGRADE]
    world = build_world(scenario)
    police = _line(world, "police", PROXY).grading.grades[Service.POLICE]
    assert police.priority is PoliceGrade.R and not police.needs
    assert not _line(world, "police", PROXY).grading.attendance
    assert (
        _line(world, "police", "Anti-social behaviour").grading.grades[Service.POLICE].priority
        is PoliceGrade.E
    )
    # The rules name their lines by label: the weapons line is untouched.
    assert (
        _line(world, "police", "Anti-social behaviour, weapons")
        .grading.grades[Service.POLICE]
        .priority
        is PoliceGrade.I
    )


def test_a_stop_rule_on_a_type_without_a_no_deployment_grade_removes_the_police() -> None:
    rule = {"service": "police", "type": "burglary_in_progress", "action": "stop"}
    world = build_world(scenario_from_dict({"policy": {"less": [rule]}}))
    lines = [t for t in world.demand.stream("police").types if t.code == "burglary_in_progress"]
    assert len(lines) == 3  # the rule has no label: every burglary line
    for line in lines:
        graded = world.grading("police", line.code, line.label, line.answers)
        assert Service.POLICE not in graded.grading.grades
        assert graded.stopped == {Service.POLICE}
        assert not graded.grading.attendance
