"""Road routing timings: import, one-to-all search, 8-minute bounded search, reverse search.

Run from the repository root: ``.venv/bin/python bench/routing.py``. It uses the real fixtures in
tests/data/osm (north London around Southgate, central London) and a synthetic London-sized grid
(490,000 nodes, 100 m blocks at 20 mph) to show how a bounded search scales where a whole-city
search does not. Each figure is the median of several runs on this machine.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import osmium

from safercity.dispatch.osm import MPH
from safercity.dispatch.roads import RoadNetwork, read_roads
from safercity.dispatch.routing import RoadGraph

DATA = Path(__file__).parent.parent / "tests" / "data" / "osm"
BOUND_S = 480.0  # the 8-minute attendance standard's drive part


def median_ms(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def grid_network(side: int, block_m: float = 100.0) -> RoadNetwork:
    """A two-way square grid of ``side``² nodes, 20 mph streets, around central London."""
    n = side * side
    ids = np.arange(n, dtype=np.int64)
    row, col = ids // side, ids % side
    pairs = []
    for du, dv in ((0, 1), (1, 0)):
        ok = (col + du < side) & (row + dv < side)
        a = ids[ok]
        b = a + du + dv * side
        pairs += [(a, b), (b, a)]
    u = np.concatenate([p[0] for p in pairs])
    v = np.concatenate([p[1] for p in pairs])
    order = np.lexsort((v, u))
    u, v = u[order], v[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(u, minlength=n), out=indptr[1:])
    seconds = np.full(u.size, block_m / (20 * MPH / 3.6))
    return RoadNetwork(
        osm_ids=ids,
        lat=51.5 + row * block_m / 111_200,
        lon=-0.12 + col * block_m / 69_200,
        indptr=indptr,
        indices=v.astype(np.int64),
        seconds=seconds,
        length_m=np.full(u.size, block_m),
    )


def measure(name: str, graph: RoadGraph, repeat: int) -> None:
    origins = np.random.default_rng(1).choice(graph.node_count, size=repeat, replace=False)
    picks = iter(int(o) for o in np.tile(origins, 8))
    full = median_ms(lambda: graph.travel_times_from(next(picks)), repeat)
    bounded = median_ms(lambda: graph.travel_times_from(next(picks), BOUND_S), repeat)
    reverse = median_ms(lambda: graph.travel_times_to(next(picks), BOUND_S), repeat)
    reached = statistics.median(
        int(np.isfinite(graph.travel_times_from(int(o), BOUND_S)).sum()) for o in origins
    )
    lat, lon = float(graph.network.lat.mean()), float(graph.network.lon.mean())
    snap = median_ms(lambda: graph.nearest_node(lat, lon), repeat) * 1000
    print(
        f"| {name} | {graph.node_count:,} | {graph.network.edge_count:,} | {full:.2f} ms | "
        f"{bounded:.2f} ms ({reached:,.0f} nodes) | {reverse:.2f} ms | {snap:.0f} µs |"
    )


def to_pbf(source: Path, target: Path) -> Path:
    writer = osmium.SimpleWriter(str(target))
    for obj in osmium.FileProcessor(str(source)):
        writer.add(obj)
    writer.close()
    return target


def main() -> None:
    print("| Input | Import (median of 5) |\n|---|---|")
    southgate = DATA / "north_london_southgate.osm.gz"
    scratch = Path(tempfile.mkdtemp())
    sources = {
        "north_london_southgate.osm.gz (XML)": southgate,
        "north_london_southgate.osm.pbf (same data)": to_pbf(southgate, scratch / "s.osm.pbf"),
        "central_london_roads (CSV)": DATA / "central_london_roads",
    }
    graphs = {}
    for name, path in sources.items():
        print(f"| {name} | {median_ms(lambda p=path: read_roads(p), 5):.0f} ms |")
        if "pbf" not in name:
            graphs[name.split(" ")[0]] = RoadGraph(read_roads(path).network)
    started = time.perf_counter()
    grid = RoadGraph(grid_network(700))
    print(f"| synthetic 700×700 grid: RoadGraph build | {time.perf_counter() - started:.2f} s |")
    print(
        "\n| Graph | Nodes | Edges | One-to-all | Bounded 8 min (reached) | Reverse 8 min "
        "| Nearest node |\n|---|---|---|---|---|---|---|"
    )
    for name, graph in graphs.items():
        measure(name, graph, repeat=50)
    measure("synthetic London-sized grid", grid, repeat=9)


if __name__ == "__main__":
    main()
