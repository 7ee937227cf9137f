"""Recommending units: every need met in time, with the fewest vehicles, then the earliest."""

from __future__ import annotations

import itertools
import random

import pytest

from safercity.dispatch.capabilities import Capability, Service
from safercity.dispatch.fleet import Unit, UnitType, home_base_positions, london_fleet
from safercity.dispatch.recommend import (
    Need,
    ShortfallKind,
    format_duration,
    model_etas,
    recommend,
)
from safercity.dispatch.traveltime import TravelTimeModel
from safercity.platform.errors import InvalidInput

C = Capability
EIGHT_MIN = 480.0


def unit(call_sign: str, unit_type: UnitType, *caps: Capability) -> Unit:
    return Unit(call_sign, Service.AMBULANCE, "LAS", unit_type, "A1", frozenset(caps), 2)


FRC = unit("FRC1", UnitType.FAST_RESPONSE_CAR, C.PARAMEDIC, C.DEFIBRILLATOR)
MEDIC_ONLY = unit("MED1", UnitType.AMBULANCE, C.PARAMEDIC)
IRV_DEFIB = unit("IRV1", UnitType.POLICE_RESPONSE_CAR, C.POLICE_OFFICER, C.DEFIBRILLATOR)
PUMPS = [unit(f"P{i}", UnitType.FIRE_ENGINE, C.FIREFIGHTING) for i in range(1, 4)]


def test_one_unit_with_paramedic_and_defibrillator_beats_two_units() -> None:
    needs = [Need(C.PARAMEDIC, 1, EIGHT_MIN), Need(C.DEFIBRILLATOR, 1, EIGHT_MIN)]
    # The two single-skill units are both nearer, but one car that does both is fewer vehicles.
    etas = {"FRC1": 400.0, "MED1": 100.0, "IRV1": 120.0}
    result = recommend(needs, [FRC, MEDIC_ONLY, IRV_DEFIB], etas)
    assert [c.unit.call_sign for c in result.chosen] == ["FRC1"]
    assert result.chosen[0].fills == (C.PARAMEDIC, C.DEFIBRILLATOR)
    assert result.complete


def test_reason_names_the_capabilities_and_the_eta() -> None:
    needs = [Need(C.PARAMEDIC, 1, EIGHT_MIN), Need(C.DEFIBRILLATOR, 1, EIGHT_MIN)]
    result = recommend(needs, [FRC], {"FRC1": 250.0})
    assert result.chosen[0].reason == (
        "nearest unit with paramedic and defibrillator (fast response car): 4 min 10 s"
    )


def test_two_units_are_chosen_when_the_double_unit_would_be_late() -> None:
    needs = [Need(C.PARAMEDIC, 1, EIGHT_MIN), Need(C.DEFIBRILLATOR, 1, EIGHT_MIN)]
    etas = {"FRC1": 900.0, "MED1": 100.0, "IRV1": 120.0}
    result = recommend(needs, [FRC, MEDIC_ONLY, IRV_DEFIB], etas)
    assert {c.unit.call_sign for c in result.chosen} == {"MED1", "IRV1"}
    assert result.complete


def test_never_recommends_the_same_unit_twice() -> None:
    needs = [Need(C.FIREFIGHTING, 2, EIGHT_MIN), Need(C.FIREFIGHTING, 1, EIGHT_MIN)]
    etas = {"P1": 60.0, "P2": 200.0, "P3": 300.0}
    # The same unit listed twice by the caller is still one unit.
    result = recommend(needs, [*PUMPS, PUMPS[0]], etas)
    signs = [c.unit.call_sign for c in result.chosen]
    assert len(signs) == len(set(signs))


def test_two_fire_engines_are_two_different_units() -> None:
    result = recommend([Need(C.FIREFIGHTING, 2, EIGHT_MIN)], PUMPS, {"P1": 60, "P2": 90, "P3": 30})
    assert [c.unit.call_sign for c in result.chosen] == ["P3", "P1"]


def test_need_nobody_can_meet_in_time_is_flagged_late_with_the_earliest_unit() -> None:
    etas = {"P1": 900.0, "P2": 700.0, "P3": 1200.0}
    result = recommend([Need(C.FIREFIGHTING, 1, EIGHT_MIN)], PUMPS, etas)
    assert [c.unit.call_sign for c in result.chosen] == ["P2"]
    assert result.chosen[0].late
    [short] = result.shortfalls
    assert short.kind is ShortfallKind.LATE and short.missing == 1
    assert not result.complete


def test_need_without_enough_units_is_flagged_unavailable_and_the_rest_sent() -> None:
    result = recommend([Need(C.FIREFIGHTING, 5, EIGHT_MIN)], PUMPS, {"P1": 1, "P2": 2, "P3": 3})
    assert len(result.chosen) == 3
    [short] = result.shortfalls
    assert short.kind is ShortfallKind.UNAVAILABLE and short.missing == 2


def test_nearest_suitable_unit_is_chosen_over_a_nearer_unsuitable_one() -> None:
    etas = {"FRC1": 300.0, "MED1": 200.0, "IRV1": 10.0}
    result = recommend([Need(C.PARAMEDIC, 1, EIGHT_MIN)], [FRC, MEDIC_ONLY, IRV_DEFIB], etas)
    assert [c.unit.call_sign for c in result.chosen] == ["MED1"]


def test_earliest_arrivals_break_ties_between_equally_few_vehicles() -> None:
    etas = {"P1": 300.0, "P2": 100.0, "P3": 200.0}
    result = recommend([Need(C.FIREFIGHTING, 2, EIGHT_MIN)], PUMPS, etas)
    assert [c.unit.call_sign for c in result.chosen] == ["P2", "P3"]


def test_eta_may_be_a_callable() -> None:
    result = recommend([Need(C.FIREFIGHTING, 1, EIGHT_MIN)], PUMPS, lambda u: len(u.call_sign))
    assert len(result.chosen) == 1


def test_no_needs_recommends_nobody() -> None:
    assert recommend([], PUMPS, {}).chosen == ()


@pytest.mark.parametrize(
    "need", [Need(C.FIREFIGHTING, -1, 60.0), Need(C.FIREFIGHTING, 1, -5.0)], ids=str
)
def test_bad_need_is_refused(need: Need) -> None:
    with pytest.raises(InvalidInput):
        recommend([need], PUMPS, {"P1": 1, "P2": 1, "P3": 1})


def test_unit_without_an_eta_is_refused_by_name() -> None:
    with pytest.raises(InvalidInput, match="P2"):
        recommend([Need(C.FIREFIGHTING, 1, 60.0)], PUMPS, {"P1": 1.0})


def test_format_duration_reads_as_minutes_and_seconds() -> None:
    assert format_duration(250.4) == "4 min 10 s"
    assert format_duration(42) == "42 s"


def test_two_needs_for_one_capability_take_two_units() -> None:
    needs = [Need(C.FIREFIGHTING, 1, 360.0), Need(C.FIREFIGHTING, 1, 480.0)]
    result = recommend(needs, PUMPS, {"P1": 100.0, "P2": 200.0, "P3": 300.0})
    assert [c.unit.call_sign for c in result.chosen] == ["P1", "P2"]


def test_house_fire_over_the_whole_london_fleet_is_met_in_time() -> None:
    fleet = london_fleet()
    etas = model_etas(TravelTimeModel.load_default(), home_base_positions(fleet), 51.5155, -0.0922)
    needs = [
        Need(C.FIREFIGHTING, 2, EIGHT_MIN),
        Need(C.PARAMEDIC, 1, EIGHT_MIN),
        Need(C.PATIENT_TRANSPORT, 1, 1200.0),
        Need(C.POLICE_OFFICER, 1, 900.0),
    ]
    result = recommend(needs, fleet, etas)
    assert result.complete
    types = sorted(c.unit.unit_type for c in result.chosen)
    # Two pumps, one ambulance (paramedic and conveyance together), one police car.
    assert types == sorted(
        [UnitType.FIRE_ENGINE] * 2 + [UnitType.AMBULANCE, UnitType.POLICE_RESPONSE_CAR]
    )


def _best_by_brute_force(needs: list[Need], units: list[Unit], etas: dict[str, float]) -> tuple:
    """The lexicographic optimum (unfilled, late, vehicles, ETA sum) over every subset of units."""
    best: tuple = (float("inf"),)
    for size in range(len(units) + 1):
        for subset in itertools.combinations(units, size):
            unfilled = late = 0
            for cap in {n.capability for n in needs}:
                # A unit fills one slot per capability. On time: the most units matched to a
                # slot whose deadline they meet (each unit, earliest first, to the tightest
                # deadline it still meets); the other filled slots are late.
                slots = sorted(
                    d for n in needs if n.capability is cap for d in [n.deadline_s] * n.count
                )
                able = sorted(etas[u.call_sign] for u in subset if u.has(cap))
                free, on_time = list(slots), 0
                for seconds in able:
                    fit = next((d for d in free if d >= seconds), None)
                    if fit is not None:
                        free.remove(fit)
                        on_time += 1
                unfilled += max(0, len(slots) - len(able))
                late += min(len(slots), len(able)) - on_time
            key = (unfilled, late, size, sum(etas[u.call_sign] for u in subset))
            best = min(best, key)
    return best


@pytest.mark.parametrize("seed", range(100))
def test_recommendation_is_the_exact_optimum_found_by_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    caps = [C.PARAMEDIC, C.DEFIBRILLATOR, C.FIREFIGHTING, C.POLICE_OFFICER]
    units = [
        unit(f"U{i}", UnitType.AMBULANCE, *rng.sample(caps, rng.randint(1, 3)))
        # Up to 13 units with few capability mixes, so the candidate pruning is exercised too.
        for i in range(rng.randint(1, 8 if seed % 2 else 13))
    ]
    etas = {u.call_sign: float(rng.randint(30, 900)) for u in units}
    needs = [
        Need(cap, rng.randint(1, 2), float(rng.choice([300, 480, 600])))
        for cap in rng.sample(caps, rng.randint(1, 3))
    ]
    if seed % 3 == 0:  # a first and a second appliance: one capability, two deadlines
        needs.append(Need(needs[0].capability, 1, needs[0].deadline_s + 180.0))
    result = recommend(needs, units, etas)
    unfilled = sum(s.missing for s in result.shortfalls if s.kind is ShortfallKind.UNAVAILABLE)
    late = sum(s.missing for s in result.shortfalls if s.kind is ShortfallKind.LATE)
    got = (unfilled, late, len(result.chosen), sum(c.eta_s for c in result.chosen))
    assert got == _best_by_brute_force(needs, units, etas)


def test_one_unit_that_brings_everything_in_time_needs_no_solver(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_solver(*_args: object) -> None:
        raise AssertionError("the integer programme should not run")

    monkeypatch.setattr("safercity.dispatch.recommend._solve", no_solver)
    needs = [Need(C.PARAMEDIC, 1, EIGHT_MIN), Need(C.DEFIBRILLATOR, 1, EIGHT_MIN)]
    units = [
        unit("FRU", UnitType.FAST_RESPONSE_CAR, C.PARAMEDIC, C.DEFIBRILLATOR),
        unit("AMB", UnitType.AMBULANCE, C.PARAMEDIC, C.DEFIBRILLATOR),
        unit("PC", UnitType.POLICE_RESPONSE_CAR, C.DEFIBRILLATOR),
    ]
    result = recommend(needs, units, {"FRU": 200.0, "AMB": 150.0, "PC": 60.0})
    assert [c.unit.call_sign for c in result.chosen] == ["AMB"] and result.complete
