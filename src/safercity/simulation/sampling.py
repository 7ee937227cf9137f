"""Vectorised draws for the demand model: a call's point near its area, and log-normal times.

Everything here works on whole numpy arrays at once (a simulated London week is some 70,000
calls), never one Python call per random number.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import numpy.typing as npt
import shapely

from safercity.city.boroughs import city_boroughs

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

METRES_PER_DEGREE = 111_320.0  # of latitude; of longitude times cos(latitude)
PLACE_TRIES = 2  # redraws of a point that left the city before it falls back to the area's point


@cache
def _prepared_boroughs() -> tuple[npt.NDArray[np.object_], Floats]:
    """Copies of the city's borough shapes, prepared for fast point tests, and their bounds."""
    shapes = shapely.from_wkb(shapely.to_wkb(np.array(city_boroughs().shapes, dtype=object)))
    shapely.prepare(shapes)
    bounds: Floats = shapely.bounds(shapes)
    return shapes, bounds


def borough_index(lat: Floats, lon: Floats) -> Ints:
    """For each point, the index (in `city_boroughs().boroughs`) of a borough covering it; -1
    where none does (outside the city, or on the Thames, which the boundaries leave out)."""
    shapes, bounds = _prepared_boroughs()
    found = np.full(len(lat), -1, dtype=np.int64)
    for index, (west, south, east, north) in enumerate(bounds.tolist()):
        near = (found < 0) & (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
        candidates = np.flatnonzero(near)
        if len(candidates):
            inside = shapely.intersects_xy(shapes[index], lon[candidates], lat[candidates])
            found[candidates[inside]] = index
    return found


def place(
    area: Ints,
    *,
    lat: Floats,
    lon: Floats,
    radius_m: Floats,
    area_borough: Ints,
    rng: np.random.Generator,
) -> tuple[Floats, Floats, Ints]:
    """A point for each call: uniform in a disc of `radius_m` around its area's point.

    A point that falls outside every borough is drawn again (up to PLACE_TRIES times); one that
    still does stays at its area's own point, which lies inside the city. Returns the points'
    latitudes, longitudes and borough indices.
    """
    out_lat, out_lon = lat[area].copy(), lon[area].copy()
    borough = area_borough[area].copy()
    todo = np.arange(len(area))
    for _ in range(PLACE_TRIES):
        if not len(todo):
            break
        home = area[todo]
        reach = radius_m[home] * np.sqrt(rng.random(len(todo)))
        angle = rng.random(len(todo)) * 2 * math.pi
        new_lat = lat[home] + reach * np.cos(angle) / METRES_PER_DEGREE
        shrink = METRES_PER_DEGREE * np.cos(np.radians(lat[home]))
        new_lon = lon[home] + reach * np.sin(angle) / shrink
        found = borough_index(new_lat, new_lon)
        ok = found >= 0
        out_lat[todo[ok]], out_lon[todo[ok]] = new_lat[ok], new_lon[ok]
        borough[todo[ok]] = found[ok]
        todo = todo[~ok]
    return out_lat, out_lon, borough


def lognormal(rng: np.random.Generator, mean: Floats, sd: Floats) -> Floats:
    """One draw per element from a log-normal with that element's mean and standard deviation
    (the distribution's own, not its logarithm's); exactly `mean` where `sd` is 0."""
    sigma2 = np.log1p(np.square(sd / mean))
    mu = np.log(mean) - sigma2 / 2
    draws: Floats = rng.lognormal(mu, np.sqrt(sigma2))
    return draws
