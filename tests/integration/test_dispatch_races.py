"""Two handlers at once, on the real database: a unit is never sent twice, the loser gets a
clear 409, and the status clock moves each assignment once however many workers run it.

Each race starts its threads together on a barrier and is repeated, since one run of a race
proves little. Run on both backends (SAFERCITY_TEST_DB=sqlite / postgresql).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from safercity.contact import service as contact
from safercity.contact.duplicates import DuplicateRule
from safercity.contact.service import NewCall
from safercity.contact.taxonomy import KeyAnswers, Taxonomy, load_taxonomy
from safercity.dispatch import service as dispatch
from safercity.dispatch import store
from safercity.dispatch.assignment import ACTIVE, AssignmentStatus
from safercity.dispatch.travel import Travel
from safercity.dispatch.traveltime import TravelTimeModel
from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from safercity.platform.errors import Conflict
from safercity.platform.identity import service as identity
from safercity.platform.identity.model import AgencyKind, Role, StaffUser
from tests.factories import PASSWORD, WATERLOO, seed_fleet

ROUNDS = 10
# A second cardiac arrest far enough from Waterloo not to matter (Oxford Circus).
OXFORD_CIRCUS = (51.5152, -0.1419)


@dataclass(frozen=True)
class Desk:
    """A control room: two handlers at their desks, sharing one database and clock."""

    db: Database
    clock: FixedClock
    first: StaffUser
    second: StaffUser
    taxonomy: Taxonomy
    rule: DuplicateRule
    travel: Travel

    def open(self, where: tuple[float, float] = WATERLOO) -> int:
        new = NewCall(
            lat=where[0],
            lon=where[1],
            description="Man collapsed, not breathing.",
            type_code="cardiac_arrest",
            answers=KeyAnswers(conscious=False, breathing=False),
        )
        outcome = contact.take_call(self.db, self.clock, self.first, self.taxonomy, self.rule, new)
        return outcome.incident.id

    def send(self, user: StaffUser, incident_id: int, *signs: str) -> Callable[[], Any]:
        return lambda: contact.send_units(
            self.db, self.clock, self.travel, user, self.taxonomy, incident_id, list(signs)
        )

    def stand_down_all(self, incident_id: int) -> None:
        for a in self.assignments(incident_id):
            if a.active:
                contact.stand_down(self.db, self.clock, self.first, incident_id, a.call_sign)

    def assignments(self, incident_id: int) -> list[Any]:
        with self.db.engine.connect() as conn:
            return dispatch.assignments_of(conn, [incident_id])


def _staff(db: Database, clock: FixedClock, username: str, role: Role, agency: str) -> StaffUser:
    return identity.add_user(
        db, clock, username=username, password=PASSWORD, role=role, agency_code=agency
    )


@pytest.fixture
def desk(db: Database, clock: FixedClock) -> Iterator[Desk]:
    # Only the two people racing (each account's password hash costs a fifth of a second).
    identity.ensure_agency(db, "MPS", "Metropolitan Police Service", AgencyKind.POLICE)
    identity.ensure_agency(db, "LAS", "London Ambulance Service", AgencyKind.AMBULANCE)
    seed_fleet(db, clock)
    yield Desk(
        db,
        clock,
        _staff(db, clock, "handler", Role.CALL_HANDLER, "MPS"),
        _staff(db, clock, "dispatcher", Role.DISPATCHER, "LAS"),
        load_taxonomy(),
        DuplicateRule(),
        Travel(TravelTimeModel.load_default()),
    )


def race(*actions: Callable[[], Any]) -> list[Any]:
    """Run the actions in threads released together; each one's result or the error it raised."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(index: int, action: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = action()
        except BaseException as error:  # the test inspects it
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a racer hung: a lock is never released"
    return results


def one_won_one_refused(results: list[Any]) -> tuple[Any, Conflict]:
    """Exactly one result and one Conflict; any other error is re-raised to show where it was."""
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, Conflict):
            raise result
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].status == 409
    return won[0], lost[0]


def active_assignments(db: Database, call_sign: str) -> int:
    with db.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(store.assignments)
                .where(
                    store.assignments.c.call_sign == call_sign,
                    store.assignments.c.status.in_([s.value for s in ACTIVE]),
                )
            ).scalar_one()
        )


def log_entries(db: Database, assignment_id: int, status: AssignmentStatus) -> int:
    with db.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(store.assignment_log)
                .where(
                    store.assignment_log.c.assignment_id == assignment_id,
                    store.assignment_log.c.status == status.value,
                )
            ).scalar_one()
        )


def test_two_handlers_sending_one_unit_to_the_same_incident_send_it_once(desk: Desk) -> None:
    for _ in range(ROUNDS):
        incident = desk.open()
        results = race(
            desk.send(desk.first, incident, "AMB1"), desk.send(desk.second, incident, "AMB1")
        )
        won, lost = one_won_one_refused(results)
        assert [a.call_sign for a in won.assignments] == ["AMB1"]
        assert "AMB1 is already assigned to incident" in lost.detail
        assert active_assignments(desk.db, "AMB1") == 1
        assert len(desk.assignments(incident)) == 1
        desk.stand_down_all(incident)
        assert active_assignments(desk.db, "AMB1") == 0


def test_two_handlers_sending_one_unit_to_two_incidents_send_it_to_one(desk: Desk) -> None:
    winners = set()
    for _ in range(ROUNDS):
        here, there = desk.open(WATERLOO), desk.open(OXFORD_CIRCUS)
        results = race(desk.send(desk.first, here, "AMB1"), desk.send(desk.second, there, "AMB1"))
        won, lost = one_won_one_refused(results)
        winners.add(won.id)
        # Both are cardiac arrests: the unit is not taken from one as urgent.
        assert "AMB1 is committed to incident" in lost.detail
        assert active_assignments(desk.db, "AMB1") == 1
        sent = desk.assignments(here) + desk.assignments(there)
        assert [a.incident_id for a in sent] == [str(won.id)]
        desk.stand_down_all(won.id)
    assert winners  # (which one wins is up to the scheduler)


def test_two_handlers_sending_the_same_two_units_in_opposite_orders_send_them_once(
    desk: Desk,
) -> None:
    for _ in range(ROUNDS):
        here, there = desk.open(WATERLOO), desk.open(OXFORD_CIRCUS)
        results = race(
            desk.send(desk.first, here, "AMB1", "FRU1"),
            desk.send(desk.second, there, "FRU1", "AMB1"),
        )
        won, _ = one_won_one_refused(results)
        # All or none: the winner has both units, the loser neither.
        assert sorted(a.call_sign for a in won.assignments) == ["AMB1", "FRU1"]
        assert active_assignments(desk.db, "AMB1") == 1
        assert active_assignments(desk.db, "FRU1") == 1
        desk.stand_down_all(won.id)


def test_the_database_refuses_a_second_active_assignment_if_the_lock_is_ever_bypassed(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    here, there = desk.open(WATERLOO), desk.open(OXFORD_CIRCUS)
    desk.send(desk.first, here, "AMB1")()
    real_lock = store.lock_unit

    def stale(conn: Any, call_sign: str) -> Any:
        # What a racer would see had the row lock not queued it: the unit still available.
        state = real_lock(conn, call_sign)
        return None if state is None else dataclasses.replace(state, assignment=None)

    monkeypatch.setattr(store, "lock_unit", stale)
    # The partial unique index stops it, and the handler gets a 409, not a database error.
    with pytest.raises(Conflict, match="AMB1 was sent to another incident a moment ago"):
        desk.send(desk.second, there, "AMB1")()
    assert active_assignments(desk.db, "AMB1") == 1
    assert desk.assignments(there) == []


def test_two_status_clocks_at_once_move_each_assignment_once(desk: Desk) -> None:
    for _ in range(ROUNDS):
        incident = desk.open()
        desk.send(desk.first, incident, "AMB1", "FRU1", "POL1", "FE1")()
        sent = desk.assignments(incident)
        desk.clock.advance(timedelta(hours=1))  # past every turnout and every ETA
        steps = race(
            lambda: dispatch.advance(desk.db, desk.clock),
            lambda: dispatch.advance(desk.db, desk.clock),
        )
        for result in steps:
            if isinstance(result, BaseException):
                raise result
        # Between them: en route then on scene for each, once.
        assert sum(steps) == 2 * len(sent)
        for a in sent:
            assert log_entries(desk.db, a.id, AssignmentStatus.EN_ROUTE) == 1
            assert log_entries(desk.db, a.id, AssignmentStatus.ON_SCENE) == 1
        assert {a.status for a in desk.assignments(incident)} == {AssignmentStatus.ON_SCENE}
        for a in sent:
            dispatch.report_status(
                desk.db, desk.clock, desk.first, a.call_sign, AssignmentStatus.CLEARED
            )


def test_a_crew_reporting_on_scene_as_the_clock_does_moves_it_once(desk: Desk) -> None:
    for _ in range(ROUNDS):
        incident = desk.open()
        desk.send(desk.first, incident, "AMB1")()
        (sent,) = desk.assignments(incident)
        desk.clock.advance(timedelta(hours=1))
        results = race(
            lambda: dispatch.advance(desk.db, desk.clock),
            lambda: dispatch.report_status(
                desk.db, desk.clock, desk.second, "AMB1", AssignmentStatus.ON_SCENE
            ),
        )
        for result in results:
            # The crew may find the clock got there first: a clear 409, nothing worse.
            if isinstance(result, BaseException) and not isinstance(result, Conflict):
                raise result
        assert log_entries(desk.db, sent.id, AssignmentStatus.ON_SCENE) == 1
        assert log_entries(desk.db, sent.id, AssignmentStatus.EN_ROUTE) <= 1
        dispatch.report_status(desk.db, desk.clock, desk.first, "AMB1", AssignmentStatus.CLEARED)
