"""The Knox test for near repeats: are crimes that happen close together in space also close
together in time, more often than chance would make them?

Every pair of events is put in one cell of a table by how far apart the two are in space and in
time. The observed count of each cell is compared with what the same events give when their
dates are shuffled across their locations (a Monte Carlo permutation test: the places and the
calendar are kept, only the link between them is broken). A *near repeat* shows as a cell near
the origin (close in space, soon after) observed more often than expected; the cell of distance
zero holds *repeats* at the same place.

Bands are given by their edges, which start at 0 and rise strictly. The first band is closed on
both sides and every later band is open on the left and closed on the right:

    edges 0, 0.1, 200, 400  ->  [0, 0.1], (0.1, 200], (200, 400]

so a distance of exactly 200 m is in (0.1, 200]. Time works the same way in whatever unit ``t``
is in (days for dates): time edges 0, 7, 14 make [0, 7], the same day up to 7 days apart, and
(7, 14], 8 to 14 days apart. Pairs beyond the last edge in space or in time are not counted.

The Near Repeat Calculator (Ratcliffe, v1.3) labels a band "a to b" but counts a-1 <= d < b
(its "0 to 7 days" is 0 to 6 days apart), holds coordinates in single precision and calls only
a distance of exactly zero "same location". This module does not copy any of that; the unit
tests show the shifted edges that reproduce its tables when a comparison is needed.

Each cell reports the observed count, the expected count (the mean over the permutations), the
Knox ratio observed / expected, the median of the permuted counts and the ratio to it (the Near
Repeat Calculator reports medians), and a one-sided p-value
(1 + permutations counting at least the observed) / (iterations + 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from safercity.platform.errors import FieldError, InvalidInput

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Metric = Literal["euclidean", "manhattan"]

METRICS: dict[str, float] = {"euclidean": 2.0, "manhattan": 1.0}  # Minkowski p of each
MAX_ITERATIONS = 99_999
# A hair beyond the last space edge for the k-d tree's search, so that a pair the tree's own
# arithmetic puts just outside is still found; its band then comes from the distance below.
_REACH_SLACK = 1e-9


@dataclass(frozen=True)
class KnoxCell:
    """One (space band, time band) cell of a Knox table. Ratios are None where the permuted
    count they divide by is zero."""

    space_band: tuple[float, float]
    time_band: tuple[float, float]
    space_label: str
    time_label: str
    observed: int
    expected: float
    ratio: float | None
    median: float
    ratio_to_median: float | None
    p_value: float


@dataclass(frozen=True, eq=False)
class KnoxResult:
    """A Knox table: counts of event pairs per (space band, time band), observed and under
    ``iterations`` permutations of the dates (``simulated``, iterations x space x time)."""

    space_edges: tuple[float, ...]
    time_edges: tuple[float, ...]
    metric: Metric
    iterations: int
    seed: int | None
    events: int
    observed: IntArray
    simulated: IntArray

    @cached_property
    def expected(self) -> FloatArray:
        return np.asarray(self.simulated.mean(axis=0), dtype=np.float64)

    @cached_property
    def median(self) -> FloatArray:
        return np.asarray(np.median(self.simulated, axis=0), dtype=np.float64)

    @cached_property
    def ratio(self) -> FloatArray:
        """Knox ratio, observed / expected (NaN where nothing was expected)."""
        return _divide(self.observed, self.expected)

    @cached_property
    def ratio_to_median(self) -> FloatArray:
        return _divide(self.observed, self.median)

    @cached_property
    def p_value(self) -> FloatArray:
        at_least = (self.simulated >= self.observed[np.newaxis]).sum(axis=0)
        return np.asarray((1 + at_least) / (self.iterations + 1), dtype=np.float64)

    def cell(self, space: int, time: int) -> KnoxCell:
        def maybe(value: float) -> float | None:
            return None if math.isnan(value) else value

        return KnoxCell(
            space_band=(self.space_edges[space], self.space_edges[space + 1]),
            time_band=(self.time_edges[time], self.time_edges[time + 1]),
            space_label=band_label(self.space_edges, space),
            time_label=band_label(self.time_edges, time),
            observed=int(self.observed[space, time]),
            expected=float(self.expected[space, time]),
            ratio=maybe(float(self.ratio[space, time])),
            median=float(self.median[space, time]),
            ratio_to_median=maybe(float(self.ratio_to_median[space, time])),
            p_value=float(self.p_value[space, time]),
        )

    def cells(self) -> list[KnoxCell]:
        """Every cell, row by row (space band), then column by column (time band)."""
        rows, columns = self.observed.shape
        return [self.cell(s, t) for s in range(rows) for t in range(columns)]


def band_label(edges: Sequence[float], band: int) -> str:
    """The band in interval notation: ``[0, 0.1]`` for the first, ``(0.1, 200]`` after."""
    low, high = edges[band], edges[band + 1]
    return f"{'[' if band == 0 else '('}{low:g}, {high:g}]"


def knox_test(
    x: ArrayLike,
    y: ArrayLike,
    t: ArrayLike | Sequence[date],
    *,
    space_edges: Sequence[float],
    time_edges: Sequence[float],
    metric: Metric = "euclidean",
    iterations: int = 99,
    seed: int | None = None,
) -> KnoxResult:
    """The Knox table of events at (``x``, ``y``), in metres of a projected CRS, at times ``t``
    (dates, numpy datetime64, or day numbers), with ``iterations`` permutations of the times.

    The pairs within the last space edge are found once (a k-d tree) and their space bands fixed;
    each permutation only recounts their time bands, so the cost grows with the close pairs,
    not with all n(n-1)/2 of them. The same ``seed`` gives the same table.
    """
    xy, days = _events(x, y, t)
    space = _edges(space_edges, "space_edges")
    time = _edges(time_edges, "time_edges")
    if metric not in METRICS:
        raise _invalid("metric", f"must be one of {', '.join(METRICS)}, not {metric!r}")
    whole = isinstance(iterations, int | np.integer) and not isinstance(iterations, bool)
    if not whole or not 1 <= iterations <= MAX_ITERATIONS:
        raise _invalid("iterations", f"must be a whole number from 1 to {MAX_ITERATIONS}")

    first, second, distance = _close_pairs(xy, float(space[-1]), METRICS[metric])
    space_band = np.searchsorted(space[1:], distance, side="left")
    near = space_band < space.size - 1
    first, second = first[near], second[near]
    shape = (space.size - 1, time.size - 1)
    offset = np.asarray(space_band[near] * shape[1], dtype=np.int64)
    counter = _PairCounter(first, second, offset, time[1:], shape)

    rng = np.random.default_rng(seed)
    simulated = np.empty((iterations, *shape), dtype=np.int64)
    for k in range(iterations):
        simulated[k] = counter.count(rng.permutation(days))
    return KnoxResult(
        space_edges=tuple(float(e) for e in space),
        time_edges=tuple(float(e) for e in time),
        metric=metric,
        iterations=iterations,
        seed=seed,
        events=int(days.size),
        observed=counter.count(days),
        simulated=simulated,
    )


@dataclass(frozen=True, eq=False)
class _PairCounter:
    """Counts the close pairs per cell for one assignment of times to events."""

    first: NDArray[np.intp]
    second: NDArray[np.intp]
    offset: IntArray  # the pair's space band x the number of time bands
    time_upper: FloatArray  # the upper edge of each time band
    shape: tuple[int, int]  # space bands, time bands

    def count(self, days: FloatArray) -> IntArray:
        # np.take is several times faster than fancy indexing here; most close pairs are far
        # apart in time, so they are dropped before the binning.
        apart = np.abs(np.take(days, self.first) - np.take(days, self.second))
        within = np.flatnonzero(apart <= self.time_upper[-1])
        band = np.searchsorted(self.time_upper, np.take(apart, within), side="left")
        cell = np.take(self.offset, within) + band
        counts = np.bincount(cell, minlength=self.shape[0] * self.shape[1])
        return np.asarray(counts.reshape(self.shape), dtype=np.int64)


def _close_pairs(
    xy: FloatArray, reach: float, p: float
) -> tuple[NDArray[np.intp], NDArray[np.intp], FloatArray]:
    pairs = cKDTree(xy).query_pairs(
        reach * (1 + _REACH_SLACK) + _REACH_SLACK, p=p, output_type="ndarray"
    )
    first = np.ascontiguousarray(pairs[:, 0], dtype=np.intp)
    second = np.ascontiguousarray(pairs[:, 1], dtype=np.intp)
    delta = xy[first] - xy[second]
    distance = np.abs(delta).sum(axis=1) if p == 1.0 else np.hypot(delta[:, 0], delta[:, 1])
    return first, second, np.asarray(distance, dtype=np.float64)


def _events(
    x: ArrayLike, y: ArrayLike, t: ArrayLike | Sequence[date]
) -> tuple[FloatArray, FloatArray]:
    xs = _numbers(x, "x")
    ys = _numbers(y, "y")
    days = day_numbers(t)
    if not xs.size == ys.size == days.size:
        raise _invalid("events", f"x, y and t differ in length ({xs.size}, {ys.size}, {days.size})")
    if xs.size < 2:
        raise _invalid("events", "the Knox test needs at least two events")
    return np.column_stack([xs, ys]), days


def day_numbers(t: ArrayLike | Sequence[date]) -> FloatArray:
    """Times as day numbers: dates (``datetime.date``) and numpy datetime64 become days since the
    earliest (fractional where a time of day is given); numbers are taken as they are."""
    values = np.asarray(t)
    if values.dtype == object and values.size and isinstance(values.flat[0], date):
        values = values.astype("datetime64[us]")
    if values.dtype.kind == "M":
        if np.isnat(values).any():
            raise _invalid("t", "every event needs a date")
        if values.size == 0:
            return np.zeros(0)
        return np.asarray((values - values.min()) / np.timedelta64(1, "D"), dtype=np.float64)
    return _numbers(values, "t")


def _numbers(values: ArrayLike, field: str) -> FloatArray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise _invalid(field, "must be numbers") from None
    if array.ndim != 1:
        raise _invalid(field, "must be a flat list of numbers")
    if not np.isfinite(array).all():
        raise _invalid(field, "every value must be a finite number")
    return array


def _edges(values: Sequence[float], field: str) -> FloatArray:
    edges = _numbers(list(values), field)
    if edges.size < 2:
        raise _invalid(field, "needs at least two edges, e.g. 0, 7 for one band")
    if edges[0] != 0:
        raise _invalid(field, "must start at 0 (the first band is [0, first edge])")
    if (np.diff(edges) <= 0).any():
        raise _invalid(field, "must rise strictly, each edge above the one before")
    return edges


def _divide(numerator: NDArray[np.generic], denominator: FloatArray) -> FloatArray:
    out = np.full(denominator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(f"{field}: {message}", [FieldError(field, message)])


def near_repeat_sentence(
    result: KnoxResult,
    *,
    places: str = "Homes",
    crime: str = "burglary",
    alpha: float = 0.05,
    same_place_m: float = 1.0,
) -> str:
    """One plain-English sentence for the public or a briefing, from a Knox table in metres and
    days: "Homes within 200 m of a burglary run 1.4 times the usual risk for the next 7 days."

    It speaks of the strongest significant cell (p <= ``alpha``, Knox ratio above 1) next to the
    origin: the nearest space band at any time, or any space band in the first time band. Bands
    that end within ``same_place_m`` are the same place (repeats, not near repeats) and are left
    out.
    """
    rows, columns = result.observed.shape
    near = [s for s in range(rows) if result.space_edges[s + 1] > same_place_m]
    beside = sorted({(near[0], t) for t in range(columns)} | {(s, 0) for s in near}) if near else []
    found = [
        cell
        for cell in (result.cell(s, t) for s, t in beside)
        if cell.p_value <= alpha and cell.ratio is not None and cell.ratio > 1
    ]
    if not found:
        return (
            f"No near-repeat pattern was found: {places.lower()} near a {crime} ran no "
            f"significantly higher risk than usual (p ≤ {alpha:g})."
        )
    best = max(found, key=lambda cell: cell.ratio or 0.0)  # the first of equals: the nearest
    low, high = best.space_band
    where = (
        f"within {high:g} m of a {crime}"
        if low <= same_place_m
        else f"between {low:g} and {high:g} m from a {crime}"
    )
    start, end = best.time_band
    if start > 0:
        when = f"between {start:g} and {end:g} days after it"
    else:
        when = "for the next day" if end == 1 else f"for the next {end:g} days"
    return f"{places} {where} run {_times(best.ratio or 0.0)} times the usual risk {when}."


def _times(ratio: float) -> str:
    shown = f"{ratio:.1f}"
    return f"{ratio:.2f}" if shown == "1.0" else shown
