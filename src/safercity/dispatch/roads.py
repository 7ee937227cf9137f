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

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from safercity.dispatch.osm import Ways, read_csv_dir, read_osm_pbf, read_osm_xml

__all__ = [
    "EARTH_RADIUS_M",
    "ImportReport",
    "RoadNetwork",
    "haversine_m",
    "load_network",
    "read_roads",
    "save_network",
]

EARTH_RADIUS_M = 6_371_008.8
# The shortest edge time: csgraph ignores zero weights in a sparse matrix (they are "no edge").
MIN_EDGE_S = 1e-3

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


def haversine_m(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> FloatArray:
    """Great-circle distance in metres, element-wise."""
    p1, l1, p2, l2 = (np.radians(np.asarray(v, dtype=np.float64)) for v in (lat1, lon1, lat2, lon2))
    half = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(half, 0.0, 1.0))))


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
        found, lengths = read_csv_dir(path)
    elif path.name.endswith(".pbf"):
        found = read_osm_pbf(path)
    else:
        found = read_osm_xml(path)
    return _build(found, lengths, speed_factor)


def _build(found: Ways, lengths: list[float] | None, speed_factor: float) -> ImportReport:
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
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays: dict[str, Any] = {name: data[name] for name in data.files}
    except (OSError, zipfile.BadZipFile) as error:
        raise ValueError(f"{path} is not a road network: {error}") from error
    missing = [k for k in RoadNetwork.__dataclass_fields__ if k not in arrays]
    if missing:
        raise ValueError(f"{path} is not a road network: no {', '.join(missing)}")
    network = RoadNetwork(**{k: arrays[k] for k in RoadNetwork.__dataclass_fields__})
    n, edges = network.node_count, network.indices.size
    consistent = (
        network.indptr.size == n + 1
        and int(network.indptr[0]) == 0
        and int(network.indptr[-1]) == edges
        and bool(np.all(np.diff(network.indptr) >= 0))
        and network.seconds.size == edges == network.length_m.size
        and network.lat.size == n == network.lon.size
        and (edges == 0 or (network.indices.min() >= 0 and network.indices.max() < n))
        and bool(np.all(np.isfinite(network.seconds) & (network.seconds > 0)))
    )
    if not consistent:
        raise ValueError(f"{path} is not a consistent road network")
    return network
