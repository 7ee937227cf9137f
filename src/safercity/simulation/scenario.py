"""Scenarios: one choice about the city, written as a JSON file a user can copy and edit.

A scenario names the demand (the bundled London model or a copy, scaled, grown, with its own
mental-health share), the fleet (the bundled on-shift fleet or a CSV, with stations closed,
units moved, added or scaled), the control rooms (one joint 999 service, or one per service
passing calls between them) and the policy (Right Care, Right Person; demand stopped or
downgraded). `load_scenario` checks a file and names every mistake by its JSON path; the
bundled scenarios are in ``simulation/scenarios/`` (see docs/simulation.md).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

from safercity.contact.priority import Priority, parse_priority
from safercity.dispatch.capabilities import Service
from safercity.dispatch.fleet import UnitType
from safercity.platform.errors import FieldError, InvalidInput

__all__ = [
    "AddUnits",
    "ControlRooms",
    "Growth",
    "LessRule",
    "Scenario",
    "bundled_scenarios",
    "load_scenario",
    "scenario_from_dict",
]

MAX_SCALE = 20.0
MAX_UNITS_PER_BASE = 50
MAX_DELAY_S = 3600.0


class ControlRooms(StrEnum):
    JOINT = "joint"  # one 999 service: any service's units answer any need
    SEPARATE = "separate"  # one control room per service, each sending only its own units


class LessAction(StrEnum):
    STOP = "stop"  # the service no longer attends this demand
    DOWNGRADE = "downgrade"  # the service attends at a lower priority


@dataclass(frozen=True)
class LessRule:
    """Demand one service does less of: calls of `type_code` (and `label`, if given)."""

    service: Service
    type_code: str
    action: LessAction
    to: Priority | None = None  # for a downgrade
    label: str | None = None


@dataclass(frozen=True)
class Growth:
    """Population growth: `people_per_year` for `years`, shared out by borough."""

    people_per_year: float
    years: float
    borough_shares: Mapping[str, float]  # relative weights; boroughs left out get none


@dataclass(frozen=True)
class AddUnits:
    """`per_base` more units of `unit_type` at each of `bases`."""

    unit_type: UnitType
    bases: tuple[str, ...]
    per_base: int


@dataclass(frozen=True)
class Scenario:
    """One scenario, as read from its file; paths are resolved against the file's folder."""

    name: str
    title: str
    description: str
    control_rooms: ControlRooms = ControlRooms.JOINT
    transfer_delay_s: float = 0.0
    demand_file: Path | None = None
    stream_scale: Mapping[str, float] = field(default_factory=dict)
    mental_health_share: Mapping[str, float] = field(default_factory=dict)
    growth: Growth | None = None
    fleet_file: Path | None = None
    fleet_scale: Mapping[UnitType, float] = field(default_factory=dict)
    close_bases: tuple[str, ...] = ()
    move_units: tuple[tuple[str, str], ...] = ()
    add_units: tuple[AddUnits, ...] = ()
    bases: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    right_care_right_person: bool = True
    less: tuple[LessRule, ...] = ()
    officer_cost_per_hour: float = 40.0
    currency: str = "GBP"
    travel_spread: tuple[float, float] | None = None  # median ratio, log sd; None: bundled


def bundled_scenarios() -> dict[str, Path]:
    """The scenarios that ship with SaferCity, by name."""
    folder = resources.files("safercity.simulation").joinpath("scenarios")
    found = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".json"):
            path = Path(str(entry))
            found[path.stem] = path
    return dict(sorted(found.items()))


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A scenario from a JSON file, or a bundled one by name ("london_today")."""
    path = Path(name_or_path)
    if not path.exists():
        bundled = bundled_scenarios()
        if str(name_or_path) not in bundled:
            known = ", ".join(bundled)
            message = f"No scenario file {name_or_path}: give a path or a bundled one ({known})."
            raise InvalidInput(message, [FieldError("scenario", message)])
        path = bundled[str(name_or_path)]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        message = f"Scenario {path} is not readable JSON: {error}"
        raise InvalidInput(message, [FieldError("scenario", message)]) from None
    return scenario_from_dict(data, folder=path.parent, default_name=path.stem)


def scenario_from_dict(
    data: Any, *, folder: Path | None = None, default_name: str = "scenario"
) -> Scenario:
    """A scenario from parsed JSON; InvalidInput lists every problem by its JSON path."""
    reader = _Reader(folder)
    if not isinstance(data, Mapping):
        raise InvalidInput(
            "A scenario is a JSON object.", [FieldError("scenario", "must be an object")]
        )
    scenario = reader.scenario(data, default_name)
    if reader.errors:
        detail = "; ".join(f"{e.field}: {e.message}" for e in reader.errors[:8])
        raise InvalidInput(f"The scenario is not valid: {detail}", reader.errors)
    return scenario


_TOP = frozenset(
    {"name", "title", "description", "control_rooms", "transfer_delay_s", "demand", "fleet",
     "policy", "costs", "travel", "note"}
)  # fmt: skip
_DEMAND = frozenset({"file", "stream_scale", "mental_health_share", "growth", "note"})
_FLEET = frozenset(
    {"file", "scale", "close_bases", "move_units", "add_units", "bases", "note"}
)  # fmt: skip
_POLICY = frozenset({"right_care_right_person", "less", "note"})


class _Reader:
    """Reads a scenario's parts, collecting every error instead of stopping at the first."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.errors: list[FieldError] = []

    def fail(self, where: str, message: str) -> None:
        self.errors.append(FieldError(where, message))

    def scenario(self, data: Mapping[str, Any], default_name: str) -> Scenario:
        self.keys(data, _TOP, "")
        demand = self.section(data, "demand", _DEMAND)
        fleet = self.section(data, "fleet", _FLEET)
        policy = self.section(data, "policy", _POLICY)
        costs = self.section(data, "costs", frozenset({"officer_hour", "currency", "note"}))
        rooms = data.get("control_rooms", ControlRooms.JOINT.value)
        if rooms not in {r.value for r in ControlRooms}:
            self.fail("control_rooms", "must be joint or separate")
            rooms = ControlRooms.JOINT.value
        return Scenario(
            name=self.text(data, "name", default_name),
            title=self.text(data, "title", default_name.replace("_", " ").capitalize()),
            description=self.text(data, "description", ""),
            control_rooms=ControlRooms(rooms),
            transfer_delay_s=self.number(data, "transfer_delay_s", 0.0, 0.0, MAX_DELAY_S),
            demand_file=self.path(demand, "demand.file"),
            stream_scale=self.numbers(demand, "stream_scale", "demand", 0.0, MAX_SCALE),
            mental_health_share=self.numbers(demand, "mental_health_share", "demand", 0.0, 1.0),
            growth=self.growth(demand.get("growth")),
            fleet_file=self.path(fleet, "fleet.file"),
            fleet_scale=self.fleet_scale(fleet.get("scale", {})),
            close_bases=self.codes(fleet.get("close_bases", []), "fleet.close_bases"),
            move_units=self.moves(fleet.get("move_units", [])),
            add_units=self.additions(fleet.get("add_units", [])),
            bases=self.bases(fleet.get("bases", {})),
            right_care_right_person=self.flag(policy, "right_care_right_person", True),
            less=self.less(policy.get("less", [])),
            officer_cost_per_hour=self.number(costs, "officer_hour", 40.0, 0.0, 10_000.0, "costs"),
            currency=self.text(costs, "currency", "GBP", "costs"),
            travel_spread=self.spread(data.get("travel")),
        )

    def spread(self, value: Any) -> tuple[float, float] | None:
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.fail("travel", "must be an object with median_ratio and log_sd")
            return None
        self.keys(value, frozenset({"median_ratio", "log_sd", "note"}), "travel.")
        median = self.number(value, "median_ratio", 1.0, 0.1, 10.0, "travel")
        return median, self.number(value, "log_sd", 0.0, 0.0, 2.0, "travel")

    def keys(self, data: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
        for key in data:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.fail(f"{where}{key}", f"is not a scenario field (use {known})")

    def section(self, data: Mapping[str, Any], key: str, allowed: frozenset[str]) -> Any:
        value = data.get(key, {})
        if not isinstance(value, Mapping):
            self.fail(key, "must be an object")
            return {}
        self.keys(value, allowed, f"{key}.")
        return value

    def text(self, data: Mapping[str, Any], key: str, default: str, where: str = "") -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or len(value) > 2000:
            self.fail(f"{where}.{key}" if where else key, "must be text of at most 2000 characters")
            return default
        return value

    def number(
        self,
        data: Mapping[str, Any],
        key: str,
        default: float,
        low: float,
        high: float,
        where: str = "",
    ) -> float:
        value = data.get(key, default)
        name = f"{where}.{key}" if where else key
        if not _is_number(value) or not low <= value <= high:
            self.fail(name, f"must be a number from {low:g} to {high:g}")
            return default
        return float(value)

    def numbers(
        self, data: Mapping[str, Any], key: str, where: str, low: float, high: float
    ) -> dict[str, float]:
        value = data.get(key, {})
        if not isinstance(value, Mapping):
            self.fail(f"{where}.{key}", "must be an object of names and numbers")
            return {}
        result = {}
        for name, number in value.items():
            if not _is_number(number) or not low <= number <= high:
                self.fail(f"{where}.{key}.{name}", f"must be a number from {low:g} to {high:g}")
            else:
                result[str(name)] = float(number)
        return result

    def flag(self, data: Mapping[str, Any], key: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.fail(f"policy.{key}", "must be true or false")
            return default
        return value

    def path(self, data: Mapping[str, Any], where: str) -> Path | None:
        value = data.get("file")
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            self.fail(where, "must be a file path, or null for the bundled data")
            return None
        path = Path(value)
        if not path.is_absolute() and self.folder is not None:
            path = self.folder / path
        if not path.is_file():
            self.fail(where, f"no such file: {path}")
            return None
        return path

    def codes(self, value: Any, where: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(where, "must be a list of base codes")
            return ()
        return tuple(value)

    def growth(self, value: Any) -> Growth | None:
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.fail("demand.growth", "must be an object")
            return None
        allowed = frozenset({"people_per_year", "years", "borough_shares", "note"})
        self.keys(value, allowed, "demand.growth.")
        people = self.number(value, "people_per_year", 0.0, 0.0, 10_000_000.0, "demand.growth")
        years = self.number(value, "years", 0.0, 0.0, 50.0, "demand.growth")
        shares = self.numbers(value, "borough_shares", "demand.growth", 0.0, 1e9)
        if not shares or sum(shares.values()) <= 0:
            self.fail("demand.growth.borough_shares", "must give at least one borough a share")
        return Growth(people, years, shares)

    def fleet_scale(self, value: Any) -> dict[UnitType, float]:
        if not isinstance(value, Mapping):
            self.fail("fleet.scale", "must be an object of unit types and factors")
            return {}
        result = {}
        for name, factor in value.items():
            kind = self.unit_type(name, f"fleet.scale.{name}")
            if not _is_number(factor) or not 0 <= factor <= MAX_SCALE:
                self.fail(f"fleet.scale.{name}", f"must be a number from 0 to {MAX_SCALE:g}")
            elif kind is not None:
                result[kind] = float(factor)
        return result

    def unit_type(self, name: Any, where: str) -> UnitType | None:
        if name not in {t.value for t in UnitType}:
            known = ", ".join(t.value for t in UnitType)
            self.fail(where, f"unknown unit type {name!r} (use {known})")
            return None
        return UnitType(name)

    def moves(self, value: Any) -> tuple[tuple[str, str], ...]:
        if not isinstance(value, list):
            self.fail("fleet.move_units", "must be a list of {from, to} objects")
            return ()
        moves = []
        for i, item in enumerate(value):
            if not isinstance(item, Mapping) or not all(
                isinstance(item.get(k), str) and item.get(k) for k in ("from", "to")
            ):
                self.fail(f"fleet.move_units[{i}]", "needs a from base code and a to base code")
            else:
                moves.append((str(item["from"]), str(item["to"])))
        return tuple(moves)

    def additions(self, value: Any) -> tuple[AddUnits, ...]:
        if not isinstance(value, list):
            self.fail("fleet.add_units", "must be a list of {unit_type, bases, per_base}")
            return ()
        result = []
        for i, item in enumerate(value):
            where = f"fleet.add_units[{i}]"
            if not isinstance(item, Mapping):
                self.fail(where, "must be an object")
                continue
            kind = self.unit_type(item.get("unit_type"), f"{where}.unit_type")
            bases = self.codes(item.get("bases"), f"{where}.bases")
            per_base = item.get("per_base", 1)
            if not isinstance(per_base, int) or not 1 <= per_base <= MAX_UNITS_PER_BASE:
                self.fail(f"{where}.per_base", f"must be a whole number 1 to {MAX_UNITS_PER_BASE}")
            elif kind is not None and bases:
                result.append(AddUnits(kind, bases, per_base))
        return tuple(result)

    def bases(self, value: Any) -> dict[str, tuple[float, float]]:
        if not isinstance(value, Mapping):
            self.fail("fleet.bases", "must be an object of codes and [latitude, longitude]")
            return {}
        result = {}
        for code, point in value.items():
            ok = isinstance(point, Sequence) and len(point) == 2 and all(map(_is_number, point))
            if not ok or not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
                self.fail(f"fleet.bases.{code}", "must be [latitude, longitude] in degrees")
            else:
                result[str(code)] = (float(point[0]), float(point[1]))
        return result

    def less(self, value: Any) -> tuple[LessRule, ...]:
        if not isinstance(value, list):
            self.fail("policy.less", "must be a list of rules")
            return ()
        return tuple(
            rule for i, item in enumerate(value) if (rule := self.less_rule(item, i)) is not None
        )

    def less_rule(self, item: Any, i: int) -> LessRule | None:
        where = f"policy.less[{i}]"
        if not isinstance(item, Mapping):
            self.fail(where, "must be an object")
            return None
        self.keys(
            item, frozenset({"service", "type", "label", "action", "to", "note"}), f"{where}."
        )
        service, action = item.get("service"), item.get("action")
        if service not in {s.value for s in Service}:
            self.fail(f"{where}.service", "must be police, ambulance, fire or health")
            return None
        if action not in {a.value for a in LessAction}:
            self.fail(f"{where}.action", "must be stop or downgrade")
            return None
        if not isinstance(item.get("type"), str):
            self.fail(f"{where}.type", "must name an incident type of the taxonomy")
            return None
        to = None
        if action == LessAction.DOWNGRADE:
            try:
                to = parse_priority(Service(service), str(item.get("to")))
            except ValueError as error:
                self.fail(f"{where}.to", str(error))
                return None
        label = item.get("label")
        return LessRule(Service(service), item["type"], LessAction(action), to, label)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
