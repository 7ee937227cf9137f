"""Importing OpenStreetMap into the directed road graph."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import osmium
import pytest
from typer.testing import CliRunner

from safercity.dispatch.cli import app
from safercity.dispatch.osm import MPH, directions, is_drivable, parse_maxspeed
from safercity.dispatch.roads import ImportReport, load_network, read_roads, save_network

DATA = Path(__file__).parent.parent / "data" / "osm"
SOUTHGATE = DATA / "north_london_southgate.osm.gz"
CENTRAL = DATA / "central_london_roads"


@pytest.fixture(scope="module")
def southgate() -> ImportReport:
    return read_roads(SOUTHGATE)


@pytest.mark.parametrize(
    ("tag", "kmh"),
    [
        ("20 mph", 20 * MPH),
        ("30", 30.0),
        ("48 km/h", 48.0),
        ("30 mph;20 mph", 30 * MPH),
        ("GB:nsl_single", 60 * MPH),
        ("signals", None),
        ("", None),
        (None, None),
        ("0", None),
    ],
)
def test_maxspeed_is_read_in_kmh_with_mph_and_named_limits(
    tag: str | None, kmh: float | None
) -> None:
    assert parse_maxspeed(tag) == pytest.approx(kmh) if kmh else parse_maxspeed(tag) is None


def test_only_roads_an_emergency_vehicle_may_drive_are_kept() -> None:
    assert is_drivable({"highway": "residential"})
    assert is_drivable({"highway": "motorway_link"})
    assert not is_drivable({"highway": "footway"})
    assert not is_drivable({"highway": "cycleway"})
    assert not is_drivable({"highway": "steps"})
    assert not is_drivable({"highway": "service", "access": "private"})
    assert is_drivable({"highway": "service", "access": "private", "emergency": "yes"})
    assert not is_drivable({"highway": "service", "area": "yes"})


def test_oneway_tags_and_implicit_oneways_set_the_directions() -> None:
    assert directions({"oneway": "yes"}) == (True, False)
    assert directions({"oneway": "1"}) == (True, False)
    assert directions({"oneway": "-1"}) == (False, True)
    assert directions({"junction": "roundabout"}) == (True, False)
    assert directions({"highway": "motorway"}) == (True, False)
    assert directions({"highway": "motorway", "oneway": "no"}) == (True, True)
    assert directions({"highway": "residential"}) == (True, True)


def test_central_london_graph_has_the_counts_its_readme_states() -> None:
    report = read_roads(CENTRAL)
    assert (report.network.node_count, report.network.edge_count) == (4892, 10773)
    assert (report.dropped_nodes, report.dropped_edges) == (0, 0)


def test_southgate_extract_keeps_its_drivable_strongly_connected_core(
    southgate: ImportReport,
) -> None:
    network = southgate.network
    assert 1400 < southgate.ways < 1800
    assert 4800 < network.node_count < 5800
    assert 9000 < network.edge_count < 11000
    assert 0 < southgate.dropped_nodes < 0.3 * southgate.raw_nodes
    assert (network.seconds > 0).all()
    # 20 mph residential streets: 100 m takes about 11 s.
    median = sorted(network.seconds / network.length_m)[network.edge_count // 2]
    assert 0.08 < median < 0.15


def test_pbf_import_equals_the_xml_import(southgate: ImportReport, tmp_path: Path) -> None:
    pbf = tmp_path / "southgate.osm.pbf"
    writer = osmium.SimpleWriter(str(pbf))
    for obj in osmium.FileProcessor(str(SOUTHGATE)):
        writer.add(obj)
    writer.close()
    network = read_roads(pbf).network
    assert (network.osm_ids == southgate.network.osm_ids).all()
    assert (network.indices == southgate.network.indices).all()


def test_saved_graph_loads_back_identical(southgate: ImportReport, tmp_path: Path) -> None:
    path = tmp_path / "roads"  # no suffix: written where asked all the same
    save_network(southgate.network, path)
    loaded = load_network(path)
    assert (loaded.seconds == southgate.network.seconds).all()
    assert (loaded.lat == southgate.network.lat).all()


def test_a_tampered_graph_is_refused(southgate: ImportReport, tmp_path: Path) -> None:
    network = southgate.network
    bad = dataclasses.replace(network, indices=network.indices + network.node_count)
    save_network(bad, tmp_path / "bad.npz")
    with pytest.raises(ValueError, match="not a consistent road network"):
        load_network(tmp_path / "bad.npz")


def test_a_file_that_is_not_a_graph_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    path.write_bytes(b"not a zip")
    with pytest.raises(ValueError):
        load_network(path)


TINY = """<?xml version="1.0"?>
<osm version="0.6">
 <node id="1" lat="51.500" lon="-0.100"/><node id="2" lat="51.501" lon="-0.100"/>
 <node id="3" lat="51.501" lon="-0.099"/><node id="4" lat="51.502" lon="-0.099"/>
 <node id="5" lat="51.503" lon="-0.099"/>
 <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="1"/>
  <tag k="highway" v="tertiary"/><tag k="junction" v="roundabout"/></way>
 <way id="11"><nd ref="3"/><nd ref="4"/><tag k="highway" v="residential"/></way>
 <way id="12"><nd ref="4"/><nd ref="5"/><tag k="highway" v="residential"/>
  <tag k="oneway" v="yes"/></way>
 <way id="13"><nd ref="2"/><nd ref="4"/><tag k="highway" v="footway"/></way>
</osm>
"""


def test_one_way_dead_end_falls_outside_the_strong_component(tmp_path: Path) -> None:
    path = tmp_path / "tiny.osm"
    path.write_text(TINY)
    report = read_roads(path)
    assert list(report.network.osm_ids) == [1, 2, 3, 4]
    assert (report.dropped_nodes, report.dropped_edges) == (1, 1)
    # roundabout: 1→2→3→1 one way, plus 3↔4 both ways
    assert report.network.edge_count == 5


def test_cli_imports_roads_and_reports_what_it_dropped(tmp_path: Path) -> None:
    out = tmp_path / "southgate.npz"
    result = CliRunner().invoke(app, ["import-roads", str(SOUTHGATE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "dropped" in result.output
    assert load_network(out).node_count > 4800


def test_cli_refuses_a_file_that_is_not_osm(tmp_path: Path) -> None:
    path = tmp_path / "bad.osm"
    path.write_text("<osm><node id='x'")
    result = CliRunner().invoke(app, ["import-roads", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
