"""Prevention's model: months, public ids, the local projection, anonymised map points, and the
default forecaster's rule."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from safercity.prevention.forecast import (
    Events,
    NaiveCount,
    RecencyNearRepeat,
    default_forecaster,
    grid_over,
)
from safercity.prevention.model import (
    Anonymiser,
    LocalProjection,
    MapPoint,
    distance_m,
    month_index,
    month_of,
    parse_month,
    persistent_id,
)


def test_month_index_round_trips_and_counts_from_january_1970() -> None:
    assert month_index(date(1970, 1, 1)) == 0
    assert month_of(month_index(date(2023, 12, 1))) == date(2023, 12, 1)


def test_a_bad_month_names_its_field_and_the_format() -> None:
    assert parse_month("2024-02", "from") == date(2024, 2, 1)
    with pytest.raises(ValueError, match=r"from: give a month as YYYY-MM"):
        parse_month("Feb 2024", "from")


def test_a_platform_crimes_public_id_is_64_hex_keyed_by_the_secret() -> None:
    first = persistent_id("secret-one", "CR-2026-0001")
    assert len(first) == 64 and int(first, 16) >= 0
    assert first == persistent_id("secret-one", "CR-2026-0001")
    assert first != persistent_id("secret-two", "CR-2026-0001")
    assert "CR-2026" not in first


def test_the_local_projection_keeps_london_distances_within_half_a_percent() -> None:
    projection = LocalProjection(-0.12, 51.5)
    # Barking to Uxbridge, about 40 km across London.
    x, y = projection.to_metres(np.array([0.08, -0.48]), np.array([51.54, 51.55]))
    planar = float(np.hypot(x[1] - x[0], y[1] - y[0]))
    assert planar == pytest.approx(distance_m(51.54, 0.08, 51.55, -0.48), rel=0.005)
    lons, lats = projection.to_degrees(x, y)
    assert lons == pytest.approx([0.08, -0.48]) and lats == pytest.approx([51.54, 51.55])


def test_a_crime_is_published_at_the_nearest_map_point_never_its_own() -> None:
    points = [
        MapPoint(51.5000, -0.1000, "On or near Acacia Avenue"),
        MapPoint(51.5050, -0.1000, "On or near High Street"),
    ]
    snapped = Anonymiser(points).snap(51.5010, -0.1003)
    assert snapped.location == "On or near Acacia Avenue"
    assert (snapped.lat, snapped.lon) == (51.5000, -0.1000)


def test_without_a_map_point_nearby_a_crime_goes_to_a_coarse_grid() -> None:
    far = Anonymiser([MapPoint(51.6, -0.3, "On or near Far Lane")]).snap(51.50123, -0.10077)
    assert far.location == "On or near an anonymised point"
    assert (far.lat, far.lon) == (51.502, -0.1)
    assert Anonymiser([]).snap(51.50123, -0.10077) == far


def _one_row_grid() -> tuple[object, Events]:
    grid = grid_over((0.0, 0.0, 1000.0, 250.0), 250.0)
    # Cell 0: many old events; cell 3: fewer but recent.
    x = np.array([10.0] * 6 + [760.0] * 4)
    month = np.array([100] * 6 + [118] * 4)
    return grid, Events.on(grid, x, np.full(10, 10.0), month)


def test_the_naive_count_ranks_by_events_in_the_window_alone() -> None:
    grid, events = _one_row_grid()
    scores = NaiveCount(window=36).score(events, grid, 120)  # type: ignore[arg-type]
    assert scores[0] > scores[3]


def test_the_default_weighs_recent_events_and_their_neighbours_above_old_ones() -> None:
    grid, events = _one_row_grid()
    assert isinstance(default_forecaster(), RecencyNearRepeat)
    scores = default_forecaster().score(events, grid, 120)  # type: ignore[arg-type]
    assert scores[3] > scores[0]
    assert scores[2] > scores[1]  # the recent events' neighbour is raised (near repeats)
    # Only months before the target count: the target month's own events change nothing.
    later = Events(np.append(events.cell, 1), np.append(events.month, 120))
    assert np.array_equal(default_forecaster().score(later, grid, 120), scores)  # type: ignore[arg-type]
