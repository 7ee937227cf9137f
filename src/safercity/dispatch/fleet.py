"""A fleet: the emergency vehicles a city can send, each with its crew and what it can do.

A unit is one vehicle with a call sign, an agency (LFB, LAS, MPS, NHS), a type, the station or
hospital it is based at, and the capabilities its crew and kit bring to a scene. Fleets are data,
not code: London's default fleet is the bundled data/london_fleet.csv, built from the estate by
bench/build_fleet.py (its assumptions are stated there and in docs/fleet.md); another city
loads its own file with the same columns through `read_fleet`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

from safercity.city.estate import DataFile, london_estate
from safercity.dispatch.capabilities import Capability, Service
from safercity.platform.errors import FieldError, InvalidInput

__all__ = [
    "FLEET_COLUMNS",
    "Unit",
    "UnitType",
    "base_places",
    "home_base_positions",
    "london_fleet",
    "read_fleet",
]

FLEET_COLUMNS = [
    "call_sign",
    "service",
    "agency_code",
    "unit_type",
    "home_base_code",
    "capabilities",
    "crew",
]
CAPABILITY_SEPARATOR = ";"
MAX_FIELD_LENGTH = 64
MAX_CREW = 12


class UnitType(StrEnum):
    """The kinds of vehicle a 999 service sends."""

    FIRE_ENGINE = "fire_engine"
    AERIAL_LADDER = "aerial_ladder"
    FIRE_RESCUE_UNIT = "fire_rescue_unit"
    AMBULANCE = "ambulance"
    FAST_RESPONSE_CAR = "fast_response_car"
    POLICE_RESPONSE_CAR = "police_response_car"
    ARMED_RESPONSE_VEHICLE = "armed_response_vehicle"
    MENTAL_HEALTH_CAR = "mental_health_car"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


_LABELS = {
    UnitType.FIRE_ENGINE: "Fire engine (pump)",
    UnitType.AERIAL_LADDER: "Aerial ladder",
    UnitType.FIRE_RESCUE_UNIT: "Fire rescue unit",
    UnitType.AMBULANCE: "Ambulance",
    UnitType.FAST_RESPONSE_CAR: "Fast response car",
    UnitType.POLICE_RESPONSE_CAR: "Police response car",
    UnitType.ARMED_RESPONSE_VEHICLE: "Armed response vehicle",
    UnitType.MENTAL_HEALTH_CAR: "Mental-health response car",
}
_DESCRIPTIONS = {
    UnitType.FIRE_ENGINE: "a pumping appliance with four or five firefighters",
    UnitType.AERIAL_LADDER: "a turntable ladder or aerial platform for work at height",
    UnitType.FIRE_RESCUE_UNIT: "heavy rescue, water rescue and hazardous-materials kit",
    UnitType.AMBULANCE: "a paramedic crew that can take a patient to hospital",
    UnitType.FAST_RESPONSE_CAR: "a paramedic with a defibrillator, who cannot convey a patient",
    UnitType.POLICE_RESPONSE_CAR: "police officers with first aid, often a defibrillator",
    UnitType.ARMED_RESPONSE_VEHICLE: "authorised firearms officers",
    UnitType.MENTAL_HEALTH_CAR: "an NHS mental-health professional with a paramedic or nurse",
}


@dataclass(frozen=True)
class Unit:
    """One vehicle that can be sent, with where it is based and what its crew can do."""

    call_sign: str
    service: Service
    agency_code: str
    unit_type: UnitType
    home_base_code: str
    capabilities: frozenset[Capability]
    crew: int

    def has(self, capability: Capability) -> bool:
        return capability in self.capabilities


def _invalid(line: int, column: str, message: str) -> InvalidInput:
    text = f"Fleet file line {line}: {message}"
    return InvalidInput(text, [FieldError(column, text)])


def _text(row: Mapping[str, str | None], column: str, line: int) -> str:
    value = (row.get(column) or "").strip()
    if not value:
        raise _invalid(line, column, f"{column} is empty.")
    if len(value) > MAX_FIELD_LENGTH or any(ord(c) < 32 for c in value):
        raise _invalid(line, column, f"{column} is too long or has control characters.")
    return value


def _capabilities(text: str, line: int) -> frozenset[Capability]:
    try:
        return frozenset(Capability(part.strip()) for part in text.split(CAPABILITY_SEPARATOR))
    except ValueError:
        known = ", ".join(c.value for c in Capability)
        raise _invalid(
            line, "capabilities", f"unknown capability in {text!r}; use {known}."
        ) from None


def _crew(text: str, line: int) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_CREW:
        raise _invalid(line, "crew", f"crew must be a whole number from 1 to {MAX_CREW}.")
    return int(text)


def _unit(row: Mapping[str, str | None], line: int) -> Unit:
    service, unit_type = _text(row, "service", line), _text(row, "unit_type", line)
    if service not in Service.__members__.values():
        raise _invalid(line, "service", f"unknown service {service!r}.")
    if unit_type not in UnitType.__members__.values():
        raise _invalid(line, "unit_type", f"unknown unit type {unit_type!r}.")
    return Unit(
        call_sign=_text(row, "call_sign", line),
        service=Service(service),
        agency_code=_text(row, "agency_code", line),
        unit_type=UnitType(unit_type),
        home_base_code=_text(row, "home_base_code", line),
        capabilities=_capabilities(_text(row, "capabilities", line), line),
        crew=_crew(_text(row, "crew", line), line),
    )


def read_fleet(source: DataFile) -> tuple[Unit, ...]:
    """A fleet from a CSV with the bundled file's columns; capabilities are `;`-separated.

    Raises InvalidInput naming the line for a missing column, an unknown type or capability, or
    a call sign used twice.
    """
    reader = csv.DictReader(io.StringIO(source.read_text(encoding="utf-8")))
    missing = [c for c in FLEET_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise _invalid(1, missing[0], f"missing column(s) {', '.join(missing)}.")
    units: list[Unit] = []
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        unit = _unit(row, line)
        if unit.call_sign in seen:
            raise _invalid(line, "call_sign", f"call sign {unit.call_sign} is used twice.")
        seen.add(unit.call_sign)
        units.append(unit)
    return tuple(units)


@cache
def london_fleet() -> tuple[Unit, ...]:
    """London's default on-shift fleet (see docs/fleet.md for the numbers and why)."""
    return read_fleet(resources.files("safercity.dispatch").joinpath("data", "london_fleet.csv"))


def base_places() -> dict[str, tuple[float, float]]:
    """(latitude, longitude) of every London station and hospital a unit may be based at."""
    estate = london_estate()
    places = {s.code: (s.latitude, s.longitude) for s in estate.stations()}
    places.update({h.code: (h.latitude, h.longitude) for h in estate.hospitals()})
    return places


def home_base_positions(units: Iterable[Unit]) -> dict[str, tuple[float, float]]:
    """Each London unit's (latitude, longitude) at its home station or hospital, by call sign.

    Raises InvalidInput when a unit's home base is not in London's estate.
    """
    places = base_places()
    positions: dict[str, tuple[float, float]] = {}
    for unit in units:
        if unit.home_base_code not in places:
            message = f"Unit {unit.call_sign}'s home base {unit.home_base_code} is not in London."
            raise InvalidInput(message, [FieldError("home_base_code", message)])
        positions[unit.call_sign] = places[unit.home_base_code]
    return positions
