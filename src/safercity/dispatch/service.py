"""Dispatch use cases: load a fleet, recommend units for a scene, send them, move them on.

`recommend_for` and `assign` run inside the caller's transaction: 999 intake
(`contact.service`) owns the incident and calls them. The rest open their own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from safercity.dispatch import recommend as recommender
from safercity.dispatch import store
from safercity.dispatch.assignment import (
    DIVERTIBLE,
    Assignment,
    AssignmentStatus,
    UnitState,
    check_step,
    due_steps,
    moved,
    plan_times,
)
from safercity.dispatch.fleet import MAX_FIELD_LENGTH, Unit
from safercity.dispatch.recommend import Chosen, Need, Shortfall, format_duration
from safercity.dispatch.travel import Etas, EtaSource, Travel
from safercity.platform.audit import service as audit
from safercity.platform.audit.model import AuditAction, AuditRecord
from safercity.platform.clock import Clock
from safercity.platform.db import Database
from safercity.platform.errors import Conflict, FieldError, InvalidInput, NotFound
from safercity.platform.http import require
from safercity.platform.identity.model import Permission, StaffUser

log = logging.getLogger(__name__)

SUBJECT = "unit"
AUTOMATIC = "system:status-clock"
MAX_UNITS_PER_DISPATCH = 30


@dataclass(frozen=True)
class Scene:
    """What dispatch needs to know of an incident: where, what it needs, how urgent."""

    incident_id: int
    lat: float
    lon: float
    borough: str | None
    needs: Sequence[Need]
    urgency_s: int | None


@dataclass(frozen=True)
class Suggestion:
    """The units recommended for a scene, each with its ETA source, and what is left unmet."""

    chosen: tuple[Chosen, ...]
    shortfalls: tuple[Shortfall, ...]
    sources: Mapping[str, EtaSource]
    remaining: tuple[Need, ...]
    travel: str
    degraded: str | None = None

    @property
    def complete(self) -> bool:
        return self.degraded is None and not self.shortfalls


def remaining_needs(needs: Sequence[Need], sent: Iterable[Unit]) -> list[Need]:
    """The needs still open once the units already sent count against them."""
    units = list(sent)
    left = []
    for need in needs:
        have = sum(1 for unit in units if unit.has(need.capability))
        if need.count > have:
            left.append(Need(need.capability, need.count - have, need.deadline_s))
    return left


def _etas(travel: Travel, states: Iterable[UnitState], scene: Scene, at: datetime) -> Etas:
    units = {s.unit.call_sign: (s.unit, s.position) for s in states}
    return travel.etas(units, scene.lat, scene.lon, borough=scene.borough, at=at)


def recommend_for(
    conn: Connection, travel: Travel | None, scene: Scene, at: datetime
) -> Suggestion:
    """The available units to send to `scene` now, on top of the units already there.

    If there is no travel model, or the recommender fails, the suggestion is empty and says
    why: the handler then dispatches by hand (degraded mode).
    """
    sent = store.units_sent_to(conn, scene.incident_id)
    remaining = tuple(remaining_needs(scene.needs, sent))
    if travel is None:
        return Suggestion((), (), {}, remaining, "none", "No travel-time model is loaded.")
    free = store.free_units(conn)
    try:
        positions = {unit.call_sign: (unit, where) for unit, where in free}
        etas = travel.etas(positions, scene.lat, scene.lon, borough=scene.borough, at=at)
        found = recommender.recommend(remaining, [unit for unit, _ in free], etas.seconds)
    except Exception as error:  # any failure leaves dispatch by hand possible
        log.exception("recommender failed for incident %s", scene.incident_id)
        return Suggestion(
            (),
            (),
            {},
            remaining,
            travel.description,
            f"The recommender failed ({type(error).__name__}).",
        )
    sources = {c.unit.call_sign: etas.sources[c.unit.call_sign] for c in found.chosen}
    return Suggestion(found.chosen, found.shortfalls, sources, remaining, travel.description)


def _check_signs(call_signs: Sequence[str]) -> list[str]:
    signs = [s.strip().upper() for s in call_signs if s.strip()]
    if not signs:
        raise InvalidInput(
            "choose at least one unit", [FieldError("units", "Choose a unit to send")]
        )
    if len(signs) > MAX_UNITS_PER_DISPATCH:
        raise InvalidInput(
            "too many units in one dispatch",
            [FieldError("units", f"Send at most {MAX_UNITS_PER_DISPATCH} units at once")],
        )
    if any(len(s) > MAX_FIELD_LENGTH for s in signs):
        raise InvalidInput(
            "a call sign is too long",
            [FieldError("units", f"Call signs have at most {MAX_FIELD_LENGTH} characters")],
        )
    if len(set(signs)) != len(signs):
        raise InvalidInput(
            "a unit is named twice",
            [FieldError("units", "Name each unit once: nothing is sent twice")],
        )
    return signs


def _check_divert(state: UnitState, scene: Scene, conn: Connection, confirm: bool) -> Assignment:
    current = state.assignment
    assert current is not None
    sign = state.unit.call_sign
    if current.incident_id == str(scene.incident_id):
        raise Conflict(
            f"{sign} is already assigned to incident {scene.incident_id}: nothing is sent twice"
        )
    if current.status not in DIVERTIBLE:
        raise Conflict(
            f"{sign} is {current.status.label.lower()} at incident {current.incident_id} and "
            "cannot be diverted; choose another unit"
        )
    theirs = store.urgency_of(conn, current.id)
    ours = scene.urgency_s
    if ours is None or (theirs is not None and ours >= theirs):
        raise Conflict(
            f"{sign} is committed to incident {current.incident_id}, which is at least as urgent; "
            "choose another unit"
        )
    if not confirm:
        raise Conflict(
            f"{sign} is {current.status.label.lower()} to incident {current.incident_id}. "
            "Confirm the diversion to send it here instead."
        )
    return current


def assign(
    conn: Connection,
    clock: Clock,
    travel: Travel | None,
    user: StaffUser,
    scene: Scene,
    call_signs: Sequence[str],
    *,
    reasons: Mapping[str, str] | None = None,
    confirm_divert: bool = False,
) -> list[Assignment]:
    """Send the named units to the scene, all or none. A unit busy elsewhere is diverted only
    when the scene is more urgent and the handler confirms; a unit already there is refused."""
    require(user, Permission.DISPATCH)
    signs = _check_signs(call_signs)
    now = clock.now()
    locked: dict[str, UnitState] = {}
    # Lock in call-sign order, as every writer does: two handlers naming the same units in
    # different orders would otherwise each hold one and wait for the other (a deadlock).
    for sign in sorted(signs):
        state = store.lock_unit(conn, sign)
        if state is None:
            raise NotFound(f"There is no unit {sign}. Check the call sign on the board.")
        if not state.on_duty:
            raise Conflict(f"{sign} is off duty; choose another unit")
        locked[sign] = state
    states = [locked[sign] for sign in signs]
    diverted = [_check_divert(s, scene, conn, confirm_divert) for s in states if s.assignment]
    for old in diverted:
        if not store.set_status(
            conn, old.id, old.status, AssignmentStatus.DIVERTED, now, user.audit_name
        ):
            raise Conflict(f"{old.call_sign} changed status just now; look again and retry")
    etas = _etas(travel, states, scene, now).seconds if travel else {}
    made = []
    for state in states:
        unit = state.unit
        eta = etas.get(unit.call_sign)
        en_route_due, on_scene_due = plan_times(unit.service, now, eta)
        why = (reasons or {}).get(unit.call_sign) or "chosen by the handler"
        if eta is not None:
            why = f"{why} (ETA {format_duration(eta)})"
        try:
            with conn.begin_nested():
                assignment_id = store.insert_assignment(
                    conn,
                    incident_id=scene.incident_id,
                    call_sign=unit.call_sign,
                    at=now,
                    eta_s=eta,
                    en_route_due=en_route_due,
                    on_scene_due=on_scene_due,
                    urgency_s=scene.urgency_s,
                    scene=(scene.lat, scene.lon),
                    reason=why,
                    actor=user.audit_name,
                )
        except IntegrityError as error:
            raise Conflict(
                f"{unit.call_sign} was sent to another incident a moment ago; look again"
            ) from error
        found = store.assignment(conn, assignment_id)
        assert found is not None
        made.append(found)
    what = ", ".join(a.call_sign for a in made)
    diverted_text = f"; diverted {', '.join(d.call_sign for d in diverted)}" if diverted else ""
    for a in made:
        _audit_unit(
            conn,
            clock,
            user,
            a.call_sign,
            f"sent to incident {scene.incident_id} ({what}{diverted_text})",
        )
    return made


def _moved_position(
    conn: Connection, assignment: Assignment, to: AssignmentStatus, at: datetime
) -> None:
    if to is AssignmentStatus.ON_SCENE:
        scene = store.scene_of(conn, assignment.id)
        if scene is not None:
            store.move_unit(conn, assignment.call_sign, scene[0], scene[1], at)


def advance(db: Database, clock: Clock) -> int:
    """Move every assignment on whose turnout or ETA has passed; returns how many steps.

    Each unit moves in its own short transaction that locks the unit first and then reads its
    assignment, as a crew's report and a dispatch do: taking the assignment first and the unit
    second deadlocked on PostgreSQL against a crew reporting at the same moment.
    """
    now = clock.now()
    with db.transaction() as conn:
        due = [a.call_sign for a in store.due_assignments(conn, now)]
    steps = 0
    for sign in due:
        with db.transaction() as conn:
            state = store.lock_unit(conn, sign)
            current = state.assignment if state is not None else None
            if current is None:
                continue  # cleared or stood down since the list was read
            for to, at in due_steps(current, now):
                if not store.set_status(conn, current.id, current.status, to, at, AUTOMATIC):
                    break
                _moved_position(conn, current, to, at)
                current = moved(current, to, at)
                steps += 1
    return steps


def _locked_unit(conn: Connection, call_sign: str) -> UnitState:
    state = store.lock_unit(conn, call_sign.strip().upper())
    if state is None:
        raise NotFound(f"There is no unit {call_sign}. Check the call sign on the board.")
    return state


def _audit_unit(
    conn: Connection, clock: Clock, user: StaffUser, call_sign: str, detail: str
) -> None:
    audit.record(
        conn,
        clock,
        AuditRecord(
            actor=user.audit_name,
            action=AuditAction.ALTERATION,
            subject_type=SUBJECT,
            subject_id=call_sign,
            purpose="999 dispatch",
            detail=detail,
        ),
    )


def report_status(
    db: Database, clock: Clock, user: StaffUser, call_sign: str, to: AssignmentStatus
) -> Assignment:
    """A crew's status (by radio or terminal): en route, on scene, at hospital, clear."""
    require(user, Permission.UPDATE_UNITS)
    now = clock.now()
    with db.transaction() as conn:
        state = _locked_unit(conn, call_sign)
        current = state.assignment
        if current is None:
            raise Conflict(f"{state.unit.call_sign} is available: it has no assignment to update")
        check_step(current, to)
        if not store.set_status(conn, current.id, current.status, to, now, user.audit_name):
            raise Conflict(f"{state.unit.call_sign} changed status just now; look again and retry")
        _moved_position(conn, current, to, now)
        _audit_unit(
            conn, clock, user, state.unit.call_sign, f"{to.value} at incident {current.incident_id}"
        )
        found = store.assignment(conn, current.id)
        assert found is not None
        return found


def update_position(
    db: Database, clock: Clock, user: StaffUser, call_sign: str, lat: float, lon: float
) -> UnitState:
    """A unit's position from its vehicle's location system."""
    require(user, Permission.UPDATE_UNITS)
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise InvalidInput(
            "position is not on Earth", [FieldError("lat", "Give WGS84 lat and lon")]
        )
    with db.transaction() as conn:
        state = _locked_unit(conn, call_sign)
        store.move_unit(conn, state.unit.call_sign, lat, lon, clock.now())
        found = store.lock_unit(conn, state.unit.call_sign)
        assert found is not None
        return found


def move_assignments(conn: Connection, from_incident: int, to_incident: int) -> list[str]:
    """Active assignments of a merged-away incident go to the one it joined; returns call signs."""
    moved = [a for a in store.incident_assignments(conn, [from_incident]) if a.active]
    store.reassign(conn, [a.id for a in moved], to_incident)
    return [a.call_sign for a in moved]


def stand_down(
    conn: Connection, clock: Clock, user: StaffUser, incident_id: int, call_sign: str
) -> str:
    """Cancel a unit's active assignment to this incident (sent, not needed); its call sign."""
    sign = call_sign.strip().upper()
    found = [
        a
        for a in store.incident_assignments(conn, [incident_id])
        if a.active and a.call_sign == sign
    ]
    if not found:
        raise NotFound(f"{sign} is not assigned to incident {incident_id}. Check the board.")
    current = found[0]
    check_step(current, AssignmentStatus.CANCELLED)
    if not store.set_status(
        conn, current.id, current.status, AssignmentStatus.CANCELLED, clock.now(), user.audit_name
    ):
        raise Conflict(f"{sign} changed status just now; look again and retry")
    return sign


def assignments_of(conn: Connection, incident_ids: Iterable[int]) -> list[Assignment]:
    return store.incident_assignments(conn, incident_ids)


def units_of(conn: Connection, call_signs: Iterable[str] | None = None) -> list[UnitState]:
    return store.unit_states(conn, call_signs)


def status_history(
    conn: Connection, assignment_ids: Iterable[int]
) -> dict[int, list[tuple[str, datetime, str]]]:
    return store.assignment_history(conn, assignment_ids)


def unit(db: Database, call_sign: str) -> UnitState:
    with db.engine.connect() as conn:
        found = store.unit_states(conn, [call_sign.strip().upper()])
    if not found:
        raise NotFound(f"There is no unit {call_sign}. Check the call sign on the board.")
    return found[0]


def board_units(db: Database) -> list[UnitState]:
    with db.engine.connect() as conn:
        return store.unit_states(conn)


def load_fleet(
    db: Database,
    clock: Clock,
    units: Sequence[Unit],
    homes: Mapping[str, tuple[float, float]],
) -> int:
    """Add or update the fleet's units; `homes` gives each home base position by call sign.
    Returns how many units were new: loading the same fleet twice adds nothing."""
    missing = [u.call_sign for u in units if u.call_sign not in homes]
    if missing:
        raise InvalidInput(
            f"{len(missing)} units have no home base position (first: {missing[0]})",
            [FieldError("home_base_code", "Use a station code from the estate")],
        )
    now = clock.now()
    with db.transaction() as conn:
        return sum(store.upsert_unit(conn, u, homes[u.call_sign], now) for u in units)
