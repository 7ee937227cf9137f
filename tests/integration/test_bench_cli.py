"""`safercity bench dispatch --json`: one JSON object on stdout with the figures, sane values.

A short day (60 incidents) on its own fresh SQLite file; the speed itself is measured in
docs/benchmarks.md, never asserted here.
"""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np
from typer.testing import CliRunner

from safercity.city.boroughs import city_boroughs
from safercity.contact.http import taxonomy_from
from safercity.web.bench import DAY_START, plan_day
from safercity.web.cli import app

KEYS = {
    "recommend_p50_ms",
    "recommend_p99_ms",
    "take_call_p50_ms",
    "dispatch_p50_ms",
    "wall_s",
    "units",
    "incidents",
    "travel_model",
    "travel_model_holdout_mae_s",
    "units_busy_peak",
    "shortfall_share",
    "peak_rss_mb",
    "database",
    "seed",
}


def test_bench_dispatch_json_prints_one_object_with_the_figures() -> None:
    result = CliRunner().invoke(app, ["bench", "dispatch", "--json", "--incidents", "60"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)  # stdout holds the JSON and nothing else
    assert figures.keys() >= KEYS
    assert figures["units"] == 799
    assert figures["incidents"] == 60
    assert 0 < figures["recommend_p50_ms"] <= figures["recommend_p99_ms"]
    assert figures["take_call_p50_ms"] > 0 and figures["dispatch_p50_ms"] > 0
    assert figures["peak_rss_mb"] > 0
    assert 0 < figures["units_busy_peak"] <= 799
    assert 0.0 <= figures["shortfall_share"] <= 1.0
    assert figures["travel_model"] == "calibrated travel-time model"
    assert 30 < figures["travel_model_holdout_mae_s"] < 120
    assert figures["database"] == "sqlite"
    assert figures["seed"] == 1


def test_the_day_is_seeded_in_time_order_inside_london_and_quieter_at_night() -> None:
    taxonomy = taxonomy_from(None)
    day = plan_day(taxonomy, 3000, np.random.default_rng(7))
    again = plan_day(taxonomy, 3000, np.random.default_rng(7))
    assert day == again
    times = [p.at for p in day]
    assert times == sorted(times)
    assert times[0] >= DAY_START and times[-1] < DAY_START + timedelta(days=1)
    boroughs = city_boroughs()
    assert all(boroughs.borough_at(p.lat, p.lon) is not None for p in day[:300])
    night = sum(1 for t in times if 3 <= t.hour < 6)
    afternoon = sum(1 for t in times if 14 <= t.hour < 17)
    assert night < 0.7 * afternoon
    kinds = {p.type_code for p in day}
    assert kinds <= set(taxonomy.types) and len(kinds) > 20
