"""The simulation engine, on a small city (a few percent of London's police and ambulance
calls, a third of its fires, the whole fleet): seeded runs repeat, both clocks agree, units are
never in two places at once, and fleet, control-room and policy changes show in the figures a
user reads."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import numpy as np
import pytest

from safercity.dispatch.recommend import Recommendation, recommend
from safercity.simulation import engine, measures
from safercity.simulation.clock import CLOCKS, Clock, HeapClock, SimPyClock
from safercity.simulation.results import BIN_S, RunResult
from safercity.simulation.scenario import load_scenario, scenario_from_dict
from safercity.simulation.world import World, build_world

SMALL = {"police": 0.03, "ambulance": 0.03, "fire": 0.3}
BUSY_POLICE = {**SMALL, "police": 0.1}
SEED = 1
SHORT_LISTS_CHECKED = 300  # a run's first dispatches checked against the whole free fleet
MH_NO_RISK = "Mental-health crisis, no crime, no risk to life (health attends)"
PROXY = "Other non-urgent calls (proxy)"


def _world(data: dict[str, Any] | None = None, scale: dict[str, float] = SMALL) -> World:
    data = dict(data or {})
    data["demand"] = {"stream_scale": scale, **data.get("demand", {})}
    return build_world(scenario_from_dict({"name": "small", **data}))


def _run(world: World, seed: int = SEED, clock: str = "heap") -> RunResult:
    return engine.simulate(world, days=1, seed=seed, clock=clock)


@pytest.fixture(scope="module")
def small() -> World:
    return _world()


# -- an engine that checks itself as it runs --------------------------------------------------


@dataclass
class Checked:
    """A run's result, and what was seen of its units and incidents while it ran."""

    result: RunResult
    sends: int = 0
    sent_while_busy: list[str] = field(default_factory=list)
    sent_by_another_room: list[str] = field(default_factory=list)
    over_attended: list[str] = field(default_factory=list)
    closed_twice: list[str] = field(default_factory=list)
    before_the_call: list[str] = field(default_factory=list)
    short_lists_checked: int = 0
    short_list_differs: list[tuple[Any, Any]] = field(default_factory=list)
    progress: list[tuple[int, int]] = field(default_factory=list)


def simulate_checked(world: World, *, seed: int, clock: str = "heap", days: int = 1) -> Checked:
    """`engine.simulate`, with every send and every close checked against the rules."""
    seen = Checked(result=None)  # type: ignore[arg-type]
    sent: dict[int, tuple[Any, int]] = {}  # id(record) -> (record, units sent)
    closed: dict[int, Any] = {}
    send, close = engine._Engine._send, measures.Collector.close
    candidates = engine._Engine._candidates

    def checked_candidates(self: Any, job: Any, needs: Any, now: float) -> Any:
        units, etas = candidates(self, job, needs, now)
        if seen.short_lists_checked < SHORT_LISTS_CHECKED:
            seen.short_lists_checked += 1
            every, every_eta = _every_free_unit(self, job, now)
            short, full = recommend(needs, units, etas), recommend(needs, every, every_eta)
            if _answer(short) != _answer(full):
                seen.short_list_differs.append((_answer(short), _answer(full)))
        return units, etas

    def checked_send(self: Any, u: int, eta_s: float, fills: Any, job: Any, now: float) -> None:
        unit, record = self.world.units[u], job.incident.record
        seen.sends += 1
        if not self.free[u]:
            seen.sent_while_busy.append(unit.call_sign)
        if not self.joint and engine.ROOM_OF_SERVICE[unit.service] != job.room:
            seen.sent_by_another_room.append(unit.call_sign)
        held, count = sent.get(id(record), (record, 0))
        sent[id(record)] = (held, count + 1)
        needs = sum(n.count for g in record.line.grading.grades.values() for n in g.needs)
        if count + 1 > needs:
            seen.over_attended.append(record.label)
        send(self, u, eta_s, fills, job, now)

    def checked_close(self: Any, record: Any) -> None:
        if id(record) in closed:
            seen.closed_twice.append(record.label)
        closed[id(record)] = record  # held, so that no other record takes its id
        times = [*record.first.values(), *record.engines]
        if any(t < record.t_call for t in times):
            seen.before_the_call.append(record.label)
        close(self, record)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine._Engine, "_send", checked_send)
        patch.setattr(measures.Collector, "close", checked_close)
        patch.setattr(engine._Engine, "_candidates", checked_candidates)
        seen.result = engine.simulate(
            world,
            days=days,
            seed=seed,
            clock=clock,
            progress=lambda done, total: seen.progress.append((done, total)),
        )
    return seen


def _every_free_unit(self: Any, job: Any, now: float) -> tuple[list[Any], dict[str, float]]:
    """Every unit the job's room could send now, with its ETA from where it is."""
    mask = self.free & ((self.bits & job.bits) != 0)
    if not self.joint:
        mask &= self.room == job.room
    idx = np.flatnonzero(mask)
    if not idx.size:
        return [], {}
    lat, lon = self._positions(idx, now)
    incident = job.incident
    eta = self.world.travel.seconds_many(
        lat, lon, incident.lat, incident.lon, borough=incident.borough, at=incident.at
    )
    units = [self.world.units[i] for i in idx.tolist()]
    return units, dict(zip((u.call_sign for u in units), eta.tolist(), strict=True))


def _answer(recommendation: Recommendation) -> tuple[Any, ...]:
    chosen = [(c.unit.call_sign, round(c.eta_s, 6), c.fills) for c in recommendation.chosen]
    short = [(s.need, s.kind, s.missing) for s in recommendation.shortfalls]
    return tuple(chosen), tuple(short)


def _assert_kept_the_rules(seen: Checked) -> None:
    assert seen.sends > 100
    assert seen.sent_while_busy == []
    assert seen.sent_by_another_room == []
    assert seen.over_attended == []
    assert seen.closed_twice == []
    assert seen.before_the_call == []
    # The recommender, given the engine's short list, answers as it would over every free unit.
    assert seen.short_lists_checked == SHORT_LISTS_CHECKED
    assert seen.short_list_differs == []
    counts = seen.result.counts
    assert counts["incidents_closed"] <= counts["incidents"]
    assert counts["incidents_still_waiting_at_end"] >= 0
    assert counts["units_sent"] == seen.sends


@pytest.fixture(scope="module")
def checked_baseline(small: World) -> Checked:
    return simulate_checked(small, seed=SEED)


@pytest.fixture(scope="module")
def baseline(checked_baseline: Checked) -> RunResult:
    return checked_baseline.result


@pytest.fixture(scope="module")
def short_of_police() -> Checked:
    """A quarter of the police cars (one a base) for three times the small police demand."""
    world = _world({"fleet": {"scale": {"police_response_car": 0.25}}}, BUSY_POLICE)
    return simulate_checked(world, seed=SEED)


@pytest.fixture(scope="module")
def enough_police() -> RunResult:
    return _run(_world(scale=BUSY_POLICE))


@pytest.fixture(scope="module")
def separate() -> Checked:
    """Three control rooms, passing calls between them after an hour."""
    world = _world({"control_rooms": "separate", "transfer_delay_s": 3600})
    return simulate_checked(world, seed=SEED)


# -- the clocks -------------------------------------------------------------------------------


@pytest.fixture(params=sorted(CLOCKS))
def clock(request: pytest.FixtureRequest) -> Clock:
    return CLOCKS[request.param]()


def _note(log: list[Any], clock: Clock, name: Any) -> Callable[[], None]:
    return lambda: log.append((clock.now, name))


def test_a_clock_runs_actions_in_time_order_and_ties_in_scheduling_order(clock: Clock) -> None:
    log: list[Any] = []
    for when, name in [(30.0, "c"), (10.0, "a"), (20.0, "b1"), (20.0, "b2"), (20.0, "b3")]:
        clock.at(when, _note(log, clock, name))
    clock.run_until(100.0)
    assert log == [(10.0, "a"), (20.0, "b1"), (20.0, "b2"), (20.0, "b3"), (30.0, "c")]
    assert clock.now == 100.0


def test_run_until_runs_only_the_actions_strictly_before_it(clock: Clock) -> None:
    log: list[Any] = []
    clock.at(5.0, _note(log, clock, "before"))
    clock.at(10.0, _note(log, clock, "at"))
    clock.run_until(10.0)
    assert log == [(5.0, "before")]
    assert clock.now == 10.0
    clock.run_until(10.0)  # again: still not
    assert log == [(5.0, "before")]
    clock.run_until(10.000001)
    assert log == [(5.0, "before"), (10.0, "at")]


def test_an_action_may_schedule_another_now_or_later(clock: Clock) -> None:
    log: list[Any] = []

    def first() -> None:
        log.append((clock.now, "first"))
        clock.at(clock.now, _note(log, clock, "same time"))
        clock.at(clock.now + 5, _note(log, clock, "later"))
        clock.at(clock.now - 5, _note(log, clock, "in the past: now"))

    clock.at(1.0, first)
    clock.at(1.0, _note(log, clock, "tie"))
    clock.run_until(3.0)
    assert log == [
        (1.0, "first"),
        (1.0, "tie"),
        (1.0, "same time"),
        (1.0, "in the past: now"),
    ]
    clock.run_until(7.0)
    assert log[-1] == (6.0, "later")


def _random_trace(clock: Clock) -> list[Any]:
    """What a clock does with a seeded mess of ties, zero delays and nested actions."""
    rng = random.Random(7)
    log: list[tuple[float, int | str]] = []

    def action(name: int) -> None:
        log.append((clock.now, name))
        if name < 400:
            delay = rng.choice([0.0, 0.5, rng.uniform(0, 50)])
            clock.at(clock.now + delay, partial(action, name * 2 + 1))

    for k in range(200):
        clock.at(rng.choice([1.0, 2.0, rng.uniform(0, 100)]), partial(action, k))
    for stop in sorted(rng.uniform(0, 300) for _ in range(20)):
        clock.run_until(stop)
        log.append((clock.now, "stop"))
    return log


def test_both_clocks_run_a_random_schedule_the_same_way() -> None:
    heap, simpy = _random_trace(HeapClock()), _random_trace(SimPyClock())
    assert len(heap) > 300
    assert heap == simpy
    times = [t for t, _ in heap]
    assert times == sorted(times)


# -- runs -------------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_run_and_another_seed_another(
    small: World, baseline: RunResult
) -> None:
    again = _run(small)
    assert again.kpis() == baseline.kpis()
    assert replace(again, wall_s=0.0) == replace(baseline, wall_s=0.0)
    other = _run(small, seed=SEED + 1)
    assert other.kpis() != baseline.kpis()
    assert other.counts["incidents"] != baseline.counts["incidents"]


def test_the_heap_and_simpy_clocks_give_the_same_run(small: World, baseline: RunResult) -> None:
    on_simpy = _run(small, clock="simpy")
    assert on_simpy.kpis() == baseline.kpis()
    assert on_simpy.distributions == baseline.distributions


def test_a_small_day_is_busy_enough_to_measure(baseline: RunResult) -> None:
    counts = baseline.counts
    assert counts["incidents_police"] > 100
    assert counts["incidents_ambulance"] > 50
    assert counts["incidents_fire"] > 50
    assert counts["duplicate_calls_merged"] > 0
    assert counts["closed_by_telephone"] > 0
    for key in ("ambulance_c1_mean", "fire_first_mean", "fire_second_mean", "police_i_p90"):
        assert baseline.measure(key).count > 5, key


def test_units_are_never_sent_while_busy_nor_more_than_an_incident_needs(
    checked_baseline: Checked, short_of_police: Checked
) -> None:
    _assert_kept_the_rules(checked_baseline)
    _assert_kept_the_rules(short_of_police)  # where units are sent from the queues as they clear
    assert short_of_police.progress == [(1, 1)]


def test_separate_rooms_send_only_their_own_services_units(separate: Checked) -> None:
    _assert_kept_the_rules(separate)


def test_with_too_few_police_cars_incidents_wait_and_police_arrive_later(
    short_of_police: Checked, enough_police: RunResult
) -> None:
    short = short_of_police.result
    assert short.counts.get("incidents_waited_for_a_unit", 0) > 50
    assert enough_police.counts.get("incidents_waited_for_a_unit", 0) < 5
    for key in ("police_i_p90", "police_s_p90"):
        assert short.measure(key).value_s > 2 * enough_police.measure(key).value_s, key  # type: ignore[operator]
    assert short.measure("police_i_p90").met is False
    assert short.utilisation["police"] > 2 * enough_police.utilisation["police"]
    # The other services' units are untouched.
    assert short.counts["incidents_ambulance"] == enough_police.counts["incidents_ambulance"]


def test_a_transfer_between_control_rooms_delays_the_second_service(
    separate: Checked, baseline: RunResult
) -> None:
    joint_mh = baseline.distribution("health_C2")
    apart_mh = separate.result.distribution("health_C2")
    assert joint_mh.count > 3 and apart_mh.count > 3
    # Mental-health crises come in as police calls: the health room hears of them an hour later.
    assert apart_mh.mean_s > joint_mh.mean_s + 3000  # type: ignore[operator]
    assert sum(apart_mh.bins[: 3600 // BIN_S]) == 0  # none reached before the transfer
    assert sum(joint_mh.bins[: 3600 // BIN_S]) > 0
    # Ambulances sent to fires and crimes wait for the transfer too.
    joint_c2 = baseline.measure("ambulance_c2_mean").value_s
    apart_c2 = separate.result.measure("ambulance_c2_mean").value_s
    assert apart_c2 > joint_c2 + 120  # type: ignore[operator]
    # Fire engines are sent by the fire room, which takes the fire calls itself.
    assert separate.result.measure("fire_first_mean").count > 5


def test_first_fire_engines_arrive_in_a_plausible_time(baseline: RunResult) -> None:
    first = baseline.measure("fire_first_mean")
    second = baseline.measure("fire_second_mean")
    assert first.value_s is not None and 180 <= first.value_s <= 480
    assert second.value_s is not None and second.value_s > first.value_s
    assert 0.2 < baseline.distribution("fire_first").within["360"] <= 1.0


def test_response_times_are_never_negative(baseline: RunResult, separate: Checked) -> None:
    for result in (baseline, separate.result):
        for d in result.distributions:
            assert sum(d.bins) == d.count, d.key
            if d.count:
                assert d.mean_s is not None and d.mean_s >= 0, d.key
                assert d.median_s is not None and d.median_s >= 0, d.key
                assert d.p90_s is not None and d.p90_s >= d.median_s, d.key


def test_the_measures_carry_the_published_targets(baseline: RunResult) -> None:
    targets = {m.key: (m.statistic, m.target_s) for m in baseline.measures}
    assert targets == {
        "ambulance_c1_mean": ("mean", 420),
        "ambulance_c1_p90": ("p90", 900),
        "ambulance_c2_mean": ("mean", 1080),
        "ambulance_c2_p90": ("p90", 2400),
        "fire_first_mean": ("mean", 360),
        "fire_second_mean": ("mean", 480),
        "police_i_p90": ("p90", 900),
        "police_s_p90": ("p90", 3600),
    }
    reads = {
        "ambulance_c1_mean": ("ambulance_C1", "mean_s"),
        "ambulance_c1_p90": ("ambulance_C1", "p90_s"),
        "ambulance_c2_mean": ("ambulance_C2", "mean_s"),
        "ambulance_c2_p90": ("ambulance_C2", "p90_s"),
        "fire_first_mean": ("fire_first", "mean_s"),
        "fire_second_mean": ("fire_second", "mean_s"),
        "police_i_p90": ("police_I", "p90_s"),
        "police_s_p90": ("police_S", "p90_s"),
    }
    for key, (distribution, figure) in reads.items():
        measure, times = baseline.measure(key), baseline.distribution(distribution)
        assert measure.value_s == getattr(times, figure), key
        assert measure.count == times.count, key
        assert measure.met == (measure.value_s <= measure.target_s), key  # type: ignore[operator]
        assert measure.source
        kpis = baseline.kpis()
        assert kpis[f"{key}_target_s"] == measure.target_s
        assert kpis[f"{key}_met"] == measure.met


def test_a_result_survives_json_and_back(baseline: RunResult) -> None:
    assert RunResult.from_dict(baseline.to_dict()) == baseline
    through_json = RunResult.from_dict(json.loads(json.dumps(baseline.to_dict())))
    assert through_json == baseline
    assert through_json.kpis() == baseline.kpis()


def test_without_right_care_right_person_police_go_to_crises_without_risk(
    baseline: RunResult,
) -> None:
    before = _run(_world({"policy": {"right_care_right_person": False}}))
    assert before.officer_hours.get(MH_NO_RISK, 0.0) > 0
    assert baseline.officer_hours.get(MH_NO_RISK, 0.0) == 0
    # Health responders go either way.
    assert before.distribution("health_C2").count > 0
    assert sum(before.officer_hours.values()) > sum(baseline.officer_hours.values())


def test_police_doing_less_frees_officer_hours_and_leaves_harm_unattended(
    baseline: RunResult,
) -> None:
    scenario = replace(load_scenario("police_do_less"), stream_scale=SMALL, fleet_scale={})
    less = _run(build_world(scenario))
    assert baseline.officer_hours.get(PROXY, 0.0) > 0
    assert less.officer_hours.get(PROXY, 0.0) == 0
    assert less.officer_cost < baseline.officer_cost
    assert less.counts["no_attendance"] > baseline.counts.get("no_attendance", 0)
    # What the police no longer attend counts, weighted by its harm, as unattended.
    assert baseline.harm["unattended_share"] == 0
    assert less.harm["unattended_share"] > 0


def test_a_police_stop_rule_leaves_its_incidents_unattended(baseline: RunResult) -> None:
    rule = {"service": "police", "type": "burglary_in_progress", "action": "stop"}
    stopped = _run(_world({"policy": {"less": [rule]}}))
    assert not [label for label in stopped.officer_hours if label.startswith("Burglary")]
    assert [label for label in baseline.officer_hours if label.startswith("Burglary")]
    assert stopped.harm["unattended_share"] > 0


def test_a_run_of_no_days_measures_nothing(small: World) -> None:
    empty = engine.simulate(small, days=0, seed=SEED)
    assert empty.days == 0
    assert empty.counts.get("incidents", 0) == 0
    assert all(m.value_s is None and m.met is None for m in empty.measures)
