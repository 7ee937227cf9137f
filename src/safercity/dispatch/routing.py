"""Road routing: how many seconds a vehicle needs along the streets, and which way it goes.

A :class:`RoadGraph` answers three questions over a :class:`~safercity.dispatch.roads.
RoadNetwork`, all with scipy's compiled Dijkstra (``scipy.sparse.csgraph.dijkstra``):

* *from a point*: the drive time to every node reached within a time limit. The search stops at
  the limit, so looking for units within eight minutes never explores the whole city;
* *to a point*: the drive time from every node that reaches the incident within a limit. Units
  are many origins and the incident one destination, so this is one bounded search on the
  reversed graph rather than one search per unit;
* *a route*: the time and the node path between two nodes.

A point is placed on the graph at its nearest node (a k-d tree on locally projected metres);
:meth:`RoadGraph.covers` says whether a point lies inside the graph's area at all, so a caller
can fall back to the calibrated travel-time model elsewhere.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from safercity.dispatch.roads import EARTH_RADIUS_M, RoadNetwork, load_network

__all__ = ["COVER_RADIUS_M", "Reach", "RoadGraph", "Route"]

# A point further than this from every node is off the graph: 300 m is a few blocks, beyond
# which the walk or unmapped drive to the nearest node would dominate the estimate.
COVER_RADIUS_M = 300.0
# No bounded search may run longer than a day's drive; it also bounds the input.
MAX_LIMIT_S = 86_400.0

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Reach:
    """The nodes a bounded search reached, with their drive times in seconds (sorted by time)."""

    nodes: IntArray
    seconds: FloatArray


@dataclass(frozen=True)
class Route:
    """The fastest way between two nodes: drive time, length and the nodes passed in order."""

    seconds: float
    length_m: float
    nodes: tuple[int, ...]


class RoadGraph:
    """A road network ready to search, with the reversed graph and a spatial index built once."""

    def __init__(self, network: RoadNetwork) -> None:
        if network.node_count == 0:
            raise ValueError("a road graph needs at least one node")
        self.network = network
        self._forward: csr_matrix = network.matrix()
        self._reverse: csr_matrix = self._forward.transpose().tocsr()
        self._lat0 = math.radians(float(np.mean(network.lat)))
        self._tree = cKDTree(self._project(network.lat, network.lon))

    @classmethod
    def load(cls, path: Path) -> RoadGraph:
        """Open a graph saved by ``safercity city import-roads``."""
        return cls(load_network(path))

    @property
    def node_count(self) -> int:
        return self.network.node_count

    def _project(self, lat: npt.ArrayLike, lon: npt.ArrayLike) -> FloatArray:
        # Equirectangular metres around the graph's mean latitude: within a city the error is
        # a fraction of a percent, far below the 300 m that decides coverage.
        lat_r = np.radians(np.asarray(lat, dtype=np.float64))
        lon_r = np.radians(np.asarray(lon, dtype=np.float64))
        x = EARTH_RADIUS_M * lon_r * math.cos(self._lat0)
        return np.column_stack([np.atleast_1d(x), np.atleast_1d(EARTH_RADIUS_M * lat_r)])

    def snap(self, lat: float, lon: float) -> tuple[int, float]:
        """The node nearest a point, and its distance from the point in metres."""
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            raise ValueError("latitude must lie in [-90, 90] and longitude in [-180, 180]")
        distance, node = self._tree.query(self._project(lat, lon)[0])
        return int(node), float(distance)

    def nearest_node(self, lat: float, lon: float) -> int:
        """The node nearest a point (however far away: check :meth:`covers` first)."""
        return self.snap(lat, lon)[0]

    def covers(self, lat: float, lon: float, within_m: float = COVER_RADIUS_M) -> bool:
        """Whether a point lies inside the graph's area: within ``within_m`` of some node."""
        return self.snap(lat, lon)[1] <= within_m

    def _check_node(self, node: int) -> int:
        if not 0 <= node < self.node_count:
            raise ValueError(f"node {node} is not in the road graph (0..{self.node_count - 1})")
        return int(node)

    def _search(self, graph: csr_matrix, node: int, limit_s: float) -> FloatArray:
        if not 0 <= limit_s <= MAX_LIMIT_S and limit_s != math.inf:
            raise ValueError(f"the time limit must lie between 0 and {MAX_LIMIT_S:.0f} s")
        times = dijkstra(graph, directed=True, indices=self._check_node(node), limit=limit_s)
        return np.asarray(times, dtype=np.float64)

    def travel_times_from(self, node: int, limit_s: float = math.inf) -> FloatArray:
        """Seconds from ``node`` to every node; ``inf`` where not reached within ``limit_s``."""
        return self._search(self._forward, node, limit_s)

    def travel_times_to(self, node: int, limit_s: float = math.inf) -> FloatArray:
        """Seconds from every node to ``node``; ``inf`` where it takes longer than ``limit_s``.

        One search on the reversed graph: what "which units can reach the incident within T"
        needs, however many units there are.
        """
        return self._search(self._reverse, node, limit_s)

    def reach_from(self, node: int, limit_s: float) -> Reach:
        """The nodes a vehicle at ``node`` reaches within ``limit_s`` seconds."""
        return _reach(self.travel_times_from(node, limit_s))

    def reach_to(self, node: int, limit_s: float) -> Reach:
        """The nodes from which ``node`` is reached within ``limit_s`` seconds."""
        return _reach(self.travel_times_to(node, limit_s))

    def seconds_to_point(
        self,
        to_lat: float,
        to_lon: float,
        from_lats: npt.ArrayLike,
        from_lons: npt.ArrayLike,
        limit_s: float = math.inf,
    ) -> FloatArray:
        """Drive times from many points (units) to one point (the incident), one search in all.

        Per origin: the seconds, ``inf`` if it takes longer than ``limit_s``, ``nan`` if the
        origin or the incident is off the graph (the caller then uses the calibrated model).
        """
        lats = np.atleast_1d(np.asarray(from_lats, dtype=np.float64))
        lons = np.atleast_1d(np.asarray(from_lons, dtype=np.float64))
        if lats.shape != lons.shape or lats.ndim != 1:
            raise ValueError("give as many origin latitudes as longitudes")
        result = np.full(lats.size, np.nan)
        incident, off = self.snap(to_lat, to_lon)
        if off > COVER_RADIUS_M or lats.size == 0:
            return result
        if not (np.all(np.abs(lats) <= 90.0) and np.all(np.abs(lons) <= 180.0)):
            raise ValueError("latitude must lie in [-90, 90] and longitude in [-180, 180]")
        distance, nodes = self._tree.query(self._project(lats, lons))
        times = self.travel_times_to(incident, limit_s)
        covered = np.asarray(distance) <= COVER_RADIUS_M
        result[covered] = times[np.asarray(nodes)[covered]]
        return result

    def route(self, origin: int, destination: int) -> Route | None:
        """The fastest route between two nodes, or None if the destination cannot be reached."""
        destination = self._check_node(destination)
        times, predecessors = dijkstra(
            self._forward, directed=True, indices=self._check_node(origin), return_predecessors=True
        )
        if not math.isfinite(times[destination]):
            return None
        path = [destination]
        while path[-1] != origin:
            path.append(int(predecessors[path[-1]]))
        path.reverse()
        length = sum(self._edge_length(a, b) for a, b in itertools.pairwise(path))
        return Route(seconds=float(times[destination]), length_m=length, nodes=tuple(path))

    def _edge_length(self, a: int, b: int) -> float:
        start, end = int(self.network.indptr[a]), int(self.network.indptr[a + 1])
        ends = self.network.indices[start:end]
        fastest = start + int(
            np.argmin(np.where(ends == b, self.network.seconds[start:end], np.inf))
        )
        return float(self.network.length_m[fastest])

    def seconds_between(
        self, from_lat: float, from_lon: float, to_lat: float, to_lon: float
    ) -> float | None:
        """Drive time between two points snapped to the graph; None if either is off the graph."""
        if not (self.covers(from_lat, from_lon) and self.covers(to_lat, to_lon)):
            return None
        found = self.route(self.nearest_node(from_lat, from_lon), self.nearest_node(to_lat, to_lon))
        return None if found is None else found.seconds


def _reach(times: FloatArray) -> Reach:
    nodes = np.flatnonzero(np.isfinite(times))
    order = np.argsort(times[nodes], kind="stable")
    return Reach(nodes=nodes[order].astype(np.int64), seconds=times[nodes][order])
