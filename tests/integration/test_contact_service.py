"""999 intake use cases against the real database: merging duplicates moves the units and keeps
every call, an incident with units still on it is not closed, and the board's order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from safercity.contact import service as contact
from safercity.contact.duplicates import DuplicateRule
from safercity.contact.model import IncidentStatus
from safercity.contact.service import IncidentView, NewCall
from safercity.contact.taxonomy import KeyAnswers, Taxonomy, load_taxonomy
from safercity.dispatch import service as dispatch
from safercity.dispatch.assignment import AssignmentStatus
from safercity.dispatch.travel import Travel
from safercity.dispatch.traveltime import TravelTimeModel
from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from safercity.platform.errors import Conflict
from safercity.platform.identity import service as identity
from safercity.platform.identity.model import AgencyKind, Role, StaffUser
from tests.factories import PASSWORD, WATERLOO, seed_fleet

S = AssignmentStatus
ARREST = KeyAnswers(conscious=False, breathing=False)


@dataclass(frozen=True)
class Room:
    db: Database
    clock: FixedClock
    handler: StaffUser
    taxonomy: Taxonomy
    rule: DuplicateRule
    travel: Travel

    def call(
        self,
        type_code: str = "cardiac_arrest",
        *,
        where: tuple[float, float] = WATERLOO,
        description: str = "Man collapsed outside the entrance, not breathing.",
        answers: KeyAnswers = ARREST,
        number: str | None = None,
    ) -> int:
        new = NewCall(
            lat=where[0],
            lon=where[1],
            description=description,
            type_code=type_code,
            answers=answers,
            callback_number=number,
        )
        outcome = contact.take_call(
            self.db, self.clock, self.handler, self.taxonomy, self.rule, new
        )
        return outcome.incident.id

    def send(self, incident_id: int, *signs: str) -> IncidentView:
        return contact.send_units(
            self.db, self.clock, self.travel, self.handler, self.taxonomy, incident_id, signs
        )

    def view(self, incident_id: int) -> IncidentView:
        return contact.incident_detail(
            self.db, self.clock, self.handler, self.taxonomy, self.rule, incident_id
        ).view

    def timeline(self, incident_id: int) -> list[tuple[str, str]]:
        detail = contact.incident_detail(
            self.db, self.clock, self.handler, self.taxonomy, self.rule, incident_id
        )
        return [(e.kind, e.text) for e in detail.events]


@pytest.fixture
def room(db: Database, clock: FixedClock) -> Room:
    identity.ensure_agency(db, "MPS", "Metropolitan Police Service", AgencyKind.POLICE)
    handler = identity.add_user(
        db, clock, username="handler", password=PASSWORD, role=Role.CALL_HANDLER, agency_code="MPS"
    )
    seed_fleet(db, clock)
    return Room(
        db,
        clock,
        handler,
        load_taxonomy(),
        DuplicateRule(),
        Travel(TravelTimeModel.load_default()),
    )


def _active(view: IncidentView) -> dict[str, S]:
    return {a.call_sign: a.status for a in view.assignments if a.active}


# Merging ---------------------------------------------------------------------------------------


def test_merging_b_into_a_moves_bs_active_units_and_every_call_to_a(room: Room) -> None:
    a = room.call(number="07700 900123", description="Man collapsed by County Hall")
    room.send(a, "AMB1")
    room.clock.advance(timedelta(minutes=1))
    b = room.call(
        where=(51.5036, -0.1193),
        number="07700 900456",
        description="Someone collapsed on Westminster Bridge Road",
    )
    room.send(b, "FRU1", "POL1")
    contact.stand_down(room.db, room.clock, room.handler, b, "POL1")  # sent, not needed
    fru1_before = next(x for x in room.view(b).assignments if x.call_sign == "FRU1")

    merged = contact.merge(room.db, room.clock, room.handler, room.taxonomy, b, a)

    assert merged.id == a
    assert _active(merged) == {"AMB1": S.DISPATCHED, "FRU1": S.DISPATCHED}
    # The same assignment moved over: its dispatch time and ETA are kept, not restarted.
    fru1_after = next(x for x in merged.assignments if x.call_sign == "FRU1")
    assert fru1_after.id == fru1_before.id
    assert fru1_after.dispatched_at == fru1_before.dispatched_at
    assert fru1_after.on_scene_due == fru1_before.on_scene_due
    assert fru1_after.incident_id == str(a)
    # Both calls are on A, each with its own words.
    assert sorted(c.description for c in merged.incident.calls) == [
        "Man collapsed by County Hall",
        "Someone collapsed on Westminster Bridge Road",
    ]
    assert merged.incident.callback_numbers == {"07700900123", "07700900456"}
    # B is merged into A; what ended on B (POL1 stood down) stays in B's history.
    gone = room.view(b)
    assert gone.incident.status is IncidentStatus.MERGED
    assert gone.incident.merged_into == str(a)
    assert gone.incident.calls == ()
    assert [(x.call_sign, x.status) for x in gone.assignments] == [("POL1", S.CANCELLED)]
    # The unit's own status now points at A, and the board shows A only.
    fru1 = dispatch.unit(room.db, "FRU1")
    assert fru1.assignment is not None and fru1.assignment.incident_id == str(a)
    board = contact.board(room.db, room.handler, room.taxonomy, room.rule)
    assert [v.id for v in board.incidents] == [a]
    assert ("merged", f"Incident {b} merged into this one; units moved over: FRU1") in (
        room.timeline(a)
    )
    assert ("merged", f"Merged into incident {a}") in room.timeline(b)


def test_a_merged_incident_takes_no_more_units_and_its_units_go_on_from_a(room: Room) -> None:
    a = room.call()
    b = room.call(where=(51.5036, -0.1193))
    room.send(b, "FRU1")
    contact.merge(room.db, room.clock, room.handler, room.taxonomy, b, a)
    with pytest.raises(Conflict, match=f"incident {b} is merged"):
        room.send(b, "AMB1")
    # FRU1's status clock and crew reports carry on against A.
    room.clock.advance(timedelta(hours=1))
    dispatch.advance(room.db, room.clock)
    assert _active(room.view(a)) == {"FRU1": S.ON_SCENE}


# Closing ---------------------------------------------------------------------------------------


def test_closing_with_a_unit_still_assigned_is_refused_naming_the_unit(room: Room) -> None:
    incident = room.call()
    room.send(incident, "AMB1", "FRU1")
    room.clock.advance(timedelta(hours=1))
    dispatch.advance(room.db, room.clock)
    dispatch.report_status(room.db, room.clock, room.handler, "FRU1", S.CLEARED)

    with pytest.raises(Conflict) as refused:
        contact.close_incident(room.db, room.clock, room.handler, room.taxonomy, incident)
    assert refused.value.status == 409
    # Only the unit still there is named, with what to do about it.
    assert refused.value.detail == (
        "units are still assigned (AMB1): clear or stand them down first"
    )
    assert room.view(incident).incident.status is IncidentStatus.OPEN

    dispatch.report_status(room.db, room.clock, room.handler, "AMB1", S.CLEARED)
    closed = contact.close_incident(room.db, room.clock, room.handler, room.taxonomy, incident)
    assert closed.incident.status is IncidentStatus.CLOSED
    assert ("closed", "Incident closed") in room.timeline(incident)
    with pytest.raises(Conflict, match="already closed"):
        contact.close_incident(room.db, room.clock, room.handler, room.taxonomy, incident)


def test_a_unit_stood_down_no_longer_holds_the_incident_open(room: Room) -> None:
    incident = room.call()
    room.send(incident, "POL1")
    contact.stand_down(room.db, room.clock, room.handler, incident, "pol1")
    closed = contact.close_incident(room.db, room.clock, room.handler, room.taxonomy, incident)
    assert closed.incident.status is IncidentStatus.CLOSED
    assert [(a.call_sign, a.status) for a in closed.assignments] == [("POL1", S.CANCELLED)]


# The board -------------------------------------------------------------------------------------


def test_the_board_lists_open_incidents_most_urgent_first_then_oldest(room: Room) -> None:
    # Opened least urgent first, so neither opening order nor id gives the answer.
    opened: dict[str, int] = {}
    calls = [
        ("asb", "anti_social_behaviour", KeyAnswers(), (51.52, -0.10)),
        ("fall", "fall_with_injury", KeyAnswers(injured=True, conscious=True), (51.49, -0.13)),
        ("welfare", "concern_for_welfare", KeyAnswers(), (51.53, -0.15)),
        ("arrest1", "cardiac_arrest", ARREST, WATERLOO),
        ("fire", "house_fire_persons_reported", KeyAnswers(persons_reported=True), (51.46, -0.1)),
        ("arrest2", "cardiac_arrest", ARREST, (51.5152, -0.1419)),
        ("closed", "cardiac_arrest", ARREST, (51.48, -0.09)),
    ]
    for name, code, answers, where in calls:
        opened[name] = room.call(code, where=where, answers=answers, description=f"Call: {name}")
        room.clock.advance(timedelta(minutes=1))
    contact.close_incident(room.db, room.clock, room.handler, room.taxonomy, opened["closed"])
    room.send(opened["arrest2"], "AMB1")

    board = contact.board(room.db, room.handler, room.taxonomy, room.rule)

    names = {v: k for k, v in opened.items()}
    # A house fire with persons reported (6 min), two cardiac arrests (7 min: older first),
    # welfare (1 h), a fall (2 h), anti-social behaviour (a day); the closed one is gone.
    assert [names[v.id] for v in board.incidents] == [
        "fire",
        "arrest1",
        "arrest2",
        "welfare",
        "fall",
        "asb",
    ]
    urgencies = [v.row.urgency_s for v in board.incidents]
    assert urgencies == sorted(u for u in urgencies if u is not None)
    by_name = {names[v.id]: v for v in board.incidents}
    assert [a.call_sign for a in by_name["arrest2"].assignments] == ["AMB1"]
    assert by_name["arrest1"].assignments == ()
    assert by_name["arrest1"].type_label == "Cardiac or respiratory arrest"
    assert {u.unit.call_sign for u in board.units} >= {"AMB1", "FE1", "POL1"}
    assert next(u for u in board.units if u.unit.call_sign == "AMB1").status == "dispatched"
