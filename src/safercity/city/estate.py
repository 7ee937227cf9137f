"""The city's emergency-service estate: fire, ambulance and police stations, and hospitals.

A station is a place an emergency service works from and sends its units out of; a hospital is
where an ambulance takes a patient. The bundled London files are built once from shared/data by
bench/build_estate.py (sources and licences in docs/DATA_LICENSES.md). Each station says how
good its coordinates are: most London ambulance stations sit at their LSOA's centre and most
police front counters were placed approximately, so a travel time from them is indicative.

Another city loads its own files through `Estate` with the same columns.
"""

from __future__ import annotations

import csv
import enum
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from safercity.platform.errors import FieldError, InvalidInput

__all__ = [
    "CoordQuality",
    "Estate",
    "Hospital",
    "Station",
    "StationKind",
    "ambulance_stations",
    "closed_fire_stations_2014",
    "fire_stations",
    "hospitals",
    "london_estate",
    "police_stations",
    "read_hospitals",
    "read_stations",
]

# The ten closures took effect on 9 January 2014; before 2014 there is no bundled list.
FIRST_FIRE_YEAR = 2014
LAST_FIRE_YEAR = 9999
FIRE_2014_FILE = "lfb_fire_stations_2014.csv"


class StationKind(enum.StrEnum):
    """Which emergency service works from a station."""

    FIRE = "fire"
    AMBULANCE = "ambulance"
    POLICE = "police"


class CoordQuality(enum.StrEnum):
    """How far a station's coordinates can be trusted.

    surveyed: a point at the building itself, from a published source (the note says when
    that source is unverified); lsoa_centroid: the centre of the small census area (LSOA) the
    station is in, typically a few hundred metres off; approximate: placed by a rule (the note
    says which), possibly a kilometre or more off.
    """

    SURVEYED = "surveyed"
    LSOA_CENTROID = "lsoa_centroid"
    APPROXIMATE = "approximate"


@dataclass(frozen=True)
class Station:
    """A fire station, ambulance station or police station, where units are based."""

    kind: StationKind
    code: str
    name: str
    borough: str
    latitude: float
    longitude: float
    coord_quality: CoordQuality
    note: str = ""


@dataclass(frozen=True)
class Hospital:
    """A hospital an ambulance may take a patient to; `provenance` says if the source is checked."""

    code: str
    name: str
    type: str
    borough: str
    latitude: float
    longitude: float
    provenance: str


DataFile = Path | Traversable


def _rows(source: DataFile) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(source.read_text(encoding="utf-8"))))


def _station(kind: StationKind, row: dict[str, str]) -> Station:
    return Station(
        kind=kind,
        code=row["code"],
        name=row["name"],
        borough=row["borough"],
        latitude=float(row["latitude"]),
        longitude=float(row["longitude"]),
        coord_quality=CoordQuality(row["coord_quality"]),
        note=row.get("note") or "",
    )


def read_stations(kind: StationKind, source: DataFile) -> tuple[Station, ...]:
    """Stations of one kind from a CSV with the bundled files' columns."""
    return tuple(_station(kind, row) for row in _rows(source))


def read_hospitals(source: DataFile) -> tuple[Hospital, ...]:
    """Hospitals from a CSV with the bundled file's columns."""
    return tuple(
        Hospital(
            code=row["code"],
            name=row["name"],
            type=row["type"],
            borough=row["borough"],
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
            provenance=row["provenance"],
        )
        for row in _rows(source)
    )


@dataclass(frozen=True)
class Estate:
    """One city's estate, read from the files it names (paths or package resources)."""

    fire_file: DataFile
    ambulance_file: DataFile
    police_file: DataFile
    hospitals_file: DataFile

    def fire_stations(self) -> tuple[Station, ...]:
        return read_stations(StationKind.FIRE, self.fire_file)

    def ambulance_stations(self) -> tuple[Station, ...]:
        return read_stations(StationKind.AMBULANCE, self.ambulance_file)

    def police_stations(self) -> tuple[Station, ...]:
        return read_stations(StationKind.POLICE, self.police_file)

    def stations(self) -> tuple[Station, ...]:
        """Every station of every kind."""
        return self.fire_stations() + self.ambulance_stations() + self.police_stations()

    def hospitals(self) -> tuple[Hospital, ...]:
        return read_hospitals(self.hospitals_file)


def _bundled(name: str) -> Traversable:
    return resources.files("safercity.city").joinpath("data", name)


@cache
def london_estate() -> Estate:
    """London's bundled estate: today's fire stations, ambulance stations, police, hospitals."""
    return Estate(
        fire_file=_bundled("lfb_fire_stations_2023.csv"),
        ambulance_file=_bundled("las_ambulance_stations.csv"),
        police_file=_bundled("met_police_stations.csv"),
        hospitals_file=_bundled("london_hospitals.csv"),
    )


@cache
def _fire_2014() -> tuple[tuple[Station, ...], frozenset[str]]:
    rows = _rows(_bundled(FIRE_2014_FILE))
    stations = tuple(_station(StationKind.FIRE, row) for row in rows)
    closed = frozenset(row["code"] for row in rows if row["closed_on"])
    return stations, closed


@cache
def fire_stations(year: int = 2023) -> tuple[Station, ...]:
    """London Fire Brigade stations in a year: 2014 includes the ten closed on 9 January 2014.

    No station has opened or closed since, so every later year has today's 103.
    """
    if not FIRST_FIRE_YEAR <= year <= LAST_FIRE_YEAR:
        message = (
            f"No London fire station list for {year}: give a year from {FIRST_FIRE_YEAR} "
            f"(the bundled lists start in {FIRST_FIRE_YEAR})."
        )
        raise InvalidInput(message, [FieldError("year", message)])
    if year == FIRST_FIRE_YEAR:
        return _fire_2014()[0]
    return london_estate().fire_stations()


@cache
def closed_fire_stations_2014() -> tuple[Station, ...]:
    """The ten London fire stations closed on 9 January 2014."""
    stations, closed = _fire_2014()
    return tuple(s for s in stations if s.code in closed)


@cache
def ambulance_stations() -> tuple[Station, ...]:
    """London Ambulance Service stations; 61 of 66 sit at their LSOA's centre, not the building."""
    return london_estate().ambulance_stations()


@cache
def police_stations() -> tuple[Station, ...]:
    """Metropolitan Police front counters; those without published coordinates are approximate."""
    return london_estate().police_stations()


@cache
def hospitals() -> tuple[Hospital, ...]:
    """Hospitals inside London's boroughs, from an NHS list whose provenance is unverified."""
    return london_estate().hospitals()
