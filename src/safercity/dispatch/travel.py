"""Units' ETAs to an incident: the road graph where it covers both ends, the calibrated model
everywhere else.

A road graph gives drive time along the streets; the unit's turnout is added to it. The
calibrated model was fitted on call-to-arrival times, so it already includes turnout.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import numpy as np

from safercity.dispatch.assignment import TURNOUT_S
from safercity.dispatch.fleet import Unit
from safercity.dispatch.routing import RoadGraph
from safercity.dispatch.traveltime import TravelTimeModel

# A bounded search: no unit further than an hour's drive is worth the search time.
GRAPH_LIMIT_S = 3600.0


class EtaSource(StrEnum):
    ROAD_GRAPH = "road_graph"
    TRAVEL_MODEL = "travel_model"

    @property
    def label(self) -> str:
        return "by road" if self is EtaSource.ROAD_GRAPH else "calibrated model"


@dataclass(frozen=True)
class Etas:
    """Each unit's ETA in seconds (by call sign) and how it was estimated."""

    seconds: dict[str, float]
    sources: dict[str, EtaSource]


class Travel:
    """The city's travel times: a calibrated model, and optionally a road graph."""

    def __init__(self, model: TravelTimeModel, graph: RoadGraph | None = None) -> None:
        self.model = model
        self.graph = graph

    @property
    def description(self) -> str:
        if self.graph is None:
            return "calibrated travel-time model"
        return f"road graph ({self.graph.node_count} nodes) with the calibrated model elsewhere"

    def etas(
        self,
        units: Mapping[str, tuple[Unit, tuple[float, float]]],
        lat: float,
        lon: float,
        *,
        borough: str | None = None,
        at: datetime | None = None,
    ) -> Etas:
        """ETAs of `units` (call sign -> (unit, its position)) to the point (lat, lon)."""
        signs = list(units)
        if not signs:
            return Etas({}, {})
        points = np.array([units[s][1] for s in signs], dtype=np.float64)
        modelled = self.model.seconds_many(
            points[:, 0], points[:, 1], lat, lon, borough=borough, at=at
        )
        seconds = {s: float(t) for s, t in zip(signs, modelled, strict=True)}
        sources = dict.fromkeys(signs, EtaSource.TRAVEL_MODEL)
        if self.graph is not None:
            drive = self.graph.seconds_to_point(
                lat, lon, points[:, 0], points[:, 1], limit_s=GRAPH_LIMIT_S
            )
            for sign, value in zip(signs, drive, strict=True):
                # nan: an end is off the graph; inf: beyond the search limit (model it).
                if math.isfinite(value):
                    seconds[sign] = float(value) + TURNOUT_S[units[sign][0].service]
                    sources[sign] = EtaSource.ROAD_GRAPH
        return Etas(seconds, sources)
