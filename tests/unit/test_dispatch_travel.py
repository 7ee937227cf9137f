"""Units' ETAs: the real central London road graph where it covers both ends, the calibrated
model elsewhere; and placing a pin in a borough (the Thames included, the county beyond not)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from safercity.city.boroughs import city_boroughs
from safercity.contact.service import SERVICE_AREA_TOLERANCE_M
from safercity.dispatch import travel as travel_module
from safercity.dispatch.assignment import TURNOUT_S
from safercity.dispatch.capabilities import Capability, Service
from safercity.dispatch.fleet import Unit, UnitType
from safercity.dispatch.roads import read_roads
from safercity.dispatch.routing import RoadGraph
from safercity.dispatch.travel import EtaSource, Travel
from safercity.dispatch.traveltime import TravelTimeModel

DATA = Path(__file__).parent.parent / "data" / "osm"
# Inside the central London extract (City of Westminster and the City of London).
TRAFALGAR_SQUARE = (51.5080, -0.1281)
SOHO_STATION = (51.512461, -0.130089)
DOWGATE_STATION = (51.510035, -0.090101)
# Far outside it.
CROYDON = (51.3762, -0.0982)
AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _unit(call_sign: str, service: Service, unit_type: UnitType) -> Unit:
    return Unit(call_sign, service, "X", unit_type, "BASE", frozenset({Capability.FIRST_AID}), 2)


ENGINE = _unit("FE1", Service.FIRE, UnitType.FIRE_ENGINE)
CAR = _unit("POL1", Service.POLICE, UnitType.POLICE_RESPONSE_CAR)
AMBULANCE = _unit("AMB1", Service.AMBULANCE, UnitType.AMBULANCE)


@pytest.fixture(scope="module")
def central() -> RoadGraph:
    return RoadGraph(read_roads(DATA / "central_london_roads").network)


@pytest.fixture(scope="module")
def model() -> TravelTimeModel:
    return TravelTimeModel.load_default()


def _modelled(model: TravelTimeModel, at: tuple[float, float], to: tuple[float, float]) -> float:
    return float(
        model.seconds_many([at[0]], [at[1]], to[0], to[1], borough="Westminster", at=AT)[0]
    )


def _drive(graph: RoadGraph, at: tuple[float, float], to: tuple[float, float]) -> float:
    return float(graph.seconds_to_point(to[0], to[1], [at[0]], [at[1]])[0])


def test_units_inside_the_extract_go_by_road_plus_their_turnout(
    central: RoadGraph, model: TravelTimeModel
) -> None:
    units = {"FE1": (ENGINE, DOWGATE_STATION), "POL1": (CAR, SOHO_STATION)}
    etas = Travel(model, central).etas(units, *TRAFALGAR_SQUARE, borough="Westminster", at=AT)
    assert etas.sources == {"FE1": EtaSource.ROAD_GRAPH, "POL1": EtaSource.ROAD_GRAPH}
    engine_drive = _drive(central, DOWGATE_STATION, TRAFALGAR_SQUARE)
    car_drive = _drive(central, SOHO_STATION, TRAFALGAR_SQUARE)
    assert 0 < car_drive < engine_drive < 1800
    # Drive time is along the streets; each service's turnout goes on top.
    assert etas.seconds["FE1"] == pytest.approx(engine_drive + TURNOUT_S[Service.FIRE])
    assert etas.seconds["POL1"] == pytest.approx(car_drive + TURNOUT_S[Service.POLICE])
    assert etas.seconds["FE1"] != pytest.approx(_modelled(model, DOWGATE_STATION, TRAFALGAR_SQUARE))


def test_a_unit_far_outside_the_extract_falls_back_to_the_calibrated_model(
    central: RoadGraph, model: TravelTimeModel
) -> None:
    units = {"AMB1": (AMBULANCE, CROYDON), "FE1": (ENGINE, DOWGATE_STATION)}
    etas = Travel(model, central).etas(units, *TRAFALGAR_SQUARE, borough="Westminster", at=AT)
    assert etas.sources == {"AMB1": EtaSource.TRAVEL_MODEL, "FE1": EtaSource.ROAD_GRAPH}
    # The model was fitted on call-to-arrival times: its figure already holds the turnout.
    assert etas.seconds["AMB1"] == pytest.approx(_modelled(model, CROYDON, TRAFALGAR_SQUARE))
    assert etas.seconds["AMB1"] > etas.seconds["FE1"]


def test_an_incident_outside_the_extract_is_modelled_for_every_unit(
    central: RoadGraph, model: TravelTimeModel
) -> None:
    units = {"FE1": (ENGINE, DOWGATE_STATION), "POL1": (CAR, SOHO_STATION)}
    etas = Travel(model, central).etas(units, *CROYDON, borough="Croydon", at=AT)
    assert set(etas.sources.values()) == {EtaSource.TRAVEL_MODEL}


def test_a_drive_beyond_the_search_limit_is_modelled(
    central: RoadGraph, model: TravelTimeModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    near = _drive(central, SOHO_STATION, TRAFALGAR_SQUARE)
    far = _drive(central, DOWGATE_STATION, TRAFALGAR_SQUARE)
    monkeypatch.setattr(travel_module, "GRAPH_LIMIT_S", (near + far) / 2)
    units = {"FE1": (ENGINE, DOWGATE_STATION), "POL1": (CAR, SOHO_STATION)}
    etas = Travel(model, central).etas(units, *TRAFALGAR_SQUARE, borough="Westminster", at=AT)
    assert etas.sources == {"FE1": EtaSource.TRAVEL_MODEL, "POL1": EtaSource.ROAD_GRAPH}
    assert etas.seconds["FE1"] == pytest.approx(_modelled(model, DOWGATE_STATION, TRAFALGAR_SQUARE))


def test_without_a_graph_every_eta_is_the_calibrated_model(model: TravelTimeModel) -> None:
    units = {
        "FE1": (ENGINE, DOWGATE_STATION),
        "POL1": (CAR, SOHO_STATION),
        "AMB1": (AMBULANCE, CROYDON),
    }
    travel = Travel(model)
    etas = travel.etas(units, *TRAFALGAR_SQUARE, borough="Westminster", at=AT)
    assert set(etas.sources.values()) == {EtaSource.TRAVEL_MODEL}
    expected = model.seconds_many(
        np.array([DOWGATE_STATION[0], SOHO_STATION[0], CROYDON[0]]),
        np.array([DOWGATE_STATION[1], SOHO_STATION[1], CROYDON[1]]),
        *TRAFALGAR_SQUARE,
        borough="Westminster",
        at=AT,
    )
    assert [etas.seconds[s] for s in ("FE1", "POL1", "AMB1")] == pytest.approx(list(expected))
    assert travel.description == "calibrated travel-time model"


def test_no_units_means_no_etas(central: RoadGraph, model: TravelTimeModel) -> None:
    etas = Travel(model, central).etas({}, *TRAFALGAR_SQUARE)
    assert etas.seconds == {} and etas.sources == {}


def test_the_description_says_which_travel_times_are_used(
    central: RoadGraph, model: TravelTimeModel
) -> None:
    assert Travel(model, central).description == (
        f"road graph ({central.node_count} nodes) with the calibrated model elsewhere"
    )
    assert EtaSource.ROAD_GRAPH.label == "by road"
    assert EtaSource.TRAVEL_MODEL.label == "calibrated model"


# Boroughs --------------------------------------------------------------------------------------


def test_the_middle_of_westminster_bridge_belongs_to_a_bank_borough() -> None:
    boroughs = city_boroughs()
    middle = (51.5008, -0.1219)
    # The boundaries leave the Thames out: the point itself is in no borough...
    assert boroughs.borough_at(*middle) is None
    # ...but it is within the tolerance of one of the two banks.
    found = boroughs.borough_near(*middle, SERVICE_AREA_TOLERANCE_M)
    assert found is not None and found.name in {"Westminster", "Lambeth"}


def test_a_point_on_land_is_in_its_own_borough_whatever_the_tolerance() -> None:
    boroughs = city_boroughs()
    found = boroughs.borough_near(*TRAFALGAR_SQUARE, 0.0)
    assert found is not None and found.name == "Westminster"
    croydon = boroughs.borough_near(*CROYDON, SERVICE_AREA_TOLERANCE_M)
    assert croydon is not None and croydon.name == "Croydon"


def test_a_point_in_hertfordshire_is_outside_the_city() -> None:
    boroughs = city_boroughs()
    assert boroughs.borough_near(51.75, -0.1, SERVICE_AREA_TOLERANCE_M) is None
    assert boroughs.borough_near(51.75, -0.1, 1000.0) is None
