"""999 intake use cases: take a call, decide on a likely duplicate, see and dispatch an incident.

A call flows: `take_call` -> taxonomy and grading (`contact.grading`) -> duplicate check
(`contact.duplicates`) -> `dispatch.service.recommend_for` -> the handler accepts ->
`dispatch.service.assign` -> unit status events -> the live board. Every use case is one
transaction; reading a caller's details is audited (DPA 2018 s.62).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy.engine import Connection

from safercity.city.boroughs import city_boroughs
from safercity.contact import store
from safercity.contact.duplicates import DuplicateCandidate, DuplicateRule, likely_duplicates
from safercity.contact.grading import Grading, grade
from safercity.contact.model import (
    Call,
    Incident,
    IncidentStatus,
    Location,
    Thrive,
    VulnerabilityFlag,
    join_call,
    merge_incidents,
    open_incident,
)
from safercity.contact.priority import Priority, parse_priority
from safercity.contact.store import IncidentRow, TimelineEvent
from safercity.contact.taxonomy import IncidentType, KeyAnswers, Taxonomy
from safercity.dispatch import service as dispatch
from safercity.dispatch.assignment import Assignment, UnitState
from safercity.dispatch.capabilities import Service
from safercity.dispatch.service import Scene, Suggestion
from safercity.dispatch.travel import Travel
from safercity.platform.audit import service as audit
from safercity.platform.audit.model import AuditAction, AuditRecord
from safercity.platform.clock import Clock
from safercity.platform.db import Database
from safercity.platform.errors import Conflict, FieldError, InvalidInput, NotFound
from safercity.platform.http import require
from safercity.platform.identity.model import Permission, StaffUser

SUBJECT = "incident"
PURPOSE = "999 emergency response"
# A pin just off the boundary (the Thames is left out of the boroughs) is still in the city.
SERVICE_AREA_TOLERANCE_M = 300.0
MAX_INCIDENT_ID = 2_147_483_647


@dataclass(frozen=True)
class NewCall:
    """A 999 call as the handler enters it."""

    lat: float
    lon: float
    description: str
    type_code: str
    address: str = ""
    callback_number: str | None = None
    caller_name: str = ""
    answers: KeyAnswers = field(default_factory=KeyAnswers)
    flags: frozenset[VulnerabilityFlag] = frozenset()
    thrive: Thrive = field(default_factory=Thrive)
    overrides: Mapping[Service, str] = field(default_factory=dict)
    merge_into: int | None = None


@dataclass(frozen=True)
class IncidentView:
    """An incident with its type, borough and the units sent to it."""

    row: IncidentRow
    type_label: str
    assignments: tuple[Assignment, ...]

    @property
    def incident(self) -> Incident:
        return self.row.incident

    @property
    def id(self) -> int:
        return int(self.row.incident.id)


@dataclass(frozen=True)
class CallOutcome:
    """The incident a call opened or joined, and open incidents it may duplicate."""

    incident: IncidentView
    call_id: int
    joined: bool
    likely_duplicates: tuple[DuplicateCandidate, ...]


@dataclass(frozen=True)
class IncidentDetail:
    view: IncidentView
    events: tuple[TimelineEvent, ...]
    history: Mapping[int, list[tuple[str, datetime, str]]]
    likely_duplicates: tuple[DuplicateCandidate, ...]
    units: Mapping[str, UnitState]


@dataclass(frozen=True)
class Board:
    """The control room's picture: open incidents most urgent first, and every unit."""

    incidents: tuple[IncidentView, ...]
    units: tuple[UnitState, ...]
    duplicates: Mapping[int, tuple[DuplicateCandidate, ...]]


def borough_of(lat: float, lon: float) -> str:
    """The borough a point is in; InvalidInput if it is outside the service area."""
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise InvalidInput(
            "location is not on Earth", [FieldError("location", "Give WGS84 lat and lon")]
        )
    found = city_boroughs().borough_near(lat, lon, SERVICE_AREA_TOLERANCE_M)
    if found is None:
        raise InvalidInput(
            f"location {lat:.5f}, {lon:.5f} is outside the service area",
            [
                FieldError(
                    "location",
                    "This point is outside the city's boroughs: check the pin, or pass the call "
                    "to the neighbouring service",
                )
            ],
        )
    return found.name


def incident_type(taxonomy: Taxonomy, code: str) -> IncidentType:
    try:
        return taxonomy.get(code)
    except KeyError:
        raise InvalidInput(
            f"unknown incident type {code!r}",
            [FieldError("incident_type", "Choose a type from the joint taxonomy list")],
        ) from None


def _overrides(overrides: Mapping[Service, str]) -> dict[Service, Priority]:
    parsed: dict[Service, Priority] = {}
    for service, code in overrides.items():
        try:
            parsed[service] = parse_priority(service, code)
        except ValueError as error:
            field_name = f"priority.{service.value}"
            raise InvalidInput(str(error), [FieldError(field_name, str(error))]) from None
    return parsed


def grade_call(taxonomy: Taxonomy, new: NewCall) -> Grading:
    """Each service's priority and attendance for the call; InvalidInput for a bad override."""
    kind = incident_type(taxonomy, new.type_code)
    try:
        return grade(kind, new.answers, _overrides(new.overrides))
    except ValueError as error:
        raise InvalidInput(str(error), [FieldError("priority", str(error))]) from None


def _incident_id(value: int | str) -> int:
    text = str(value).strip()
    if not text.isdigit() or not 0 < int(text) <= MAX_INCIDENT_ID:
        raise NotFound(f"There is no incident {text[:20]}. Check the number on the board.")
    return int(text)


def incident_exists(conn: Connection, incident_id: str) -> bool:
    """Whether an incident with this number is on the platform (for links from other records)."""
    text = incident_id.strip()
    return (
        text.isdigit()
        and 0 < int(text) <= MAX_INCIDENT_ID
        and (store.incident(conn, int(text)) is not None)
    )


def _load(conn: Connection, incident_id: int, *, for_update: bool = False) -> IncidentRow:
    row = store.incident(conn, incident_id, for_update=for_update)
    if row is None:
        raise NotFound(f"There is no incident {incident_id}. Check the number on the board.")
    return row


def _type_label(taxonomy: Taxonomy, code: str) -> str:
    """The type's label; its code if the taxonomy no longer has it (the grading is kept)."""
    kind = taxonomy.types.get(code)
    return kind.label if kind else code


def _view(conn: Connection, taxonomy: Taxonomy, row: IncidentRow) -> IncidentView:
    assigned = dispatch.assignments_of(conn, [int(row.incident.id)])
    return IncidentView(row, _type_label(taxonomy, row.incident.type_code), tuple(assigned))


def _candidates(
    conn: Connection, call: Call, rule: DuplicateRule, exclude: int | None
) -> tuple[DuplicateCandidate, ...]:
    since = call.received_at - timedelta(seconds=rule.within_s)
    rows = {int(r.incident.id): r for r in store.open_incidents(conn, since=since)}
    if call.callback_number:
        rows.update(
            {int(r.incident.id): r for r in store.open_with_number(conn, call.callback_number)}
        )
    apart = store.kept_apart(conn, [exclude])[exclude] if exclude is not None else set()
    others = [r.incident for i, r in rows.items() if i != exclude and i not in apart]
    return tuple(likely_duplicates(call, others, rule))


def _audit(
    conn: Connection,
    clock: Clock,
    user: StaffUser,
    action: AuditAction,
    incident_id: int,
    detail: str,
    recipient: str | None = None,
    purpose: str = PURPOSE,
) -> None:
    audit.record(
        conn,
        clock,
        AuditRecord(
            actor=user.audit_name,
            action=action,
            subject_type=SUBJECT,
            subject_id=str(incident_id),
            purpose=purpose,
            recipient=recipient,
            detail=detail,
        ),
    )


def _call(new: NewCall, now: datetime) -> Call:
    return Call(
        id="new",
        received_at=now,
        location=Location(new.lat, new.lon, new.address),
        description=new.description,
        callback_number=new.callback_number,
        caller_name=new.caller_name,
    )


def likely_duplicates_of(
    db: Database,
    clock: Clock,
    user: StaffUser,
    *,
    lat: float,
    lon: float,
    callback_number: str | None,
    rule: DuplicateRule,
) -> tuple[DuplicateCandidate, ...]:
    """Open incidents a call being taken may be about, before it is saved."""
    require(user, Permission.TAKE_CALLS)
    borough_of(lat, lon)
    probe = Call("probe", clock.now(), Location(lat, lon), "", callback_number)
    with db.engine.connect() as conn:
        return _candidates(conn, probe, rule, None)


def take_call(
    db: Database,
    clock: Clock,
    user: StaffUser,
    taxonomy: Taxonomy,
    rule: DuplicateRule,
    new: NewCall,
) -> CallOutcome:
    """Record a 999 call: join the incident the handler chose, or open a new one (graded), and
    say which open incidents it may duplicate. Bad input writes nothing."""
    require(user, Permission.TAKE_CALLS)
    borough = borough_of(new.lat, new.lon)
    now = clock.now()
    call = _call(new, now)
    if new.merge_into is not None:
        return _join(db, clock, user, taxonomy, call, new.merge_into)
    grading = grade_call(taxonomy, new)
    thrive = new.thrive
    with db.transaction() as conn:
        draft = open_incident("0", call, grading, new.flags, thrive)
        incident_id = store.insert_incident(
            conn, draft, answers=new.answers, borough=borough, opened_by=user.audit_name
        )
        call_id = store.insert_call(conn, incident_id, call, user.audit_name)
        summary = ", ".join(
            f"{g.service.value} {g.priority.value}" for g in grading.grades.values()
        )
        store.add_event(
            conn, incident_id, now, "opened", f"Opened from a 999 call: {summary}", user.audit_name
        )
        _audit(
            conn, clock, user, AuditAction.COLLECTION, incident_id, f"999 call {call_id} recorded"
        )
        duplicates = _candidates(conn, call, rule, incident_id)
        if duplicates:
            offered = ", ".join(d.incident_id for d in duplicates)
            store.add_event(
                conn,
                incident_id,
                now,
                "duplicate_offered",
                f"Likely duplicate of incident {offered}",
                user.audit_name,
            )
        view = _view(conn, taxonomy, _load(conn, incident_id))
    return CallOutcome(view, call_id, False, duplicates)


def _join(
    db: Database, clock: Clock, user: StaffUser, taxonomy: Taxonomy, call: Call, into: int
) -> CallOutcome:
    incident_id = _incident_id(into)
    with db.transaction() as conn:
        row = _load(conn, incident_id, for_update=True)
        join_call(row.incident, call)  # refuses an incident that is not open
        call_id = store.insert_call(conn, incident_id, call, user.audit_name)
        store.add_event(
            conn,
            incident_id,
            call.received_at,
            "call_joined",
            f"Another call ({call_id}) joined this incident",
            user.audit_name,
        )
        _audit(conn, clock, user, AuditAction.COLLECTION, incident_id, f"999 call {call_id} joined")
        view = _view(conn, taxonomy, _load(conn, incident_id))
    return CallOutcome(view, call_id, True, ())


def merge(
    db: Database, clock: Clock, user: StaffUser, taxonomy: Taxonomy, incident_id: int, into: int
) -> IncidentView:
    """Merge a duplicate incident into another: one incident, every call kept, units moved."""
    require(user, Permission.TAKE_CALLS)
    absorb_id, keep_id = _incident_id(incident_id), _incident_id(into)
    now = clock.now()
    with db.transaction() as conn:
        # Lock in id order so two handlers merging the same pair cannot deadlock.
        rows = {i: _load(conn, i, for_update=True) for i in sorted({absorb_id, keep_id})}
        kept, absorbed = merge_incidents(rows[keep_id].incident, rows[absorb_id].incident)
        store.move_calls(conn, absorb_id, keep_id)
        moved = dispatch.move_assignments(conn, absorb_id, keep_id)
        store.save_incident(conn, kept, now)
        store.save_incident(conn, absorbed, now)
        units = f"; units moved over: {', '.join(moved)}" if moved else ""
        store.add_event(
            conn,
            keep_id,
            now,
            "merged",
            f"Incident {absorb_id} merged into this one{units}",
            user.audit_name,
        )
        store.add_event(
            conn, absorb_id, now, "merged", f"Merged into incident {keep_id}", user.audit_name
        )
        _audit(
            conn, clock, user, AuditAction.COMBINATION, keep_id, f"incident {absorb_id} merged in"
        )
        return _view(conn, taxonomy, _load(conn, keep_id))


def keep_separate(
    db: Database, clock: Clock, user: StaffUser, incident_id: int, other_id: int
) -> None:
    """The handler's decision that two incidents offered as duplicates are not the same."""
    require(user, Permission.TAKE_CALLS)
    first, second = _incident_id(incident_id), _incident_id(other_id)
    if first == second:
        raise Conflict("an incident is not kept separate from itself")
    now = clock.now()
    with db.transaction() as conn:
        _load(conn, first)
        _load(conn, second)
        store.keep_apart(conn, first, second, user.audit_name, now)
        for a, b in ((first, second), (second, first)):
            store.add_event(
                conn, a, now, "kept_separate", f"Not a duplicate of incident {b}", user.audit_name
            )


def incident_detail(
    db: Database,
    clock: Clock,
    user: StaffUser,
    taxonomy: Taxonomy,
    rule: DuplicateRule,
    incident_id: int | str,
) -> IncidentDetail:
    """Everything on an incident, callers' details included: the read is audited."""
    require(user, Permission.VIEW_INCIDENTS)
    wanted = _incident_id(incident_id)
    with db.transaction() as conn:
        view = _view(conn, taxonomy, _load(conn, wanted))
        events = store.events(conn, wanted)
        history = dispatch.status_history(conn, [a.id for a in view.assignments])
        duplicates: tuple[DuplicateCandidate, ...] = ()
        if view.incident.status is IncidentStatus.OPEN:
            latest = max(view.incident.calls, key=lambda c: c.received_at)
            duplicates = _candidates(conn, latest, rule, wanted)
        units = {
            u.unit.call_sign: u
            for u in dispatch.units_of(conn, {a.call_sign for a in view.assignments})
        }
        _audit(conn, clock, user, AuditAction.CONSULTATION, wanted, "incident and its calls viewed")
    return IncidentDetail(view, tuple(events), history, duplicates, units)


def _scene(row: IncidentRow) -> Scene:
    incident = row.incident
    return Scene(
        incident_id=int(incident.id),
        lat=incident.location.lat,
        lon=incident.location.lon,
        borough=row.borough,
        needs=incident.grading.for_dispatch(),
        urgency_s=row.urgency_s,
    )


def recommendation(
    db: Database, clock: Clock, travel: Travel | None, user: StaffUser, incident_id: int | str
) -> tuple[IncidentRow, Suggestion]:
    """The units to send now (no personal data: not audited)."""
    require(user, Permission.VIEW_INCIDENTS)
    wanted = _incident_id(incident_id)
    with db.engine.connect() as conn:
        row = _load(conn, wanted)
        if row.incident.status is not IncidentStatus.OPEN:
            raise Conflict(f"incident {wanted} is {row.incident.status.value}: nothing to send")
        return row, dispatch.recommend_for(conn, travel, _scene(row), clock.now())


def send_units(
    db: Database,
    clock: Clock,
    travel: Travel | None,
    user: StaffUser,
    taxonomy: Taxonomy,
    incident_id: int | str,
    call_signs: Sequence[str],
    *,
    reasons: Mapping[str, str] | None = None,
    confirm_divert: bool = False,
) -> IncidentView:
    """Dispatch the named units to an open incident (all or none)."""
    require(user, Permission.DISPATCH)
    wanted = _incident_id(incident_id)
    with db.transaction() as conn:
        # The incident's row lock queues two handlers dispatching to it on PostgreSQL.
        row = _load(conn, wanted, for_update=True)
        if row.incident.status is not IncidentStatus.OPEN:
            raise Conflict(
                f"incident {wanted} is {row.incident.status.value}: nothing can be sent to it"
            )
        made = dispatch.assign(
            conn,
            clock,
            travel,
            user,
            _scene(row),
            call_signs,
            reasons=reasons,
            confirm_divert=confirm_divert,
        )
        now = clock.now()
        store.add_event(
            conn,
            wanted,
            now,
            "dispatched",
            "Sent " + ", ".join(a.call_sign for a in made),
            user.audit_name,
        )
        return _view(conn, taxonomy, _load(conn, wanted))


def close_incident(
    db: Database, clock: Clock, user: StaffUser, taxonomy: Taxonomy, incident_id: int | str
) -> IncidentView:
    """Close an incident once every unit has cleared."""
    require(user, Permission.DISPATCH)
    wanted = _incident_id(incident_id)
    now = clock.now()
    with db.transaction() as conn:
        row = _load(conn, wanted, for_update=True)
        if row.incident.status is not IncidentStatus.OPEN:
            raise Conflict(f"incident {wanted} is already {row.incident.status.value}")
        busy = [a.call_sign for a in dispatch.assignments_of(conn, [wanted]) if a.active]
        if busy:
            raise Conflict(
                f"units are still assigned ({', '.join(busy)}): clear or stand them down first"
            )
        closed = replace(row.incident, status=IncidentStatus.CLOSED)
        store.save_incident(conn, closed, now)
        store.add_event(conn, wanted, now, "closed", "Incident closed", user.audit_name)
        return _view(conn, taxonomy, _load(conn, wanted))


def board(db: Database, user: StaffUser, taxonomy: Taxonomy, rule: DuplicateRule) -> Board:
    """Open incidents most urgent first (then oldest), every unit, and likely duplicates."""
    require(user, Permission.VIEW_INCIDENTS)
    with db.engine.connect() as conn:
        rows = store.open_incidents(conn)
        assigned = dispatch.assignments_of(conn, [int(r.incident.id) for r in rows])
        by_incident: dict[str, list[Assignment]] = {}
        for a in assigned:
            by_incident.setdefault(a.incident_id, []).append(a)
        views = [
            IncidentView(
                r,
                _type_label(taxonomy, r.incident.type_code),
                tuple(by_incident.get(r.incident.id, ())),
            )
            for r in rows
        ]
        views.sort(
            key=lambda v: (
                v.row.urgency_s if v.row.urgency_s is not None else 10**9,
                v.incident.opened_at,
            )
        )
        incidents = [r.incident for r in rows]
        duplicates: dict[int, tuple[DuplicateCandidate, ...]] = {}
        kept_apart = store.kept_apart(conn, [int(r.incident.id) for r in rows])
        for r in rows:
            apart = kept_apart[int(r.incident.id)]
            latest = max(r.incident.calls, key=lambda c: c.received_at)
            others = [
                i
                for i in incidents
                if i.id != r.incident.id
                and int(i.id) not in apart
                and i.opened_at <= r.incident.opened_at
            ]
            found = likely_duplicates(latest, others, rule)
            if found:
                duplicates[int(r.incident.id)] = tuple(found)
        units = dispatch.units_of(conn)
    return Board(tuple(views), tuple(units), duplicates)


def stand_down(
    db: Database, clock: Clock, user: StaffUser, incident_id: int | str, call_sign: str
) -> None:
    """Cancel one unit's assignment to an incident (sent but not needed)."""
    require(user, Permission.DISPATCH)
    wanted = _incident_id(incident_id)
    with db.transaction() as conn:
        _load(conn, wanted, for_update=True)
        sign = dispatch.stand_down(conn, clock, user, wanted, call_sign)
        store.add_event(
            conn, wanted, clock.now(), "stood_down", f"{sign} stood down", user.audit_name
        )
