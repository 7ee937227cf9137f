"""Build London's default on-shift fleet, src/safercity/dispatch/data/london_fleet.csv.

Run from the repository root: ``.venv/bin/python bench/build_fleet.py``. It reads only the
bundled estate (stations and hospitals) and is deterministic, so the committed CSV can be
rebuilt and checked. The product only reads the CSV.

Sources and assumptions (a snapshot of one busy daytime shift, not an asset register):
- Fire (LFB): 103 stations; LFB publishes "about 150" pumping appliances. The 47 stations
  nearest Charing Cross get two pumps, the rest one: 150 pumps, busier inner stations doubled.
  A pump carries 4 firefighters, first aid and a defibrillator (LFB co-responds to cardiac
  arrests). 11 aerial ladders (LFB runs about a dozen turntable ladders/aerial platforms) and
  16 fire rescue units (LFB's published FRU count), placed at stations spread across the city
  (farthest-point sampling from Charing Cross), so each borough group is reachable.
- Ambulance (LAS): 66 stations. LAS runs roughly 400-500 ambulances at its daily peak; we take
  6 per station = 396 ambulances on shift at a busy moment (below the peak, because some are
  always at hospital or off the road), each a crew of 2 with a paramedic, defibrillator and
  conveyance; and 1 fast response car per station = 66 (one paramedic, defibrillator, no
  conveyance).
- Police (MPS): the 35 bundled front counters stand for the Met's response bases. 4 response
  cars each = 140 (an assumption: the Met does not publish on-shift vehicle counts), crew of 2
  with first aid; every second car carries a defibrillator ("in many forces"). 12 armed
  response vehicles (crew 3, firearms, first aid, defibrillator) at spread-out stations.
- Health (NHS): 8 mental-health response cars (an NHS mental-health professional with a
  paramedic), based at hospitals spread across the city; London runs one or two per
  integrated care system area.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from safercity.city.estate import hospitals, london_estate
from safercity.dispatch.capabilities import Capability as C  # noqa: N817
from safercity.dispatch.capabilities import Service
from safercity.dispatch.fleet import CAPABILITY_SEPARATOR, FLEET_COLUMNS, UnitType

OUT = Path(__file__).resolve().parents[1] / "src" / "safercity" / "dispatch" / "data"
CHARING_CROSS = (51.5073, -0.12755)
TWO_PUMP_STATIONS = 47
AERIALS = 11
RESCUE_UNITS = 16
AMBULANCES_PER_STATION = 6
CARS_PER_AMBULANCE_STATION = 1
POLICE_CARS_PER_STATION = 4
ARVS = 12
MENTAL_HEALTH_CARS = 8

KIT = {
    UnitType.FIRE_ENGINE: ({C.FIREFIGHTING, C.FIRST_AID, C.DEFIBRILLATOR}, 4),
    UnitType.AERIAL_LADDER: ({C.AERIAL}, 2),
    UnitType.FIRE_RESCUE_UNIT: ({C.RESCUE, C.WATER_RESCUE, C.HAZMAT, C.FIRST_AID}, 5),
    UnitType.AMBULANCE: ({C.PARAMEDIC, C.DEFIBRILLATOR, C.FIRST_AID, C.PATIENT_TRANSPORT}, 2),
    UnitType.FAST_RESPONSE_CAR: ({C.PARAMEDIC, C.DEFIBRILLATOR, C.FIRST_AID}, 1),
    UnitType.POLICE_RESPONSE_CAR: ({C.POLICE_OFFICER, C.FIRST_AID}, 2),
    UnitType.ARMED_RESPONSE_VEHICLE: (
        {C.POLICE_OFFICER, C.FIREARMS, C.FIRST_AID, C.DEFIBRILLATOR},
        3,
    ),
    UnitType.MENTAL_HEALTH_CAR: ({C.MENTAL_HEALTH_PROFESSIONAL, C.PARAMEDIC, C.FIRST_AID}, 2),
}
SERVICE = {
    UnitType.FIRE_ENGINE: (Service.FIRE, "LFB"),
    UnitType.AERIAL_LADDER: (Service.FIRE, "LFB"),
    UnitType.FIRE_RESCUE_UNIT: (Service.FIRE, "LFB"),
    UnitType.AMBULANCE: (Service.AMBULANCE, "LAS"),
    UnitType.FAST_RESPONSE_CAR: (Service.AMBULANCE, "LAS"),
    UnitType.POLICE_RESPONSE_CAR: (Service.POLICE, "MPS"),
    UnitType.ARMED_RESPONSE_VEHICLE: (Service.POLICE, "MPS"),
    UnitType.MENTAL_HEALTH_CAR: (Service.HEALTH, "NHS"),
}
SUFFIX = {
    UnitType.FIRE_ENGINE: "P",
    UnitType.AERIAL_LADDER: "AL",
    UnitType.FIRE_RESCUE_UNIT: "FRU",
    UnitType.AMBULANCE: "AMB",
    UnitType.FAST_RESPONSE_CAR: "FRC",
    UnitType.POLICE_RESPONSE_CAR: "IRV",
    UnitType.ARMED_RESPONSE_VEHICLE: "ARV",
    UnitType.MENTAL_HEALTH_CAR: "MH",
}


class Place(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def latitude(self) -> float: ...
    @property
    def longitude(self) -> float: ...


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Equirectangular distance, enough to rank London places."""
    dx = (a[1] - b[1]) * math.cos(math.radians((a[0] + b[0]) / 2)) * 111.32
    return math.hypot(dx, (a[0] - b[0]) * 111.32)


def spread(places: Sequence[Place], n: int) -> list[Place]:
    """n places spread out: nearest Charing Cross first, then always the farthest from those."""
    pts = {p.code: (p.latitude, p.longitude) for p in places}
    chosen = [min(places, key=lambda p: (km(pts[p.code], CHARING_CROSS), p.code))]
    while len(chosen) < n:
        rest = [p for p in places if p not in chosen]
        chosen.append(
            max(rest, key=lambda p: (min(km(pts[p.code], pts[c.code]) for c in chosen), p.code))
        )
    return chosen


def row(kind: UnitType, base: str, number: int, extra: set[C] | None = None) -> list[str]:
    caps, crew = KIT[kind]
    service, agency = SERVICE[kind]
    capabilities = CAPABILITY_SEPARATOR.join(sorted(c.value for c in caps | (extra or set())))
    call_sign = f"{base}-{SUFFIX[kind]}{number}"
    return [call_sign, service.value, agency, kind.value, base, capabilities, str(crew)]


def fire_rows() -> list[list[str]]:
    stations = london_estate().fire_stations()
    by_centre = sorted(
        stations, key=lambda s: (km((s.latitude, s.longitude), CHARING_CROSS), s.code)
    )
    doubled = {s.code for s in by_centre[:TWO_PUMP_STATIONS]}
    rows = []
    for s in stations:
        rows += [row(UnitType.FIRE_ENGINE, s.code, i + 1) for i in range(1 + (s.code in doubled))]
    rows += [row(UnitType.AERIAL_LADDER, s.code, 1) for s in spread(stations, AERIALS)]
    rows += [row(UnitType.FIRE_RESCUE_UNIT, s.code, 1) for s in spread(stations, RESCUE_UNITS)]
    return rows


def ambulance_rows() -> list[list[str]]:
    rows = []
    for s in london_estate().ambulance_stations():
        rows += [row(UnitType.AMBULANCE, s.code, i + 1) for i in range(AMBULANCES_PER_STATION)]
        rows += [
            row(UnitType.FAST_RESPONSE_CAR, s.code, i + 1)
            for i in range(CARS_PER_AMBULANCE_STATION)
        ]
    return rows


def police_rows() -> list[list[str]]:
    stations = london_estate().police_stations()
    rows = []
    for s in stations:
        for i in range(POLICE_CARS_PER_STATION):
            defib = {C.DEFIBRILLATOR} if i % 2 == 0 else set()
            rows.append(row(UnitType.POLICE_RESPONSE_CAR, s.code, i + 1, defib))
    rows += [row(UnitType.ARMED_RESPONSE_VEHICLE, s.code, 1) for s in spread(stations, ARVS)]
    return rows


def health_rows() -> list[list[str]]:
    nhs = [h for h in hospitals() if h.type == "NHS Hospital"]
    return [row(UnitType.MENTAL_HEALTH_CAR, h.code, 1) for h in spread(nhs, MENTAL_HEALTH_CARS)]


def main() -> None:
    rows = fire_rows() + ambulance_rows() + police_rows() + health_rows()
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "london_fleet.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(FLEET_COLUMNS)
        writer.writerows(rows)
    print(f"wrote {len(rows)} units to {OUT / 'london_fleet.csv'}")


if __name__ == "__main__":
    main()
