"""The city's boroughs: names, codes and boundaries, for placing a pin and drawing the map.

The bundled London file is the 33 boroughs from the London Datastore (OGL), simplified to
about 30 m for a light offline map. Another city loads its own file the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

BOUNDARIES_FILE = "london_boroughs.geojson"


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

    def by_name(self, name: str) -> Borough | None:
        return next((b for b in self.boroughs if b.name == name), None)


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
