"""The city a scenario describes, made ready to simulate: demand, grading, fleet and places.

`build_world` turns a `Scenario` into what the engine reads: the demand model (scaled, grown,
with its mental-health shares), every demand line's grading through the real
`contact.grading.grade` (with the scenario's Right Care, Right Person setting and its "do
less" rules as the handler's overrides), the fleet with its changes and each unit's home, the
hospitals, the travel-time model, and the harm index.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from safercity.city.estate import closed_fire_stations_2014, london_estate
from safercity.contact import grading
from safercity.contact.grading import Grading
from safercity.contact.priority import PoliceGrade, Priority
from safercity.contact.taxonomy import KeyAnswers, Taxonomy, load_taxonomy
from safercity.dispatch.capabilities import Service
from safercity.dispatch.fleet import Unit, base_places, london_fleet, read_fleet
from safercity.dispatch.traveltime import TravelTimeModel
from safercity.platform.errors import FieldError, InvalidInput
from safercity.simulation.demand import DemandModel, load_demand, scaled
from safercity.simulation.model import Floats
from safercity.simulation.scenario import LessAction, LessRule, Scenario

__all__ = ["LineGrading", "World", "build_world", "harm_index"]


@dataclass(frozen=True)
class LineGrading:
    """How one demand line is graded, and which services the scenario stopped attending."""

    grading: Grading
    stopped: frozenset[Service]


@dataclass(frozen=True, eq=False)
class World:
    """Everything one scenario's run reads; built once, shared by every seed."""

    scenario: Scenario
    demand: DemandModel
    taxonomy: Taxonomy
    units: tuple[Unit, ...]
    home: Floats  # (n, 2) latitude, longitude of each unit's base
    hospitals: Floats  # (m, 2)
    travel: TravelTimeModel
    harm: Mapping[str, float]  # days of custody by incident type code
    spread: tuple[float, float]  # a real journey's time over the model's: median, log sd
    _gradings: dict[tuple[str, str, KeyAnswers], LineGrading]

    def grading(self, stream: str, code: str, label: str, answers: KeyAnswers) -> LineGrading:
        """The grading of a demand line, computed once through the real grading."""
        key = (code, label, answers)
        found = self._gradings.get(key)
        if found is None:
            found = _grade_line(self, stream, code, label, answers)
            self._gradings[key] = found
        return found


def build_world(scenario: Scenario) -> World:
    """The scenario's city; InvalidInput names a scenario field the city cannot satisfy."""
    taxonomy = _taxonomy(scenario)
    demand = _demand(scenario, taxonomy)
    _check_less(scenario, taxonomy, demand)
    units = _fleet(scenario)
    places = _places(scenario)
    missing = sorted({u.home_base_code for u in units} - set(places))
    if missing:
        shown = ", ".join(missing[:5])
        message = f"unknown base code(s) {shown}: add them under fleet.bases as [lat, lon]"
        raise InvalidInput(f"The scenario's fleet: {message}", [FieldError("fleet", message)])
    home = np.array([places[u.home_base_code] for u in units], dtype=np.float64).reshape(-1, 2)
    hospitals = np.array([(h.latitude, h.longitude) for h in london_estate().hospitals()])
    spread = scenario.travel_spread or travel_spread()
    world = World(
        scenario, demand, taxonomy, units, home, hospitals, _travel(), harm_index(), spread, {}
    )
    for stream in demand.streams:  # grade every line now, so a bad rule fails before the run
        for line in stream.types:
            world.grading(stream.name, line.code, line.label, line.answers)
    return world


@cache
def _travel() -> TravelTimeModel:
    return TravelTimeModel.load_default()


@cache
def harm_index() -> dict[str, float]:
    """Days of custody per incident type: the bundled harm index (see docs/simulation.md)."""
    data = _bundled_json("harm_index.json")
    return {code: float(entry["days"]) for code, entry in data["types"].items()}


def _bundled_json(name: str) -> dict[str, Any]:
    text = resources.files("safercity.simulation").joinpath("data", name)
    data: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return data


def _check_less(scenario: Scenario, taxonomy: Taxonomy, demand: DemandModel) -> None:
    """Each "do less" rule names a type, service, grade and line that exist."""
    lines = {(t.code, t.label) for s in demand.streams for t in s.types}
    errors = []
    for i, rule in enumerate(scenario.less):
        where = f"policy.less[{i}]"
        if rule.type_code not in taxonomy.types:
            errors.append(FieldError(f"{where}.type", f"unknown incident type {rule.type_code!r}"))
            continue
        plan = taxonomy.get(rule.type_code).plans.get(rule.service)
        if plan is None:
            message = f"{rule.service.value} does not attend {rule.type_code}"
            errors.append(FieldError(f"{where}.service", message))
        elif rule.to is not None and rule.to not in plan.attendances:
            allowed = ", ".join(p.value for p in plan.attendances)
            grade = f"{rule.service.value} grade {rule.to.value}"
            message = f"{rule.type_code} has no {grade} (use {allowed})"
            errors.append(FieldError(f"{where}.to", message))
        if rule.label is not None and (rule.type_code, rule.label) not in lines:
            message = f"no demand line of {rule.type_code} is labelled {rule.label!r}"
            errors.append(FieldError(f"{where}.label", message))
    if errors:
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
        raise InvalidInput(f"The scenario's policy is not valid: {detail}", errors)


def _closed(scenario: Scenario, units: Sequence[Unit]) -> set[str]:
    """The bases the scenario closes; InvalidInput if no unit is based at one of them."""
    based = {u.home_base_code for u in units}
    unknown = [code for code in scenario.close_bases if code not in based]
    if unknown:
        message = f"no units are based at {', '.join(unknown)}: use the fleet's base codes"
        raise InvalidInput(message, [FieldError("fleet.close_bases", message)])
    return set(scenario.close_bases)


@cache
def travel_spread() -> tuple[float, float]:
    """The bundled spread of real journeys around the model's times (see docs/simulation.md)."""
    data = _bundled_json("travel_spread.json")
    return float(data["median_ratio"]), float(data["log_sd"])


def _taxonomy(scenario: Scenario) -> Taxonomy:
    taxonomy = load_taxonomy()
    if scenario.right_care_right_person:
        return taxonomy
    types = {code: replace(t, right_care_right_person=False) for code, t in taxonomy.types.items()}
    return replace(taxonomy, types=types)


def _demand(scenario: Scenario, taxonomy: Taxonomy) -> DemandModel:
    model = load_demand(scenario.demand_file, taxonomy=taxonomy)
    names = {s.name for s in model.streams}
    for where, mapping in (
        ("demand.stream_scale", scenario.stream_scale),
        ("demand.mental_health_share", scenario.mental_health_share),
    ):
        unknown = sorted(set(mapping) - names)
        if unknown:
            message = f"no demand stream {unknown[0]} (known: {', '.join(sorted(names))})"
            raise InvalidInput(f"{where}: {message}", [FieldError(where, message)])
    streams = tuple(
        replace(
            s,
            annual_incidents=s.annual_incidents * scenario.stream_scale.get(s.name, 1.0),
            mental_health_share=scenario.mental_health_share.get(s.name, s.mental_health_share),
        )
        for s in model.streams
    )
    model = replace(model, streams=streams)
    if scenario.growth is None:
        return model
    return scaled(model, _growth_factors(scenario, model))


def _growth_factors(scenario: Scenario, model: DemandModel) -> dict[str, float]:
    """Each borough's demand multiplier: its new residents over its population today."""
    growth = scenario.growth
    assert growth is not None
    areas = model.areas
    population = np.bincount(
        areas.borough_index, weights=areas.columns["population"], minlength=len(areas.boroughs)
    )
    total_share = sum(growth.borough_shares.values())
    factors = {}
    for name, share in growth.borough_shares.items():
        if name not in areas.boroughs:
            message = f"{name} is not a borough of {model.city}"
            where = f"demand.growth.borough_shares.{name}"
            raise InvalidInput(message, [FieldError(where, message)])
        people = growth.people_per_year * growth.years * share / total_share
        now = float(population[areas.boroughs.index(name)])
        factors[name] = 1.0 + people / now if now > 0 else 1.0
    return factors


def _fleet(scenario: Scenario) -> tuple[Unit, ...]:
    units = list(read_fleet(scenario.fleet_file) if scenario.fleet_file else london_fleet())
    closed = _closed(scenario, units)
    units = [u for u in units if u.home_base_code not in closed]
    moves = dict(scenario.move_units)
    units = [
        replace(u, home_base_code=moves.get(u.home_base_code, u.home_base_code)) for u in units
    ]
    units = _scaled(units, scenario)
    for addition in scenario.add_units:
        template = next((u for u in units if u.unit_type is addition.unit_type), None)
        if template is None:
            message = f"the fleet has no {addition.unit_type.value} to copy the crew and kit of"
            raise InvalidInput(message, [FieldError("fleet.add_units", message)])
        for base in addition.bases:
            units += [_copy(template, base, f"ADD{k}") for k in range(addition.per_base)]
    return tuple(units)


def _scaled(units: list[Unit], scenario: Scenario) -> list[Unit]:
    """Each base's units of a scaled type: round(count × factor), copies of the first."""
    result: list[Unit] = []
    groups: dict[tuple[str, Any], list[Unit]] = {}
    for unit in units:
        groups.setdefault((unit.home_base_code, unit.unit_type), []).append(unit)
    for (base, kind), group in groups.items():
        factor = scenario.fleet_scale.get(kind)
        if factor is None:
            result += group
            continue
        wanted = math.floor(len(group) * factor + 0.5)  # halves up, not to even
        result += group[:wanted]
        result += [_copy(group[0], base, f"S{k}") for k in range(wanted - len(group))]
    return result


def _copy(template: Unit, base: str, tag: str) -> Unit:
    return replace(
        template, call_sign=f"{base}-{template.unit_type.value}-{tag}", home_base_code=base
    )


def _places(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """Where a unit may be based: the estate, the ten stations closed in 2014, the scenario's."""
    places = base_places()
    places.update({s.code: (s.latitude, s.longitude) for s in closed_fire_stations_2014()})
    places.update(scenario.bases)
    return places


def _grade_line(
    world: World, stream: str, code: str, label: str, answers: KeyAnswers
) -> LineGrading:
    incident_type = world.taxonomy.get(code)
    rules = [r for r in world.scenario.less if _applies(r, code, label)]
    overrides: dict[Service, Priority] = {}
    stopped: set[Service] = set()
    for rule in rules:
        plan = incident_type.plans.get(rule.service)
        if plan is None:
            continue
        if rule.action is LessAction.DOWNGRADE and rule.to is not None:
            overrides[rule.service] = rule.to
        elif rule.service is Service.POLICE and PoliceGrade.R in plan.attendances:
            overrides[rule.service] = PoliceGrade.R  # resolved without deployment
        else:
            stopped.add(rule.service)
    try:
        graded = grading.grade(incident_type, answers, overrides)
    except ValueError as error:
        where = f"policy.less ({stream}: {label})"
        raise InvalidInput(f"{where}: {error}", [FieldError("policy.less", str(error))]) from None
    if stopped:
        kept = {s: g for s, g in graded.grades.items() if s not in stopped}
        graded = Grading(graded.incident_type, kept)
    return LineGrading(graded, frozenset(stopped))


def _applies(rule: LessRule, code: str, label: str) -> bool:
    return rule.type_code == code and (rule.label is None or rule.label == label)
