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


def _solve(needs: list[Need], cands: list[tuple[Unit, float]]) -> tuple[list[int], list[int]]:
    """Chosen candidate indices and, per need, how many slots stay unfilled.

    Variables: x[i] (unit i sent), y[i, j] (unit i fills a slot of need j), s[j] (unfilled
    slots). Weights make the objective lexicographic: unfilled >> late >> vehicles >> ETA sum.
    """
    pairs = [
        (i, j) for i, (u, _) in enumerate(cands) for j, n in enumerate(needs) if u.has(n.capability)
    ]
    n_x, n_y, n_s = len(cands), len(pairs), len(needs)
    etas = [round(seconds) for _, seconds in cands]
    vehicle = sum(etas) + 1.0
    late = vehicle * (n_x + 1)
    unfilled = late * (sum(n.count for n in needs) + 1)
    cost = np.zeros(n_x + n_y + n_s)
    cost[:n_x] = [vehicle + e for e in etas]
    for k, (i, j) in enumerate(pairs):
        cost[n_x + k] = late if cands[i][1] > needs[j].deadline_s else 0.0
    cost[n_x + n_y :] = unfilled
    cover = np.zeros((n_s, cost.size))
    link = np.zeros((n_y, cost.size))
    for k, (i, j) in enumerate(pairs):
        cover[j, n_x + k] = 1.0
        link[k, n_x + k], link[k, i] = 1.0, -1.0
    for j in range(n_s):
        cover[j, n_x + n_y + j] = 1.0
    counts = [float(n.count) for n in needs]
    constraints = [LinearConstraint(cover, counts, counts)]
    if n_y:
        constraints.append(LinearConstraint(link, -np.inf, 0.0))
    upper = np.concatenate([np.ones(n_x + n_y), counts])
    result = milp(
        cost,
        constraints=constraints,
        integrality=np.ones(cost.size),
        bounds=Bounds(np.zeros(cost.size), upper),
        options={"mip_rel_gap": 0.0},
    )
    if result.x is None:  # cannot happen: all-unfilled is always feasible
        raise RuntimeError(f"unit recommendation found no solution: {result.message}")
    x = np.rint(result.x)
    chosen = [i for i in range(n_x) if x[i] > 0]
    return chosen, [int(v) for v in x[n_x + n_y :]]


def _reason(unit: Unit, seconds: float, fills: Sequence[Capability], first: bool) -> str:
    what = " and ".join(c.label.lower() for c in fills)
    lead = "nearest unit with" if first else "unit with"
    return f"{lead} {what} ({unit.unit_type.label.lower()}): {format_duration(seconds)}"


def _chosen(needs: list[Need], cands: list[tuple[Unit, float]], picked: list[int]) -> list[Chosen]:
    result = []
    for i in picked:
        unit, seconds = cands[i]
        fills = tuple(dict.fromkeys(n.capability for n in needs if unit.has(n.capability)))
        signature = unit.capabilities & {n.capability for n in needs}
        first = all(s >= seconds for u, s in cands if u.capabilities & signature == signature)
        late = any(unit.has(n.capability) and seconds > n.deadline_s for n in needs)
        reason = _reason(unit, seconds, fills, first)
        result.append(Chosen(unit, seconds, fills, late, reason))
    return result


def _shortfalls(needs: list[Need], chosen: list[Chosen], unfilled: list[int]) -> list[Shortfall]:
    result = []
    for need, missing in zip(needs, unfilled, strict=True):
        bringing = sorted(c.eta_s for c in chosen if c.unit.has(need.capability))[: need.count]
        deadline = format_duration(need.deadline_s)
        label = need.capability.label.lower()
        if missing:
            message = f"only {need.count - missing} of {need.count} units with {label} available"
            result.append(Shortfall(need, ShortfallKind.UNAVAILABLE, missing, message))
            continue
        over = [s for s in bringing if s > need.deadline_s]
        if over:
            message = (
                f"{label}: nobody can arrive within {deadline}; earliest {len(over)} "
                f"late unit(s) recommended, last at {format_duration(max(over))}"
            )
            result.append(Shortfall(need, ShortfallKind.LATE, len(over), message))
    return result


def recommend(needs: Sequence[Need], units: Iterable[Unit], eta: Eta) -> Recommendation:
    """The units to send to an incident with these needs, from the available `units`.

    `eta` gives each unit's ETA in seconds: a mapping by call sign or a callable on the unit.
    `units` must be the units free to go (the caller leaves out those committed elsewhere).
    A need nobody can meet in time still gets the earliest units able to meet it, flagged in
    `shortfalls` as late; a need without enough units at all is flagged unavailable.
    """
    wanted = _check(needs)
    if not wanted:
        return Recommendation((), ())
    cands = _candidates(wanted, units, eta)
    picked, unfilled = _solve(wanted, cands)
    chosen = sorted(_chosen(wanted, cands, picked), key=lambda c: (c.eta_s, c.unit.call_sign))
    return Recommendation(tuple(chosen), tuple(_shortfalls(wanted, chosen, unfilled)))
