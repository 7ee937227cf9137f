"""Assignments: planned times, the status clock, the steps a crew may record, remaining needs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from safercity.dispatch.assignment import (
    TURNOUT_S,
    Assignment,
    AssignmentStatus,
    check_step,
    due_steps,
    plan_times,
)
from safercity.dispatch.capabilities import Capability, Service
from safercity.dispatch.fleet import Unit, UnitType
from safercity.dispatch.recommend import Need
from safercity.dispatch.service import remaining_needs
from safercity.platform.errors import Conflict

S = AssignmentStatus
C = Capability
AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _assignment(
    status: AssignmentStatus = S.DISPATCHED,
    *,
    turnout_s: float = 60.0,
    eta_s: float | None = 300.0,
) -> Assignment:
    return Assignment(
        id=1,
        incident_id="42",
        call_sign="AMB1",
        status=status,
        dispatched_at=AT,
        status_at=AT,
        eta_s=eta_s,
        en_route_due=AT + timedelta(seconds=turnout_s),
        on_scene_due=None if eta_s is None else AT + timedelta(seconds=eta_s),
        reason="chosen by the handler",
        dispatched_by="handler",
    )


# plan_times ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "turnout"),
    [
        (Service.FIRE, 80.0),
        (Service.AMBULANCE, 60.0),
        (Service.POLICE, 30.0),
        (Service.HEALTH, 60.0),
    ],
)
def test_plan_times_is_turnout_then_eta_for_each_service(service: Service, turnout: float) -> None:
    assert TURNOUT_S[service] == turnout
    en_route, on_scene = plan_times(service, AT, 420.0)
    assert en_route == AT + timedelta(seconds=turnout)
    assert on_scene == AT + timedelta(seconds=420.0)


@pytest.mark.parametrize("service", list(Service))
def test_without_an_eta_the_unit_is_en_route_after_turnout_and_never_due_on_scene(
    service: Service,
) -> None:
    en_route, on_scene = plan_times(service, AT, None)
    assert en_route == AT + timedelta(seconds=TURNOUT_S[service])
    assert on_scene is None


def test_an_eta_shorter_than_turnout_puts_the_unit_on_scene_when_it_is_en_route() -> None:
    # A fire engine 30 s from the scene still needs its 80 s turnout: never on scene before
    # it has left.
    en_route, on_scene = plan_times(Service.FIRE, AT, 30.0)
    assert en_route == AT + timedelta(seconds=80.0)
    assert on_scene == en_route


def test_an_eta_of_zero_is_an_eta_not_a_missing_one() -> None:
    en_route, on_scene = plan_times(Service.POLICE, AT, 0.0)
    assert on_scene == en_route == AT + timedelta(seconds=30.0)


# due_steps -------------------------------------------------------------------------------------


def test_nothing_is_due_before_turnout() -> None:
    a = _assignment()
    assert due_steps(a, AT) == []
    assert due_steps(a, AT + timedelta(seconds=59)) == []


def test_en_route_falls_due_at_turnout_with_the_turnout_time() -> None:
    a = _assignment()
    # Exactly at the due time counts; the step carries when it happened, not when we looked.
    assert due_steps(a, AT + timedelta(seconds=60)) == [(S.EN_ROUTE, AT + timedelta(seconds=60))]
    assert due_steps(a, AT + timedelta(seconds=200)) == [(S.EN_ROUTE, AT + timedelta(seconds=60))]


def test_both_steps_fall_due_at_once_each_with_its_own_time() -> None:
    a = _assignment()
    assert due_steps(a, AT + timedelta(minutes=30)) == [
        (S.EN_ROUTE, AT + timedelta(seconds=60)),
        (S.ON_SCENE, AT + timedelta(seconds=300)),
    ]


def test_an_en_route_unit_falls_due_on_scene_at_its_eta_only() -> None:
    a = _assignment(S.EN_ROUTE)
    assert due_steps(a, AT + timedelta(seconds=299)) == []
    assert due_steps(a, AT + timedelta(seconds=301)) == [(S.ON_SCENE, AT + timedelta(seconds=300))]


def test_without_an_eta_the_clock_never_puts_a_unit_on_scene() -> None:
    a = _assignment(eta_s=None)
    later = AT + timedelta(hours=5)
    assert due_steps(a, later) == [(S.EN_ROUTE, AT + timedelta(seconds=60))]
    assert due_steps(_assignment(S.EN_ROUTE, eta_s=None), later) == []


@pytest.mark.parametrize("status", [S.ON_SCENE, S.AT_HOSPITAL, S.CLEARED, S.DIVERTED, S.CANCELLED])
def test_the_clock_moves_nothing_on_scene_or_ended(status: AssignmentStatus) -> None:
    assert due_steps(_assignment(status), AT + timedelta(hours=5)) == []


# check_step ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "to"),
    [
        (S.DISPATCHED, S.EN_ROUTE),
        (S.DISPATCHED, S.ON_SCENE),
        (S.DISPATCHED, S.CANCELLED),
        (S.EN_ROUTE, S.ON_SCENE),
        (S.EN_ROUTE, S.CANCELLED),
        (S.ON_SCENE, S.AT_HOSPITAL),
        (S.ON_SCENE, S.CLEARED),
        (S.AT_HOSPITAL, S.CLEARED),
    ],
)
def test_allowed_steps_pass(status: AssignmentStatus, to: AssignmentStatus) -> None:
    check_step(_assignment(status), to)


@pytest.mark.parametrize(
    ("status", "to", "allowed"),
    [
        (S.DISPATCHED, S.CLEARED, "cancelled, en_route, on_scene"),
        (S.DISPATCHED, S.AT_HOSPITAL, "cancelled, en_route, on_scene"),
        (S.EN_ROUTE, S.DISPATCHED, "cancelled, on_scene"),
        (S.ON_SCENE, S.CANCELLED, "at_hospital, cleared"),
        (S.ON_SCENE, S.EN_ROUTE, "at_hospital, cleared"),
        (S.AT_HOSPITAL, S.ON_SCENE, "cleared"),
    ],
)
def test_a_refused_step_names_the_unit_where_it_is_and_what_it_can_do(
    status: AssignmentStatus, to: AssignmentStatus, allowed: str
) -> None:
    with pytest.raises(Conflict) as refused:
        check_step(_assignment(status), to)
    message = refused.value.detail
    assert refused.value.status == 409
    assert message.startswith(f"AMB1 is {status.label.lower()} at incident 42")
    assert message.endswith(f"it can go to {allowed}")


@pytest.mark.parametrize("ended", [S.CLEARED, S.DIVERTED, S.CANCELLED])
@pytest.mark.parametrize("to", list(AssignmentStatus))
def test_nothing_follows_an_ended_assignment(ended: AssignmentStatus, to: AssignmentStatus) -> None:
    with pytest.raises(Conflict) as refused:
        check_step(_assignment(ended), to)
    assert refused.value.detail == (
        f"AMB1 is {ended.value} at incident 42; it can go to nothing: it has ended"
    )


# remaining_needs -------------------------------------------------------------------------------


def _unit(call_sign: str, *caps: Capability) -> Unit:
    return Unit(call_sign, Service.AMBULANCE, "LAS", UnitType.AMBULANCE, "A1", frozenset(caps), 2)


CARDIAC = [
    Need(C.PARAMEDIC, 1, 420.0),
    Need(C.DEFIBRILLATOR, 1, 420.0),
    Need(C.PATIENT_TRANSPORT, 1, 1200.0),
]


def test_nothing_sent_leaves_every_need_open() -> None:
    assert remaining_needs(CARDIAC, []) == CARDIAC


def test_one_unit_sent_counts_against_every_need_whose_capability_it_carries() -> None:
    car = _unit("FRU1", C.PARAMEDIC, C.DEFIBRILLATOR, C.FIRST_AID)
    assert remaining_needs(CARDIAC, [car]) == [Need(C.PATIENT_TRANSPORT, 1, 1200.0)]
    ambulance = _unit("AMB1", C.PARAMEDIC, C.DEFIBRILLATOR, C.PATIENT_TRANSPORT)
    assert remaining_needs(CARDIAC, [ambulance]) == []


def test_counts_are_reduced_not_dropped_and_keep_their_deadline() -> None:
    needs = [Need(C.FIREFIGHTING, 2, 480.0), Need(C.PARAMEDIC, 2, 600.0)]
    one_engine = _unit("FE1", C.FIREFIGHTING, C.PARAMEDIC)
    assert remaining_needs(needs, [one_engine]) == [
        Need(C.FIREFIGHTING, 1, 480.0),
        Need(C.PARAMEDIC, 1, 600.0),
    ]
    two = [one_engine, _unit("FE2", C.FIREFIGHTING)]
    assert remaining_needs(needs, two) == [Need(C.PARAMEDIC, 1, 600.0)]


def test_more_units_than_needed_never_make_a_negative_need() -> None:
    crowd = [_unit(f"FRU{i}", C.PARAMEDIC) for i in range(4)]
    assert remaining_needs([Need(C.PARAMEDIC, 1, 420.0)], crowd) == []


def test_a_unit_without_the_capability_counts_for_nothing() -> None:
    police = _unit("POL1", C.POLICE_OFFICER, C.FIRST_AID)
    assert remaining_needs(CARDIAC, [police]) == CARDIAC
