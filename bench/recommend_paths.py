"""Micro-benchmark: `recommend` on the small instances a city simulation sends most often.

Run from the repository root: ``.venv/bin/python bench/recommend_paths.py``. Each case is a
predetermined attendance with a realistic handful of free candidate units (5 to 16, of the
London fleet's unit types) at seeded random ETAs; the script prints, per case, the median and
95th percentile time of one `recommend` call in microseconds over many instances and calls.
With ``--milp`` every instance goes to the integer programme, as every instance that the single
unit shortcut did not settle did before the exact fast search: the time to compare with.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial

from safercity.dispatch import recommend as module
from safercity.dispatch.capabilities import Capability as Cap
from safercity.dispatch.capabilities import Service
from safercity.dispatch.fleet import Unit, UnitType
from safercity.dispatch.recommend import Need, recommend

INSTANCES = 200
CALLS = 25  # per instance: the median of these is one sample

POLICE_I = [Need(Cap.POLICE_OFFICER, 2, 900.0)]
FIRE_EMERGENCY = [Need(Cap.FIREFIGHTING, 1, 360.0), Need(Cap.FIREFIGHTING, 1, 480.0)]
AMBULANCE_C1 = [
    Need(Cap.PARAMEDIC, 1, 420.0),
    Need(Cap.DEFIBRILLATOR, 1, 420.0),
    Need(Cap.PATIENT_TRANSPORT, 1, 900.0),
]
AMBULANCE_C2 = [Need(Cap.PARAMEDIC, 1, 1080.0), Need(Cap.PATIENT_TRANSPORT, 1, 2400.0)]
COMMERCIAL_FIRE = [
    Need(Cap.FIREFIGHTING, 1, 360.0),
    Need(Cap.FIREFIGHTING, 1, 480.0),
    Need(Cap.FIREFIGHTING, 2, 900.0),
    Need(Cap.AERIAL, 1, 900.0),
    *POLICE_I,
    *AMBULANCE_C1,
]

KINDS: dict[str, tuple[UnitType, Service, frozenset[Cap]]] = {
    "ambulance": (
        UnitType.AMBULANCE,
        Service.AMBULANCE,
        frozenset({Cap.PARAMEDIC, Cap.DEFIBRILLATOR, Cap.FIRST_AID, Cap.PATIENT_TRANSPORT}),
    ),
    "frc": (
        UnitType.FAST_RESPONSE_CAR,
        Service.AMBULANCE,
        frozenset({Cap.PARAMEDIC, Cap.DEFIBRILLATOR, Cap.FIRST_AID}),
    ),
    "engine": (
        UnitType.FIRE_ENGINE,
        Service.FIRE,
        frozenset({Cap.FIREFIGHTING, Cap.FIRST_AID, Cap.DEFIBRILLATOR}),
    ),
    "aerial": (UnitType.AERIAL_LADDER, Service.FIRE, frozenset({Cap.AERIAL})),
    "police_defib": (
        UnitType.POLICE_RESPONSE_CAR,
        Service.POLICE,
        frozenset({Cap.POLICE_OFFICER, Cap.FIRST_AID, Cap.DEFIBRILLATOR}),
    ),
    "police": (
        UnitType.POLICE_RESPONSE_CAR,
        Service.POLICE,
        frozenset({Cap.POLICE_OFFICER, Cap.FIRST_AID}),
    ),
}

# Case name, needs, and how many units of each kind are candidates.
CASES: list[tuple[str, list[Need], dict[str, int]]] = [
    ("police I, 2 cars", POLICE_I, {"police_defib": 1, "police": 1}),
    ("police I, 6 cars", POLICE_I, {"police_defib": 3, "police": 3}),
    ("fire emergency, 5 engines", FIRE_EMERGENCY, {"engine": 5}),
    (
        "ambulance C1, 10 units",
        AMBULANCE_C1,
        {"ambulance": 3, "frc": 2, "engine": 2, "police_defib": 2, "police": 1},
    ),
    (
        "assault: police I + C2, 8 units",
        POLICE_I + AMBULANCE_C2,
        {"police_defib": 2, "police": 2, "ambulance": 3, "frc": 1},
    ),
    (
        "assault: police I + C1, 10 units",
        POLICE_I + AMBULANCE_C1,
        {"police_defib": 2, "police": 2, "ambulance": 3, "frc": 2, "engine": 1},
    ),
    (
        "commercial fire, 16 units",
        COMMERCIAL_FIRE,
        {"engine": 6, "aerial": 1, "police_defib": 2, "police": 2, "ambulance": 3, "frc": 2},
    ),
]


def units_for(mix: dict[str, int]) -> list[Unit]:
    units = []
    for kind, count in mix.items():
        unit_type, service, caps = KINDS[kind]
        for k in range(count):
            units.append(Unit(f"{kind}-{k}", service, "X", unit_type, "B1", caps, 2))
    return units


def sample(work: Callable[[], object]) -> float:
    times = []
    for _ in range(CALLS):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main() -> None:
    if "--milp" in sys.argv:
        # The whole instance to `_solve`, as before: same candidates, same shortcut, same output.
        module._exact = module._solve
    rng = random.Random(7)
    for name, needs, mix in CASES:
        units = units_for(mix)
        samples = []
        for _ in range(INSTANCES):
            # ETAs from 1 to 20 minutes: some instances are met in time, some are late.
            etas = {u.call_sign: float(rng.randint(60, 1200)) for u in units}
            samples.append(sample(partial(recommend, needs, units, etas)))
        ordered = sorted(samples)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        print(f"{name:<36} median {statistics.median(samples):8.1f} us   p95 {p95:8.1f} us")


if __name__ == "__main__":
    main()
