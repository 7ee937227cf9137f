"""Road network: the streets an emergency vehicle may drive, as a directed graph of travel times.

A *road network* is built once, offline, from OpenStreetMap: every drivable way becomes directed
edges between its consecutive nodes (one direction on a one-way street, both otherwise), each
weighted by the seconds a vehicle needs at the road's speed. Only the largest strongly connected
component is kept, so that every node can reach every other one: a crew is never routed into a
cul-de-sac of the extract's edge that it cannot leave.

Input is an ``.osm`` (optionally ``.gz``/``.bz2``) XML file read with the standard library, an
``.osm.pbf`` file read with pyosmium, or a directory holding a prepared ``nodes.csv.gz`` and
``edges.csv.gz`` (the shape of ``shared/data/osm/central_london_roads``). The result is saved as a
compressed ``.npz``: OSM node ids, coordinates and the graph in CSR form.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import iterparse

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

__all__ = [
    "DEFAULT_SPEED_KMH",
    "ImportReport",
    "RoadNetwork",
    "load_network",
    "parse_maxspeed",
    "read_roads",
    "save_network",
]

EARTH_RADIUS_M = 6_371_008.8
MPH = 1.609344
# The shortest edge time: csgraph ignores zero weights in a sparse matrix (they are "no edge").
MIN_EDGE_S = 1e-3

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

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class RoadNetwork:
    """A directed road graph in CSR form: edge ``k`` of node ``i`` runs to ``indices[k]``.

    Nodes are numbered 0..n-1; ``osm_ids`` maps them back to OpenStreetMap node ids.
    """

    osm_ids: IntArray
    lat: FloatArray
    lon: FloatArray
    indptr: IntArray
    indices: IntArray
    seconds: FloatArray
    length_m: FloatArray

    @property
    def node_count(self) -> int:
        return int(self.osm_ids.size)

    @property
    def edge_count(self) -> int:
        return int(self.indices.size)

    def matrix(self) -> csr_matrix:
        """The travel-time matrix scipy.sparse.csgraph searches."""
        n = self.node_count
        return csr_matrix((self.seconds, self.indices, self.indptr), shape=(n, n))


@dataclass(frozen=True)
class ImportReport:
    """What an import kept and dropped (the dropped part lay outside the largest SCC)."""

    network: RoadNetwork
    ways: int
    raw_nodes: int
    raw_edges: int

    @property
    def dropped_nodes(self) -> int:
        return self.raw_nodes - self.network.node_count

    @property
    def dropped_edges(self) -> int:
        return self.raw_edges - self.network.edge_count


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


def haversine_m(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> FloatArray:
    """Great-circle distance in metres, element-wise."""
    p1, l1, p2, l2 = (np.radians(np.asarray(v, dtype=np.float64)) for v in (lat1, lon1, lat2, lon2))
    half = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(half, 0.0, 1.0))))


# --- Reading OpenStreetMap ------------------------------------------------------------------


@dataclass
class _Ways:
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


def _read_osm_xml(path: Path) -> _Ways:
    """Stream an OSM XML file (nodes before ways, as the format orders them)."""
    found = _Ways(coords={}, edges=[])
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


def _read_osm_pbf(path: Path) -> _Ways:
    """Read an ``.osm.pbf`` file with pyosmium (imported here: only this format needs it)."""
    import osmium

    found = _Ways(coords={}, edges=[])
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


def _read_csv_dir(path: Path) -> tuple[_Ways, list[float]]:
    """A prepared graph: ``nodes.csv.gz`` (id, lon, lat) and directed ``edges.csv.gz``."""
    found = _Ways(coords={}, edges=[])
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


# --- Building the graph ---------------------------------------------------------------------


def read_roads(path: Path, *, speed_factor: float = 1.0) -> ImportReport:
    """Build the road network from an OSM file or a prepared CSV directory.

    ``speed_factor`` scales every road speed: 1.0 drives at the limit; an emergency vehicle
    under blue lights may exceed it (a factor above 1) or be slowed by traffic (below 1). The
    default keeps the limit, and the calibrated travel-time model adds turnout on top.
    """
    if not 0.1 <= speed_factor <= 5.0:
        raise ValueError("speed_factor must lie between 0.1 and 5")
    lengths: list[float] | None = None
    if path.is_dir():
        found, lengths = _read_csv_dir(path)
    elif path.name.endswith(".pbf"):
        found = _read_osm_pbf(path)
    else:
        found = _read_osm_xml(path)
    return _build(found, lengths, speed_factor)


def _build(found: _Ways, lengths: list[float] | None, speed_factor: float) -> ImportReport:
    used = sorted({a for a, _, _ in found.edges} | {b for _, b, _ in found.edges})
    used = [node for node in used if _valid_point(found.coords.get(node))]
    if not used:
        raise ValueError("the file holds no drivable roads")
    osm_ids = np.asarray(used, dtype=np.int64)
    lat = np.asarray([found.coords[n][0] for n in used], dtype=np.float64)
    lon = np.asarray([found.coords[n][1] for n in used], dtype=np.float64)
    index = {node: i for i, node in enumerate(used)}
    keep = [k for k, (a, b, _) in enumerate(found.edges) if a in index and b in index]
    u = np.asarray([index[found.edges[k][0]] for k in keep], dtype=np.int64)
    v = np.asarray([index[found.edges[k][1]] for k in keep], dtype=np.int64)
    speed = np.asarray([found.edges[k][2] for k in keep], dtype=np.float64) * speed_factor
    if lengths is None:
        length = haversine_m(lat[u], lon[u], lat[v], lon[v])
    else:
        length = np.asarray([lengths[k] for k in keep], dtype=np.float64)
    seconds = np.maximum(length / (speed / 3.6), MIN_EDGE_S)
    raw_edges = int(u.size)
    u, v, seconds, length = _fastest_parallel(u, v, seconds, length)
    network = _largest_strong_component(osm_ids, lat, lon, u, v, seconds, length)
    return ImportReport(network, ways=found.ways, raw_nodes=len(used), raw_edges=raw_edges)


def _valid_point(point: tuple[float, float] | None) -> bool:
    return point is not None and -90 <= point[0] <= 90 and -180 <= point[1] <= 180


def _fastest_parallel(
    u: IntArray, v: IntArray, seconds: FloatArray, length: FloatArray
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Of several edges between the same two nodes (two ways sharing nodes), keep the fastest."""
    order = np.lexsort((seconds, v, u))
    u, v, seconds, length = u[order], v[order], seconds[order], length[order]
    first = np.ones(u.size, dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    return u[first], v[first], seconds[first], length[first]


def _largest_strong_component(
    osm_ids: IntArray,
    lat: FloatArray,
    lon: FloatArray,
    u: IntArray,
    v: IntArray,
    seconds: FloatArray,
    length: FloatArray,
) -> RoadNetwork:
    n = osm_ids.size
    structure = csr_matrix((np.ones(u.size), (u, v)), shape=(n, n))
    _, labels = connected_components(structure, directed=True, connection="strong")
    largest = np.bincount(labels).argmax() if n else 0
    kept = labels == largest
    renumber = np.cumsum(kept) - 1
    inside = kept[u] & kept[v]
    u, v = renumber[u[inside]], renumber[v[inside]]
    seconds, length = seconds[inside], length[inside]
    order = np.lexsort((v, u))  # CSR wants edges grouped by their start node
    indptr = np.zeros(int(kept.sum()) + 1, dtype=np.int64)
    np.cumsum(np.bincount(u, minlength=indptr.size - 1), out=indptr[1:])
    return RoadNetwork(
        osm_ids=osm_ids[kept],
        lat=lat[kept],
        lon=lon[kept],
        indptr=indptr,
        indices=v[order].astype(np.int64),
        seconds=seconds[order],
        length_m=length[order],
    )


# --- Saving -------------------------------------------------------------------------------


def save_network(network: RoadNetwork, path: Path) -> None:
    """Write the network as a compressed ``.npz`` (at ``path`` exactly, whatever its suffix)."""
    with path.open("wb") as handle:
        _savez(handle, network)


def _savez(handle: IO[bytes], network: RoadNetwork) -> None:
    np.savez_compressed(
        handle,
        osm_ids=network.osm_ids,
        lat=network.lat,
        lon=network.lon,
        indptr=network.indptr,
        indices=network.indices,
        seconds=network.seconds,
        length_m=network.length_m,
    )


def load_network(path: Path) -> RoadNetwork:
    """Read a network that :func:`save_network` wrote (no pickled objects are accepted)."""
    with np.load(path, allow_pickle=False) as data:
        arrays: dict[str, Any] = {name: data[name] for name in data.files}
    missing = [k for k in RoadNetwork.__dataclass_fields__ if k not in arrays]
    if missing:
        raise ValueError(f"{path} is not a road network: no {', '.join(missing)}")
    network = RoadNetwork(**{k: arrays[k] for k in RoadNetwork.__dataclass_fields__})
    if network.indptr.size != network.node_count + 1 or network.indices.size != (
        network.seconds.size
    ):
        raise ValueError(f"{path} is not a consistent road network")
    return network


def iter_edges(network: RoadNetwork) -> Iterator[tuple[int, int, float]]:
    """Every directed edge as (from node, to node, seconds); for tests and tools."""
    for i in range(network.node_count):
        for k in range(int(network.indptr[i]), int(network.indptr[i + 1])):
            yield i, int(network.indices[k]), float(network.seconds[k])
