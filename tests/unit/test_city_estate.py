"""London's bundled estate: the right stations, each inside London, each honest about its point."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from shapely.geometry import Point

from safercity.city.boroughs import city_boroughs
from safercity.city.estate import (
    CoordQuality,
    Estate,
    Station,
    StationKind,
    ambulance_stations,
    closed_fire_stations_2014,
    fire_stations,
    hospitals,
    police_stations,
)
from safercity.platform.errors import InvalidInput

# As shared/data/SOURCES.md names them.
CLOSED_2014 = {
    "Belsize",
    "Bow",
    "Clerkenwell",
    "Downham",
    "Kingsland",
    "Knightsbridge",
    "Silvertown",
    "Southwark",
    "Westminster",
    "Woolwich",
}
# The bundled boundaries leave the Thames out; these two stand on the Albert Embankment's edge.
ON_THE_RIVER = {"Lambeth", "Lambeth River"}
RIVER_TOLERANCE_DEGREES = 300 / 111_320


def all_stations() -> list[Station]:
    return [*fire_stations(2014), *ambulance_stations(), *police_stations()]


def test_today_london_has_103_fire_stations_with_callsigns() -> None:
    stations = fire_stations()
    assert len(stations) == 103
    assert {s.kind for s in stations} == {StationKind.FIRE}
    assert len({s.code for s in stations}) == 103


def test_2014_list_has_113_stations_including_exactly_the_ten_closed() -> None:
    stations_2014 = fire_stations(2014)
    closed = closed_fire_stations_2014()
    assert len(stations_2014) == 113
    assert {s.name for s in closed} == CLOSED_2014
    assert {s.name for s in stations_2014} - {s.name for s in fire_stations()} == CLOSED_2014
    assert all("closed on 9 January 2014" in s.note for s in closed)


def test_later_years_have_todays_stations_and_earlier_years_are_refused() -> None:
    assert fire_stations(2015) == fire_stations(2023)
    with pytest.raises(InvalidInput, match="start in 2014"):
        fire_stations(2013)


def test_66_ambulance_stations_of_which_61_sit_at_their_lsoa_centre() -> None:
    stations = ambulance_stations()
    assert len(stations) == 66
    qualities = Counter(s.coord_quality for s in stations)
    assert qualities == {CoordQuality.LSOA_CENTROID: 61, CoordQuality.SURVEYED: 5}
    assert all(
        "not the building" in s.note
        for s in stations
        if s.coord_quality is CoordQuality.LSOA_CENTROID
    )


def test_police_stations_without_published_points_are_flagged_approximate_with_how() -> None:
    stations = police_stations()
    assert len(stations) == 35
    approximate = [s for s in stations if s.coord_quality is CoordQuality.APPROXIMATE]
    assert len(approximate) == 29
    assert all(s.note.startswith("approximate: ") for s in approximate)
    surveyed = {s.name for s in stations} - {s.name for s in approximate}
    assert "Acton Police Station" in surveyed and len(surveyed) == 6


def test_station_codes_are_unique_within_each_kind() -> None:
    for group in (fire_stations(2014), ambulance_stations(), police_stations(), hospitals()):
        codes = [s.code for s in group]
        assert len(codes) == len(set(codes))


def test_every_station_is_inside_the_london_borough_it_names() -> None:
    boroughs = city_boroughs()
    for station in all_stations():
        found = boroughs.borough_at(station.latitude, station.longitude)
        if found is None:
            assert station.name in ON_THE_RIVER, station
            borough = boroughs.by_name(station.borough)
            assert borough is not None
            shape = boroughs.shapes[boroughs.boroughs.index(borough)]
            point = Point(station.longitude, station.latitude)
            assert shape.distance(point) < RIVER_TOLERANCE_DEGREES
        else:
            assert found.name == station.borough, station


def test_hospitals_are_all_inside_london_and_flagged_unverified() -> None:
    boroughs = city_boroughs()
    found = hospitals()
    assert 90 <= len(found) <= 120
    for hospital in found:
        borough = boroughs.borough_at(hospital.latitude, hospital.longitude)
        assert borough is not None and borough.name == hospital.borough, hospital
        assert hospital.provenance == "unverified"
    assert "St Thomas'" in {h.name for h in found}


def test_another_city_loads_its_own_files(tmp_path: Path) -> None:
    header = "code,name,borough,latitude,longitude,coord_quality,note\n"
    fire = tmp_path / "fire.csv"
    fire.write_text(header + "F1,Hafen,Mitte,53.55,9.99,surveyed,\n", encoding="utf-8")
    empty = tmp_path / "none.csv"
    empty.write_text(header, encoding="utf-8")
    hospitals_file = tmp_path / "hospitals.csv"
    hospitals_file.write_text(
        "code,name,type,borough,latitude,longitude,provenance\n"
        "H1,Klinikum,Hospital,Mitte,53.56,10.0,verified\n",
        encoding="utf-8",
    )
    estate = Estate(fire, empty, empty, hospitals_file)
    assert estate.stations() == (
        Station(StationKind.FIRE, "F1", "Hafen", "Mitte", 53.55, 9.99, CoordQuality.SURVEYED),
    )
    assert [h.name for h in estate.hospitals()] == ["Klinikum"]
