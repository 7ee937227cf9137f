"""The staff use cases on the real database: the case file from triage to the court's result."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from safercity.cases import service as cases
from safercity.cases.service import RecordingDecision
from safercity.cases.vocabulary import CaseStatus, ContactChannel, SuspectAction, UpdateStatus
from safercity.platform import outbox
from safercity.platform.audit import service as audit
from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from safercity.platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.factories import Staff, seed_staff
from tests.unit.test_cases_intake import a_report


@pytest.fixture
def staff(db: Database, clock: FixedClock) -> Staff:
    return seed_staff(db, clock)


def new_case(db: Database, clock: FixedClock, **victim: object) -> str:
    with db.transaction() as conn:
        return cases.open_from_report(conn, clock, a_report(clock, **victim))


def charged_case(db: Database, clock: FixedClock, staff: Staff, **victim: object) -> str:
    ref = new_case(db, clock, **victim)
    inv = staff["investigator"]
    cases.record_decision(
        db,
        clock,
        inv,
        ref,
        decision=RecordingDecision.CRIME,
        reason="Forced entry and theft.",
        offence="Residential burglary of a home",
    )
    cases.allocate(db, clock, inv, ref, "investigator")
    suspect = cases.add_suspect(db, clock, inv, ref, "Jo Bloggs", date(1990, 5, 1))
    cases.act_on_suspect(db, clock, inv, ref, suspect, SuspectAction.ARREST)
    cases.act_on_suspect(db, clock, inv, ref, suspect, SuspectAction.INTERVIEW)
    cases.charge(db, clock, inv, ref, suspect, "Burglary (Theft Act 1968 s.9(1)(b))")
    return ref


def test_the_whole_journey_to_a_court_result_owes_and_sends_every_update(
    db: Database, clock: FixedClock, staff: Staff
) -> None:
    ref = charged_case(db, clock, staff)
    cases.accept_case(db, clock, staff["prosecutor"], ref, "Sufficient evidence.")
    hearing = cases.list_hearing(
        db,
        clock,
        staff["clerk"],
        ref,
        starts_at=clock.now() + timedelta(days=14),
        place="Courtroom 2",
    )
    cases.record_court_result(db, clock, staff["clerk"], ref, hearing, "Offender fined")
    outbox.deliver_pending(db, clock, outbox.KeepTransport())

    view = cases.staff_case(db, clock, staff["supervisor"], ref)
    assert view.case.status is CaseStatus.CLOSED
    assert view.case.outcome == "Offender fined"
    assert [u.event.value for u in view.updates] == [
        "arrested",
        "interviewed",
        "charged",
        "hearing_listed",
        "court_result",
    ]
    assert all(u.status(clock.now()) is UpdateStatus.SENT_ON_TIME for u in view.updates)
    with db.transaction() as conn:
        victim = cases.victim_view(conn, clock, ref)
    assert victim is not None and victim.outcome == "Offender fined"
    assert victim.officer_name == "Investigator Example"


def test_a_prosecutor_can_return_the_file_and_the_investigator_sees_the_requests(
    db: Database, clock: FixedClock, staff: Staff
) -> None:
    ref = charged_case(db, clock, staff)
    assert [c.reference for c in cases.prosecutor_queue(db, staff["prosecutor"])] == [ref]
    cases.return_case(db, clock, staff["prosecutor"], ref, "Get the CCTV from the shop.")
    mine = cases.my_cases(db, staff["investigator"])
    assert (mine[0].case.reference, mine[0].requests) == (ref, "Get the CCTV from the shop.")
    cases.resubmit_to_prosecutor(db, clock, staff["investigator"], ref, "CCTV attached.")
    cases.accept_case(db, clock, staff["prosecutor"], ref)
    view = cases.staff_case(db, clock, staff["prosecutor"], ref)
    assert [n.decision for n in view.prosecution] == [
        "submitted",
        "returned",
        "resubmitted",
        "accepted",
    ]


def test_steps_out_of_order_are_refused_with_conflict(
    db: Database, clock: FixedClock, staff: Staff
) -> None:
    ref = new_case(db, clock)
    inv = staff["investigator"]
    with pytest.raises(Conflict):
        cases.add_suspect(db, clock, inv, ref, "Jo Bloggs")
    cases.record_decision(db, clock, inv, ref, decision=RecordingDecision.CRIME, reason="Theft.")
    with pytest.raises(Conflict, match="Allocate"):
        cases.add_suspect(db, clock, inv, ref, "Jo Bloggs")
    with pytest.raises(Conflict):
        cases.record_decision(
            db, clock, inv, ref, decision=RecordingDecision.NOT_A_CRIME, reason="Changed mind."
        )
    cases.allocate(db, clock, inv, ref, "investigator")
    suspect = cases.add_suspect(db, clock, inv, ref, "Jo Bloggs")
    with pytest.raises(Conflict, match="Interview"):
        cases.charge(db, clock, inv, ref, suspect, "Theft")
    with pytest.raises(Conflict):
        cases.act_on_suspect(
            db, clock, inv, ref, suspect, SuspectAction.BAIL, bail_return=date(2026, 12, 23)
        )


def test_not_a_crime_owes_the_victim_an_update_with_the_reason(
    db: Database, clock: FixedClock, staff: Staff
) -> None:
    ref = new_case(db, clock)
    cases.record_decision(
        db,
        clock,
        staff["handler"],
        ref,
        decision=RecordingDecision.NOT_A_CRIME,
        reason="The bicycle was found where it had been left.",
    )
    with db.transaction() as conn:
        view = cases.victim_view(conn, clock, ref)
        messages = outbox.messages_about(conn, "case", ref)
    assert view is not None and view.status == "not_a_crime"
    assert "found where it had been left" in view.timeline[-1].detail
    assert len(messages) == 2


def test_a_decision_not_to_investigate_closes_the_case_with_a_due_update(
    db: Database, clock: FixedClock, staff: Staff
) -> None:
    ref = new_case(db, clock)
    cases.record_decision(
        db,
        clock,
        staff["investigator"],
        ref,
        decision=RecordingDecision.CRIME_NOT_INVESTIGATED,
        reason="No lines of enquiry.",
    )
    view = cases.staff_case(db, clock, staff["supervisor"], ref)
    assert view.case.status is CaseStatus.CLOSED
    assert [u.event.value for u in view.updates] == ["not_investigated"]


def test_phone_updates_wait_for_a_person_who_marks_them_told(
    db: Database, clock: FixedClock, staff: Staff
) -> None:
    ref = new_case(db, clock, preferred_channel=ContactChannel.PHONE, phone="07700 900123")
    inv = staff["investigator"]
    cases.record_decision(db, clock, inv, ref, decision=RecordingDecision.CRIME, reason="Theft.")
    cases.allocate(db, clock, inv, ref, "investigator")
    suspect = cases.add_suspect(db, clock, inv, ref, "Jo Bloggs")
    cases.act_on_suspect(db, clock, inv, ref, suspect, SuspectAction.ARREST)
    [owed] = cases.staff_case(db, clock, inv, ref).updates
    assert owed.needs_a_person
    clock.advance(timedelta(days=8))  # past the 5 working days
    assert [u.id for u in cases.updates_needing_attention(db, clock, staff["supervisor"])] == [
        owed.id
    ]
    cases.mark_told(db, clock, staff["witnesscare"], ref, owed.id, "Phoned the victim.")
    [told] = cases.staff_case(db, clock, inv, ref).updates
    assert told.status(clock.now()) is UpdateStatus.SENT_LATE
    assert cases.updates_needing_attention(db, clock, staff["supervisor"]) == []
    with pytest.raises(Conflict):
        cases.mark_told(db, clock, inv, ref, owed.id, "Again.")


def test_enhanced_rights_shorten_the_deadline_to_one_working_day(
    db: Database, clock: FixedClock, staff: Staff
) -> None:
    ref = charged_case(db, clock, staff, enhanced_rights_reasons=("Persistently targeted victim",))
    updates = cases.staff_case(db, clock, staff["supervisor"], ref).updates
    # Monday 23 November 2026: one working day on is the end of Tuesday 24th, London time.
    assert {u.due_at.date().isoformat() for u in updates} == {"2026-11-24"}


def test_roles_and_agencies_are_kept_to_their_part(
    db: Database, clock: FixedClock, staff: Staff
) -> None:
    ref = charged_case(db, clock, staff)
    with pytest.raises(Forbidden):
        cases.charge(db, clock, staff["clerk"], ref, 1, "Theft")
    with pytest.raises(Forbidden):
        cases.record_court_result(db, clock, staff["prosecutor"], ref, 1, "Offender fined")
    with pytest.raises(Forbidden):
        cases.staff_case(db, clock, staff["paramedic"], ref)
    with pytest.raises(Forbidden, match="another agency"):
        cases.staff_case(db, clock, staff["clerk"], ref)
    cases.accept_case(db, clock, staff["prosecutor"], ref)
    with pytest.raises(NotFound):
        cases.staff_case(db, clock, staff["investigator"], "SC-0000-0000")
    court_view = cases.staff_case(db, clock, staff["clerk"], ref)
    assert court_view.log == [] and court_view.messages == []
    assert [s.name for s in court_view.suspects] == ["Jo Bloggs"]


def test_reading_a_case_page_is_audited_with_the_roles_purpose(
    db: Database, clock: FixedClock, staff: Staff
) -> None:
    ref = charged_case(db, clock, staff)
    cases.staff_case(db, clock, staff["prosecutor"], ref)
    with db.transaction() as conn:
        last = audit.trail(conn, "case", ref)[-1]
    assert (last.actor, last.action, last.purpose) == (
        "prosecutor@CPS-LDN",
        "consultation",
        "prosecution",
    )


def test_bad_input_names_the_field(db: Database, clock: FixedClock, staff: Staff) -> None:
    ref = new_case(db, clock)
    with pytest.raises(InvalidInput) as error:
        cases.record_decision(
            db, clock, staff["investigator"], ref, decision=RecordingDecision.CRIME, reason="  "
        )
    assert error.value.field_errors[0].field == "reason"
    with pytest.raises(InvalidInput) as error:
        cases.add_log_entry(db, clock, staff["investigator"], ref, "bad\x00text")
    assert error.value.field_errors[0].field == "text"


def test_triage_queue_is_oldest_first_with_the_ncrs_clock(
    db: Database, clock: FixedClock, staff: Staff
) -> None:
    first = new_case(db, clock)
    clock.advance(timedelta(hours=2))
    second = new_case(db, clock)
    clock.advance(timedelta(hours=23))
    items = cases.triage_queue(db, clock, staff["handler"])
    assert [i.case.reference for i in items] == [first, second]
    assert items[0].clock.overdue and items[0].clock.label == "Overdue by 1 h 00 min"
    assert items[1].clock.label == "1 h 00 min left"


@pytest.mark.parametrize(
    ("stage", "status"),
    [
        ("reported", "reported"),
        ("not_a_crime", "not_a_crime"),
        ("not_investigated", "closed"),
        ("recorded", "recorded"),
        ("under_investigation", "under_investigation"),
        ("suspect_bailed", "under_investigation"),
        ("with_prosecutor", "with_prosecutor"),
        ("returned_by_prosecutor", "returned_by_prosecutor"),
        ("awaiting_court", "awaiting_court"),
        ("closed_by_police", "closed"),
        ("closed_by_court", "closed"),
    ],
)
def test_the_demo_walks_a_case_to_each_stage_through_the_real_use_cases(
    db: Database, clock: FixedClock, staff: Staff, stage: str, status: str
) -> None:
    from safercity.cases.demo import DemoCast, DemoStage, walk_to

    cast = DemoCast(
        triage=staff["handler"],
        investigator=staff["investigator"],
        supervisor=staff["supervisor"],
        prosecutor=staff["prosecutor"],
        clerk=staff["clerk"],
    )
    ref = new_case(db, clock)
    walk_to(
        db,
        clock,
        cast,
        ref,
        DemoStage(stage),
        between_steps=lambda: clock.advance(timedelta(hours=5)),
    )
    assert cases.staff_case(db, clock, staff["supervisor"], ref).case.status.value == status


def test_other_capabilities_can_check_a_staff_members_access_to_a_case(
    db: Database, clock: FixedClock, staff: Staff
) -> None:
    from safercity.platform.identity.model import Permission

    ref = new_case(db, clock)
    with db.transaction() as conn:
        assert cases.check_case_access(conn, staff["investigator"], ref.lower()) == ref
        with pytest.raises(Forbidden):
            cases.check_case_access(conn, staff["prosecutor"], ref)
        with pytest.raises(Forbidden):
            cases.check_case_access(conn, staff["handler"], ref, Permission.HANDLE_EVIDENCE)
