"""The joint incident taxonomy: one list of incident types for police, ambulance and fire.

Each type names, for every service that may attend, its default priority, the key-question
rules that change it, and a predetermined attendance for every priority it can take: which
capabilities are needed, how many, and by when. The taxonomy is data (a JSON file per city);
this module reads and checks it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

from safercity.contact.priority import Priority, deploys, parse_priority, standard
from safercity.dispatch.capabilities import Capability, Service

DEFAULT_TAXONOMY_FILE = "taxonomy_london.json"
MAX_COUNT = 20
MAX_DEADLINE_S = 24 * 3600  # the recommender plans a day ahead at most


@dataclass(frozen=True)
class KeyAnswers:
    """The call handler's answers to the few key questions; None where not yet known."""

    conscious: bool | None = None
    breathing: bool | None = None
    injured: bool | None = None
    persons_reported: bool | None = None
    persons_trapped: bool | None = None
    weapons: bool | None = None
    crime_in_progress: bool | None = None
    risk_to_life: bool | None = None
    suspect_on_scene: bool | None = None


KEY_QUESTIONS: tuple[str, ...] = tuple(f.name for f in fields(KeyAnswers))


@dataclass(frozen=True)
class Need:
    """One line of a predetermined attendance: `count` units with `capability` by `deadline_s`."""

    capability: Capability
    count: int
    deadline_s: int
    purpose: str = ""


@dataclass(frozen=True)
class GradingRule:
    """If every answer in `when` is as given, the service's priority becomes `priority`."""

    when: Mapping[str, bool]
    priority: Priority
    reason: str

    def matches(self, answers: KeyAnswers) -> bool:
        return all(getattr(answers, key) is value for key, value in self.when.items())


@dataclass(frozen=True)
class ServicePlan:
    """How one service grades and attends one incident type."""

    service: Service
    default: Priority
    rules: tuple[GradingRule, ...]
    attendances: Mapping[Priority, tuple[Need, ...]]
    only_when: Mapping[str, bool] = field(default_factory=dict)

    def attends(self, answers: KeyAnswers) -> bool:
        """Whether the service goes at all: always, unless the plan names answers it needs."""
        return all(getattr(answers, key) is value for key, value in self.only_when.items())

    def reachable(self) -> set[Priority]:
        """Every priority this service can give this type: the default and each rule's."""
        return {self.default, *(rule.priority for rule in self.rules)}


@dataclass(frozen=True)
class IncidentType:
    """A kind of emergency the call handler picks, with each attending service's plan."""

    code: str
    label: str
    plans: Mapping[Service, ServicePlan]
    right_care_right_person: bool = False
    description: str = ""


@dataclass(frozen=True)
class Taxonomy:
    """A city's incident types, by code, with the source the attendances were drawn from."""

    city: str
    source: str
    types: Mapping[str, IncidentType] = field(default_factory=dict)

    def get(self, code: str) -> IncidentType:
        """The type named `code`; KeyError with the known codes if there is none."""
        try:
            return self.types[code]
        except KeyError:
            raise KeyError(f"unknown incident type {code!r}") from None

    def choices(self) -> list[tuple[str, str]]:
        """(code, label) of every type, by label: the intake screen's list."""
        return sorted(((t.code, t.label) for t in self.types.values()), key=lambda c: c[1])


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """The taxonomy in `path`, or London's bundled with the package when no path is given."""
    if path is None:
        text = resources.files(__package__).joinpath("data", DEFAULT_TAXONOMY_FILE)
        return taxonomy_from_dict(json.loads(text.read_text(encoding="utf-8")))
    return taxonomy_from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def taxonomy_from_dict(data: Mapping[str, Any]) -> Taxonomy:
    """A checked taxonomy from its JSON form; ValueError naming the first bad entry."""
    types: dict[str, IncidentType] = {}
    for entry in data["types"]:
        incident_type = _type_from_dict(entry)
        if incident_type.code in types:
            raise ValueError(f"incident type {incident_type.code!r} is listed twice")
        types[incident_type.code] = incident_type
    return Taxonomy(city=str(data["city"]), source=str(data["source"]), types=types)


def _type_from_dict(entry: Mapping[str, Any]) -> IncidentType:
    code = str(entry["code"])
    try:
        plans = {
            Service(name): _plan_from_dict(Service(name), plan)
            for name, plan in entry["services"].items()
        }
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"incident type {code!r}: {error}") from error
    if not plans:
        raise ValueError(f"incident type {code!r} has no attending service")
    return IncidentType(
        code=code,
        label=str(entry["label"]),
        plans=plans,
        right_care_right_person=bool(entry.get("right_care_right_person", False)),
        description=str(entry.get("description", "")),
    )


def _plan_from_dict(service: Service, data: Mapping[str, Any]) -> ServicePlan:
    rules = tuple(_rule_from_dict(service, rule) for rule in data.get("rules", ()))
    only_when = _answers(data.get("only_when", {}), allow_empty=True)
    attendances = {
        parse_priority(service, code): tuple(_need_from_dict(service, code, need) for need in needs)
        for code, needs in data["attendances"].items()
    }
    default = parse_priority(service, data["default"])
    plan = ServicePlan(service, default, rules, attendances, only_when)
    missing = plan.reachable() - set(attendances)
    if missing:
        names = ", ".join(sorted(p.value for p in missing))
        raise ValueError(f"{service.value} has no attendance for priority {names}")
    for priority, needs in attendances.items():
        if deploys(priority) and not needs:
            raise ValueError(f"{service.value} {priority.value} deploys but needs nothing")
    return plan


def _rule_from_dict(service: Service, data: Mapping[str, Any]) -> GradingRule:
    when = _answers(data["when"], allow_empty=False)
    return GradingRule(when, parse_priority(service, data["priority"]), str(data["reason"]))


def _answers(data: Mapping[str, Any], *, allow_empty: bool) -> dict[str, bool]:
    answers = {str(k): v for k, v in data.items()}
    unknown = set(answers) - set(KEY_QUESTIONS)
    if unknown or not all(isinstance(v, bool) for v in answers.values()):
        raise ValueError(f"unknown questions or non-yes/no answers in {answers} ({KEY_QUESTIONS})")
    if not answers and not allow_empty:
        raise ValueError("a rule must name at least one answer")
    return answers


def _need_from_dict(service: Service, code: str, data: Mapping[str, Any]) -> Need:
    priority = parse_priority(service, code)
    within = data.get("deadline_s", standard(priority).target_s)
    if within is None or not 0 < int(within) <= MAX_DEADLINE_S:
        raise ValueError(f"{service.value} {code}: a need has no usable deadline")
    count = int(data.get("count", 1))
    if not 0 < count <= MAX_COUNT:
        raise ValueError(f"{service.value} {code}: count must be 1 to {MAX_COUNT}")
    return Need(Capability(data["capability"]), count, int(within), str(data.get("purpose", "")))
