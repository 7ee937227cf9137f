"""London's default fleet: every unit at a real station, in the numbers docs/fleet.md states."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from safercity.city.estate import hospitals, london_estate
from safercity.dispatch.capabilities import Capability, Service
from safercity.dispatch.fleet import UnitType, home_base_positions, london_fleet, read_fleet
from safercity.platform.errors import InvalidInput

HEADER = "call_sign,service,agency_code,unit_type,home_base_code,capabilities,crew\n"


def test_every_home_base_is_a_real_station_or_hospital_code() -> None:
    codes = {s.code for s in london_estate().stations()} | {h.code for h in hospitals()}
    assert {u.home_base_code for u in london_fleet()} <= codes
    assert len(home_base_positions(london_fleet())) == len(london_fleet())


def test_counts_per_unit_type_are_as_stated() -> None:
    counts = Counter(u.unit_type for u in london_fleet())
    assert counts == {
        UnitType.FIRE_ENGINE: 150,
        UnitType.AERIAL_LADDER: 11,
        UnitType.FIRE_RESCUE_UNIT: 16,
        UnitType.AMBULANCE: 396,
        UnitType.FAST_RESPONSE_CAR: 66,
        UnitType.POLICE_RESPONSE_CAR: 140,
        UnitType.ARMED_RESPONSE_VEHICLE: 12,
        UnitType.MENTAL_HEALTH_CAR: 8,
    }


def test_counts_per_service_are_as_stated() -> None:
    counts = Counter(u.service for u in london_fleet())
    assert counts == {
        Service.FIRE: 177,
        Service.AMBULANCE: 462,
        Service.POLICE: 152,
        Service.HEALTH: 8,
    }


def test_every_fire_station_has_a_pump_and_every_ambulance_station_ambulances() -> None:
    bases = Counter((u.unit_type, u.home_base_code) for u in london_fleet())
    for station in london_estate().fire_stations():
        assert 1 <= bases[UnitType.FIRE_ENGINE, station.code] <= 2
    for station in london_estate().ambulance_stations():
        assert bases[UnitType.AMBULANCE, station.code] == 6


def test_call_signs_are_unique() -> None:
    signs = [u.call_sign for u in london_fleet()]
    assert len(signs) == len(set(signs))


def test_fast_response_car_brings_paramedic_and_defibrillator_but_does_not_convey() -> None:
    car = next(u for u in london_fleet() if u.unit_type is UnitType.FAST_RESPONSE_CAR)
    assert car.has(Capability.PARAMEDIC) and car.has(Capability.DEFIBRILLATOR)
    assert not car.has(Capability.PATIENT_TRANSPORT)


def test_unit_types_have_labels() -> None:
    assert UnitType.FIRE_ENGINE.label == "Fire engine (pump)"
    assert all(t.label and t.description for t in UnitType)


def test_another_city_loads_its_own_file(tmp_path: Path) -> None:
    path = tmp_path / "fleet.csv"
    path.write_text(HEADER + "E1,fire,XFS,fire_engine,S1,firefighting;first_aid,5\n")
    [unit] = read_fleet(path)
    assert unit.capabilities == {Capability.FIREFIGHTING, Capability.FIRST_AID}
    assert unit.crew == 5


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ("E1,fire,XFS,hovercraft,S1,firefighting,5", "unit type"),
        ("E1,fire,XFS,fire_engine,S1,teleport,5", "capability"),
        ("E1,fire,XFS,fire_engine,S1,firefighting,0", "crew"),
        ("E1,fire,XFS,fire_engine,,firefighting,4", "home_base_code"),
        ("E1,coastguard,XFS,fire_engine,S1,firefighting,4", "service"),
    ],
)
def test_bad_fleet_row_is_refused_naming_the_line(tmp_path: Path, line: str, named: str) -> None:
    path = tmp_path / "fleet.csv"
    path.write_text(HEADER + line + "\n")
    with pytest.raises(InvalidInput, match=f"line 2.*{named}"):
        read_fleet(path)


def test_call_sign_used_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fleet.csv"
    row = "E1,fire,XFS,fire_engine,S1,firefighting,4\n"
    path.write_text(HEADER + row + row)
    with pytest.raises(InvalidInput, match="twice"):
        read_fleet(path)
