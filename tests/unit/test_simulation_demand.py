"""The simulation's demand model: London's data loads and checks, and its draws are seeded and
keep to the model's volumes, profiles, types and city."""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import safercity.simulation
from safercity.city.boroughs import city_boroughs
from safercity.contact.taxonomy import load_taxonomy
from safercity.platform.errors import InvalidInput
from safercity.simulation.demand import (
    DemandCall,
    DemandModel,
    area_weights,
    generate,
    iter_calls,
    load_demand,
    scaled,
)

LONDON = ZoneInfo("Europe/London")
START = datetime(2024, 3, 4, tzinfo=LONDON)  # a Monday, clear of the clock changes
SEED = 20240304
DATA = Path(safercity.simulation.__file__).parent / "data"
POLICE, AMBULANCE, FIRE = 0, 1, 2  # the streams' order in london_demand.json


@pytest.fixture(scope="module")
def model() -> DemandModel:
    return load_demand()


@pytest.fixture(scope="module")
def week(model: DemandModel) -> list[DemandCall]:
    return generate(model, days=7, seed=SEED, start=START)


def test_bundled_london_model_loads_with_its_three_streams(model: DemandModel) -> None:
    assert [s.name for s in model.streams] == ["police", "ambulance", "fire"]
    assert len(model.areas) == 4835  # LSOA 2011
    assert model.areas.columns["population"].sum() > 8_500_000
    for stream in model.streams:
        assert len(stream.hourly) == 24 and math.isclose(sum(stream.hourly), 1.0)
        assert len(stream.weekday) == 7 and math.isclose(sum(stream.weekday), 7.0)
        assert math.isclose(sum(stream.probabilities()), 1.0)
        assert stream.annual_incidents > 0
        assert "annual_incidents" in stream.sources
        assert math.isclose(area_weights(model, stream).sum(), 1.0)


def test_same_seed_gives_identical_calls_and_another_seed_different_ones(
    model: DemandModel,
) -> None:
    first = generate(model, days=1, seed=7, start=START)
    assert first == generate(model, days=1, seed=7, start=START)
    assert first != generate(model, days=1, seed=8, start=START)


def test_a_weeks_first_day_is_the_same_as_a_one_day_run(
    model: DemandModel, week: list[DemandCall]
) -> None:
    one_day = generate(model, days=1, seed=SEED, start=START)
    assert week[: len(one_day)] == one_day
    assert week[len(one_day)].at.date() > START.date()


def test_calls_come_in_time_order_from_the_start(week: list[DemandCall]) -> None:
    times = [c.at for c in week]
    assert times == sorted(times)
    assert times[0] >= START and times[-1] < datetime(2024, 3, 11, tzinfo=LONDON)
    assert all(c.at.tzinfo is LONDON for c in week[:100])


def test_a_weeks_volume_per_stream_is_its_yearly_volume_over_52(
    model: DemandModel, week: list[DemandCall]
) -> None:
    counts = Counter(c.stream for c in week)
    for stream in model.streams:
        expected = stream.annual_incidents * 7 / 365
        # A Poisson count lies within 4 standard deviations of its mean 99.99% of the time:
        # 1% for police (41,500 a week), 1.4% for ambulance, 8% for fire (2,400).
        assert abs(counts[stream.name] - expected) < 4 * math.sqrt(expected)
        assert abs(counts[stream.name] - stream.annual_incidents / 52) < 0.08 * expected


def test_police_calls_are_fewer_at_night_than_in_the_evening(week: list[DemandCall]) -> None:
    hours = Counter(c.at.hour for c in week if c.stream == "police")
    night = sum(hours[h] for h in (2, 3, 4, 5))
    evening = sum(hours[h] for h in (17, 18, 19, 20))
    assert night < 0.5 * evening


def test_every_call_lies_within_london(week: list[DemandCall]) -> None:
    boroughs = city_boroughs()
    names = {b.name for b in boroughs.boroughs}
    assert {c.borough for c in week} <= names
    for call in week[::25]:  # about 2,600 calls: borough_near is one Python call per point
        assert boroughs.borough_near(call.lat, call.lon, 300) is not None, call


def test_every_type_code_is_in_the_joint_taxonomy(
    model: DemandModel, week: list[DemandCall]
) -> None:
    taxonomy = load_taxonomy()
    assert {c.type_code for c in week} <= set(taxonomy.types)
    for stream in model.streams:
        for line in stream.types:
            assert line.code in taxonomy.types


def test_only_ambulance_calls_are_closed_by_phone_or_conveyed(week: list[DemandCall]) -> None:
    ambulance = [c for c in week if c.stream == "ambulance"]
    others = [c for c in week if c.stream != "ambulance"]
    assert not any(c.remote or c.conveyed for c in others)
    remote = [c for c in ambulance if c.remote]
    conveyed = [c for c in ambulance if c.conveyed]
    assert 0.15 < len(remote) / len(ambulance) < 0.25  # hear and treat: about 20%
    assert 0.44 < len(conveyed) / len(ambulance) < 0.54  # just under half conveyed
    assert all(c.service_s == 0 and not c.conveyed for c in remote)
    assert all(c.handover_s > 0 and c.service_s > 0 for c in conveyed)


def test_cardiac_arrests_come_with_their_key_answers(week: list[DemandCall]) -> None:
    arrests = [c for c in week if c.type_code == "cardiac_arrest"]
    assert arrests
    assert all(c.answers.conscious is False and c.answers.breathing is False for c in arrests)


def test_shares_of_mental_health_and_multi_call_incidents_follow_the_data(
    model: DemandModel, week: list[DemandCall]
) -> None:
    police = [c for c in week if c.stream == "police"]
    mental = sum(c.type_code == "mental_health_crisis" for c in police) / len(police)
    share = model.streams[POLICE].mental_health_share
    assert abs(mental - share) < 0.005
    fire = [c for c in week if c.stream == "fire"]
    multi = sum(c.calls > 1 for c in fire) / len(fire)
    assert abs(multi - model.streams[FIRE].multi_call_share) < 0.03
    assert min(c.calls for c in fire) == 1


def test_iter_calls_refuses_a_naive_start(model: DemandModel) -> None:
    with pytest.raises(InvalidInput) as caught:
        iter_calls(model, days=1, seed=1, start=datetime(2024, 3, 4))
    assert [e.field for e in caught.value.field_errors] == ["start"]


def test_scaling_a_borough_grows_its_share_and_the_streams_volume(model: DemandModel) -> None:
    grown = scaled(model, {"Newham": 2.0})
    index = model.areas.boroughs.index("Newham")
    in_newham = model.areas.borough_index == index
    for before, after in zip(model.streams, grown.streams, strict=True):
        share = area_weights(model, before)[in_newham].sum()
        assert math.isclose(after.annual_incidents, before.annual_incidents * (1 + share))
        assert math.isclose(area_weights(grown, after)[in_newham].sum(), 2 * share / (1 + share))
    with pytest.raises(InvalidInput):
        scaled(model, {"Gotham": 1.1})


# --- Bad files: each problem is named by its JSON path ------------------------------------------


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


BAD_FILES = [
    (["streams", POLICE, "hourly"], [1.0] * 23, "streams[0].hourly"),
    (["streams", POLICE, "weekday"], [0] * 7, "streams[0].weekday"),
    (["streams", AMBULANCE, "type_mix", 0, "code"], "alien_visit", "streams[1].type_mix[0].code"),
    (["streams", FIRE, "type_mix", 0, "code"], "cardiac_arrest", "streams[2].type_mix[0].code"),
    (["streams", FIRE, "annual_incidents"], -5, "streams[2].annual_incidents"),
    (["streams", FIRE, "annual_incidents"], math.inf, "streams[2].annual_incidents"),
    (["streams", AMBULANCE, "type_mix", 0, "answers", "breathless"], True,
     "streams[1].type_mix[0].answers.breathless"),
    (["streams", POLICE, "space", "columns", "crime"], 1.0, "streams[0].space.columns.crime"),
    (["streams", FIRE, "space", "borough_shares", "Gotham"], 0.1,
     "streams[2].space.borough_shares.Gotham"),
    (["streams", POLICE, "anual_incidents"], 1, "streams[0].anual_incidents"),
    (["timezone"], "Europe/Gondor", "timezone"),
]  # fmt: skip


@pytest.mark.parametrize(("where", "value", "field"), BAD_FILES)
def test_a_bad_demand_file_is_refused_naming_the_field(
    tmp_path: Path, where: list[Any], value: Any, field: str
) -> None:
    data = json.loads((DATA / "london_demand.json").read_text(encoding="utf-8"))
    _set(where, value)(data)
    shutil.copy(DATA / data["areas"], tmp_path / data["areas"])
    path = tmp_path / "demand.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_demand(path)
    assert field in [e.field for e in caught.value.field_errors]
    assert field in caught.value.detail


def test_a_copy_of_the_bundled_files_loads_the_same(tmp_path: Path, model: DemandModel) -> None:
    for name in ("london_demand.json", "london_lsoa_demand.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    copied = load_demand(tmp_path / "london_demand.json")
    assert copied.streams == model.streams
    assert copied.areas.codes == model.areas.codes
