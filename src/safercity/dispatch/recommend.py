"""Recommending units: which available vehicles to send so every need is met in time.

An incident's predetermined attendance is a list of needs: a capability, how many units must
bring it, and by when (seconds from now). The recommendation is the set of available units that
covers them, in this order of importance:

1. every need met by its deadline (a need met late is worse than one met in time, and a need
   nobody can meet at all is worst);
2. the fewest vehicles: one unit carrying two needed capabilities beats two units;
3. the earliest arrivals: the smallest SUM of the chosen units' ETAs.

Units count one per slot: a need for two fire engines takes two different units, and no unit is
recommended twice; a unit fills at most one slot per capability. The caller passes only units
free to go: units already committed to another incident must be left out by the caller. ETAs are
computed by the caller (a road graph, or the calibrated travel-time model through `model_etas`)
and given as a mapping or a callable.

The search is exact: the lexicographic optimum of (unfilled slots, late unit-slot pairs,
vehicles, sum of ETAs in whole seconds), the objective of the integer programme in `_solve`.
A dispatch simulation calls it millions of times, so the small instances that make up nearly
all calls are solved without the integer programme, by steps that each keep an optimum:

* Candidates. A unit's signature is the needed capabilities it carries; let k be the largest
  slot count among them. A unit U is left out when k earlier candidates (by ETA, then call
  sign) that are kept carry its whole signature. Among the optima over all units take one whose
  units come earliest (least sum of places in that order); if it sent U, either one of those k
  is not sent and could fill U's slots instead (no worse, and earlier), or all k are sent and
  U's slot of each capability c can move to one of them that fills no slot of c (at most k - 1
  others fill one), none of them later: then U is not needed, one vehicle fewer. Either way a
  contradiction, so the candidates contain an optimum. Units of one signature are the common
  case: only the first k of them are kept (if one of those is left out in turn, k kept units
  ahead of it carry the signature, so the rule still holds for the ones behind).
* Components. Capabilities are linked when a candidate carries both; each connected set, with
  its needs and the candidates carrying its capabilities, is solved on its own. Every candidate
  and every slot belongs to exactly one component and all four terms are sums over them, and
  lexicographic order is kept by adding vectors, so the components' optima add up to the optimum.
* One capability. Every unit fills one slot, so the number filled is min(slots, units), and the
  vehicles are as many. The earliest units are then the best set (swapping a unit for an earlier
  one loses no deadline and no second), and matching them earliest first, each to the tightest
  deadline it still meets, meets the most deadlines: the units' feasible deadlines are nested,
  so taking the tightest one first never blocks a later unit that an optimum would have served.
* Several capabilities. A dynamic programme over the candidates, each sent once or not at all,
  with the state being how many slots of each need are filled so far (slots of one need are
  alike, so counts lose nothing); a unit's options are every way to fill at most one slot per
  capability it carries. That enumerates every assignment, so it is exact. The four terms are
  weighted into one integer exactly as in `_objective`. (The stages are the units, not subsets
  of slots: a programme that lets one unit serve two disjoint sets of slots relies on merging
  them into one visit, which the one-slot-per-capability rule forbids for two firefighting
  slots; one engine would then fill a first and a second appliance.)
* Large components (many slots and units) go to the integer programme (``scipy.optimize.milp``,
  HiGHS) as before: it is faster there.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, milp

from safercity.dispatch.capabilities import Capability
from safercity.dispatch.fleet import Unit, UnitType
from safercity.dispatch.traveltime import TravelTimeModel
from safercity.platform.errors import FieldError, InvalidInput

__all__ = [
    "Chosen",
    "Need",
    "Recommendation",
    "Shortfall",
    "ShortfallKind",
    "format_duration",
    "model_etas",
    "recommend",
]

MAX_COUNT = 50
MAX_DEADLINE_S = 24 * 3600.0
MAX_NEEDS = 40

Eta = Mapping[str, float] | Callable[[Unit], float]
Vector = npt.NDArray[np.float64]
Assignment = list[tuple[int, int]]  # (candidate index, need index): the unit fills a slot
Candidates = list[tuple[Unit, float]]  # earliest first
Solution = tuple[Assignment, list[int]]  # the pairs, and each need's unfilled slot count
# One way for a unit to go, in the dynamic programme: the (component) needs it fills a slot of,
# those needs as bits, the state step that is, and the states it may start from. An Option has
# the needs, the step, the cost and the states.
Step = tuple[tuple[int, ...], int, int, tuple[int, ...]]
Option = tuple[tuple[int, ...], int, int, tuple[int, ...]]

# A component goes to the integer programme when its dynamic programme has more states (slot
# counts filled) than MAX_STATES, or more states x unit options than MAX_WORK: about where the
# pure-Python programme stops being faster than HiGHS (a few milliseconds). Both also bound the
# memory of the tables kept between calls, with CACHE_WORK (states x options of one unit).
MAX_STATES = 2048
MAX_WORK = 100_000
CACHE_WORK = 4096


@dataclass(frozen=True)
class Need:
    """One line of an attendance: `count` different units with `capability` within `deadline_s`."""

    capability: Capability
    count: int
    deadline_s: float


@dataclass(frozen=True)
class Chosen:
    """A recommended unit, its ETA, the needed capabilities it brings, and why it was chosen."""

    unit: Unit
    eta_s: float
    fills: tuple[Capability, ...]
    late: bool
    reason: str


class ShortfallKind(StrEnum):
    LATE = "late"  # covered, but only after the deadline
    UNAVAILABLE = "unavailable"  # not enough available units with the capability at all


@dataclass(frozen=True)
class Shortfall:
    """A need the recommendation does not meet in time, and by how many units."""

    need: Need
    kind: ShortfallKind
    missing: int
    message: str


@dataclass(frozen=True)
class Recommendation:
    """The units to send, earliest first, and every need they leave unmet in time."""

    chosen: tuple[Chosen, ...]
    shortfalls: tuple[Shortfall, ...]

    @property
    def complete(self) -> bool:
        """True when every need is met by its deadline."""
        return not self.shortfalls


def format_duration(seconds: float) -> str:
    """A duration as a person says it: "4 min 10 s"."""
    whole = max(0, round(seconds))
    minutes, secs = divmod(whole, 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def model_etas(
    model: TravelTimeModel,
    positions: Mapping[str, tuple[float, float]],
    latitude: float,
    longitude: float,
    *,
    borough: str | None = None,
    at: datetime | None = None,
) -> dict[str, float]:
    """Each unit's ETA in seconds (by call sign) from its (latitude, longitude) to the incident."""
    signs = list(positions)
    if not signs:
        return {}
    points = np.array([positions[s] for s in signs], dtype=np.float64)
    seconds = model.seconds_many(
        points[:, 0], points[:, 1], latitude, longitude, borough=borough, at=at
    )
    return dict(zip(signs, (float(s) for s in seconds), strict=True))


def _check(needs: Sequence[Need]) -> list[Need]:
    if len(needs) > MAX_NEEDS:
        raise _invalid("needs", f"An attendance has at most {MAX_NEEDS} needs.")
    for need in needs:
        if not 0 <= need.count <= MAX_COUNT:
            raise _invalid("count", f"A need's count must be 0 to {MAX_COUNT}.")
        if not 0 <= need.deadline_s <= MAX_DEADLINE_S:
            raise _invalid("deadline_s", "A need's deadline must be 0 to 24 hours in seconds.")
    return [n for n in needs if n.count > 0]


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, [FieldError(field, message)])


def _eta_of(eta: Eta, unit: Unit) -> float:
    value = eta(unit) if callable(eta) else eta.get(unit.call_sign)
    if value is None or not math.isfinite(value) or value < 0:
        raise _invalid("eta", f"No usable ETA for unit {unit.call_sign}.")
    return float(value)


def _candidates(needs: list[Need], units: Iterable[Unit], eta: Eta) -> Candidates:
    """The units that together contain an optimum, earliest first (module docstring): a unit
    is left out when as many earlier units as its capabilities' largest slot count carry every
    needed capability it does."""
    slots: dict[Capability, int] = {}
    for need in needs:
        slots[need.capability] = slots.get(need.capability, 0) + need.count
    wanted = frozenset(slots)
    groups: dict[frozenset[Capability], list[tuple[float, str, Unit]]] = {}
    seen: set[str] = set()
    for unit in units:
        signature = unit.capabilities & wanted
        if not signature or unit.call_sign in seen:
            continue
        seen.add(unit.call_sign)
        groups.setdefault(signature, []).append((_eta_of(eta, unit), unit.call_sign, unit))
    # First within each group (cheap, and most units go here), then across groups.
    limit = {signature: max(slots[c] for c in signature) for signature in groups}
    kept = sorted(
        (*item, signature)
        for signature, group in groups.items()
        for item in sorted(group)[: limit[signature]]
    )
    result: Candidates = []
    carried: list[frozenset[Capability]] = []
    for seconds, _, unit, signature in kept:
        if len(groups) == 1 or sum(signature <= other for other in carried) < limit[signature]:
            result.append((unit, seconds))
            carried.append(signature)
    return result


def _objective(needs: list[Need], cands: list[tuple[Unit, float]], pairs: Assignment) -> Vector:
    """Costs for x (units), y (unit-to-need pairs), s (unfilled slots), in that order.

    Each weight exceeds the largest possible total of the ones below it, so the objective is
    lexicographic: unfilled slots >> late slots >> vehicles >> sum of ETAs (whole seconds).
    """
    etas = [float(round(seconds)) for _, seconds in cands]
    vehicle = sum(etas) + 1.0
    late = vehicle * (len(cands) + 1)
    unfilled = late * (sum(n.count for n in needs) + 1)
    unit_costs = [vehicle + e for e in etas]
    pair_costs = [late if cands[i][1] > needs[j].deadline_s else 0.0 for i, j in pairs]
    return np.array(unit_costs + pair_costs + [unfilled] * len(needs), dtype=np.float64)


def _constraints(needs: list[Need], n_x: int, pairs: Assignment) -> list[LinearConstraint]:
    """Each need's slots are filled or counted unfilled; a unit fills slots only if sent, and
    one slot per capability at most: two needs for firefighting (first and second appliance)
    take two engines, while one ambulance may fill a paramedic and a transport need."""
    n_y, n_s = len(pairs), len(needs)
    same_capability: dict[tuple[int, Capability], list[int]] = {}
    for k, (i, j) in enumerate(pairs):
        same_capability.setdefault((i, needs[j].capability), []).append(k)
    repeated = [ks for ks in same_capability.values() if len(ks) > 1]
    cover = np.zeros((n_s, n_x + n_y + n_s))
    link = np.zeros((n_y, n_x + n_y + n_s))
    for k, (i, j) in enumerate(pairs):
        cover[j, n_x + k] = 1.0
        link[k, n_x + k], link[k, i] = 1.0, -1.0
    for j in range(n_s):
        cover[j, n_x + n_y + j] = 1.0
    counts = [float(n.count) for n in needs]
    constraints = [LinearConstraint(cover, counts, counts)]
    if n_y:
        constraints.append(LinearConstraint(link, -np.inf, 0.0))
    if repeated:
        once = np.zeros((len(repeated), n_x + n_y + n_s))
        for row, ks in enumerate(repeated):
            once[row, [n_x + k for k in ks]] = 1.0
        constraints.append(LinearConstraint(once, -np.inf, 1.0))
    return constraints


def _solve(needs: list[Need], cands: list[tuple[Unit, float]]) -> tuple[Assignment, list[int]]:
    """Which candidate fills which need (index pairs) and, per need, how many slots stay unfilled.

    Binary x[i] (unit i sent) and y[i, j] (unit i fills one slot of need j, only if it carries
    the capability), integer s[j] (need j's unfilled slots): a unit fills at most one slot per
    need, so two fire engines are two units.
    """
    pairs = [
        (i, j) for i, (u, _) in enumerate(cands) for j, n in enumerate(needs) if u.has(n.capability)
    ]
    n_x, n_y = len(cands), len(pairs)
    cost = _objective(needs, cands, pairs)
    upper = np.concatenate([np.ones(n_x + n_y), [float(n.count) for n in needs]])
    result = milp(
        cost,
        constraints=_constraints(needs, n_x, pairs),
        integrality=np.ones(cost.size),
        bounds=Bounds(np.zeros(cost.size), upper),
        options={"mip_rel_gap": 0.0},
    )
    if result.x is None:  # cannot happen: leaving every slot unfilled is always feasible
        raise RuntimeError(f"unit recommendation found no solution: {result.message}")
    x = np.rint(result.x)
    assigned = [pair for k, pair in enumerate(pairs) if x[n_x + k] > 0]
    return assigned, [int(v) for v in x[n_x + n_y :]]


def _exact(needs: list[Need], cands: Candidates) -> Solution:
    """`_solve`'s optimum, found component by component (see the module docstring)."""
    assigned: Assignment = []
    unfilled = [0] * len(needs)
    for js, ids in _components(needs, cands):
        pairs, missing = _solve_component(needs, cands, js, ids)
        assigned += pairs
        for j, count in zip(js, missing, strict=True):
            unfilled[j] = count
    return assigned, unfilled


def _components(needs: list[Need], cands: Candidates) -> list[tuple[list[int], list[int]]]:
    """Need and candidate indices of each component: no unit and no slot is in two."""
    order = tuple(dict.fromkeys(n.capability for n in needs))
    if len(order) == 1:  # (police or fire alone: the most common attendances)
        return [(list(range(len(needs))), list(range(len(cands))))]
    wanted = frozenset(order)
    signatures = [unit.capabilities & wanted for unit, _ in cands]
    return [
        (
            [j for j, n in enumerate(needs) if n.capability in part],
            [i for i, s in enumerate(signatures) if s & part],
        )
        for part in _parts(order, frozenset(signatures))
    ]


@lru_cache(maxsize=1024)
def _parts(
    order: tuple[Capability, ...], signatures: frozenset[frozenset[Capability]]
) -> tuple[frozenset[Capability], ...]:
    """The capabilities linked, directly or through others, by units carrying two of them, in
    the order of their first need (so that ties are broken the same way in every process)."""
    parts = [frozenset({c}) for c in order]
    for signature in signatures:
        joined = [p for p in parts if p & signature]
        if len(joined) > 1:
            parts = [p for p in parts if not p & signature]
            parts.append(frozenset[Capability]().union(*joined))
    return tuple(sorted(parts, key=lambda p: min(order.index(c) for c in p)))


def _solve_component(
    needs: list[Need], cands: Candidates, js: list[int], ids: list[int]
) -> Solution:
    """The optimum for needs `js` and candidates `ids`: pairs in global indices, and unfilled
    counts in the order of `js`."""
    if not ids:
        return [], [needs[j].count for j in js]
    if len({needs[j].capability for j in js}) == 1:
        return _one_capability(needs, cands, js, ids)
    found = _programme(needs, cands, js, ids)
    if found is not None:
        return found
    assigned, unfilled = _solve([needs[j] for j in js], [cands[i] for i in ids])
    return [(ids[i], js[k]) for i, k in assigned], unfilled


def _one_capability(
    needs: list[Need], cands: Candidates, js: list[int], ids: list[int]
) -> Solution:
    """One capability: the earliest units, each (earliest first) to the tightest deadline it
    still meets; units that meet none are late for every slot left, and fill the tightest."""
    slots = sorted((needs[j].deadline_s, j) for j in js for _ in range(needs[j].count))
    deadlines = [deadline for deadline, _ in slots]
    pairs: Assignment = []
    late: list[int] = []
    for i in ids[: len(slots)]:  # candidates are earliest first
        k = bisect_left(deadlines, cands[i][1])  # the first deadline not before the ETA
        if k == len(deadlines):
            late.append(i)
        else:
            del deadlines[k]
            pairs.append((i, slots.pop(k)[1]))
    pairs += [(i, j) for i, (_, j) in zip(late, slots, strict=False)]
    left = [j for _, j in slots[len(late) :]]
    return pairs, [left.count(j) for j in js]


def _programme(
    needs: list[Need], cands: Candidates, js: list[int], ids: list[int]
) -> Solution | None:
    """The dynamic programme over units (module docstring); None when it is too large."""
    counts = tuple(needs[j].count for j in js)
    capabilities = tuple(needs[j].capability for j in js)
    size = _places(counts)[-1]
    if size > MAX_STATES or size * len(ids) > MAX_WORK:
        return None
    units = [cands[i] for i in ids]
    steps = [_steps(counts, capabilities, unit.capabilities) for unit, _ in units]
    if not all(steps) or size * sum(len(s) for s in steps) > MAX_WORK:
        return None  # (every unit here has a way to go: none means too many to try)
    # Integer weights as in `_objective`: each exceeds the largest total of the ones below, so
    # every finite cost of a partial assignment is below `unfilled`.
    etas = [round(seconds) for _, seconds in units]
    vehicle = sum(etas) + 1
    late = vehicle * (len(ids) + 1)
    unfilled = late * (sum(counts) + 1)
    deadlines = [needs[j].deadline_s for j in js]
    options = [
        _options(seconds, vehicle + eta, unit_steps, deadlines, late)
        for (_, seconds), eta, unit_steps in zip(units, etas, steps, strict=True)
    ]
    layers = _layers(size, options, unfilled)
    state = _cheapest(layers[-1], counts, unfilled)
    digits = _digits(counts)
    pairs = [(ids[n], js[k]) for n, fills in _trace(layers, options, digits, state) for k in fills]
    return pairs, [c - d for c, d in zip(counts, digits[state], strict=True)]


def _options(
    seconds: float, base: int, steps: tuple[Step, ...], deadlines: list[float], late: int
) -> list[Option]:
    """A unit's ways to go with their costs: `base` (a vehicle and its ETA in whole seconds),
    and the late weight for each slot it fills after that need's deadline (bits of `missed`)."""
    missed = 0
    for k, deadline in enumerate(deadlines):
        if seconds > deadline:
            missed |= 1 << k
    if not missed:  # (the usual case: in time for every need)
        return [(fills, step, base, sources) for fills, _, step, sources in steps]
    return [
        (fills, step, base + late * (missed & mask).bit_count(), sources)
        for fills, mask, step, sources in steps
    ]


@lru_cache(maxsize=1024)
def _places(counts: tuple[int, ...]) -> tuple[int, ...]:
    """Place values of the state, a mixed-radix number whose digits are the slots filled per
    need (0 to count), followed by the number of states."""
    places = [1]
    for count in counts:
        places.append(places[-1] * (count + 1))
    return tuple(places)


@lru_cache(maxsize=256)
def _digits(counts: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """Each state's digits: the slots filled per need."""
    places = _places(counts)
    return tuple(
        tuple(s // v % (c + 1) for c, v in zip(counts, places, strict=False))
        for s in range(places[-1])
    )


@lru_cache(maxsize=512)
def _patterns(
    capabilities: tuple[Capability, ...], carried: frozenset[Capability]
) -> tuple[tuple[int, ...], ...]:
    """Every nonempty set of needs (positions in `capabilities`, their capabilities) a unit
    carrying `carried` can fill one slot each of: at most one need per capability."""
    choices = [
        [-1, *(k for k, c in enumerate(capabilities) if c is capability)]
        for capability in dict.fromkeys(capabilities)
        if capability in carried
    ]
    combos = (tuple(k for k in combo if k >= 0) for combo in itertools.product(*choices))
    return tuple(combo for combo in combos if combo)


def _steps(
    counts: tuple[int, ...], capabilities: tuple[Capability, ...], carried: frozenset[Capability]
) -> tuple[Step, ...]:
    """A unit's ways to go: the needs it fills a slot of (as positions and as bits), the state
    step that is, and the states in which each of those needs still has a slot to fill. Empty
    when there are too many to try (the component then goes to the integer programme)."""
    patterns = _patterns(capabilities, carried)
    work = len(patterns) * _places(counts)[-1]
    if work > MAX_WORK:
        return ()
    # The same few shapes come back call after call; large ones are rare and not worth the memory.
    return (_kept_steps if work <= CACHE_WORK else _build_steps)(counts, patterns)


def _build_steps(
    counts: tuple[int, ...], patterns: tuple[tuple[int, ...], ...]
) -> tuple[Step, ...]:
    places, digits = _places(counts), _digits(counts)
    return tuple(
        (
            fills,
            sum(1 << k for k in fills),
            sum(places[k] for k in fills),
            tuple(s for s, d in enumerate(digits) if all(d[k] < counts[k] for k in fills)),
        )
        for fills in patterns
    )


_kept_steps = lru_cache(maxsize=512)(_build_steps)


@lru_cache(maxsize=256)
def _by_filled(counts: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """The states grouped by how many slots they fill, most first."""
    filled = [sum(d) for d in _digits(counts)]
    return tuple(
        tuple(s for s, f in enumerate(filled) if f == total) for total in range(sum(counts), -1, -1)
    )


def _layers(size: int, options: list[list[Option]], infinity: int) -> list[list[int]]:
    """layers[n][state]: the least cost with which the first n units fill `state`, each unit
    going once at most (a 0/1 knapsack over states); `infinity` where none can."""
    layer = [infinity] * size
    layer[0] = 0
    layers = [layer]
    for unit_options in options:
        before, layer = layer, layer[:]
        for _, step, cost, sources in unit_options:
            for s in sources:
                value = before[s]
                if value < infinity:  # (most states are out of reach for the first units)
                    value += cost
                    if value < layer[s + step]:
                        layer[s + step] = value
        layers.append(layer)
    return layers


def _cheapest(last: list[int], counts: tuple[int, ...], infinity: int) -> int:
    """The best final state: one that fills the most slots (an unfilled slot outweighs every
    other cost) and, among those, costs least (the first on a tie)."""
    for states in _by_filled(counts):
        best = min(states, key=last.__getitem__)
        if last[best] < infinity:
            return best
    raise RuntimeError("unreachable: the empty state costs nothing")


def _trace(
    layers: list[list[int]],
    options: list[list[Option]],
    digits: tuple[tuple[int, ...], ...],
    state: int,
) -> list[tuple[int, tuple[int, ...]]]:
    """The (unit position, needs filled) choices that reach `state` at its least cost."""
    picks = []
    for n in range(len(options), 0, -1):
        before, after = layers[n - 1], layers[n]
        if after[state] == before[state]:
            continue  # the unit stays: as cheap as any way of sending it
        for needs_filled, step, cost, _ in options[n - 1]:
            if (
                step <= state
                and before[state - step] + cost == after[state]
                and all(digits[state][k] for k in needs_filled)  # a source of this option
            ):
                picks.append((n - 1, needs_filled))
                state -= step
                break
        else:  # cannot happen: after[state] came from one of these options
            raise RuntimeError("unit recommendation lost its dynamic programme's trace")
    return picks


def _one_unit_in_time(needs: list[Need], cands: list[tuple[Unit, float]]) -> Chosen | None:
    """The earliest unit that alone brings every need in time, when there is one.

    Then it is the optimum without solving anything: nothing unfilled or late, one vehicle is
    the fewest possible, and no single unit arrives earlier. Needs for more than one unit of a
    capability are left to the general search.
    """
    capabilities = [n.capability for n in needs]
    if any(n.count != 1 for n in needs) or len(set(capabilities)) != len(capabilities):
        return None
    deadline = min(n.deadline_s for n in needs)
    wanted = set(capabilities)
    for unit, seconds in cands:  # earliest first
        if seconds > deadline:
            return None
        if wanted <= unit.capabilities:
            fills = tuple(capabilities)
            return Chosen(unit, seconds, fills, False, _reason(unit, seconds, fills, True))
    return None


def _reason(unit: Unit, seconds: float, fills: tuple[Capability, ...], first: bool) -> str:
    return f"{_reason_head(fills, unit.unit_type, first)}: {format_duration(seconds)}"


@lru_cache(maxsize=1024)
def _reason_head(fills: tuple[Capability, ...], unit_type: UnitType, first: bool) -> str:
    """The reason without the ETA: the same few phrases over and over, so kept."""
    what = " and ".join(_label(c) for c in fills)
    lead = "nearest unit with" if first else "unit with"
    return f"{lead} {what} ({unit_type.label.lower()})"


@lru_cache(maxsize=64)
def _label(capability: Capability) -> str:
    return capability.label.lower()


def _chosen(needs: list[Need], cands: Candidates, assigned: Assignment) -> list[Chosen]:
    mine: dict[int, list[Need]] = {}
    for i, j in assigned:
        mine.setdefault(i, []).append(needs[j])
    result = []
    for i in sorted(mine):
        unit, seconds = cands[i]
        fills = tuple([n.capability for n in mine[i]])  # distinct: one slot per capability
        late = any(seconds > n.deadline_s for n in mine[i])
        first = _first(cands, seconds, fills)
        result.append(Chosen(unit, seconds, fills, late, _reason(unit, seconds, fills, first)))
    return result


def _first(cands: Candidates, seconds: float, fills: tuple[Capability, ...]) -> bool:
    """No candidate bringing `fills` arrives before `seconds` (candidates are earliest first)."""
    brings = frozenset(fills)
    for unit, other in cands:
        if other >= seconds:
            return True
        if brings <= unit.capabilities:
            return False
    return True


def _shortfalls(
    needs: list[Need], cands: Candidates, assigned: Assignment, unfilled: list[int]
) -> list[Shortfall]:
    over: dict[int, list[float]] = {}  # per need, the ETAs of the units that fill it late
    for i, j in assigned:
        if cands[i][1] > needs[j].deadline_s:
            over.setdefault(j, []).append(cands[i][1])
    result = []
    for j, (need, missing) in enumerate(zip(needs, unfilled, strict=True)):
        label = _label(need.capability)
        if missing:
            message = f"only {need.count - missing} of {need.count} units with {label} available"
            result.append(Shortfall(need, ShortfallKind.UNAVAILABLE, missing, message))
        if j in over:
            message = (
                f"{label}: nobody can arrive within {format_duration(need.deadline_s)}; "
                f"earliest {len(over[j])} late unit(s) recommended, last at "
                f"{format_duration(max(over[j]))}"
            )
            result.append(Shortfall(need, ShortfallKind.LATE, len(over[j]), message))
    return result


def recommend(needs: Sequence[Need], units: Iterable[Unit], eta: Eta) -> Recommendation:
    """The units to send to an incident with these needs, from the available `units`.

    `eta` gives each unit's ETA in seconds: a mapping by call sign or a callable on the unit.
    `units` must be the units free to go (the caller leaves out those committed elsewhere).
    A need nobody can meet in time still gets the earliest units able to meet it, flagged in
    `shortfalls` as late; a need without enough units at all is flagged unavailable (and also
    late if the units that can come arrive after its deadline).
    """
    wanted = _check(needs)
    if not wanted:
        return Recommendation((), ())
    cands = _candidates(wanted, units, eta)
    single = _one_unit_in_time(wanted, cands)
    if single is not None:
        return Recommendation((single,), ())
    assigned, unfilled = _exact(wanted, cands)
    chosen = sorted(_chosen(wanted, cands, assigned), key=lambda c: (c.eta_s, c.unit.call_sign))
    return Recommendation(tuple(chosen), tuple(_shortfalls(wanted, cands, assigned, unfilled)))
