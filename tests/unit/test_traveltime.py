"""The city-wide travel-time model: shipped parameters, shape of the curve, and its API."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from safercity.dispatch.traveltime import (
    TravelTime,
    TravelTimeModel,
    crow_fly_km,
    distance_basis,
)

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "lfb_sample.csv"
# The crow-fly fit the issue starts from: 176 s + 87 s per km.
BASELINE_S, BASELINE_S_PER_KM = 176.0, 87.0
# Trafalgar Square and Euston fire station: about 2.2 km apart.
TRAFALGAR = (51.5080, -0.1281)
EUSTON = (51.52762, -0.13077)


@pytest.fixture(scope="module")
def model() -> TravelTimeModel:
    return TravelTimeModel.load_default()


def _sample() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _km(row: dict[str, str]) -> float:
    de = float(row["incident_easting"]) - float(row["station_easting"])
    dn = float(row["incident_northing"]) - float(row["station_northing"])
    return float(np.hypot(de, dn)) / 1000.0


def test_shipped_model_beats_crow_fly_baseline_on_held_out_lfb_sample(
    model: TravelTimeModel,
) -> None:
    rows = _sample()
    assert len(rows) >= 300
    actual = np.array([float(r["attendance_s"]) for r in rows])
    km = np.array([_km(r) for r in rows])
    predicted = np.array(
        [
            float(
                model.seconds_for_distance(
                    k, borough=r["borough"], at=datetime(2023, 6, 5, int(r["hour_of_call"]))
                )
            )
            for k, r in zip(km, rows, strict=True)
        ]
    )
    baseline_mae = float(np.mean(np.abs(BASELINE_S + BASELINE_S_PER_KM * km - actual)))
    model_mae = float(np.mean(np.abs(predicted - actual)))
    assert model_mae < baseline_mae
    # The documented held-out error, within sampling noise for 400 incidents.
    assert 50.0 < model_mae < 80.0


def test_travel_time_never_falls_as_distance_grows(model: TravelTimeModel) -> None:
    km = np.linspace(0.0, 40.0, 2001)
    for borough in (None, "Westminster", "HOUNSLOW"):
        for hour in (3, 8, 14, 21):
            times = model.seconds_for_distance(km, borough=borough, at=datetime(2023, 1, 2, hour))
            assert np.all(np.diff(times) >= 0.0)
            assert np.all(times > 0.0)


def test_night_calls_take_longer_than_rush_hour_calls_because_crews_turn_out_slower(
    model: TravelTimeModel,
) -> None:
    # LFB data: crews woken at 04:00-06:00 take longer to turn out than at 08:00 or 17:00.
    night = model.seconds(*EUSTON, *TRAFALGAR, at=datetime(2023, 3, 1, 5, 0))
    for hour in (8, 17):
        assert night > model.seconds(*EUSTON, *TRAFALGAR, at=datetime(2023, 3, 1, hour, 0))


def test_vectorised_seconds_equal_scalar_seconds(model: TravelTimeModel) -> None:
    rng = np.random.default_rng(7)
    lat = rng.uniform(51.30, 51.68, 200)
    lon = rng.uniform(-0.50, 0.30, 200)
    at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    many = model.seconds_many(lat, lon, TRAFALGAR[0], TRAFALGAR[1], borough="Camden", at=at)
    one = [
        model.seconds(a, b, *TRAFALGAR, borough="Camden", at=at)
        for a, b in zip(lat, lon, strict=True)
    ]
    assert many.shape == (200,)
    np.testing.assert_allclose(many, one)


def test_aware_instant_is_read_in_london_civil_time(model: TravelTimeModel) -> None:
    # 04:30 UTC in July is 05:30 British Summer Time.
    utc = model.seconds(*EUSTON, *TRAFALGAR, at=datetime(2023, 7, 1, 4, 30, tzinfo=UTC))
    local = model.seconds(*EUSTON, *TRAFALGAR, at=datetime(2023, 7, 1, 5, 30))
    assert utc == local


def test_borough_is_matched_by_name_in_any_spelling(model: TravelTimeModel) -> None:
    a = model.seconds(*EUSTON, *TRAFALGAR, borough="Hammersmith & Fulham")
    b = model.seconds(*EUSTON, *TRAFALGAR, borough="HAMMERSMITH AND FULHAM")
    assert a == b


def test_unknown_borough_and_hour_fall_back_to_london_as_a_whole(model: TravelTimeModel) -> None:
    plain = model.seconds(*EUSTON, *TRAFALGAR)
    assert plain == model.seconds(*EUSTON, *TRAFALGAR, borough="Atlantis")
    assert 250.0 < plain < 450.0


def test_crow_fly_distance_matches_known_distance() -> None:
    # One degree of latitude is about 111.2 km.
    assert float(crow_fly_km(51.0, 0.0, 52.0, 0.0)) == pytest.approx(111.2, abs=0.1)
    assert float(crow_fly_km(*EUSTON, *TRAFALGAR)) == pytest.approx(2.18, abs=0.05)


def test_distance_basis_splits_kilometres_into_bands() -> None:
    basis = distance_basis([0.5, 2.5, 9.0], (0.0, 1.0, 2.0, 5.0))
    np.testing.assert_allclose(basis, [[0.5, 0, 0, 0], [1, 1, 0.5, 0], [1, 1, 3, 4]])


def test_model_round_trips_through_json(model: TravelTimeModel, tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_text(json.dumps(model.to_dict()), encoding="utf-8")
    assert TravelTimeModel.from_json(path) == model


def test_model_is_a_travel_time_port(model: TravelTimeModel) -> None:
    port: TravelTime = model
    assert port.seconds(*EUSTON, *EUSTON) > 0.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"seconds_per_km": [-1.0, 80.0]}, "negative"),
        ({"knots_km": [1.0, 2.0]}, "knots"),
        ({"hour_offsets_s": [0.0] * 23}, "24"),
    ],
)
def test_malformed_parameters_are_refused(change: dict[str, object], message: str) -> None:
    data: dict[str, object] = {
        "intercept_s": 100.0,
        "knots_km": [0.0, 2.0],
        "seconds_per_km": [100.0, 60.0],
        "hour_offsets_s": [0.0] * 24,
        "unknown_hour_offset_s": 0.0,
        "borough_offsets_s": {},
    }
    data.update(change)
    with pytest.raises(ValueError, match=message):
        TravelTimeModel.from_dict(data)


def test_missing_field_is_refused() -> None:
    with pytest.raises(ValueError, match="missing"):
        TravelTimeModel.from_dict({"intercept_s": 1.0})
