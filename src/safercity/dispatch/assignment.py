"""Assignments: a unit sent to an incident, and the status each keeps on its own.

A unit has at most one active assignment. Its status is that assignment's status, or
available. Status moves by itself after dispatch: the crew is en route once its turnout time has
passed and on scene at its ETA; crews report the rest (at hospital, clear). A handler may divert
a unit to a more urgent incident: the old assignment ends as diverted, the new one starts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from safercity.dispatch.capabilities import Service
from safercity.dispatch.fleet import Unit
from safercity.platform.errors import Conflict

# Seconds from the call to the wheels turning, by service: LFB's published turnout target is
# 60-80 s by day; an ambulance crew on standby or a car on patrol starts at once.
TURNOUT_S: dict[Service, float] = {
    Service.FIRE: 80.0,
    Service.AMBULANCE: 60.0,
    Service.POLICE: 30.0,
    Service.HEALTH: 60.0,
}


class AssignmentStatus(StrEnum):
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    AT_HOSPITAL = "at_hospital"
    CLEARED = "cleared"
    DIVERTED = "diverted"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def active(self) -> bool:
        return self in ACTIVE

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.value]


ACTIVE = frozenset(
    {
        AssignmentStatus.DISPATCHED,
        AssignmentStatus.EN_ROUTE,
        AssignmentStatus.ON_SCENE,
        AssignmentStatus.AT_HOSPITAL,
    }
)

# The steps a crew or handler may record by hand, from each status.
_NEXT: dict[AssignmentStatus, frozenset[AssignmentStatus]] = {
    AssignmentStatus.DISPATCHED: frozenset(
        {AssignmentStatus.EN_ROUTE, AssignmentStatus.ON_SCENE, AssignmentStatus.CANCELLED}
    ),
    AssignmentStatus.EN_ROUTE: frozenset({AssignmentStatus.ON_SCENE, AssignmentStatus.CANCELLED}),
    AssignmentStatus.ON_SCENE: frozenset({AssignmentStatus.AT_HOSPITAL, AssignmentStatus.CLEARED}),
    AssignmentStatus.AT_HOSPITAL: frozenset({AssignmentStatus.CLEARED}),
}
# A unit still travelling may be diverted; one working at a scene is not taken from it.
DIVERTIBLE = frozenset({AssignmentStatus.DISPATCHED, AssignmentStatus.EN_ROUTE})

# The board's colours: a unit's status colour, shared by the map and the lists.
STATUS_COLOURS: dict[str, str] = {
    "available": "#00703c",
    "dispatched": "#f47738",
    "en_route": "#d4351c",
    "on_scene": "#1d70b8",
    "at_hospital": "#4c2c92",
    "cleared": "#505a5f",
    "diverted": "#505a5f",
    "cancelled": "#505a5f",
}
AVAILABLE = "available"


@dataclass(frozen=True)
class Assignment:
    """One unit sent to one incident, with when it should be moving and when it should arrive."""

    id: int
    incident_id: str
    call_sign: str
    status: AssignmentStatus
    dispatched_at: datetime
    status_at: datetime
    eta_s: float | None
    en_route_due: datetime
    on_scene_due: datetime | None
    reason: str
    dispatched_by: str

    @property
    def active(self) -> bool:
        return self.status.active


def plan_times(
    service: Service, dispatched_at: datetime, eta_s: float | None
) -> tuple[datetime, datetime | None]:
    """When the unit should be en route (after its turnout) and on scene (at its ETA).

    The ETA already includes turnout (the travel model is fitted on call-to-arrival times); the
    unit is on scene no earlier than it is en route. Without an ETA it arrives when it says so.
    """
    en_route = dispatched_at + timedelta(seconds=TURNOUT_S[service])
    if eta_s is None:
        return en_route, None
    return en_route, dispatched_at + timedelta(seconds=on_scene_after_s(service, eta_s))


def on_scene_after_s(service: Service, eta_s: float) -> float:
    """Seconds from dispatch to on scene: the ETA, but never before the crew has turned out."""
    return max(eta_s, TURNOUT_S[service])


def check_step(assignment: Assignment, to: AssignmentStatus) -> None:
    """Conflict unless `to` is a step a crew may record from the assignment's status."""
    allowed = _NEXT.get(assignment.status, frozenset())
    if to not in allowed:
        choices = ", ".join(sorted(s.value for s in allowed)) or "nothing: it has ended"
        raise Conflict(
            f"{assignment.call_sign} is {assignment.status.label.lower()} at incident "
            f"{assignment.incident_id}; it can go to {choices}"
        )


def due_steps(assignment: Assignment, now: datetime) -> list[tuple[AssignmentStatus, datetime]]:
    """The status changes that have fallen due by `now`, each with the time it happened."""
    steps: list[tuple[AssignmentStatus, datetime]] = []
    status = assignment.status
    if status is AssignmentStatus.DISPATCHED and assignment.en_route_due <= now:
        steps.append((AssignmentStatus.EN_ROUTE, assignment.en_route_due))
        status = AssignmentStatus.EN_ROUTE
    due = assignment.on_scene_due
    if status is AssignmentStatus.EN_ROUTE and due is not None and due <= now:
        steps.append((AssignmentStatus.ON_SCENE, due))
    return steps


def moved(assignment: Assignment, to: AssignmentStatus, at: datetime) -> Assignment:
    return replace(assignment, status=to, status_at=at)


@dataclass(frozen=True)
class UnitState:
    """A unit with where it is now and what it is doing."""

    unit: Unit
    home: tuple[float, float]
    position: tuple[float, float]
    position_at: datetime
    on_duty: bool
    assignment: Assignment | None

    @property
    def status(self) -> str:
        return self.assignment.status.value if self.assignment else AVAILABLE

    @property
    def available(self) -> bool:
        return self.on_duty and self.assignment is None
