"""Crime events as prevention keeps them, and the geometry they are judged in.

A crime event is one crime at a month and a place: a row of data.police.uk's street-level
files, or a crime recorded on this platform. Its *public* point is an anonymised map point, as
police.uk publishes (the centre of a street or a public place, never a home); only platform
crimes also keep their true point, which is used to find the neighbours to warn and never
published.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

FloatArray = NDArray[np.float64]

EARTH_RADIUS_M = 6_371_008.8
POLICE_UK = "police_uk"
PLATFORM = "platform"


@dataclass(frozen=True)
class StoredCrime:
    """A crime event in the store. ``crime_id`` is the public persistent id (data.police.uk's
    64-hex Crime ID, or an HMAC of a platform case's reference that cannot be reversed)."""

    id: int
    source: str
    crime_id: str
    month: date
    crime_type: str
    force: str
    public_lat: float
    public_lon: float
    location: str
    lsoa_code: str
    outcome: str
    outcome_month: date | None
    occurred_at: datetime | None = None


def month_index(month: date) -> int:
    """Months since January 1970, the forecasters' clock."""
    return (month.year - 1970) * 12 + month.month - 1


def month_of(index: int) -> date:
    return date(1970 + index // 12, index % 12 + 1, 1)


def parse_month(text: str, field: str) -> date:
    """``YYYY-MM`` as the first day of that month; ValueError naming the field otherwise."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise ValueError(f"{field}: give a month as YYYY-MM (e.g. 2023-06), not {text!r}") from None


def persistent_id(secret: str, reference: str) -> str:
    """A platform crime's public id: 64 hex characters like data.police.uk's, keyed so that
    nobody can work back from it to the crime reference."""
    return hmac.new(secret.encode(), f"police-uk:{reference}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class LocalProjection:
    """Metres east and north of a city's centre (equirectangular). Across Greater London
    (about 50 km) distances are within 0.5% of British National Grid's: far finer than a
    150 m cell, and any city works without a coordinate reference system of its own."""

    lon0: float
    lat0: float

    @classmethod
    def around(cls, lons: FloatArray, lats: FloatArray) -> LocalProjection:
        if len(lons) == 0:
            return cls(0.0, 0.0)
        return cls(float(np.median(lons)), float(np.median(lats)))

    def to_metres(self, lons: FloatArray, lats: FloatArray) -> tuple[FloatArray, FloatArray]:
        scale = math.radians(1) * EARTH_RADIUS_M
        x = (
            (np.asarray(lons, dtype=np.float64) - self.lon0)
            * scale
            * math.cos(math.radians(self.lat0))
        )
        y = (np.asarray(lats, dtype=np.float64) - self.lat0) * scale
        return x, y

    def to_degrees(self, x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
        scale = math.radians(1) * EARTH_RADIUS_M
        lons = np.asarray(x) / (scale * math.cos(math.radians(self.lat0))) + self.lon0
        lats = np.asarray(y) / scale + self.lat0
        return lons.astype(np.float64), lats.astype(np.float64)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def box_around(lat: float, lon: float, metres: float) -> tuple[float, float, float, float]:
    """(min lat, min lon, max lat, max lon) of a square holding the circle of ``metres``."""
    dlat = math.degrees(metres / EARTH_RADIUS_M)
    dlon = dlat / max(0.1, math.cos(math.radians(lat)))
    return lat - dlat, lon - dlon, lat + dlat, lon + dlon


@dataclass(frozen=True)
class MapPoint:
    lat: float
    lon: float
    location: str


# Without a published point within this distance a crime is placed on a coarse grid instead
# (about 200 m), which still hides the home.
SNAP_WITHIN_M = 500.0
FALLBACK_GRID_DEG = 0.002


class Anonymiser:
    """Moves a true point to the nearest anonymised map point, as police.uk does. The map
    points are the ones police.uk itself publishes (every distinct point of the imported
    street-level files): street centres and public places, each covering several addresses."""

    def __init__(self, points: list[MapPoint]) -> None:
        self.points = points
        lons = np.array([p.lon for p in points], dtype=np.float64)
        lats = np.array([p.lat for p in points], dtype=np.float64)
        self.projection = LocalProjection.around(lons, lats)
        self._tree = (
            cKDTree(np.column_stack(self.projection.to_metres(lons, lats))) if points else None
        )

    def snap(self, lat: float, lon: float) -> MapPoint:
        if self._tree is not None:
            x, y = self.projection.to_metres(np.array([lon]), np.array([lat]))
            distance, index = self._tree.query([x[0], y[0]])
            if distance <= SNAP_WITHIN_M:
                return self.points[int(index)]
        step = FALLBACK_GRID_DEG
        return MapPoint(
            round(round(lat / step) * step, 6),
            round(round(lon / step) * step, 6),
            "On or near an anonymised point",
        )
