"""The demand model's types: streams, their type mixes and spreads, the areas, the calls.

Plain frozen dataclasses and one pure function (`area_weights`); reading and checking the data
is in `demand_file`, drawing calls in `demand`. See `demand` for what a demand model is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from safercity.contact.taxonomy import KeyAnswers

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Duration:
    """A time drawn from a log-normal distribution with this mean and standard deviation."""

    mean_s: float
    sd_s: float


@dataclass(frozen=True)
class TypeShare:
    """One line of a stream's type mix: calls of one incident type with the same key answers.

    `weight` is relative to the other lines of its group: the mental-health lines share the
    stream's `mental_health_share`, the others the rest.
    """

    label: str
    code: str
    weight: float
    answers: KeyAnswers
    on_scene: Duration
    telephone_share: float = 0.0  # closed by telephone (hear and treat): nobody goes
    conveyance_share: float = 0.0  # of calls attended face to face, taken to hospital
    mental_health: bool = False


@dataclass(frozen=True)
class Space:
    """How a stream spreads over the areas: column weights, optionally within borough shares."""

    columns: Mapping[str, float]
    borough_shares: Mapping[str, float] | None = None


@dataclass(frozen=True)
class Stream:
    """The calls one service takes: how many, when, what about, where, and for how long."""

    name: str
    annual_incidents: float
    hourly: tuple[float, ...]  # 24 shares of a day's calls, summing to 1, from 00:00
    weekday: tuple[float, ...]  # 7 factors averaging 1, Monday first
    space: Space
    types: tuple[TypeShare, ...]
    mental_health_share: float = 0.0
    multi_call_share: float = 0.0
    multi_call_counts: Mapping[int, float] = field(default_factory=dict)
    handover: Duration | None = None  # at hospital, for a conveyed patient
    sources: Mapping[str, Any] = field(default_factory=dict)

    def probabilities(self) -> tuple[float, ...]:
        """Each type line's share of the stream's calls."""
        mh = sum(t.weight for t in self.types if t.mental_health)
        rest = sum(t.weight for t in self.types if not t.mental_health)
        share = self.mental_health_share
        return tuple(
            (t.weight * share / mh if mh else 0.0)
            if t.mental_health
            else (t.weight * (1 - share) / rest if rest else 0.0)
            for t in self.types
        )


@dataclass(frozen=True, eq=False)
class Areas:
    """The city's small areas: a point inside each, its borough, and its numeric columns."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    boroughs: tuple[str, ...]  # the city's boroughs, in the order of its borough map
    borough_index: Ints  # each area's borough, as an index into `boroughs`
    lat: Floats
    lon: Floats
    columns: Mapping[str, Floats]

    def __len__(self) -> int:
        return len(self.codes)


@dataclass(frozen=True, eq=False)
class DemandModel:
    """A city's demand: its streams, its areas, and how far a call may lie from its area."""

    city: str
    timezone: ZoneInfo
    streams: tuple[Stream, ...]
    areas: Areas
    jitter_m: float
    growth: Floats  # each area's multiplier of every stream's spread: 1 unless `scaled`

    def stream(self, name: str) -> Stream:
        """The stream called `name`; KeyError naming the known streams if none is."""
        for stream in self.streams:
            if stream.name == name:
                return stream
        known = ", ".join(s.name for s in self.streams)
        raise KeyError(f"no demand stream {name!r} (known: {known})")


@dataclass(frozen=True, slots=True)
class DemandCall:
    """One simulated call: when, which stream and incident type, where, and its times."""

    at: datetime
    stream: str
    type_code: str
    label: str
    answers: KeyAnswers
    lat: float
    lon: float
    borough: str
    lsoa: str
    service_s: float  # time on scene; 0 for a call closed by telephone
    remote: bool = False  # closed by telephone (hear and treat): no unit is sent
    conveyed: bool = False  # the patient is taken to hospital
    handover_s: float = 0.0  # at hospital, when conveyed
    calls: int = 1  # 999 calls about this incident (more than one: likely duplicates)


def area_weights(model: DemandModel, stream: Stream) -> Floats:
    """Each area's share of the stream's calls (zero everywhere if it spreads over nothing)."""
    areas = model.areas
    weights = np.zeros(len(areas))
    for column, share in stream.space.columns.items():
        values = areas.columns[column]
        total = float(values.sum())
        if total > 0:
            weights += share * values / total
    if stream.space.borough_shares is not None:
        index = areas.borough_index
        within = np.bincount(index, weights=weights, minlength=len(areas.boroughs))
        shares = np.array([stream.space.borough_shares.get(b, 0.0) for b in areas.boroughs])
        safe = np.where(within > 0, within, 1.0)
        weights = np.where(within[index] > 0, weights / safe[index] * shares[index], 0.0)
    weights = weights * model.growth
    total = float(weights.sum())
    return weights / total if total > 0 else weights
