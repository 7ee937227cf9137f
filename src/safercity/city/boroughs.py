"""The city's boroughs: names, codes and boundaries, for placing a pin and drawing the map.

The bundled London file is the 33 boroughs from the London Datastore (OGL), simplified to
about 30 m for a light offline map. Another city loads its own file the same way.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

BOUNDARIES_FILE = "london_boroughs.geojson"
EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class Borough:
    name: str
    code: str


@dataclass(frozen=True)
class BoroughMap:
    boroughs: tuple[Borough, ...]
    shapes: tuple[BaseGeometry, ...]
    tree: STRtree

    def borough_at(self, latitude: float, longitude: float) -> Borough | None:
        point = Point(longitude, latitude)
        for index in self.tree.query(point):
            if self.shapes[int(index)].covers(point):
                return self.boroughs[int(index)]
        return None

    def borough_near(self, latitude: float, longitude: float, within_m: float) -> Borough | None:
        """The borough covering the point, else the nearest within `within_m` metres.

        The boundaries leave out the Thames: a bridge or a riverside pin belongs to the nearest
        bank's borough.
        """
        found = self.borough_at(latitude, longitude)
        if found is not None:
            return found
        point = Point(longitude, latitude)
        # Degrees of longitude shrink with latitude; the larger bound keeps every candidate.
        reach = within_m / (METRES_PER_DEGREE * max(0.1, math.cos(math.radians(latitude))))
        best: tuple[float, Borough] | None = None
        for index in self.tree.query(point.buffer(reach)):
            metres = _metres_between(point, self.shapes[int(index)])
            if metres <= within_m and (best is None or metres < best[0]):
                best = (metres, self.boroughs[int(index)])
        return best[1] if best else None

    def by_name(self, name: str) -> Borough | None:
        return next((b for b in self.boroughs if b.name == name), None)


def _metres_between(point: Point, area: BaseGeometry) -> float:
    """Great-circle metres from a point to the nearest point of an area."""
    _, near = nearest_points(point, area)
    lat1, lat2 = math.radians(point.y), math.radians(near.y)
    dlat, dlon = lat2 - lat1, math.radians(near.x - point.x)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def boundaries_geojson() -> bytes:
    """The raw GeoJSON for the browser map."""
    return resources.files("safercity.city").joinpath("data", BOUNDARIES_FILE).read_bytes()


@cache
def city_boroughs() -> BoroughMap:
    data: dict[str, Any] = json.loads(boundaries_geojson())
    boroughs, shapes = [], []
    for feature in data["features"]:
        props = feature["properties"]
        boroughs.append(Borough(name=props["name"], code=props["gss_code"]))
        shapes.append(shape(feature["geometry"]))
    return BoroughMap(tuple(boroughs), tuple(shapes), STRtree(shapes))
