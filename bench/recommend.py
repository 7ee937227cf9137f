"""Micro-benchmark: one unit recommendation over the whole default London fleet.

Run from the repository root: ``.venv/bin/python bench/recommend.py``. For 200 incident points
drawn from the bundled demo locations (seeded), it times (a) the ETAs of all 799 units with the
calibrated travel-time model (`model_etas`, one vectorised call) and (b) `recommend` for a house
fire with people inside (two pumps, a paramedic, conveyance, police) and for a cardiac arrest
(paramedic and defibrillator at once), and prints medians and 95th percentiles in ms.
"""

from __future__ import annotations

import csv
import random
import statistics
import time
from collections.abc import Callable
from importlib import resources

from safercity.dispatch.capabilities import Capability as Cap
from safercity.dispatch.fleet import home_base_positions, london_fleet
from safercity.dispatch.recommend import Need, model_etas, recommend
from safercity.dispatch.traveltime import TravelTimeModel

RUNS = 200
HOUSE_FIRE = [
    Need(Cap.FIREFIGHTING, 2, 480.0),
    Need(Cap.PARAMEDIC, 1, 480.0),
    Need(Cap.PATIENT_TRANSPORT, 1, 1200.0),
    Need(Cap.POLICE_OFFICER, 1, 900.0),
]
CARDIAC_ARREST = [Need(Cap.PARAMEDIC, 1, 420.0), Need(Cap.DEFIBRILLATOR, 1, 420.0)]


def points() -> list[tuple[float, float]]:
    text = resources.files("safercity.city").joinpath("data", "demo_locations.csv").read_text()
    rows = [(float(r["latitude"]), float(r["longitude"])) for r in csv.DictReader(text.split("\n"))]
    rng = random.Random(3)
    return [rng.choice(rows) for _ in range(RUNS)]


def timed(work: Callable[..., object], *args: object) -> float:
    start = time.perf_counter()
    work(*args)
    return (time.perf_counter() - start) * 1000


def report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    print(f"{name:<40} median {statistics.median(samples):6.2f} ms   p95 {p95:6.2f} ms")


def main() -> None:
    fleet, model = london_fleet(), TravelTimeModel.load_default()
    positions = home_base_positions(fleet)
    eta_ms, fire_ms, arrest_ms, complete = [], [], [], 0
    for lat, lon in points():
        eta_ms.append(timed(model_etas, model, positions, lat, lon))
        etas = model_etas(model, positions, lat, lon)
        fire_ms.append(timed(recommend, HOUSE_FIRE, fleet, etas))
        arrest_ms.append(timed(recommend, CARDIAC_ARREST, fleet, etas))
        complete += recommend(HOUSE_FIRE, fleet, etas).complete
    print(f"{len(fleet)} units, {RUNS} incidents; house fire met in time at {complete}/{RUNS}")
    report("ETAs for the whole fleet (model_etas)", eta_ms)
    report("recommend: house fire (5 slots)", fire_ms)
    report("recommend: cardiac arrest (2 needs)", arrest_ms)


if __name__ == "__main__":
    main()
