"""A backtest of the forecasters over the city, as the command line and the analyst's view run
it: the study area is the city's boroughs on a regular grid, each month of the test period is
forecast only from the months before it (rolling origin), and each method is scored by hit rate,
PAI and PEI at 1%, 5% and 10% of the area (see ``evaluate``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import cache
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from safercity.city.boroughs import city_boroughs
from safercity.platform.errors import FieldError, InvalidInput
from safercity.prevention import evaluate
from safercity.prevention.forecast import (
    FORECASTERS,
    Events,
    FloatArray,
    Forecaster,
    Grid,
    default_forecaster,
    grid_over,
)
from safercity.prevention.model import LocalProjection, month_index, month_of

MAX_MONTHS = 120


@cache
def _study_area() -> tuple[BaseGeometry, LocalProjection]:
    area = shapely.union_all(list(city_boroughs().shapes))
    min_lon, min_lat, max_lon, max_lat = area.bounds
    # The projection's centre is the city's, not the data's, so grids line up across runs.
    return area, LocalProjection((min_lon + max_lon) / 2, (min_lat + max_lat) / 2)


def study_grid(
    cell_m: float, offset: tuple[float, float] = (0.0, 0.0)
) -> tuple[Grid, LocalProjection]:
    """The grid over the city's boroughs (cells whose centre lies in one), in local metres."""
    area, projection = _study_area()
    min_lon, min_lat, max_lon, max_lat = area.bounds
    xs, ys = projection.to_metres(np.array([min_lon, max_lon]), np.array([min_lat, max_lat]))

    def inside(x: FloatArray, y: FloatArray) -> np.ndarray:
        lons, lats = projection.to_degrees(x, y)
        return np.asarray(shapely.contains_xy(area, lons, lats), dtype=bool)

    bounds = (float(xs[0]), float(ys[0]), float(xs[1]), float(ys[1]))
    return grid_over(bounds, cell_m, inside, offset), projection


def methods_for_backtest() -> dict[str, Forecaster]:
    """Every forecaster with its defaults, and the product's default under ``default``."""
    methods = {name: make() for name, make in FORECASTERS.items()}
    methods["default"] = default_forecaster()
    return methods


def _check_period(first: date, last: date) -> list[int]:
    if last < first:
        raise InvalidInput(
            "The test period ends before it starts.",
            [FieldError("to", f"Give a month on or after {first:%Y-%m}.")],
        )
    months = list(range(month_index(first), month_index(last) + 1))
    if len(months) > MAX_MONTHS:
        raise InvalidInput(
            "The test period is too long.",
            [FieldError("to", f"Test at most {MAX_MONTHS} months at a time.")],
        )
    return months


def run_backtest(
    lon: FloatArray,
    lat: FloatArray,
    months: Sequence[date],
    *,
    first: date,
    last: date,
    cell_m: float,
    offset: tuple[float, float] = (0.0, 0.0),
    methods: Mapping[str, Forecaster] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Each method's pooled hit rate, PAI and PEI for the months first..last, each forecast from
    the events before it; with the study area, grid and tie rule stated."""
    targets = _check_period(first, last)
    grid, projection = study_grid(cell_m, offset)
    x, y = projection.to_metres(lon, lat)
    month_numbers = np.array([month_index(m) for m in months], dtype=np.int64)
    events = Events.on(grid, x, y, month_numbers)
    held = events.month[events.month < targets[0]]
    if held.size == 0:
        raise InvalidInput(
            "There are no events before the test period to forecast from.",
            [FieldError("from", "Start the test period after the first month of the data.")],
        )
    tested = events.month[(events.month >= targets[0]) & (events.month <= targets[-1])]
    result: dict[str, Any] = {}
    done: dict[Forecaster, dict[str, Any]] = {}
    for name, forecaster in (methods or methods_for_backtest()).items():
        if progress is not None:
            progress(name)
        if forecaster not in done:  # the default is also listed under its own name
            done[forecaster] = dict(evaluate.backtest(forecaster, events, grid, targets))
            done[forecaster]["method"] = dict(forecaster.describe())
        result[name] = done[forecaster]
    result |= {
        "cells": grid.cells,
        "months": len(targets),
        "events_tested": int(tested.size),
        "from": f"{first:%Y-%m}",
        "to": f"{last:%Y-%m}",
        "history_from": f"{month_of(int(held.min())):%Y-%m}",
        "cell_m": cell_m,
        "grid_offset_m": list(offset),
        "study_area": "the city's boroughs: cells whose centre lies in one",
        "tie_rule": f"ties at the cut broken by a fixed random order of cells (seed "
        f"{evaluate.TIE_SEED}), never by position",
        "rolling_origin": "each month forecast only from the months before it",
    }
    return result
