"""Check the simulation against reality: first fire engine attendance, London 2023.

Run from the repository root: ``.venv/bin/python bench/validate_lfb.py [--days 28] [--seed 1]``.
It reads the LFB 2023 incident sample in ../shared/data (never read by the product) and prints,
side by side, three first-engine attendance distributions:

1. **real**: the sample's ``FirstPumpArriving_AttendanceTime``;
2. **nearest station, always free**: the travel-time model from the nearest 2023 station
   (crow-fly) to each real incident, at its hour and borough: what the real incidents would see
   if the nearest station always had an engine in;
3. **simulated**: the ``lfb_2023_validation`` scenario (2023 stations, 2023-like fire demand,
   fire dispatched by its own control room through the real recommender).

Comparing 1 with 2 separates the travel model's error from dispatch and availability; 2 with 3
separates where the simulated demand falls from where the real incidents were.
"""

from __future__ import annotations

import argparse
import csv
import json
from datetime import datetime
from pathlib import Path

import numpy as np

from safercity.city.estate import fire_stations
from safercity.dispatch.traveltime import TravelTimeModel, crow_fly_km
from safercity.simulation.engine import simulate
from safercity.simulation.scenario import load_scenario
from safercity.simulation.world import build_world

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SAMPLE = SHARED / "lfb" / "lfb_incidents_2023_sample.csv"


def summary(seconds: np.ndarray) -> dict[str, float]:
    return {
        "count": int(seconds.size),
        "mean_s": round(float(seconds.mean()), 1),
        "median_s": round(float(np.median(seconds)), 1),
        "p90_s": round(float(np.percentile(seconds, 90)), 1),
        "within_6_min": round(float((seconds <= 360).mean()), 3),
    }


def real_and_nearest() -> tuple[dict[str, float], dict[str, float]]:
    model = TravelTimeModel.load_default()
    stations = np.array([(s.latitude, s.longitude) for s in fire_stations(2023)])
    real, nearest = [], []
    with SAMPLE.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            attendance = row["FirstPumpArriving_AttendanceTime"]
            if not attendance:
                continue
            real.append(float(attendance))
            if not (row["Latitude"] and row["Longitude"]):
                continue
            lat, lon = float(row["Latitude"]), float(row["Longitude"])
            if not 51.2 < lat < 51.8:  # a few records carry a misplaced point
                continue
            km = crow_fly_km(stations[:, 0], stations[:, 1], lat, lon)
            at = datetime.fromisoformat(f"{row['DateOfCall'][:10]}T{row['TimeOfCall']}")
            seconds = model.seconds_for_distance(km.min(), borough=row["ProperCase"], at=at)
            nearest.append(float(seconds))
    return summary(np.array(real)), summary(np.array(nearest))


def journeys() -> dict[str, float]:
    """The real first-pump time over the model's time from the station it came from: the
    spread the simulation draws journeys with (simulation/data/travel_spread.json)."""
    model = TravelTimeModel.load_default()
    stations = {s.name.upper(): (s.latitude, s.longitude) for s in fire_stations(2023)}
    points = np.array(list(stations.values()))
    ratios, came, nearest, from_nearest = [], [], [], 0
    with SAMPLE.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            station = stations.get(row["FirstPumpArriving_DeployedFromStation"].upper())
            attendance, lat_text = row["FirstPumpArriving_AttendanceTime"], row["Latitude"]
            if station is None or not attendance or not lat_text:
                continue
            lat, lon = float(lat_text), float(row["Longitude"])
            if not 51.2 < lat < 51.8:
                continue
            at = datetime.fromisoformat(f"{row['DateOfCall'][:10]}T{row['TimeOfCall']}")
            km = crow_fly_km(points[:, 0], points[:, 1], lat, lon)
            own = crow_fly_km(station[0], station[1], lat, lon)
            expected = float(model.seconds_for_distance(own, borough=row["ProperCase"], at=at))
            best = float(model.seconds_for_distance(km.min(), borough=row["ProperCase"], at=at))
            ratios.append(float(attendance) / expected)
            came.append(expected)
            nearest.append(best)
            from_nearest += bool(np.isclose(own, km.min()))
    ratio = np.array(ratios)
    low, high = np.percentile(ratio, [10, 90])
    return {
        "incidents": len(ratios),
        "median_ratio": round(float(np.median(ratio)), 3),
        "p10_ratio": round(float(low), 3),
        "p90_ratio": round(float(high), 3),
        "log_sd_robust": round(float((np.log(high) - np.log(low)) / 2.563), 3),
        "mean_ratio": round(float(ratio.mean()), 3),
        "first_engine_from_nearest_station": round(from_nearest / len(ratios), 3),
        "model_s_from_station_that_came": round(float(np.mean(came)), 1),
        "model_s_from_nearest_station": round(float(np.mean(nearest)), 1),
    }


def simulated(days: int, seed: int) -> dict[str, float]:
    world = build_world(load_scenario("lfb_2023_validation"))
    result = simulate(world, days=days, seed=seed)
    first = result.distribution("fire_first")
    return {
        "count": first.count,
        "mean_s": round(first.mean_s or 0.0, 1),
        "median_s": round(first.median_s or 0.0, 1),
        "p90_s": round(first.p90_s or 0.0, 1),
        "within_6_min": round(first.within["360"], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--spread", action="store_true", help="fit the journey spread only")
    args = parser.parse_args()
    if args.spread:
        print(json.dumps(journeys(), indent=2))
        return
    real, nearest = real_and_nearest()
    sim = simulated(args.days, args.seed)
    rows = {"real": real, "nearest_station_always_free": nearest, "simulated": sim}
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
