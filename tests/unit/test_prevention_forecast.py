"""Forecasters and their scoring on hand-made grids, where the right answer is known."""

from __future__ import annotations

import math

import numpy as np
import pytest

from safercity.platform.errors import InvalidInput
from safercity.prevention.evaluate import backtest, month_figures
from safercity.prevention.forecast import (
    FORECASTERS,
    Events,
    GridETAS,
    NaiveCount,
    ProspectiveHotspot,
    SpaceTimeKDE,
    fit_etas,
    grid_over,
)


def _grid(n: int = 10, cell: float = 100.0):  # type: ignore[no-untyped-def]
    return grid_over((0.0, 0.0, n * cell, n * cell), cell)


def _events(grid, points: list[tuple[float, float, int]]) -> Events:  # type: ignore[no-untyped-def]
    xs, ys, ms = (np.array(v, dtype=float) for v in zip(*points, strict=True))
    return Events.on(grid, xs, ys, ms.astype(np.int64))


def test_a_point_falls_in_the_cell_that_holds_it_and_outside_points_are_dropped() -> None:
    grid = _grid()
    cells = grid.cell_of(np.array([50.0, 150.0, 100.0, -1.0, 1000.0]), np.array([50.0] * 5))
    assert cells.tolist() == [0, 1, 1, -1, -1]  # a point on a boundary goes right/up


def test_the_study_area_masks_cells_out() -> None:
    grid = grid_over((0, 0, 300, 100), 100, inside=lambda x, y: x < 200)
    assert grid.cells == 2
    assert grid.cell_of(np.array([250.0]), np.array([50.0])).tolist() == [-1]


def test_a_cell_size_must_be_positive() -> None:
    with pytest.raises(InvalidInput) as error:
        grid_over((0, 0, 1, 1), 0)
    assert error.value.field_errors[0].field == "cell_m"


def test_naive_counts_only_the_window_before_the_target() -> None:
    grid = _grid()
    events = _events(grid, [(50, 50, 10), (50, 50, 11), (50, 50, 12), (150, 50, 5)])
    scores = NaiveCount(window=3).score(events, grid, target=12)
    assert scores[0] == 2 and scores[1] == 0  # month 12 is the target; month 5 is too old


def test_recent_events_weigh_more_in_the_space_time_kde() -> None:
    grid = _grid()
    events = _events(grid, [(50, 50, 1), (550, 550, 10)])
    scores = SpaceTimeKDE(window=12, bandwidth_m=50, half_life=2).score(events, grid, 11)
    assert scores[grid.cell_of(np.array([550.0]), np.array([550.0]))[0]] > scores[0]


def test_prospective_hotspotting_spreads_risk_to_neighbours_within_its_bandwidth() -> None:
    grid = _grid()
    events = _events(grid, [(450, 450, 10)])
    scores = ProspectiveHotspot(bandwidth_m=200, weeks=8).score(events, grid, 11).reshape(10, 10)
    assert scores[4, 4] == pytest.approx(1.0)
    assert scores[4, 5] == pytest.approx(0.5)  # one cell away: 1 / (1 + 1)
    assert scores[4, 7] == 0  # 300 m away, beyond 200 m


def test_etas_finds_self_excitation_where_events_beget_events() -> None:
    rng = np.random.default_rng(3)
    months, cells = 60, 400
    mu = rng.gamma(1.0, 0.3, cells)
    counts = np.zeros((months, cells))
    theta, omega = 0.4, 1.0
    for m in range(months):
        lags = np.arange(1, min(m, 12) + 1)
        g = theta * (1 - math.exp(-omega)) * np.exp(-omega * (lags - 1))
        rate = mu + (g[:, None] * counts[m - lags]).sum(axis=0) if m else mu
        counts[m] = rng.poisson(rate)
    _, fitted_theta, fitted_omega = fit_etas(counts, 12, 50)
    assert 0.25 < fitted_theta < 0.55
    assert 0.5 < fitted_omega < 2.0
    _, none_theta, _ = fit_etas(rng.poisson(np.tile(mu, (months, 1))).astype(float), 12, 50)
    assert none_theta < 0.1


def test_hit_rate_pai_and_pei_on_a_known_month() -> None:
    grid = _grid()  # 100 cells: 5% is 5 cells
    scores = np.zeros(100)
    scores[:5] = 1.0  # flags cells 0-4
    actual = np.zeros(100)
    actual[[0, 1]] = 3.0  # 6 events in flagged cells
    actual[50] = 4.0  # 4 elsewhere
    events, hits, best = month_figures(scores, actual, grid, shares=(0.05,))
    assert (events, hits[0.05], best[0.05]) == (10.0, 6.0, 10.0)


def test_backtest_reports_every_share_for_every_method() -> None:
    grid = _grid()
    rng = np.random.default_rng(1)
    points = [(float(x), float(y), int(m)) for x, y, m in zip(
        rng.normal(250, 60, 300), rng.normal(250, 60, 300), rng.integers(0, 24, 300), strict=True
    )]  # fmt: skip
    events = _events(grid, points)
    for name, make in FORECASTERS.items():
        result = backtest(make(), events, grid, months=[20, 21, 22, 23])
        assert set(result) == {"hit_rate", "pai", "pei"}, name
        assert set(result["hit_rate"]) == {"0.01", "0.05", "0.10"}
        assert 0 <= result["hit_rate"]["0.05"] <= 1 and result["pei"]["0.10"] <= 1
        # A cluster: any sensible method does far better than chance.
        assert result["pai"]["0.10"] > 3, name


def test_etas_records_what_it_fitted() -> None:
    grid = _grid()
    events = _events(grid, [(50, 50, m) for m in range(20)])
    forecaster = GridETAS(window=20)
    forecaster.score(events, grid, 20)
    assert set(forecaster.fitted) == {"theta", "omega"}
