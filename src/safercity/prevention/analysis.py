"""The analyst's figures, read from the store of crime events: the current forecast's top
cells, trends by crime type and borough, a recent backtest and a Knox table.

Every answer is cached on what the store holds (its size and latest month) and the arguments,
so the pages stay fast and a new import is seen at once. Nothing here writes, and nothing here
reads personal data: the events' public (anonymised) points only.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import shapely

from safercity.city.boroughs import city_boroughs
from safercity.platform.db import Database
from safercity.platform.errors import FieldError, InvalidInput, NotFound
from safercity.prevention import store
from safercity.prevention.backtest import run_backtest, study_grid
from safercity.prevention.forecast import (
    Events,
    NaiveCount,
    RetrospectiveKDE,
    default_forecaster,
)
from safercity.prevention.knox import KnoxCell, KnoxResult, knox_test, near_repeat_sentence
from safercity.prevention.model import POLICE_UK, month_index, month_of

CELL_SIZES = (250.0, 150.0)
SHARES = (0.01, 0.05, 0.10)
BACKTEST_MONTHS = 6
KNOX_MONTHS = 3
DAYS_PER_MONTH = 30.44
# data.police.uk gives months, not days: the time bands are whole months apart.
KNOX_SPACE_M = (0.0, 0.1, 200.0, 400.0, 600.0)
KNOX_TIME_DAYS = (0.0, 15.0, 45.0, 75.0)
KNOX_ITERATIONS = 39


@dataclass(frozen=True)
class DataVersion:
    """What the store holds, for the caches: new imports make a new version."""

    events: int
    first: date | None
    last: date | None


def data_version(db: Database) -> DataVersion:
    with db.transaction() as conn:
        first, last = store.months(conn, POLICE_UK)
        return DataVersion(store.count(conn), first, last)


def _check(crime_type: str, cell_m: float) -> None:
    if cell_m not in CELL_SIZES:
        raise InvalidInput(
            "Unknown cell size.",
            [FieldError("cell_m", f"Choose {' or '.join(f'{c:g}' for c in CELL_SIZES)} m.")],
        )
    if not crime_type.strip():
        raise InvalidInput("Choose a crime type.", [FieldError("crime_type", "Choose one.")])


def _points(db: Database, crime_type: str, first: date, last: date) -> store.EventPoints:
    with db.transaction() as conn:
        return store.points(conn, crime_type, first, last)


def _latest(db: Database) -> DataVersion:
    version = data_version(db)
    if version.last is None:
        raise NotFound("No published crime data is held yet. Import some first.")
    return version


def forecast(db: Database, crime_type: str = "Burglary", cell_m: float = 250.0) -> dict[str, Any]:
    """The default forecaster's top 10% of cells for the month after the latest published
    month, as GeoJSON with each cell's rank and band (top 1%, 5% or 10%)."""
    _check(crime_type, cell_m)
    return _forecast_cached(db, _latest(db), crime_type, cell_m)


@lru_cache(maxsize=8)
def _forecast_cached(
    db: Database, version: DataVersion, crime_type: str, cell_m: float
) -> dict[str, Any]:
    assert version.last is not None
    target = month_index(version.last) + 1
    forecaster = default_forecaster()
    window = getattr(forecaster, "window", 120)
    points = _points(db, crime_type, month_of(target - window), version.last)
    grid, projection = study_grid(cell_m)
    x, y = projection.to_metres(points.lon, points.lat)
    events = Events.on(grid, x, y, np.array([month_index(m) for m in points.month]))
    scores = forecaster.score(events, grid, target)
    inside = np.flatnonzero(grid.inside.ravel())
    order = inside[np.argsort(-scores[inside], kind="stable")]
    top = order[: math.ceil(SHARES[-1] * len(inside))]
    features = []
    for rank, cell in enumerate(top, start=1):
        if scores[cell] <= 0:
            break
        band = next(s for s in SHARES if rank <= math.ceil(s * len(inside)))
        row, col = divmod(int(cell), grid.nx)
        xs = np.array([grid.x0 + col * cell_m, grid.x0 + (col + 1) * cell_m])
        ys = np.array([grid.y0 + row * cell_m, grid.y0 + (row + 1) * cell_m])
        lons, lats = projection.to_degrees(xs, ys)
        ring = [
            [round(float(lons[i]), 6), round(float(lats[j]), 6)]
            for i, j in ((0, 0), (1, 0), (1, 1), (0, 1), (0, 0))
        ]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {
                    "rank": rank,
                    "band": f"{band:.2f}",
                    "score": round(float(scores[cell]), 3),
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "properties": {
            "crime_type": crime_type,
            "month": f"{month_of(target):%Y-%m}",
            "cell_m": cell_m,
            "cells": grid.cells,
            "method": dict(forecaster.describe()),
            "events_used": len(points.month),
        },
    }


@lru_cache(maxsize=4)
def _boroughs_of(lons: tuple[float, ...], lats: tuple[float, ...]) -> list[str]:
    names = ["Outside the boroughs"] * len(lons)
    lon_array, lat_array = np.array(lons), np.array(lats)
    for borough, shape in zip(city_boroughs().boroughs, city_boroughs().shapes, strict=True):
        for index in np.flatnonzero(shapely.contains_xy(shape, lon_array, lat_array)):
            names[int(index)] = borough.name
    return names


def trends(db: Database, months: int = 36) -> dict[str, Any]:
    """Events a month by crime type over the last ``months`` published months, and events by
    borough and crime type over the last 12."""
    return _trends(db, _latest(db), months)


@lru_cache(maxsize=4)
def _trends(db: Database, version: DataVersion, months: int) -> dict[str, Any]:
    assert version.last is not None
    last = month_index(version.last)
    first = month_of(last - months + 1)
    with db.transaction() as conn:
        counts = store.monthly_counts(conn, first, version.last)
        located = store.located_counts(conn, month_of(last - 11), version.last)
    by_type: dict[str, Counter[str]] = defaultdict(Counter)
    for month, crime_type, _lsoa, n in counts:
        by_type[crime_type][f"{month:%Y-%m}"] += n
    labels = [f"{month_of(m):%Y-%m}" for m in range(last - months + 1, last + 1)]
    # Each distinct map point's borough once: far fewer points than events.
    boroughs = _boroughs_of(tuple(r[0] for r in located), tuple(r[1] for r in located))
    by_borough: dict[str, Counter[str]] = defaultdict(Counter)
    for (_lon, _lat, crime_type, n), borough in zip(located, boroughs, strict=True):
        by_borough[borough][crime_type] += n
    return {
        "months": labels,
        "by_crime_type": {t: [c.get(m, 0) for m in labels] for t, c in sorted(by_type.items())},
        "by_borough_last_12_months": {
            b: dict(c) for b, c in sorted(by_borough.items(), key=lambda kv: -sum(kv[1].values()))
        },
    }


def backtest(db: Database, crime_type: str = "Burglary", cell_m: float = 250.0) -> dict[str, Any]:
    """The last six published months, each forecast from the 36 (or, for the default, up to
    120) months before it: the naive count, KDE and the default."""
    _check(crime_type, cell_m)
    return _backtest(db, _latest(db), crime_type, cell_m)


@lru_cache(maxsize=4)
def _backtest(db: Database, version: DataVersion, crime_type: str, cell_m: float) -> dict[str, Any]:
    assert version.last is not None
    last = month_index(version.last)
    first_test = last - BACKTEST_MONTHS + 1
    points = _points(db, crime_type, month_of(first_test - 120), version.last)
    if not points.month or min(points.month) >= month_of(first_test):
        raise NotFound("Not enough history before the last six months to backtest.")
    result = run_backtest(
        points.lon,
        points.lat,
        points.month,
        first=month_of(first_test),
        last=version.last,
        cell_m=cell_m,
        methods={"naive": NaiveCount(), "kde": RetrospectiveKDE(), "default": default_forecaster()},
    )
    result["crime_type"] = crime_type
    return result


def knox(db: Database, crime_type: str = "Burglary") -> dict[str, Any]:
    """A Knox test on the last three published months. Times are months (data.police.uk
    publishes no days), so the bands are the same month, one month and two months apart."""
    return _knox(db, _latest(db), crime_type)


@lru_cache(maxsize=4)
def _knox(db: Database, version: DataVersion, crime_type: str) -> dict[str, Any]:
    assert version.last is not None
    first = month_of(month_index(version.last) - KNOX_MONTHS + 1)
    points = _points(db, crime_type, first, version.last)
    if len(points.month) < 10:
        raise NotFound(f"Too few {crime_type.lower()} events in the last {KNOX_MONTHS} months.")
    _, projection = study_grid(250.0)
    x, y = projection.to_metres(points.lon, points.lat)
    days = np.array([month_index(m) * DAYS_PER_MONTH for m in points.month])
    result = knox_test(
        x,
        y,
        days,
        space_edges=KNOX_SPACE_M,
        time_edges=KNOX_TIME_DAYS,
        iterations=KNOX_ITERATIONS,
        seed=1,
    )
    return {
        "crime_type": crime_type,
        "from": f"{first:%Y-%m}",
        "to": f"{version.last:%Y-%m}",
        "events": result.events,
        "iterations": result.iterations,
        "cells": [_knox_cell(cell) for cell in result.cells()],
        "reading": _reading(result, crime_type),
    }


_TIME_LABELS = ("the same month", "the next month", "two months later")


def _knox_cell(cell: KnoxCell) -> dict[str, Any]:
    time_band = KNOX_TIME_DAYS.index(cell.time_band[0])
    return {
        "space_band_m": cell.space_label,
        "time_band": _TIME_LABELS[time_band],
        "observed": cell.observed,
        "expected": round(cell.expected, 1),
        "knox_ratio": None if cell.ratio is None else round(cell.ratio, 2),
        "p_value": round(cell.p_value, 3),
    }


def _reading(result: KnoxResult, crime_type: str) -> str:
    sentence = near_repeat_sentence(result, crime=crime_type.lower())
    # The sentence speaks in days; with monthly data the first band is "the same month".
    return sentence.replace("for the next 15 days", "in the same month").replace(
        "between 15 and 45 days after it", "in the following month"
    )


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def forecast_csv(figures: dict[str, Any]) -> str:
    rows = []
    for feature in figures["features"]:
        ring = feature["geometry"]["coordinates"][0]
        centre = ((ring[0][0] + ring[2][0]) / 2, (ring[0][1] + ring[2][1]) / 2)
        p = feature["properties"]
        rows.append([p["rank"], p["band"], p["score"], round(centre[1], 6), round(centre[0], 6)])
    return to_csv(["rank", "top_share", "score", "centre_lat", "centre_lon"], rows)


def trends_csv(figures: dict[str, Any]) -> str:
    rows = [
        [month, crime_type, counts[i]]
        for crime_type, counts in figures["by_crime_type"].items()
        for i, month in enumerate(figures["months"])
    ]
    return to_csv(["month", "crime_type", "events"], rows)


_SHARE_KEYS = ("0.01", "0.05", "0.10")


def backtest_rows(figures: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for name in ("naive", "kde", "default"):
        f = figures[name]
        rows.append(
            [name, f["method"]["method"]]
            + [
                f[measure][share]
                for measure in ("hit_rate", "pai", "pei")
                for share in ("0.01", "0.05", "0.10")
            ]
        )
    return rows


BACKTEST_HEADER = [
    "key",
    "method",
    *(f"{m}_{s}" for m in ("hit_rate", "pai", "pei") for s in ("0.01", "0.05", "0.10")),
]


def knox_csv(figures: dict[str, Any]) -> str:
    keys = ["space_band_m", "time_band", "observed", "expected", "knox_ratio", "p_value"]
    return to_csv(keys, [[cell[k] for k in keys] for cell in figures["cells"]])


def crime_types(db: Database) -> list[str]:
    with db.transaction() as conn:
        return store.crime_types(conn) or ["Burglary"]
