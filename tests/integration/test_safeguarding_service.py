"""The hub's use cases on a real database: who sees what, and what the audit log keeps."""

from __future__ import annotations

import pytest

from safercity.platform.audit import service as audit
from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from safercity.platform.errors import Forbidden, InvalidInput, NotFound
from safercity.safeguarding import service as hub
from safercity.safeguarding.agreements import Purpose
from safercity.safeguarding.model import RecordKind
from safercity.safeguarding.risk import Answer
from tests.factories import Staff, seed_hub
from tests.unit.test_cases_service import new_case

DA = Purpose.DOMESTIC_ABUSE_MARAC
POLICY = hub.hub_policy()


@pytest.fixture
def staff(db: Database, clock: FixedClock) -> Staff:
    return seed_hub(db, clock)


def _victim(db: Database, clock: FixedClock, staff: Staff) -> str:
    ref = hub.create_person(
        db,
        clock,
        POLICY,
        staff["sg_investigator"],
        {"given_name": "Maya", "family_name": "Singh", "date_of_birth": "1990-05-04",
         "phone": "07700 900123", "address": "1 Example Road, SE15"},
        DA,
    )  # fmt: skip
    hub.add_record(
        db, clock, POLICY, staff["sg_investigator"], ref, RecordKind.FLAG,
        {"flag": "domestic_abuse_victim", "details": "Partner assaulted her"}, DA,
    )  # fmt: skip
    return ref


def test_the_police_see_their_own_record_whole(
    db: Database, clock: FixedClock, staff: Staff
) -> None:
    ref = _victim(db, clock, staff)
    view = hub.view_person(db, clock, POLICY, staff["sg_investigator"], ref, DA)
    assert view.name == "Maya Singh"
    identity = view.of_category(view.records[0].record.category)[0]
    assert identity.shown["address"] == "1 Example Road, SE15" and not identity.withheld


def test_the_charity_sees_only_what_the_marac_agreement_allows(
    db: Database, clock: FixedClock, staff: Staff
) -> None:
    ref = _victim(db, clock, staff)
    view = hub.view_person(db, clock, POLICY, staff["sg_idva"], ref, DA)
    identity = next(v for v in view.records if v.record.kind is RecordKind.IDENTITY)
    assert set(identity.shown) == {"given_name", "family_name", "phone"}
    assert "address" in identity.withheld and "date_of_birth" in identity.withheld
    flag = next(v for v in view.records if v.record.kind is RecordKind.FLAG)
    assert flag.shown == {"flag": "domestic_abuse_victim"}  # not the details


def test_a_school_sees_nothing_and_the_refusal_is_audited(
    db: Database, clock: FixedClock, staff: Staff
) -> None:
    ref = _victim(db, clock, staff)
    for user in ("sg_dsl", "sg_teacher"):
        with pytest.raises(NotFound):
            hub.view_person(db, clock, POLICY, staff[user], ref, Purpose.SAFEGUARDING_CHILD)
        assert hub.search_people(db, clock, POLICY, staff[user], "maya", DA) == []
    with db.transaction() as conn:
        trail = audit.trail(conn, "person", ref)
    denied = [e for e in trail if e.actor.startswith("sg_dsl") and e.detail.startswith("denied")]
    assert denied


def test_a_non_partner_agency_is_refused(db: Database, clock: FixedClock, staff: Staff) -> None:
    ref = _victim(db, clock, staff)
    with pytest.raises(Forbidden):
        hub.view_person(db, clock, POLICY, staff["sg_prosecutor"], ref, DA)


def test_a_dash_of_15_yes_is_high_risk_and_needs_marac(
    db: Database, clock: FixedClock, staff: Staff
) -> None:
    ref = _victim(db, clock, staff)
    answers = {n: (Answer.YES if n <= 15 else Answer.NO) for n in range(1, 28)}
    _, result = hub.record_dash(db, clock, POLICY, staff["sg_investigator"], ref, answers, DA)
    assert result.level.value == "high" and result.marac_required


def test_a_referral_needs_consent_or_a_lawful_basis(
    db: Database, clock: FixedClock, staff: Staff
) -> None:
    ref = _victim(db, clock, staff)
    with pytest.raises(InvalidInput) as refused:
        hub.make_referral(
            db, clock, POLICY, staff["sg_investigator"], ref, "SOLACE", DA, "High risk", False
        )
    assert refused.value.field_errors[0].field == "lawful_basis_override"
    referral = hub.make_referral(
        db, clock, POLICY, staff["sg_investigator"], ref, "SOLACE", DA, "High risk", True
    )
    answered = hub.answer_referral(
        db, clock, POLICY, staff["sg_idva"], referral.id, DA, accept=True
    )
    assert answered.status.value == "accepted"


def test_a_chronology_event_links_to_a_case_that_exists(
    db: Database, clock: FixedClock, staff: Staff
) -> None:
    ref = _victim(db, clock, staff)
    case = new_case(db, clock)
    police = staff["sg_investigator"]
    event = {"occurred_on": "2026-11-20", "summary": "Reported online", "link_type": "case"}
    hub.add_record(db, clock, POLICY, police, ref, RecordKind.EVENT, event | {"link_ref": case}, DA)
    view = hub.view_person(db, clock, POLICY, police, ref, DA)
    linked = [v for v in view.records if v.record.kind is RecordKind.EVENT]
    assert linked[0].shown["link_ref"] == case
    for missing in ({"link_ref": "SC-NONE-0000"}, {"link_type": "incident", "link_ref": "999"}):
        with pytest.raises(InvalidInput) as refused:
            hub.add_record(db, clock, POLICY, police, ref, RecordKind.EVENT, event | missing, DA)
        assert refused.value.field_errors[0].field == "link_ref"
    with pytest.raises(InvalidInput) as half:
        hub.add_record(db, clock, POLICY, police, ref, RecordKind.EVENT, event, DA)
    assert half.value.field_errors[0].field == "link_ref"
