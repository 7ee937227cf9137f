"""Recommending units: which available vehicles to send so every need is met in time.

An incident's predetermined attendance is a list of needs: a capability, how many units must
bring it, and by when (seconds from now). The recommendation is the set of available units that
covers them, in this order of importance:

1. every need met by its deadline (a need met late is worse than one met in time, and a need
   nobody can meet at all is worst);
2. the fewest vehicles: one unit carrying two needed capabilities beats two units;
3. the earliest arrivals: the smallest SUM of the chosen units' ETAs.

The search is exact: an integer programme (``scipy.optimize.milp``, HiGHS) over a candidate set
that provably contains an optimum. Units are grouped by which needed capabilities they carry,
and only the earliest few of each group are kept (as many as there are unit slots in all the
needs): any chosen unit outside those can be swapped for an unused, no-later unit of its group
without making anything worse.

Units count one per slot: a need for two fire engines takes two different units, and no unit is
recommended twice. The caller passes only units free to go: units already committed to another
incident must be left out by the caller. ETAs are computed by the caller (a road graph, or the
calibrated travel-time model through `model_etas`) and given as a mapping or a callable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, milp

from safercity.dispatch.capabilities import Capability
from safercity.dispatch.fleet import Unit
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
    if value is None or not np.isfinite(value) or value < 0:
        raise _invalid("eta", f"No usable ETA for unit {unit.call_sign}.")
    return float(value)


def _candidates(needs: list[Need], units: Iterable[Unit], eta: Eta) -> list[tuple[Unit, float]]:
    """The earliest units of each needed-capability group; together they contain an optimum."""
    wanted = {n.capability for n in needs}
    slots = sum(n.count for n in needs)
    groups: dict[frozenset[Capability], list[tuple[float, str, Unit]]] = {}
    seen: set[str] = set()
    for unit in units:
        signature = unit.capabilities & wanted
        if not signature or unit.call_sign in seen:
            continue
        seen.add(unit.call_sign)
        groups.setdefault(signature, []).append((_eta_of(eta, unit), unit.call_sign, unit))
    kept = [item for group in groups.values() for item in sorted(group)[:slots]]
    return [(unit, seconds) for seconds, _, unit in sorted(kept)]


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


def _one_unit_in_time(needs: list[Need], cands: list[tuple[Unit, float]]) -> Chosen | None:
    """The earliest unit that alone brings every need in time, when there is one.

    Then it is the optimum without solving anything: nothing unfilled or late, one vehicle is
    the fewest possible, and no single unit arrives earlier. Needs for more than one unit of a
    capability are left to the integer programme.
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


def _reason(unit: Unit, seconds: float, fills: Sequence[Capability], first: bool) -> str:
    what = " and ".join(c.label.lower() for c in fills)
    lead = "nearest unit with" if first else "unit with"
    return f"{lead} {what} ({unit.unit_type.label.lower()}): {format_duration(seconds)}"


def _chosen(
    needs: list[Need], cands: list[tuple[Unit, float]], assigned: Assignment
) -> list[Chosen]:
    result = []
    for i in sorted({i for i, _ in assigned}):
        unit, seconds = cands[i]
        mine = [needs[j] for k, j in assigned if k == i]
        fills = tuple(dict.fromkeys(n.capability for n in mine))
        late = any(seconds > n.deadline_s for n in mine)
        first = all(s >= seconds for u, s in cands if set(fills) <= u.capabilities)
        result.append(Chosen(unit, seconds, fills, late, _reason(unit, seconds, fills, first)))
    return result


def _shortfalls(
    needs: list[Need], cands: list[tuple[Unit, float]], assigned: Assignment, unfilled: list[int]
) -> list[Shortfall]:
    result = []
    for j, (need, missing) in enumerate(zip(needs, unfilled, strict=True)):
        label = need.capability.label.lower()
        if missing:
            message = f"only {need.count - missing} of {need.count} units with {label} available"
            result.append(Shortfall(need, ShortfallKind.UNAVAILABLE, missing, message))
        over = [cands[i][1] for i, k in assigned if k == j and cands[i][1] > need.deadline_s]
        if over:
            message = (
                f"{label}: nobody can arrive within {format_duration(need.deadline_s)}; "
                f"earliest {len(over)} late unit(s) recommended, last at "
                f"{format_duration(max(over))}"
            )
            result.append(Shortfall(need, ShortfallKind.LATE, len(over), message))
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
    assigned, unfilled = _solve(wanted, cands)
    chosen = sorted(_chosen(wanted, cands, assigned), key=lambda c: (c.eta_s, c.unit.call_sign))
    return Recommendation(tuple(chosen), tuple(_shortfalls(wanted, cands, assigned, unfilled)))
