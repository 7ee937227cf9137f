"""The fast exact search for a recommendation: the same optimum as the integer programme.

`recommend` solves small instances by components, a greedy rule for one capability and a
dynamic programme for several, and only falls back on the integer programme (`_solve`) for
large components. These tests compare the objective tuple (unfilled slots, late unit-slot pairs,
vehicles, sum of rounded ETAs) with the integer programme's and with a brute force, on many
random instances, and check that the typical attendances never reach the integer programme.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest

from safercity.dispatch import recommend as module
from safercity.dispatch.capabilities import Capability, Service
from safercity.dispatch.fleet import Unit, UnitType
from safercity.dispatch.recommend import (
    Need,
    Recommendation,
    ShortfallKind,
    _candidates,
    _components,
    _exact,
    _solve,
    recommend,
)

C = Capability
Cands = list[tuple[Unit, float]]
Objective = tuple[int, int, int, int]

AMBULANCE = frozenset({C.PARAMEDIC, C.DEFIBRILLATOR, C.FIRST_AID, C.PATIENT_TRANSPORT})
FAST_CAR = frozenset({C.PARAMEDIC, C.DEFIBRILLATOR, C.FIRST_AID})
ENGINE = frozenset({C.FIREFIGHTING, C.FIRST_AID, C.DEFIBRILLATOR})
AERIAL = frozenset({C.AERIAL})
POLICE_DEFIB = frozenset({C.POLICE_OFFICER, C.FIRST_AID, C.DEFIBRILLATOR})
POLICE = frozenset({C.POLICE_OFFICER, C.FIRST_AID})

POLICE_I = [Need(C.POLICE_OFFICER, 2, 900.0)]
FIRE_EMERGENCY = [Need(C.FIREFIGHTING, 1, 360.0), Need(C.FIREFIGHTING, 1, 480.0)]
AMBULANCE_C1 = [
    Need(C.PARAMEDIC, 1, 420.0),
    Need(C.DEFIBRILLATOR, 1, 420.0),
    Need(C.PATIENT_TRANSPORT, 1, 900.0),
]
AMBULANCE_C2 = [Need(C.PARAMEDIC, 1, 1080.0), Need(C.PATIENT_TRANSPORT, 1, 2400.0)]
COMMERCIAL_FIRE = [
    Need(C.FIREFIGHTING, 1, 360.0),
    Need(C.FIREFIGHTING, 1, 480.0),
    Need(C.FIREFIGHTING, 2, 900.0),
    Need(C.AERIAL, 1, 900.0),
    *POLICE_I,
    *AMBULANCE_C1,
]
TYPES = {
    AMBULANCE: UnitType.AMBULANCE,
    FAST_CAR: UnitType.FAST_RESPONSE_CAR,
    ENGINE: UnitType.FIRE_ENGINE,
    AERIAL: UnitType.AERIAL_LADDER,
    POLICE_DEFIB: UnitType.POLICE_RESPONSE_CAR,
    POLICE: UnitType.POLICE_RESPONSE_CAR,
}


def unit(call_sign: str, caps: frozenset[Capability]) -> Unit:
    unit_type = TYPES.get(caps, UnitType.AMBULANCE)
    return Unit(call_sign, Service.AMBULANCE, "X", unit_type, "B1", caps, 2)


def fleet(**mix: tuple[frozenset[Capability], int]) -> list[Unit]:
    return [unit(f"{name}{k}", caps) for name, (caps, n) in mix.items() for k in range(n)]


def objective(
    needs: list[Need], cands: Cands, assigned: list[tuple[int, int]], unfilled: list[int]
) -> Objective:
    """The objective tuple of a solution, after checking it is one: every slot filled or
    counted unfilled, units bring what they fill, and one slot per capability per unit."""
    filled = Counter(j for _, j in assigned)
    assert all(filled[j] + unfilled[j] == n.count for j, n in enumerate(needs))
    per_capability = Counter((i, needs[j].capability) for i, j in assigned)
    assert all(count == 1 for count in per_capability.values())
    assert all(cands[i][0].has(needs[j].capability) for i, j in assigned)
    used = {i for i, _ in assigned}
    late = sum(cands[i][1] > needs[j].deadline_s for i, j in assigned)
    return sum(unfilled), late, len(used), sum(round(cands[i][1]) for i in used)


def objective_of(result: Recommendation) -> Objective:
    unfilled = sum(s.missing for s in result.shortfalls if s.kind is ShortfallKind.UNAVAILABLE)
    late = sum(s.missing for s in result.shortfalls if s.kind is ShortfallKind.LATE)
    return unfilled, late, len(result.chosen), sum(round(c.eta_s) for c in result.chosen)


def every_candidate(needs: list[Need], units: list[Unit], etas: dict[str, float]) -> Cands:
    """All units with a needed capability, earliest first: no pruning, for the reference."""
    wanted = {n.capability for n in needs}
    return sorted(
        ((u, etas[u.call_sign]) for u in units if u.capabilities & wanted),
        key=lambda c: (c[1], c[0].call_sign),
    )


def reference(needs: list[Need], units: list[Unit], etas: dict[str, float]) -> Objective:
    """The integer programme's optimum over every unit (no candidate pruning, no shortcut)."""
    cands = every_candidate(needs, units, etas)
    return objective(needs, cands, *_solve(needs, cands))


def brute_force(needs: list[Need], units: list[Unit], etas: dict[str, float]) -> Objective:
    """The optimum over every subset of units: given the units sent, capabilities are
    independent (one slot per capability per unit), and each is a matching of nested
    deadlines solved earliest unit first, to the tightest deadline it meets."""
    best: Objective | None = None
    for size in range(len(units) + 1):
        for subset in itertools.combinations(units, size):
            unfilled = late = 0
            for cap in {n.capability for n in needs}:
                free = sorted(
                    d for n in needs if n.capability is cap for d in [n.deadline_s] * n.count
                )
                able = sorted(etas[u.call_sign] for u in subset if u.has(cap))
                on_time = 0
                for seconds in able:
                    fit = next((d for d in free if d >= seconds), None)
                    if fit is not None:
                        free.remove(fit)
                        on_time += 1
                slots = sum(n.count for n in needs if n.capability is cap)
                unfilled += max(0, slots - len(able))
                late += min(slots, len(able)) - on_time
            key = (unfilled, late, size, sum(round(etas[u.call_sign]) for u in subset))
            best = key if best is None else min(best, key)
    assert best is not None
    return best


def random_instance(rng: random.Random) -> tuple[list[Need], list[Unit], dict[str, float]]:
    """Small needs and units: repeated capabilities with different deadlines, units carrying
    several wanted capabilities, too few units, ties, fractional ETAs, and all late."""
    caps = rng.sample(
        [C.PARAMEDIC, C.DEFIBRILLATOR, C.FIREFIGHTING, C.POLICE_OFFICER], rng.randint(1, 4)
    )
    everything_late = rng.random() < 0.15
    needs = []
    for cap in caps:
        for _ in range(rng.choice([1, 1, 2])):
            deadline = 0.0 if everything_late else float(rng.choice([120, 300, 420, 600, 900]))
            needs.append(Need(cap, rng.choice([1, 1, 1, 2, 3]), deadline))
    while sum(n.count for n in needs) > 7:
        needs.pop()
    pool = [*caps, C.FIRST_AID, C.PATIENT_TRANSPORT]
    units = [
        unit(f"U{k}", frozenset(rng.sample(pool, rng.randint(1, min(3, len(pool))))))
        for k in range(rng.randint(0, 9))
    ]
    tie = rng.random() < 0.3
    etas = {
        u.call_sign: float(rng.choice([100, 300, 500]))
        if tie
        else round(rng.uniform(0, 1000), rng.choice([0, 1]))
        for u in units
    }
    return needs, units, etas


@pytest.mark.parametrize("seed", range(300))
def test_fast_search_finds_the_integer_programmes_optimum(seed: int) -> None:
    needs, units, etas = random_instance(random.Random(seed))
    cands = _candidates(needs, units, etas)
    assert objective(needs, cands, *_exact(needs, cands)) == reference(needs, units, etas)
    assert objective_of(recommend(needs, units, etas)) == reference(needs, units, etas)


@pytest.mark.parametrize("seed", range(120))
def test_fast_search_matches_brute_force(seed: int) -> None:
    rng = random.Random(10_000 + seed)
    needs, units, etas = random_instance(rng)
    etas = {sign: float(round(seconds)) for sign, seconds in etas.items()}
    assert objective_of(recommend(needs, units, etas)) == brute_force(needs, units, etas)


@pytest.mark.parametrize("seed", range(60))
def test_large_components_fall_back_on_the_integer_programme_per_component(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    needs, units, etas = random_instance(random.Random(20_000 + seed))
    monkeypatch.setattr(module, "MAX_WORK", 0)  # every multi-capability component is "large"
    cands = _candidates(needs, units, etas)
    assert objective(needs, cands, *_exact(needs, cands)) == reference(needs, units, etas)


@pytest.mark.parametrize("seed", range(20))
def test_tables_too_large_to_keep_give_the_same_optimum(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    needs, units, etas = random_instance(random.Random(30_000 + seed))
    monkeypatch.setattr(module, "CACHE_WORK", 0)  # every unit's table is built afresh
    cands = _candidates(needs, units, etas)
    assert objective(needs, cands, *_exact(needs, cands)) == reference(needs, units, etas)


def typical() -> list[tuple[list[Need], list[Unit]]]:
    ambulance_side = fleet(a=(AMBULANCE, 3), f=(FAST_CAR, 2), e=(ENGINE, 2))
    police_side = fleet(pd=(POLICE_DEFIB, 2), p=(POLICE, 2))
    return [
        (POLICE_I, fleet(pd=(POLICE_DEFIB, 1), p=(POLICE, 1))),
        (POLICE_I, police_side),
        (FIRE_EMERGENCY, fleet(e=(ENGINE, 5))),
        (AMBULANCE_C1, ambulance_side + police_side),
        (POLICE_I + AMBULANCE_C2, police_side + fleet(a=(AMBULANCE, 3), f=(FAST_CAR, 1))),
        (POLICE_I + AMBULANCE_C1, police_side + ambulance_side),
    ]


@pytest.mark.parametrize("case", range(len(typical())))
def test_typical_attendances_never_reach_the_integer_programme(
    case: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    needs, units = typical()[case]

    def no_milp(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the integer programme should not run")

    rng = random.Random(case)
    for _ in range(40):  # some met in time, some late, some with no unit in time at all
        etas = {u.call_sign: float(rng.randint(60, 1500)) for u in units}
        with monkeypatch.context() as patch:
            patch.setattr(module, "milp", no_milp)
            got = objective_of(recommend(needs, units, etas))
        assert got == reference(needs, units, etas)


def test_a_commercial_fire_is_still_exact() -> None:
    units = fleet(
        e=(ENGINE, 6),
        l=(AERIAL, 1),
        pd=(POLICE_DEFIB, 2),
        p=(POLICE, 2),
        a=(AMBULANCE, 3),
        f=(FAST_CAR, 2),
    )
    rng = random.Random(4)
    for _ in range(5):
        etas = {u.call_sign: float(rng.randint(60, 1500)) for u in units}
        got = objective_of(recommend(COMMERCIAL_FIRE, units, etas))
        assert got == reference(COMMERCIAL_FIRE, units, etas)


def test_one_fire_engine_cannot_fill_two_firefighting_needs() -> None:
    # A unit fills one slot per capability: the second appliance stays unfilled.
    result = recommend(FIRE_EMERGENCY, fleet(e=(ENGINE, 1)), {"e0": 100.0})
    assert [c.unit.call_sign for c in result.chosen] == ["e0"]
    [short] = result.shortfalls
    assert short.kind is ShortfallKind.UNAVAILABLE and short.missing == 1
    assert short.need == FIRE_EMERGENCY[1]  # the engine takes the tighter deadline


def test_the_earlier_engine_takes_the_tighter_deadline_it_can_meet() -> None:
    # 300 s meets both deadlines, 400 s only the later one: both are met when 300 s takes 360.
    etas = {"e0": 300.0, "e1": 400.0}
    result = recommend(FIRE_EMERGENCY, fleet(e=(ENGINE, 2)), etas)
    assert result.complete and len(result.chosen) == 2


def test_a_police_car_with_a_defibrillator_can_cover_the_defibrillator_need() -> None:
    # The ambulance is late for the defibrillator; a police car sent anyway is in time.
    units = fleet(pd=(POLICE_DEFIB, 1), p=(POLICE, 1), a=(AMBULANCE, 1))
    etas = {"pd0": 200.0, "p0": 250.0, "a0": 600.0}
    result = recommend(POLICE_I + AMBULANCE_C1, units, etas)
    fills = {c.unit.call_sign: c.fills for c in result.chosen}
    assert fills["pd0"] == (C.POLICE_OFFICER, C.DEFIBRILLATOR)
    assert [s.need.capability for s in result.shortfalls] == [C.PARAMEDIC]  # late only


def test_components_split_needs_no_unit_links() -> None:
    needs = POLICE_I + AMBULANCE_C2
    units = fleet(pd=(POLICE_DEFIB, 2), a=(AMBULANCE, 1), f=(FAST_CAR, 1))
    cands = _candidates(needs, units, {u.call_sign: 100.0 for u in units})
    parts = [[needs[j].capability for j in js] for js, _ in _components(needs, cands)]
    assert parts == [[C.POLICE_OFFICER], [C.PARAMEDIC, C.PATIENT_TRANSPORT]]


def test_a_police_car_with_a_defibrillator_links_police_and_ambulance_needs() -> None:
    needs = POLICE_I + AMBULANCE_C1
    units = fleet(pd=(POLICE_DEFIB, 1), a=(AMBULANCE, 1))
    cands = _candidates(needs, units, {u.call_sign: 100.0 for u in units})
    [(js, ids)] = _components(needs, cands)
    assert js == [0, 1, 2, 3] and len(ids) == 2


def test_each_group_keeps_as_many_units_as_its_largest_slot_count() -> None:
    needs = POLICE_I + AMBULANCE_C1
    units = fleet(pd=(POLICE_DEFIB, 5), a=(AMBULANCE, 5))
    cands = _candidates(needs, units, {u.call_sign: 100.0 + int(u.call_sign[-1]) for u in units})
    # Police cars: two officers needed; ambulances: one slot of each of their capabilities.
    assert [unit.call_sign for unit, _ in cands] == ["a0", "pd0", "pd1"]


def test_a_unit_is_left_out_behind_enough_earlier_units_carrying_all_it_brings() -> None:
    needs = POLICE_I + AMBULANCE_C1
    units = fleet(pd=(POLICE_DEFIB, 2), p=(POLICE, 2), a=(AMBULANCE, 1), f=(FAST_CAR, 1))
    etas = {"pd0": 100.0, "p0": 150.0, "pd1": 200.0, "p1": 250.0, "a0": 300.0, "f0": 350.0}
    cands = _candidates(needs, units, etas)
    # p1 is behind two police cars with officers; f0 behind an ambulance with all it brings.
    assert [unit.call_sign for unit, _ in cands] == ["pd0", "p0", "pd1", "a0"]


def test_a_capability_nobody_carries_is_unfilled_and_the_rest_is_solved() -> None:
    needs = [Need(C.HAZMAT, 1, 600.0), *AMBULANCE_C2]
    result = recommend(needs, fleet(a=(AMBULANCE, 2)), {"a0": 200.0, "a1": 100.0})
    assert [c.unit.call_sign for c in result.chosen] == ["a1"]
    [short] = result.shortfalls
    assert short.need.capability is C.HAZMAT and short.kind is ShortfallKind.UNAVAILABLE
