"""What a run measures, incident by incident, and the figures it adds up to.

Response times run from the first 999 call to the first unit on scene that brings one of the
capabilities a service's grade asked for (for a category 1 call: a paramedic or a
defibrillator, so a fire engine co-responding with a defibrillator stops the clock, as a
community first responder does under the Ambulance Response Programme). The fire brigade's
figures are its first and second fire engines on scene at emergency calls.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from safercity.contact.priority import PoliceGrade, standard
from safercity.dispatch.capabilities import Capability, Service
from safercity.dispatch.fleet import Unit
from safercity.simulation.model import DemandCall
from safercity.simulation.results import Distribution, Measure, RunResult, Target
from safercity.simulation.world import LineGrading, World

__all__ = ["TARGETS", "Collector", "IncidentRecord"]

_ARP = "NHS England, Ambulance Response Programme (2017)"
_LFB = "London Fire Brigade, London Safety Plan"
_MET = "Metropolitan Police response targets"
# (target, the distribution it reads)
TARGETS: tuple[tuple[Target, str], ...] = (
    (Target("ambulance_c1_mean", "Ambulance category 1, mean", "mean", 420, _ARP), "ambulance_C1"),
    (Target("ambulance_c1_p90", "Ambulance category 1, 90th centile", "p90", 900, _ARP),
     "ambulance_C1"),
    (Target("ambulance_c2_mean", "Ambulance category 2, mean", "mean", 1080, _ARP), "ambulance_C2"),
    (Target("ambulance_c2_p90", "Ambulance category 2, 90th centile", "p90", 2400, _ARP),
     "ambulance_C2"),
    (Target("fire_first_mean", "First fire engine, mean", "mean", 360, _LFB), "fire_first"),
    (Target("fire_second_mean", "Second fire engine, mean", "mean", 480, _LFB), "fire_second"),
    (Target("police_i_p90", "Police grade I, 90th centile", "p90", 900, _MET), "police_I"),
    (Target("police_s_p90", "Police grade S, 90th centile", "p90", 3600, _MET), "police_S"),
)  # fmt: skip
DISTRIBUTIONS: dict[str, tuple[str, tuple[float, ...]]] = {
    "ambulance_C1": ("Ambulance category 1", (420, 900)),
    "ambulance_C2": ("Ambulance category 2", (1080, 2400)),
    "ambulance_C3": ("Ambulance category 3", (7200,)),
    "ambulance_C4": ("Ambulance category 4", (10800,)),
    "health_C2": ("Mental-health response", (1080,)),
    "fire_first": ("First fire engine", (360,)),
    "fire_second": ("Second fire engine", (480,)),
    "police_I": ("Police grade I", (900,)),
    "police_S": ("Police grade S", (3600,)),
    "police_E": ("Police grade E", (86_400,)),
}
_HARM_TIMED = frozenset({PoliceGrade.I, PoliceGrade.S})


@dataclass(eq=False, slots=True)
class IncidentRecord:
    """What happened to one incident: when units reached it, how many went."""

    t_call: float
    stream: str
    type_code: str
    label: str
    line: LineGrading
    first: dict[Service, float] = field(default_factory=dict)
    engines: list[float] = field(default_factory=list)
    units: int = 0
    queued: bool = False


def _measure(target: Target, times: Distribution) -> Measure:
    value = times.statistic(target.statistic)
    return Measure(
        target.key, target.label, target.statistic, target.seconds, value, times.count,
        target.source,
    )  # fmt: skip


class Collector:
    """Adds up a run's records into a RunResult."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.counts: Counter[str] = Counter()
        self.times: defaultdict[str, list[float]] = defaultdict(list)
        self.officer_hours: defaultdict[str, float] = defaultdict(float)
        self.harm = {"total": 0.0, "unattended": 0.0, "timed": 0.0, "in_time": 0.0, "wait": 0.0}

    def open(self, call: DemandCall, line: LineGrading, t: float) -> IncidentRecord:
        counts = self.counts
        counts["calls"] += 1
        counts["incidents"] += 1
        counts[f"incidents_{call.stream}"] += 1
        if call.remote:
            counts["closed_by_telephone"] += 1
        elif not line.grading.attendance:
            counts["no_attendance"] += 1
        return IncidentRecord(t, call.stream, call.type_code, call.label, line)

    def duplicate(self, outcome: str) -> None:
        """A second call about an incident: merged, merged into another, or missed."""
        self.counts["calls"] += 1
        self.counts[outcome] += 1

    def sent(
        self,
        record: IncidentRecord,
        unit: Unit,
        arrive: float,
        busy_s: float,
        fills: tuple[Capability, ...],
        services: set[Service],
    ) -> None:
        record.units += 1
        self.counts["units_sent"] += 1
        for service in services:
            if arrive < record.first.get(service, float("inf")):
                record.first[service] = arrive
        if Capability.FIREFIGHTING in fills:
            record.engines.append(arrive)
        if unit.service is Service.POLICE:
            self.officer_hours[record.label] += busy_s * unit.crew / 3600.0

    def queued(self, record: IncidentRecord) -> None:
        if not record.queued:
            record.queued = True
            self.counts["incidents_waited_for_a_unit"] += 1

    def close(self, record: IncidentRecord) -> None:
        self.counts["incidents_closed"] += 1
        if record.units:
            self.counts["incidents_attended"] += 1
        grades = record.line.grading.grades
        for service, grade in grades.items():
            arrived = record.first.get(service)
            if arrived is not None and grade.needs:
                self.times[f"{service.value}_{grade.priority.value}"].append(
                    arrived - record.t_call
                )
        fire = grades.get(Service.FIRE)
        if fire is not None and fire.priority.value == "emergency" and record.engines:
            engines = sorted(record.engines)
            self.times["fire_first"].append(engines[0] - record.t_call)
            if len(engines) > 1:
                self.times["fire_second"].append(engines[1] - record.t_call)
        self._harm(record)

    def _harm(self, record: IncidentRecord) -> None:
        line = record.line
        police = line.grading.grades.get(Service.POLICE)
        if police is None and Service.POLICE not in line.stopped:
            return
        weight = self.world.harm.get(record.type_code, 0.0)
        harm = self.harm
        harm["total"] += weight
        if police is None or not police.needs:
            harm["unattended"] += weight
            return
        arrived = record.first.get(Service.POLICE)
        if police.priority in _HARM_TIMED and arrived is not None:
            wait = arrived - record.t_call
            target = standard(police.priority).target_s or 0
            harm["timed"] += weight
            harm["wait"] += weight * wait
            harm["in_time"] += weight if wait <= target else 0.0

    def result(self, busy_s: np.ndarray, end_s: float, *, seed: int, wall_s: float) -> RunResult:
        scenario = self.world.scenario
        distributions = tuple(
            Distribution.of(key, label, self.times.get(key, []), marks)
            for key, (label, marks) in DISTRIBUTIONS.items()
        )
        by_key = {d.key: d for d in distributions}
        measures = tuple(_measure(target, by_key[source]) for target, source in TARGETS)
        counts = dict(self.counts)
        counts["incidents_still_waiting_at_end"] = counts.get("incidents", 0) - counts.get(
            "incidents_closed", 0
        )
        hours = {k: round(v, 3) for k, v in sorted(self.officer_hours.items())}
        return RunResult(
            scenario=scenario.name,
            title=scenario.title,
            seed=seed,
            days=round(end_s / 86_400),
            measures=measures,
            distributions=distributions,
            counts=counts,
            vehicles_per_incident=counts.get("units_sent", 0)
            / max(1, counts.get("incidents_attended", 0)),
            utilisation=self._utilisation(busy_s, end_s),
            officer_hours=hours,
            officer_cost=sum(hours.values()) * scenario.officer_cost_per_hour,
            harm=self._harm_figures(),
            wall_s=wall_s,
        )

    def _utilisation(self, busy_s: np.ndarray, end_s: float) -> dict[str, float]:
        result = {}
        services = np.array([u.service.value for u in self.world.units])
        for service in Service:
            mine = services == service.value
            if mine.any() and end_s > 0:
                result[service.value] = float(busy_s[mine].sum() / (mine.sum() * end_s))
        return result

    def _harm_figures(self) -> dict[str, float]:
        harm = self.harm
        total, timed = harm["total"], harm["timed"]
        return {
            "total_days": harm["total"],
            "unattended_share": harm["unattended"] / total if total else 0.0,
            "weighted_mean_response_s": harm["wait"] / timed if timed else 0.0,
            "within_target_share": harm["in_time"] / timed if timed else 0.0,
        }
