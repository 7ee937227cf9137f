"""Travel time: how many seconds a unit takes from its position to an incident.

A *travel time* here is what the London Fire Brigade calls an attendance time: the crew's
turnout (from the call reaching the station to wheels rolling) plus the drive. Where no road
graph covers both ends, the city-wide estimate is a model calibrated on real attendance times:
a piecewise-linear function of the crow-fly distance (long runs reach faster roads, so each
further kilometre costs less), plus an offset for the hour of the call (crews turn out more
slowly at night) and a shrunken offset for the borough of the incident (traffic and street
layout). The fitted numbers live in ``data/travel_model_london.json``: the model is data, and
``bench/calibrate_travel_time.py`` rebuilds it. docs/travel_time.md states its held-out error.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

__all__ = [
    "DEFAULT_MODEL_FILE",
    "TravelTime",
    "TravelTimeModel",
    "crow_fly_km",
    "distance_basis",
    "normalise_borough",
]

DEFAULT_MODEL_FILE = "travel_model_london.json"
EARTH_RADIUS_KM = 6371.0088
# LFB records the hour of call in UK civil time; an aware instant is converted to it.
LONDON = ZoneInfo("Europe/London")

FloatArray = npt.NDArray[np.float64]


class TravelTime(Protocol):
    """Anything that estimates a unit's travel time in seconds: this model or a road graph."""

    def seconds(
        self,
        from_lat: float,
        from_lon: float,
        to_lat: float,
        to_lon: float,
        *,
        borough: str | None = None,
        at: datetime | None = None,
    ) -> float: ...


def crow_fly_km(
    from_lat: npt.ArrayLike, from_lon: npt.ArrayLike, to_lat: npt.ArrayLike, to_lon: npt.ArrayLike
) -> FloatArray:
    """Great-circle distance in kilometres (haversine), element-wise."""
    lat1, lon1, lat2, lon2 = (
        np.radians(np.asarray(v, dtype=np.float64)) for v in (from_lat, from_lon, to_lat, to_lon)
    )
    half = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(half, 0.0, 1.0))))


def crow_fly_km_one(from_lat: float, from_lon: float, to_lat: float, to_lon: float) -> float:
    """`crow_fly_km` for one pair of points, without numpy's overhead."""
    lat1, lat2 = math.radians(from_lat), math.radians(to_lat)
    half = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin(math.radians(to_lon - from_lon) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(max(half, 0.0), 1.0)))


def distance_basis(distance_km: npt.ArrayLike, knots_km: tuple[float, ...]) -> FloatArray:
    """Kilometres travelled inside each distance band: shape (n, len(knots)).

    Band i runs from knots[i] to knots[i + 1]; the last band is open-ended. Times are the
    dot product of this with the per-band seconds per kilometre.
    """
    d = np.atleast_1d(np.asarray(distance_km, dtype=np.float64))
    starts = np.asarray(knots_km, dtype=np.float64)
    widths = np.append(np.diff(starts), np.inf)
    return np.asarray(np.clip(d[:, None] - starts[None, :], 0.0, widths[None, :]))


def normalise_borough(name: str) -> str:
    """A borough name as the model keys it, whatever the spelling.

    ``"Hammersmith & Fulham"`` → ``"HAMMERSMITH AND FULHAM"``, as in the LFB records.
    """
    return " ".join(name.replace("&", " and ").upper().split())


def _local_hour(at: datetime) -> int:
    # A naive datetime is taken as London civil time, as in the LFB records.
    return (at.astimezone(LONDON) if at.tzinfo is not None else at).hour


@dataclass(frozen=True)
class TravelTimeModel:
    """The calibrated city-wide travel-time model (turnout plus drive), from fitted numbers."""

    intercept_s: float
    knots_km: tuple[float, ...]
    seconds_per_km: tuple[float, ...]
    hour_offsets_s: tuple[float, ...]
    unknown_hour_offset_s: float
    borough_offsets_s: Mapping[str, float] = field(default_factory=dict)
    name: str = "crow-fly"

    def __post_init__(self) -> None:
        if len(self.knots_km) != len(self.seconds_per_km) or not self.knots_km:
            raise ValueError("travel model: one seconds_per_km per distance knot is needed")
        if self.knots_km[0] != 0.0 or list(self.knots_km) != sorted(set(self.knots_km)):
            raise ValueError("travel model: knots must start at 0 and increase")
        if any(s < 0 for s in self.seconds_per_km):
            raise ValueError("travel model: a further kilometre cannot take negative time")
        if len(self.hour_offsets_s) != 24:
            raise ValueError("travel model: one offset per hour of the day (24) is needed")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TravelTimeModel:
        """The model from its JSON form (see ``to_dict``)."""
        try:
            return cls(
                intercept_s=float(data["intercept_s"]),
                knots_km=tuple(float(k) for k in data["knots_km"]),
                seconds_per_km=tuple(float(s) for s in data["seconds_per_km"]),
                hour_offsets_s=tuple(float(h) for h in data["hour_offsets_s"]),
                unknown_hour_offset_s=float(data["unknown_hour_offset_s"]),
                borough_offsets_s={
                    normalise_borough(k): float(v) for k, v in data["borough_offsets_s"].items()
                },
                name=str(data.get("name", "crow-fly")),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"travel model: missing or malformed field {exc}") from exc

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of the fitted numbers."""
        return {
            "name": self.name,
            "intercept_s": self.intercept_s,
            "knots_km": list(self.knots_km),
            "seconds_per_km": list(self.seconds_per_km),
            "hour_offsets_s": list(self.hour_offsets_s),
            "unknown_hour_offset_s": self.unknown_hour_offset_s,
            "borough_offsets_s": dict(self.borough_offsets_s),
        }

    @classmethod
    def from_json(cls, path: str | Path) -> TravelTimeModel:
        """The model from a JSON file written by the calibration script."""
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    @classmethod
    def load_default(cls) -> TravelTimeModel:
        """The London model shipped with the package."""
        text = (
            resources.files(__package__)
            .joinpath("data", DEFAULT_MODEL_FILE)
            .read_text(encoding="utf-8")
        )
        return cls.from_dict(json.loads(text))

    def hour_offset(self, at: datetime | None) -> float:
        """Seconds added for the hour of the call; the all-day average when it is unknown."""
        return self.unknown_hour_offset_s if at is None else self.hour_offsets_s[_local_hour(at)]

    def borough_offset(self, borough: str | None) -> float:
        """Seconds added for the incident's borough; 0 (London as a whole) when unknown."""
        return (
            0.0 if borough is None else self.borough_offsets_s.get(normalise_borough(borough), 0.0)
        )

    @cached_property
    def _seconds_at_knots(self) -> tuple[float, ...]:
        """Drive seconds at each knot: the bands' times added up (the model is piecewise linear)."""
        widths = np.diff(self.knots_km)
        totals = np.concatenate([[0.0], np.cumsum(widths * self.seconds_per_km[:-1])])
        return tuple(float(t) for t in totals)

    def seconds_for_distance(
        self,
        distance_km: npt.ArrayLike,
        *,
        borough: str | None = None,
        at: datetime | None = None,
    ) -> FloatArray:
        """Travel time in seconds for crow-fly distances in kilometres, element-wise.

        The same as ``distance_basis(km) @ seconds_per_km`` plus the offsets, computed by
        interpolating between the knots (a simulation asks this millions of times).
        """
        km = np.asarray(distance_km, dtype=np.float64)
        knots, at_knots = self.knots_km, self._seconds_at_knots
        beyond = np.maximum(km - knots[-1], 0.0) * self.seconds_per_km[-1]
        drive = np.interp(km, knots, at_knots) + beyond
        fixed = self.intercept_s + self.hour_offset(at) + self.borough_offset(borough)
        # The offsets can be negative; a unit already on the spot still needs some time.
        return np.asarray(np.maximum(drive + fixed, 0.0)).reshape(km.shape)

    def drive_seconds(self, km: float) -> float:
        """`seconds_for_distance` for one distance with no hour or borough offset, in pure
        Python: a unit driving back to base or to hospital, asked once per job."""
        knots, at_knots = self.knots_km, self._seconds_at_knots
        band = bisect.bisect_right(knots, km) - 1
        drive = at_knots[band] + (km - knots[band]) * self.seconds_per_km[band]
        return max(drive + self.intercept_s + self.unknown_hour_offset_s, 0.0)

    def seconds(
        self,
        from_lat: float,
        from_lon: float,
        to_lat: float,
        to_lon: float,
        *,
        borough: str | None = None,
        at: datetime | None = None,
    ) -> float:
        """Estimated seconds from a unit's position to an incident (turnout plus drive)."""
        km = crow_fly_km(from_lat, from_lon, to_lat, to_lon)
        return float(self.seconds_for_distance(km, borough=borough, at=at))

    def seconds_many(
        self,
        from_lat: npt.ArrayLike,
        from_lon: npt.ArrayLike,
        to_lat: npt.ArrayLike,
        to_lon: npt.ArrayLike,
        *,
        borough: str | None = None,
        at: datetime | None = None,
    ) -> FloatArray:
        """``seconds`` for many units (or incidents) at once; arrays broadcast together."""
        km = crow_fly_km(from_lat, from_lon, to_lat, to_lon)
        return self.seconds_for_distance(km, borough=borough, at=at)
