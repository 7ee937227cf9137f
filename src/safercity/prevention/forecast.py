"""Crime forecasts on a regular grid, all behind one interface.

Events are points in metres (a projected CRS: British National Grid for London) with a month
index (months since January 1970: data.police.uk publishes months, not days). A forecaster
scores every cell of the grid for a target month using only events of earlier months, so the
same code serves the live forecast and a rolling-origin backtest.

The methods:

- ``naive``: the count of events in each cell over the last ``window`` months (36 by default):
  the benchmark the field uses, and hard to beat on monthly burglary.
- ``kde``: retrospective kernel density: the same window's events, smoothed with a Gaussian
  kernel of ``bandwidth_m`` (events are counted at their cell, then the grid is filtered).
- ``prospective``: prospective hotspotting (Bowers, Johnson & Pease 2004): each event of the
  last ``weeks`` weeks within ``bandwidth_m`` adds 1/(1 + distance in cells) × 1/(1 + age in
  weeks); with monthly data an event's age is the whole months since, in weeks.
- ``stkde``: space-time kernel density: the window's events smoothed in space as ``kde`` and
  weighted in time by an exponential decay with a half-life of ``half_life`` months.
- ``etas``: a grid self-exciting point process as in Mohler et al. (2015): each cell has a
  background rate and each event raises its own cell's rate for the following months by
  θ·ω·e^(−ω·lag); μ, θ and ω are fitted by expectation-maximisation on the window's monthly
  cell counts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from safercity.platform.errors import FieldError, InvalidInput

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Grid:
    """Square cells of ``cell_m`` metres from (``x0``, ``y0``), ``nx`` across and ``ny`` up.
    ``inside`` marks the cells of the study area (their centre lies in it); only those are
    forecast and counted."""

    x0: float
    y0: float
    cell_m: float
    nx: int
    ny: int
    inside: NDArray[np.bool_]

    @property
    def cells(self) -> int:
        return int(self.inside.sum())

    def cell_of(self, x: FloatArray, y: FloatArray) -> IntArray:
        """The flat index (row-major, y then x) of each point's cell; -1 outside the grid or
        outside the study area. A point on a boundary belongs to the cell above/right of it."""
        col = np.floor((x - self.x0) / self.cell_m).astype(np.int64)
        row = np.floor((y - self.y0) / self.cell_m).astype(np.int64)
        ok = (col >= 0) & (col < self.nx) & (row >= 0) & (row < self.ny)
        flat = np.where(ok, row * self.nx + col, -1)
        flat[ok] = np.where(self.inside.ravel()[flat[ok]], flat[ok], -1)
        return flat

    def centres(self) -> tuple[FloatArray, FloatArray]:
        cols, rows = np.meshgrid(np.arange(self.nx), np.arange(self.ny))
        xs = self.x0 + (cols.ravel() + 0.5) * self.cell_m
        ys = self.y0 + (rows.ravel() + 0.5) * self.cell_m
        return xs.astype(np.float64), ys.astype(np.float64)


def grid_over(
    bounds: tuple[float, float, float, float],
    cell_m: float,
    inside: Callable[[FloatArray, FloatArray], NDArray[np.bool_]] | None = None,
    offset: tuple[float, float] = (0.0, 0.0),
) -> Grid:
    """A grid covering ``bounds`` (min x, min y, max x, max y), its origin snapped to a multiple
    of the cell size plus ``offset`` (so grids of one size line up across runs)."""
    if not cell_m > 0:
        raise InvalidInput("Bad cell size.", [FieldError("cell_m", "Give a cell size above 0.")])
    min_x, min_y, max_x, max_y = bounds
    x0 = math.floor((min_x - offset[0]) / cell_m) * cell_m + offset[0]
    y0 = math.floor((min_y - offset[1]) / cell_m) * cell_m + offset[1]
    nx = max(1, math.ceil((max_x - x0) / cell_m))
    ny = max(1, math.ceil((max_y - y0) / cell_m))
    mask = np.ones(nx * ny, dtype=bool)
    grid = Grid(x0, y0, cell_m, nx, ny, mask)
    if inside is not None:
        mask = np.asarray(inside(*grid.centres()), dtype=bool)
    return Grid(x0, y0, cell_m, nx, ny, mask.reshape(ny, nx))


@dataclass(frozen=True)
class Events:
    """Crime events as the forecasters see them: their cell and month."""

    cell: IntArray
    month: IntArray

    @classmethod
    def on(cls, grid: Grid, x: FloatArray, y: FloatArray, month: IntArray) -> Events:
        cell = grid.cell_of(x, y)
        keep = cell >= 0
        return cls(cell[keep], month[keep].astype(np.int64))

    def counts(self, cells: int, first: int, last: int) -> FloatArray:
        """A (months × cells) array of counts for months first..last-1."""
        chosen = (self.month >= first) & (self.month < last)
        rows = self.month[chosen] - first
        out = np.zeros((max(last - first, 0), cells))
        np.add.at(out, (rows, self.cell[chosen]), 1.0)
        return out

    def in_month(self, month: int, cells: int) -> FloatArray:
        return np.bincount(self.cell[self.month == month], minlength=cells).astype(np.float64)


class Forecaster:
    """Scores every grid cell for ``target`` from events of months before it."""

    name = "forecaster"

    def score(self, events: Events, grid: Grid, target: int) -> FloatArray:
        raise NotImplementedError

    def describe(self) -> Mapping[str, object]:
        return {"method": self.name}


def _history(events: Events, grid: Grid, target: int, window: int) -> FloatArray:
    return events.counts(grid.nx * grid.ny, target - window, target)


def _smooth(flat: FloatArray, grid: Grid, bandwidth_m: float) -> FloatArray:
    sigma = bandwidth_m / grid.cell_m
    surface = ndimage.gaussian_filter(flat.reshape(grid.ny, grid.nx), sigma, mode="constant")
    return np.asarray(surface, dtype=np.float64).ravel()


@dataclass(frozen=True)
class NaiveCount(Forecaster):
    window: int = 36
    name = "naive"

    def score(self, events: Events, grid: Grid, target: int) -> FloatArray:
        return np.asarray(_history(events, grid, target, self.window).sum(axis=0), np.float64)

    def describe(self) -> Mapping[str, object]:
        return {"method": self.name, "window_months": self.window}


@dataclass(frozen=True)
class RetrospectiveKDE(Forecaster):
    window: int = 36
    bandwidth_m: float = 200.0
    name = "kde"

    def score(self, events: Events, grid: Grid, target: int) -> FloatArray:
        counts = _history(events, grid, target, self.window).sum(axis=0)
        return _smooth(counts, grid, self.bandwidth_m)

    def describe(self) -> Mapping[str, object]:
        return {"method": self.name, "window_months": self.window, "bandwidth_m": self.bandwidth_m}


@dataclass(frozen=True)
class ProspectiveHotspot(Forecaster):
    """Bowers, Johnson & Pease (2004): recent, near events weigh most."""

    bandwidth_m: float = 400.0
    weeks: int = 8
    name = "prospective"

    def score(self, events: Events, grid: Grid, target: int) -> FloatArray:
        months = max(1, math.ceil(self.weeks / (52 / 12)))
        history = _history(events, grid, target, months)
        reach = int(self.bandwidth_m // grid.cell_m)
        offsets = np.arange(-reach, reach + 1)
        dy, dx = np.meshgrid(offsets, offsets, indexing="ij")
        distance = np.hypot(dx, dy) * grid.cell_m
        kernel = np.where(distance <= self.bandwidth_m, 1.0 / (1.0 + np.hypot(dx, dy)), 0.0)
        total = np.zeros(grid.ny * grid.nx)
        for age, row in enumerate(history[::-1]):  # the month before the target is age 0
            weeks_old = age * 52 / 12
            surface = ndimage.convolve(row.reshape(grid.ny, grid.nx), kernel, mode="constant")
            total += surface.ravel() / (1.0 + weeks_old)
        return total

    def describe(self) -> Mapping[str, object]:
        return {"method": self.name, "bandwidth_m": self.bandwidth_m, "weeks": self.weeks}


@dataclass(frozen=True)
class SpaceTimeKDE(Forecaster):
    window: int = 36
    bandwidth_m: float = 200.0
    half_life: float = 12.0
    name = "stkde"

    def score(self, events: Events, grid: Grid, target: int) -> FloatArray:
        history = _history(events, grid, target, self.window)
        ages = np.arange(history.shape[0])[::-1]  # the last row is the month before the target
        weights = 0.5 ** (ages / self.half_life)
        return _smooth(weights @ history, grid, self.bandwidth_m)

    def describe(self) -> Mapping[str, object]:
        return {
            "method": self.name,
            "window_months": self.window,
            "bandwidth_m": self.bandwidth_m,
            "half_life_months": self.half_life,
        }


@dataclass(frozen=True)
class GridETAS(Forecaster):
    """Mohler et al. (2015) on monthly cell counts: background μ_c plus self-excitation."""

    window: int = 36
    max_lag: int = 12
    iterations: int = 30
    fitted: dict[str, float] = field(default_factory=dict, compare=False, hash=False)
    name = "etas"

    def score(self, events: Events, grid: Grid, target: int) -> FloatArray:
        history = _history(events, grid, target, self.window)
        mu, theta, omega = fit_etas(history, self.max_lag, self.iterations)
        self.fitted.update({"theta": theta, "omega": omega})
        lags = np.arange(1, self.max_lag + 1)
        kernel = theta * (1 - math.exp(-omega)) * np.exp(-omega * (lags - 1))
        recent = history[::-1][: self.max_lag]  # row k-1 is lag k
        return np.asarray(mu + kernel[: recent.shape[0]] @ recent, dtype=np.float64)

    def describe(self) -> Mapping[str, object]:
        return {"method": self.name, "window_months": self.window, "max_lag_months": self.max_lag}


def fit_etas(counts: FloatArray, max_lag: int, iterations: int) -> tuple[FloatArray, float, float]:
    """EM for λ_c(m) = μ_c + Σ_k g(k)·N[c, m−k], g(k) = θ(1−e^−ω)e^(−ω(k−1)), k = 1..max_lag.

    Returns the background per cell (events a month), θ (offspring per event) and ω (decay a
    month). Each E-step splits each month's count in each cell between background and each
    earlier month; each M-step re-estimates μ, θ and ω from those shares.
    """
    months, cells = counts.shape
    mu = counts.mean(axis=0) * 0.9 + 1e-9
    theta, omega = 0.1, 0.5
    lags = np.arange(1, max_lag + 1)
    # lagged[k-1, m, c] = N[c, m-k] (0 before the window)
    lagged = np.zeros((max_lag, months, cells))
    for k in lags:
        lagged[k - 1, k:, :] = counts[:-k, :] if k < months else 0.0
    total = counts.sum()
    if total == 0:
        return mu, 0.0, omega
    for _ in range(iterations):
        g = theta * (1 - math.exp(-omega)) * np.exp(-omega * (lags - 1))
        triggered = np.tensordot(g, lagged, axes=(0, 0))  # (months, cells)
        intensity = mu + triggered
        share = np.divide(counts, intensity, out=np.zeros_like(counts), where=intensity > 0)
        background = (share * mu).sum(axis=0)
        by_lag = np.array([(share * g[k] * lagged[k]).sum() for k in range(max_lag)])
        offspring = by_lag.sum()
        mu = np.maximum(background / months, 1e-9)
        exposure = counts[:-1].sum()  # the last month's events have had no time to trigger
        theta = float(min(offspring / max(exposure, 1e-9), 0.95))
        # Lags follow a geometric law with mean 1 / (1 − e^−ω).
        mean_lag = float((by_lag * lags).sum() / max(offspring, 1e-12))
        omega = -math.log(1.0 - 1.0 / mean_lag) if mean_lag > 1.0 + 1e-9 else 20.0
        omega = float(min(max(omega, 0.05), 20.0))
    return mu, theta, omega


@dataclass(frozen=True)
class RecencyNearRepeat(Forecaster):
    """Recency-weighted counts with a near-repeat boost: each cell's events of the last
    ``window`` months weighted by a half-life of ``half_life`` months (places that keep being
    burgled stay risky, recent years count most), plus ``boost`` × the last ``recent`` months'
    events smoothed with a Gaussian of ``bandwidth_m`` (a burglary raises its neighbours' risk
    for weeks: the near-repeat effect). Chosen as the default on 2019–2021 and confirmed on
    2022–2023, all before 2024 (docs/prevention.md)."""

    window: int = 120
    half_life: float = 12.0
    recent: int = 2
    boost: float = 2.0
    bandwidth_m: float = 250.0
    name = "recency"

    def score(self, events: Events, grid: Grid, target: int) -> FloatArray:
        history = _history(events, grid, target, self.window)
        ages = np.arange(history.shape[0])[::-1]  # the last row is the month before the target
        weighted = (0.5 ** (ages / self.half_life)) @ history
        recent = history[-self.recent :].sum(axis=0)
        return np.asarray(weighted + self.boost * _smooth(recent, grid, self.bandwidth_m))

    def describe(self) -> Mapping[str, object]:
        return {
            "method": self.name,
            "window_months": self.window,
            "half_life_months": self.half_life,
            "recent_months": self.recent,
            "boost": self.boost,
            "bandwidth_m": self.bandwidth_m,
        }


FORECASTERS: dict[str, Callable[[], Forecaster]] = {
    "naive": NaiveCount,
    "kde": RetrospectiveKDE,
    "prospective": ProspectiveHotspot,
    "stkde": SpaceTimeKDE,
    "etas": GridETAS,
    "recency": RecencyNearRepeat,
}


def default_forecaster() -> Forecaster:
    """The product's forecaster, chosen on data before 2024 (docs/prevention.md)."""
    return RecencyNearRepeat()
