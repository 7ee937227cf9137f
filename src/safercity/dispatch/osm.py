"""OpenStreetMap, read for driving: which ways a vehicle may use, in which direction, how fast.

The rules follow OSM's tagging conventions (wiki.openstreetmap.org: Key:highway, Key:oneway,
Key:access, Key:maxspeed) for an emergency vehicle: drivable road classes only, ``emergency=yes``
overriding a private or closed access, one-way streets honoured (blue lights do not make driving
against the traffic the fastest way), roundabouts and motorways one way unless tagged otherwise.
The readers turn a file into :class:`Ways` (node coordinates and directed edges by OSM id), which
:mod:`safercity.dispatch.roads` builds into the graph.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import iterparse

__all__ = [
    "DEFAULT_SPEED_KMH",
    "MPH",
    "Ways",
    "directions",
    "is_drivable",
    "parse_maxspeed",
    "read_csv_dir",
    "read_osm_pbf",
    "read_osm_xml",
    "speed_kmh",
]

MPH = 1.609344
# Speed when a way has no usable maxspeed tag, km/h. The UK statutory limits (Highway Code rule
# 124: 70 mph motorway, 30 mph in built-up areas), lowered to 20 mph on minor roads because most
# London boroughs and TfL now sign 20 mph there (98 % of central London's edges carry 20 mph),
# and to about 10 mph on living streets and service roads (shared space, car parks, yards).
DEFAULT_SPEED_KMH: Mapping[str, float] = {
    "motorway": 70 * MPH,
    "motorway_link": 40 * MPH,
    "trunk": 40 * MPH,
    "trunk_link": 30 * MPH,
    "primary": 30 * MPH,
    "primary_link": 20 * MPH,
    "secondary": 30 * MPH,
    "secondary_link": 20 * MPH,
    "tertiary": 20 * MPH,
    "tertiary_link": 20 * MPH,
    "unclassified": 20 * MPH,
    "residential": 20 * MPH,
    "road": 20 * MPH,
    "living_street": 10 * MPH,
    "service": 10 * MPH,
}
DRIVABLE = frozenset(DEFAULT_SPEED_KMH)
# UK "national speed limit" signs, tagged in OSM with these codes.
_NAMED_LIMITS_KMH = {
    "gb:nsl_single": 60 * MPH,
    "gb:nsl_dual": 70 * MPH,
    "gb:motorway": 70 * MPH,
    "national": 60 * MPH,
    "walk": 5.0,
}
_MAXSPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$")
_FORWARD = frozenset({"yes", "true", "1"})
_REVERSE = frozenset({"-1", "reverse"})
_TWO_WAY = frozenset({"no", "false", "0"})


def parse_maxspeed(value: str | None) -> float | None:
    """An OSM ``maxspeed`` in km/h ("20 mph", "30", "48 km/h", "GB:nsl_single"), None if unusable.

    A bare number is km/h (the OSM default unit); of several values ("30 mph;20 mph") the first.
    """
    if not value:
        return None
    first = value.split(";")[0].strip().lower()
    if first in _NAMED_LIMITS_KMH:
        return _NAMED_LIMITS_KMH[first]
    match = _MAXSPEED.match(first)
    if match is None:
        return None
    speed = float(match.group(1)) * (MPH if match.group(2) == "mph" else 1.0)
    return speed if 0 < speed <= 200 else None


def speed_kmh(highway: str, maxspeed: str | None) -> float:
    """The speed a road is driven at: its signed limit, else the default for its class."""
    return parse_maxspeed(maxspeed) or DEFAULT_SPEED_KMH.get(highway, 20 * MPH)


def is_drivable(tags: Mapping[str, str]) -> bool:
    """Whether an emergency vehicle may drive a way with these tags."""
    if tags.get("highway") not in DRIVABLE or tags.get("area") == "yes":
        return False
    if tags.get("emergency") == "yes":
        return True
    return tags.get("access") not in {"private", "no"} and tags.get("motor_vehicle") != "no"


def directions(tags: Mapping[str, str]) -> tuple[bool, bool]:
    """(forward, backward): which ways along the node list a vehicle may drive."""
    oneway = tags.get("oneway", "").lower()
    if oneway in _FORWARD:
        return True, False
    if oneway in _REVERSE:
        return False, True
    if oneway in _TWO_WAY:
        return True, True
    implicit = tags.get("junction") in {"roundabout", "circular"} or tags.get("highway") in {
        "motorway"
    }
    return True, not implicit


@dataclass
class Ways:
    """Drivable ways as they are read: node coordinates and directed edges by OSM id."""

    coords: dict[int, tuple[float, float]]
    edges: list[tuple[int, int, float]]  # (from OSM id, to OSM id, speed km/h)
    ways: int = 0

    def add_way(self, refs: list[int], tags: Mapping[str, str]) -> None:
        if not is_drivable(tags):
            return
        self.ways += 1
        forward, backward = directions(tags)
        speed = speed_kmh(tags["highway"], tags.get("maxspeed"))
        for a, b in itertools.pairwise(refs):
            if a == b:
                continue
            if forward:
                self.edges.append((a, b, speed))
            if backward:
                self.edges.append((b, a, speed))


def _open_binary(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return gzip.GzipFile(path, "rb")  # type: ignore[return-value]
    if path.suffix == ".bz2":
        return bz2.BZ2File(path, "rb")
    return path.open("rb")


def read_osm_xml(path: Path) -> Ways:
    """Stream an OSM XML file (nodes before ways, as the format orders them)."""
    found = Ways(coords={}, edges=[])
    with _open_binary(path) as handle:
        # The file is one the operator names on the command line, never an upload; CPython's
        # expat (2.4.1+) also caps entity amplification ("billion laughs").
        for _, element in iterparse(handle, events=("end",)):  # noqa: S314
            if element.tag == "node":
                found.coords[int(element.get("id", "0"))] = (
                    float(element.get("lat", "nan")),
                    float(element.get("lon", "nan")),
                )
                element.clear()
            elif element.tag == "way":
                refs = [int(nd.get("ref", "0")) for nd in element.iter("nd")]
                tags = {t.get("k", ""): t.get("v", "") for t in element.iter("tag")}
                found.add_way(refs, tags)
                element.clear()
    return found


def read_osm_pbf(path: Path) -> Ways:
    """Read an ``.osm.pbf`` file with pyosmium (imported here: only this format needs it)."""
    import osmium

    found = Ways(coords={}, edges=[])
    # libosmium keeps node locations in its own index and hands them to each way, so only the
    # nodes of drivable ways reach Python: a whole-city file stays within memory.
    ways = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    for way in ways:
        if not isinstance(way, osmium.osm.Way):
            continue
        tags = {t.k: t.v for t in way.tags}
        if not is_drivable(tags):
            continue
        for node in way.nodes:
            if node.location.valid():
                found.coords[node.ref] = (node.location.lat, node.location.lon)
        found.add_way([n.ref for n in way.nodes], tags)
    return found


def read_csv_dir(path: Path) -> tuple[Ways, list[float]]:
    """A prepared graph: ``nodes.csv.gz`` (id, lon, lat) and directed ``edges.csv.gz``."""
    found = Ways(coords={}, edges=[])
    lengths: list[float] = []
    with gzip.open(path / "nodes.csv.gz", "rt", encoding="utf-8", newline="") as nodes:
        for row in csv.DictReader(nodes):
            found.coords[int(row["id"])] = (float(row["lat"]), float(row["lon"]))
    with gzip.open(path / "edges.csv.gz", "rt", encoding="utf-8", newline="") as edges:
        for row in csv.DictReader(edges):
            speed = speed_kmh(row["highway"], row.get("maxspeed"))
            found.edges.append((int(row["u"]), int(row["v"]), speed))
            lengths.append(float(row["length_m"]))
    return found, lengths
