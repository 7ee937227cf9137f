"""The simulation: a scenario's calls graded, deduplicated, dispatched, served and cleared.

Each call of the demand model is graded through the real grading (`World.grading`), checked
against the open incidents with the real duplicate rule, and its attendance sent through the
real recommender (`dispatch.recommend.recommend`) over the units free at that moment, with
ETAs from the calibrated travel-time model from where each unit is. A unit is on scene at its
ETA (never before its turnout, `dispatch.assignment.on_scene_after_s`), stays for the call's
time on scene, conveys a patient to the nearest hospital and hands over when the call says so,
then drives back to base, free to be sent on the way. A need no free unit can meet waits in a
queue, most urgent first, for the next unit with that capability to clear.

With one joint 999 service every need may be met by any service's unit (a fire engine with a
defibrillator answers a cardiac arrest); with separate control rooms each room sends only its
own service's units, and calls for another service reach its room after a transfer delay.

Only the candidates that can matter reach the recommender: for each group of units carrying
the same needed capabilities, the earliest few (as many as the attendance has slots). The
recommender keeps exactly those itself (see `recommend._candidates`), so its answer is the one
it would give over the whole fleet.
"""

from __future__ import annotations

import heapq
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

import numpy as np

from safercity.contact.duplicates import DuplicateRule, distance_m
from safercity.dispatch.assignment import on_scene_after_s
from safercity.dispatch.capabilities import Capability, Service
from safercity.dispatch.fleet import Unit
from safercity.dispatch.recommend import Need, ShortfallKind, recommend
from safercity.dispatch.traveltime import crow_fly_km_one
from safercity.simulation.clock import CLOCKS, Clock
from safercity.simulation.demand import iter_calls
from safercity.simulation.measures import Collector, IncidentRecord
from safercity.simulation.model import DemandCall
from safercity.simulation.results import RunResult
from safercity.simulation.sampling import METRES_PER_DEGREE
from safercity.simulation.scenario import ControlRooms
from safercity.simulation.world import LineGrading, World

__all__ = ["DEFAULT_START", "Progress", "simulate"]

DEFAULT_START = datetime(2023, 1, 2, tzinfo=ZoneInfo("Europe/London"))  # a Monday
# A second caller about the same incident: some seconds later, a little way off (assumption;
# LFB records only how many calls an incident had).
EXTRA_CALL_DELAY_S = (15.0, 300.0)
EXTRA_CALL_OFFSET_M = 150.0
BIT = {capability: 1 << i for i, capability in enumerate(Capability)}
ROOM_OF_SERVICE = {
    Service.POLICE: 1,
    Service.AMBULANCE: 2,
    Service.HEALTH: 2,  # London's mental-health cars are sent by the ambulance service
    Service.FIRE: 3,
}
ROOM_OF_STREAM = {"police": 1, "ambulance": 2, "fire": 3}

Progress = Callable[[int, int], None]


def simulate(
    world: World,
    *,
    days: int,
    seed: int,
    start: datetime = DEFAULT_START,
    progress: Progress | None = None,
    clock: str = "heap",
) -> RunResult:
    """Run the world's scenario for `days` days from `start`; the same seed, the same result."""
    began = time.perf_counter()
    engine = _Engine(world, CLOCKS[clock](), start, seed)
    end_s = days * 86_400.0
    for call in iter_calls(world.demand, days=days, seed=seed, start=start):
        t = call.at.timestamp() - engine.origin
        if t >= engine.next_day_s:
            engine.day_done(progress, days)
        engine.clock.run_until(t)
        engine.take(call, t)
    engine.clock.run_until(end_s)
    while engine.days_done < days:
        engine.day_done(progress, days)
    return engine.collector.result(
        engine.units_busy_s(end_s), end_s, seed=seed, wall_s=time.perf_counter() - began
    )


@dataclass(eq=False, slots=True)
class _Incident:
    record: IncidentRecord
    lat: float
    lon: float
    borough: str
    at: datetime
    service_s: float
    conveyed: bool
    handover_s: float
    open_jobs: int = 0
    conveyor: bool = False  # a unit has been given the patient to convey


@dataclass(eq=False, slots=True)
class _Job:
    """The needs one control room still has to meet for one incident."""

    incident: _Incident
    room: int
    needs: list[Need]
    services_of: dict[Capability, tuple[Service, ...]]
    queued_bits: int = 0
    order: int = 0
    bits: int = 0  # the capabilities `needs` ask for, kept for the hot path

    def refresh_bits(self) -> None:
        bits = 0
        for need in self.needs:
            bits |= BIT[need.capability]
        self.bits = bits


class _Engine:
    def __init__(self, world: World, clock: Clock, start: datetime, seed: int) -> None:
        self.world, self.clock = world, clock
        self.origin = start.timestamp()
        self.days_done, self.next_day_s = 0, 86_400.0
        self.joint = world.scenario.control_rooms is ControlRooms.JOINT
        self.transfer_s = world.scenario.transfer_delay_s
        self.rule = DuplicateRule()
        self.rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1_000_000,)))
        self.collector = Collector(world)
        units = world.units
        self.index = {u.call_sign: i for i, u in enumerate(units)}
        self.sign_rank = np.argsort(np.argsort([u.call_sign for u in units]))
        self.able: dict[tuple[int, int], np.ndarray] = {}
        self.bits = np.array([sum(BIT[c] for c in u.capabilities) for u in units], np.int64)
        self.unit_bits = [[BIT[c] for c in u.capabilities] for u in units]
        self.room = np.array([0 if self.joint else ROOM_OF_SERVICE[u.service] for u in units])
        self.free = np.ones(len(units), dtype=bool)
        self.home_lat, self.home_lon = world.home[:, 0].copy(), world.home[:, 1].copy()
        self.from_lat, self.from_lon = self.home_lat.copy(), self.home_lon.copy()
        self.move_start = np.zeros(len(units))
        self.move_end = np.zeros(len(units))
        self.busy_s = np.zeros(len(units))
        self.busy_until = np.zeros(len(units))
        self.queues: dict[tuple[int, int], list[tuple[float, int, _Job]]] = {}
        self.recent: deque[tuple[float, float, float, _Incident]] = deque()
        self.order = 0

    # -- calls -------------------------------------------------------------------------------

    def day_done(self, progress: Progress | None, days: int) -> None:
        self.days_done += 1
        self.next_day_s += 86_400.0
        if progress is not None:
            progress(self.days_done, days)

    def take(self, call: DemandCall, t: float) -> None:
        line = self.world.grading(call.stream, call.type_code, call.label, call.answers)
        record = self.collector.open(call, line, t)
        incident = _Incident(
            record, call.lat, call.lon, call.borough, call.at, call.service_s, call.conveyed,
            call.handover_s,
        )  # fmt: skip
        self._remember(t, incident)
        for _ in range(call.calls - 1):
            self._second_call(incident, t)
        if call.remote or not line.grading.attendance:
            self.collector.close(record)
            return
        jobs = self._jobs(incident, line, call.stream)
        incident.open_jobs = len(jobs)  # all counted first: a job may finish as it is sent
        for job, delay in jobs:
            if delay > 0:
                self.clock.at(t + delay, partial(self._dispatch, job))
            else:
                self._dispatch(job)

    def _jobs(
        self, incident: _Incident, line: LineGrading, stream: str
    ) -> list[tuple[_Job, float]]:
        """The jobs the call makes: one for the joint room, or one per service's room."""
        by_room: dict[int, list[tuple[Service, Need]]] = {}
        for service, grade in line.grading.grades.items():
            room = 0 if self.joint else ROOM_OF_SERVICE[service]
            for wanted in grade.needs:
                by_room.setdefault(room, []).append(
                    (service, Need(wanted.capability, wanted.count, float(wanted.deadline_s)))
                )
        taker = ROOM_OF_STREAM.get(stream, 0)
        jobs = []
        for room, pairs in by_room.items():
            services_of: dict[Capability, tuple[Service, ...]] = {}
            for service, need in pairs:
                services_of[need.capability] = (*services_of.get(need.capability, ()), service)
            job = _Job(incident, room, [n for _, n in pairs], services_of)
            job.refresh_bits()
            delay = 0.0 if self.joint or room == taker else self.transfer_s
            jobs.append((job, delay))
        return jobs

    def _remember(self, t: float, incident: _Incident) -> None:
        recent, window = self.recent, float(self.rule.within_s)
        while recent and recent[0][0] < t - window:
            recent.popleft()
        recent.append((t, incident.lat, incident.lon, incident))

    def _second_call(self, incident: _Incident, t: float) -> None:
        low, high = EXTRA_CALL_DELAY_S
        delay = low + (high - low) * float(self.rng.random())
        reach = EXTRA_CALL_OFFSET_M * math.sqrt(float(self.rng.random()))
        angle = 2 * math.pi * float(self.rng.random())
        lat = incident.lat + reach * math.cos(angle) / METRES_PER_DEGREE
        lon = incident.lon + reach * math.sin(angle) / (
            METRES_PER_DEGREE * math.cos(math.radians(lat))
        )
        self.clock.at(t + delay, partial(self._duplicate_check, incident, lat, lon))

    def _duplicate_check(self, incident: _Incident, lat: float, lon: float) -> None:
        """A second call is offered the open incidents the real rule matches, nearest in space
        and time first (as `likely_duplicates` ranks them); the handler merges it into the
        first. It may be another incident nearby, or none (then it would open a new one)."""
        now, rule = self.clock.now, self.rule
        best, best_score = None, math.inf
        for when, i_lat, i_lon, candidate in reversed(self.recent):
            if now - when > rule.within_s:
                break
            score = rule.closeness(distance_m(lat, lon, i_lat, i_lon), now - when)
            if score is not None and score < best_score:
                best, best_score = candidate, score
        if best is None:
            self.collector.duplicate("duplicate_calls_missed")
        elif best is incident:
            self.collector.duplicate("duplicate_calls_merged")
        else:
            self.collector.duplicate("duplicate_calls_merged_into_another_incident")

    # -- dispatch ----------------------------------------------------------------------------

    def _dispatch(self, job: _Job) -> None:
        """Recommend for the job's needs over the free units, send them, queue what is left."""
        now, incident = self.clock.now, job.incident
        elapsed = now - incident.record.t_call
        needs = [Need(n.capability, n.count, max(0.0, n.deadline_s - elapsed)) for n in job.needs]
        units, etas = self._candidates(job, needs, now)
        recommendation = recommend(needs, units, etas)
        for chosen in recommendation.chosen:
            self._send(self.index[chosen.unit.call_sign], chosen.eta_s, chosen.fills, job, now)
        job.needs = [
            Need(s.need.capability, s.missing, s.need.deadline_s + elapsed)  # from the call
            for s in recommendation.shortfalls
            if s.kind is ShortfallKind.UNAVAILABLE
        ]
        job.refresh_bits()
        if job.needs:
            self._enqueue(job)
        else:
            self._job_done(job)

    def _candidates(
        self, job: _Job, needs: list[Need], now: float
    ) -> tuple[list[Unit], dict[str, float]]:
        """The free units that can matter to the job, and their ETAs by call sign."""
        wanted = job.bits
        able = self.able.get((wanted, job.room))
        if able is None:  # which units could help: fixed for a set of needs and a room
            able = (self.bits & wanted) != 0
            if not self.joint:
                able &= self.room == job.room
            self.able[(wanted, job.room)] = able
        idx = np.flatnonzero(self.free & able)
        if not idx.size:
            return [], {}
        incident = job.incident
        lat, lon = self._positions(idx, now)
        slots = sum(n.count for n in needs)
        if idx.size > slots:  # keep the nearest few of each group before the exact ETAs
            near = _near_per_group(
                self._flat_distance2(lat, lon, incident), self.bits[idx] & wanted, slots
            )
            idx, lat, lon = idx[near], lat[near], lon[near]
        eta = self.world.travel.seconds_many(
            lat, lon, incident.lat, incident.lon, borough=incident.borough, at=incident.at
        )
        units = self.world.units
        if idx.size > slots:
            signature = (self.bits[idx] & wanted).tolist()
            rank = self.sign_rank[idx].tolist()
            found = list(zip(signature, eta.tolist(), rank, idx.tolist(), strict=True))
            chosen = _earliest_per_group(found, slots)
        else:
            chosen = list(zip(idx.tolist(), eta.tolist(), strict=True))
        return [units[i] for i, _ in chosen], {units[i].call_sign: e for i, e in chosen}

    @staticmethod
    def _flat_distance2(lat: np.ndarray, lon: np.ndarray, incident: _Incident) -> np.ndarray:
        """Squared distances on a flat map around the incident: cheap, and within a city less
        than half a per cent off the great-circle distance the travel model uses."""
        squeeze = math.cos(math.radians(incident.lat))
        north, east = lat - incident.lat, (lon - incident.lon) * squeeze
        result: np.ndarray = north * north + east * east
        return result

    def _positions(self, idx: np.ndarray, now: float) -> tuple[np.ndarray, np.ndarray]:
        """Where each unit is now: at base, or part of the way back from its last job."""
        lat, lon = self.home_lat[idx], self.home_lon[idx]
        moving = np.flatnonzero(self.move_end[idx] > now)
        if moving.size:
            back = idx[moving]
            start, end = self.move_start[back], self.move_end[back]
            part = np.minimum((now - start) / (end - start), 1.0)  # moving: end > now >= start
            lat[moving] = self.from_lat[back] + (self.home_lat[back] - self.from_lat[back]) * part
            lon[moving] = self.from_lon[back] + (self.home_lon[back] - self.from_lon[back]) * part
        return lat, lon

    def _send(
        self, u: int, eta_s: float, fills: tuple[Capability, ...], job: _Job, now: float
    ) -> None:
        unit, incident = self.world.units[u], job.incident
        median, log_sd = self.world.spread
        journey = eta_s * median * math.exp(log_sd * float(self.rng.standard_normal()))
        arrive = now + on_scene_after_s(unit.service, journey)
        until, free_lat, free_lon = arrive + incident.service_s, incident.lat, incident.lon
        if incident.conveyed and not incident.conveyor and unit.has(Capability.PATIENT_TRANSPORT):
            incident.conveyor = True
            travel, free_lat, free_lon = self._to_hospital(incident)
            until += travel + incident.handover_s
        services = {s for c in fills for s in job.services_of.get(c, ())}
        self.collector.sent(incident.record, unit, arrive, until - now, fills, services)
        self.free[u] = False
        self.busy_s[u] += until - now
        self.busy_until[u] = until
        self.clock.at(until, partial(self._cleared, u, free_lat, free_lon))

    def _to_hospital(self, incident: _Incident) -> tuple[float, float, float]:
        hospitals = self.world.hospitals
        nearest = np.argmin(self._flat_distance2(hospitals[:, 0], hospitals[:, 1], incident))
        h_lat, h_lon = (float(v) for v in hospitals[int(nearest)])
        km = crow_fly_km_one(incident.lat, incident.lon, h_lat, h_lon)
        return self.world.travel.drive_seconds(km), h_lat, h_lon

    def _cleared(self, u: int, lat: float, lon: float) -> None:
        """The unit is free where it finished and heads home; waiting needs may take it."""
        now = self.clock.now
        self.free[u] = True
        self.from_lat[u], self.from_lon[u] = lat, lon
        self.move_start[u] = now
        home_lat, home_lon = float(self.home_lat[u]), float(self.home_lon[u])
        km = crow_fly_km_one(lat, lon, home_lat, home_lon)
        self.move_end[u] = now + self.world.travel.drive_seconds(km)
        room = int(self.room[u])
        for bit in self.unit_bits[u]:
            queue = self.queues.get((room, bit))
            if queue:
                self._serve(queue, bit, u)
            if not self.free[u]:
                return

    # -- queues ------------------------------------------------------------------------------

    def _enqueue(self, job: _Job) -> None:
        self.order += 1
        job.order = self.order
        deadline = job.incident.record.t_call + min(n.deadline_s for n in job.needs)
        for need in job.needs:
            bit = BIT[need.capability]
            if not job.queued_bits & bit:
                job.queued_bits |= bit
                queue = self.queues.setdefault((job.room, bit), [])
                heapq.heappush(queue, (deadline, job.order, job))
        self.collector.queued(job.incident.record)

    def _serve(self, queue: list[tuple[float, int, _Job]], bit: int, u: int) -> None:
        """The most urgent waiting jobs that need `bit`, while unit `u` is still free."""
        while queue and self.free[u]:
            job = queue[0][2]
            if not job.bits & bit:
                heapq.heappop(queue)
                job.queued_bits &= ~bit
                continue
            self._dispatch(job)
            if job.bits & bit:
                return  # it still needs this capability: no free unit can give it
            heapq.heappop(queue)
            job.queued_bits &= ~bit

    def _job_done(self, job: _Job) -> None:
        incident = job.incident
        incident.open_jobs -= 1
        if incident.open_jobs == 0:
            self.collector.close(incident.record)

    def units_busy_s(self, end_s: float) -> np.ndarray:
        """Busy seconds of each unit within the run (work past its end left out)."""
        overrun = np.maximum(self.busy_until - end_s, 0.0)
        result: np.ndarray = self.busy_s - overrun
        return result


# Units within this factor of the k-th nearest on the flat map are kept for the exact ETA: far
# more than the flat map's error within a city, so the k earliest by ETA are always among them.
FLAT_MARGIN2 = 1.05**2


def _near_per_group(distance2: np.ndarray, signature: np.ndarray, keep: int) -> np.ndarray:
    """Positions of the units that may be among the `keep` earliest of their group."""
    if signature.min() == signature.max():
        kth = np.partition(distance2, keep - 1)[keep - 1]
        return np.flatnonzero(distance2 <= kth * FLAT_MARGIN2 + 1e-12)
    near = []
    for value in np.unique(signature).tolist():
        group = np.flatnonzero(signature == value)
        if group.size > keep:
            kth = np.partition(distance2[group], keep - 1)[keep - 1]
            group = group[distance2[group] <= kth * FLAT_MARGIN2 + 1e-12]
        near.append(group)
    return np.concatenate(near)


def _earliest_per_group(
    found: list[tuple[int, float, int, int]], keep: int
) -> list[tuple[int, float]]:
    """Of each group of units with the same needed capabilities (signature), the `keep`
    earliest, ties going to the first call sign (rank), as the recommender itself keeps them.
    `found` holds (signature, ETA, call-sign rank, unit); the short list has a few units, so
    plain Python is quicker than numpy here. Returns (unit, ETA) pairs."""
    kept: list[tuple[int, float]] = []
    group, taken = -1, 0
    for signature, eta, _, unit in sorted(found):
        taken = taken + 1 if signature == group else 1
        group = signature
        if taken <= keep:
            kept.append((unit, eta))
    return kept
