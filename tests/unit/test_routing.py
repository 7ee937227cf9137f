"""Routing over the real road graphs: bounded searches, reverse searches, one-way streets."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from safercity.dispatch.roads import haversine_m, read_roads
from safercity.dispatch.routing import RoadGraph

DATA = Path(__file__).parent.parent / "data" / "osm"
# Fire stations from src/safercity/city/data/lfb_fire_stations_2023.csv
SOHO = (51.512461, -0.130089)
DOWGATE = (51.510035, -0.090101)
EUSTON = (51.527624, -0.130774)  # in Camden, outside the central London extract
SOUTHGATE_STATION = (51.630541, -0.127373)
ARNOS_GROVE = (51.6164, -0.1334)  # the Underground station, inside the Southgate extract


@pytest.fixture(scope="module")
def southgate() -> RoadGraph:
    return RoadGraph(read_roads(DATA / "north_london_southgate.osm.gz").network)


@pytest.fixture(scope="module")
def central() -> RoadGraph:
    return RoadGraph(read_roads(DATA / "central_london_roads").network)


def _node(graph: RoadGraph, osm_id: int) -> int:
    return int(np.flatnonzero(graph.network.osm_ids == osm_id)[0])


def test_one_way_street_is_driven_only_its_way(southgate: RoadGraph) -> None:
    # Albert Road (way 1713427) is one way from node 5217426104 to 622032908.
    a, b = _node(southgate, 5217426104), _node(southgate, 622032908)
    there, back = southgate.route(a, b), southgate.route(b, a)
    assert there is not None and back is not None
    assert there.nodes == (a, b)
    assert back.nodes != (b, a)
    assert back.seconds > there.seconds


def test_bounded_search_returns_exactly_the_nodes_within_the_limit(southgate: RoadGraph) -> None:
    origin = southgate.nearest_node(*ARNOS_GROVE)
    everywhere = southgate.travel_times_from(origin)
    reach = southgate.reach_from(origin, 240.0)
    assert (reach.seconds <= 240.0).all()
    assert set(reach.nodes.tolist()) == set(np.flatnonzero(everywhere <= 240.0).tolist())
    assert np.allclose(reach.seconds, everywhere[reach.nodes])
    assert 0 < reach.nodes.size < southgate.node_count


def test_reverse_search_equals_a_forward_search_from_each_origin(central: RoadGraph) -> None:
    incident = central.nearest_node(*SOHO)
    to_incident = central.travel_times_to(incident, limit_s=480.0)
    origins = np.random.default_rng(3).choice(central.node_count, size=25, replace=False)
    for origin in origins:
        forward = central.travel_times_from(int(origin))[incident]
        expected = forward if forward <= 480.0 else math.inf
        assert to_incident[origin] == pytest.approx(expected)


def test_route_is_a_chain_of_edges_whose_times_add_up(central: RoadGraph) -> None:
    found = central.route(central.nearest_node(*SOHO), central.nearest_node(*DOWGATE))
    assert found is not None
    network = central.network
    total = 0.0
    for a, b in zip(found.nodes, found.nodes[1:], strict=False):
        ends = network.indices[network.indptr[a] : network.indptr[a + 1]]
        assert b in ends
        total += float(network.seconds[network.indptr[a] + int(np.argmax(ends == b))])
    assert total == pytest.approx(found.seconds)
    assert 2780 < found.length_m < 5000  # 2.78 km crow-fly between the two stations


def test_drive_of_two_km_takes_a_few_minutes(southgate: RoadGraph) -> None:
    origin = southgate.nearest_node(*ARNOS_GROVE)
    network = southgate.network
    crow = haversine_m(network.lat[origin], network.lon[origin], network.lat, network.lon)
    target = int(np.argmin(np.abs(crow - 2000.0)))
    seconds = southgate.travel_times_from(origin)[target]
    assert 150 < seconds < 480


def test_soho_to_dowgate_fire_station_is_a_few_minutes(central: RoadGraph) -> None:
    seconds = central.seconds_between(*SOHO, *DOWGATE)
    assert seconds is not None
    assert 300 < seconds < 900


def test_points_off_the_graph_are_not_covered(southgate: RoadGraph, central: RoadGraph) -> None:
    assert southgate.covers(*ARNOS_GROVE)
    assert central.covers(*SOHO)
    # Southgate's own fire station lies 0.7 km north of the extract named after it.
    assert not southgate.covers(*SOUTHGATE_STATION)
    assert not central.covers(*ARNOS_GROVE)
    assert not central.covers(*EUSTON)
    assert central.seconds_between(*SOHO, *ARNOS_GROVE) is None


def test_bad_nodes_limits_and_coordinates_are_refused(central: RoadGraph) -> None:
    with pytest.raises(ValueError):
        central.travel_times_from(central.node_count)
    with pytest.raises(ValueError):
        central.travel_times_to(0, limit_s=-1.0)
    with pytest.raises(ValueError):
        central.nearest_node(91.0, 0.0)
    with pytest.raises(ValueError):
        central.route(-1, 0)


def test_units_reaching_an_incident_are_timed_in_one_reverse_search(central: RoadGraph) -> None:
    units = [SOHO, DOWGATE, (51.520072, -0.183319), EUSTON]  # Paddington; Euston is off the graph
    lats, lons = zip(*units, strict=True)
    times = central.seconds_to_point(*SOHO, lats, lons, limit_s=480.0)
    incident = central.nearest_node(*SOHO)
    assert times[0] == 0.0
    for i in (1, 2):
        drive = central.travel_times_from(central.nearest_node(*units[i]))[incident]
        assert times[i] == (pytest.approx(drive) if drive <= 480.0 else math.inf)
    assert math.isnan(times[3])
    assert np.isnan(central.seconds_to_point(*EUSTON, lats, lons)).all()
