"""The safeguarding policy decision point, checked against the agreement tables.

The table tests compare `SharingPolicy.decide` (indexed lookups) with `expected`, a plain scan of
the raw agreement dicts written straight from the rules, for every role, acting agency, owning
agency, category, purpose and action.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safercity.platform.audit.model import AuditAction
from safercity.platform.errors import InvalidInput
from safercity.platform.identity.model import Role, StaffUser
from safercity.safeguarding.agreements import (
    Action,
    PartnerKind,
    Purpose,
    RecordCategory,
    load_agreements,
)
from safercity.safeguarding.policy import (
    HANDLES_SAFEGUARDING,
    AccessRequest,
    Actor,
    Decision,
    RecordRef,
    SharingPolicy,
    parse_purpose,
)

ON = date(2025, 6, 1)
AGENCIES: dict[str, PartnerKind] = {
    "MPS": PartnerKind.POLICE,
    "HCSC": PartnerKind.CHILDREN_SOCIAL_CARE,
    "HASC": PartnerKind.ADULT_SOCIAL_CARE,
    "ELFT": PartnerKind.MENTAL_HEALTH_TRUST,
    "LAS": PartnerKind.AMBULANCE,
    "PROB": PartnerKind.PROBATION,
    "SCH1": PartnerKind.SCHOOL,
    "SCH2": PartnerKind.SCHOOL,  # a school with no agreement as recipient
    "REFUGE": PartnerKind.DOMESTIC_ABUSE_CHARITY,
}
ROLES: list[str] = list(Role)
FIELDS: dict[RecordCategory, frozenset[str]] = {
    category: frozenset({"summary", "detail", "recorded_by"}) for category in RecordCategory
} | {
    RecordCategory.HEALTH: frozenset({"diagnosis", "medication", "crisis_plan_summary"}),
    RecordCategory.CRIMINAL_HISTORY: frozenset(
        {"offence_summary", "bail_conditions", "intelligence_grading"}
    ),
    RecordCategory.RISK_ASSESSMENTS: frozenset({"dash_risk_level", "safety_plan", "notes"}),
}
BASIS_CHILD = "UK GDPR Art 6(1)(e); Art 9(2)(g) with DPA 2018 Sch 1 para 18; Children Act 2004 s.11"
BASIS_LE = "DPA 2018 Part 3 s.35 (sensitive processing, Sch 8 para 4); UK GDPR Art 6(1)(e)"


def _agreement(id_: str, provider: dict[str, str], recipient: str, **rest: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "title": f"Agreement {id_}",
        **provider,
        "recipient_agency": recipient,
        "lawful_basis": BASIS_CHILD,
        "valid_from": "2024-01-01",
        **rest,
    }


RAW: list[dict[str, Any]] = [
    _agreement(
        "ISA-1",
        {"provider_agency": "MPS"},
        "HCSC",
        purposes=["safeguarding_child", "child_exploitation", "missing_person"],
        shares=[
            {"category": "identity"},
            {"category": "flags"},
            {"category": "chronology"},
            {"category": "criminal_history", "fields": ["offence_summary", "bail_conditions"]},
        ],
        valid_until="2026-12-31",
        lawful_basis=BASIS_LE,
    ),
    _agreement(
        "ISA-2",
        {"provider_agency": "ELFT"},
        "MPS",
        purposes=["mental_health_crisis", "missing_person"],
        shares=[
            {"category": "identity"},
            {"category": "contacts"},
            {"category": "health", "fields": ["crisis_plan_summary"]},
        ],
        valid_from="2024-04-01",
        actions=["read", "search", "export"],
    ),
    _agreement(
        "ISA-3",
        {"provider_kind": "school"},
        "HCSC",
        purposes=["safeguarding_child"],
        shares=[{"category": "education"}, {"category": "identity"}, {"category": "referrals"}],
        valid_from="2023-09-01",
        valid_until="2027-08-31",
    ),
    _agreement(  # expired before ON
        "ISA-4",
        {"provider_agency": "MPS"},
        "REFUGE",
        purposes=["domestic_abuse_marac"],
        shares=[{"category": "identity"}, {"category": "risk_assessments"}],
        valid_until="2025-03-31",
    ),
    _agreement(  # starts after ON
        "ISA-5",
        {"provider_agency": "HASC"},
        "MPS",
        purposes=["safeguarding_adult"],
        shares=[{"category": "identity"}, {"category": "flags"}],
        valid_from="2025-09-01",
    ),
    _agreement(  # kind-level, overlapping ISA-1 on criminal history: the fields add up
        "ISA-6",
        {"provider_kind": "police"},
        "HCSC",
        purposes=["safeguarding_child"],
        shares=[
            {"category": "criminal_history", "fields": ["intelligence_grading"]},
            {"category": "risk_assessments", "fields": ["dash_risk_level"]},
        ],
    ),
    _agreement(
        "ISA-7",
        {"provider_agency": "LAS"},
        "HASC",
        purposes=["safeguarding_adult"],
        shares=[{"category": "referrals"}, {"category": "chronology", "fields": ["summary"]}],
        valid_until="2025-06-01",  # ends on ON: still in force that day
    ),
    _agreement(
        "ISA-8",
        {"provider_agency": "HCSC"},
        "SCH1",
        purposes=["safeguarding_child"],
        shares=[{"category": "referrals", "fields": ["summary"]}],
    ),
]
POLICY = SharingPolicy.from_agreements(load_agreements(RAW))


def request(
    actor_agency: str = "HCSC",
    role: str = Role.SOCIAL_WORKER,
    owner: str = "MPS",
    category: RecordCategory = RecordCategory.IDENTITY,
    purpose: Purpose | None = Purpose.SAFEGUARDING_CHILD,
    action: Action = Action.READ,
    on: date = ON,
    break_glass: str | None = None,
) -> AccessRequest:
    actor = Actor(f"user@{actor_agency}", actor_agency, AGENCIES[actor_agency], role)
    record = RecordRef("r1", owner, AGENCIES[owner], category, "p1", FIELDS[category])
    return AccessRequest(actor, action, record, purpose, on, break_glass)


def _covers(raw: dict[str, Any], req: AccessRequest) -> frozenset[str] | None:
    """The fields one raw agreement gives this request, or None when it does not apply."""
    record = req.record
    provider_ok = raw.get("provider_agency") == record.owner_agency or (
        raw.get("provider_kind") == record.owner_kind
    )
    until = raw.get("valid_until")
    in_force = date.fromisoformat(raw["valid_from"]) <= req.on and (
        until is None or req.on <= date.fromisoformat(until)
    )
    ok = (
        provider_ok
        and in_force
        and raw["recipient_agency"] == req.actor.agency
        and req.purpose in raw["purposes"]
        and req.action in raw.get("actions", ["read", "search"])
    )
    share = next((s for s in raw["shares"] if s["category"] == record.category), None)
    if not ok or share is None:
        return None
    return record.fields & frozenset(share.get("fields", record.fields))


def expected(
    req: AccessRequest, table: list[dict[str, Any]]
) -> tuple[bool, frozenset[str], set[str]]:
    """The rules written as plainly as possible, over the raw table."""
    dpo_may = {
        Purpose.SUBJECT_ACCESS: {Action.READ, Action.SEARCH, Action.EXPORT},
        Purpose.RETENTION: {Action.READ, Action.SEARCH, Action.ERASE},
    }
    if req.purpose is not None and req.actor.role == Role.DATA_PROTECTION_OFFICER:
        allowed = req.action in dpo_may.get(req.purpose, set())
        return allowed, req.record.fields if allowed else frozenset(), set()
    if req.purpose is None or req.actor.role not in HANDLES_SAFEGUARDING:
        return False, frozenset(), set()
    if req.purpose in dpo_may or req.action is Action.ERASE:
        return False, frozenset(), set()
    if req.actor.agency == req.record.owner_agency:
        return True, req.record.fields, set()
    if req.actor.agency in req.record.addressed_to:
        allowed = req.action in (Action.READ, Action.SEARCH, Action.UPDATE)
        return allowed, req.record.fields if allowed else frozenset(), set()
    if req.action in (Action.CREATE, Action.UPDATE):
        return False, frozenset(), set()
    covering = {raw["id"]: _covers(raw, req) for raw in table}
    granted = {k: v for k, v in covering.items() if v is not None}
    fields = frozenset().union(*granted.values())
    return bool(fields), fields, set(granted) if fields else set()


def assert_matches(
    req: AccessRequest, decision: Decision, table: list[dict[str, Any]] = RAW
) -> None:
    allowed, fields, ids = expected(req, table)
    assert (decision.allowed, decision.fields, set(decision.agreement_ids)) == (
        allowed,
        fields,
        ids,
    ), req
    assert decision.reason
    assert not decision.alert and not decision.break_glass


@pytest.mark.parametrize("role", ROLES)
def test_every_read_allowed_exactly_where_the_tables_say(role: str) -> None:
    allowed = 0
    for actor_agency, owner, category, purpose in itertools.product(
        AGENCIES, AGENCIES, RecordCategory, [*Purpose, None]
    ):
        req = request(actor_agency, role, owner, category, purpose)
        decision = POLICY.decide(req)
        assert_matches(req, decision)
        allowed += decision.allowed
    assert (allowed > 0) == (role in HANDLES_SAFEGUARDING or role == Role.DATA_PROTECTION_OFFICER)


@pytest.mark.parametrize("action", list(Action))
def test_every_action_allowed_exactly_where_the_tables_say(action: Action) -> None:
    for actor_agency, owner, category, purpose in itertools.product(
        AGENCIES, AGENCIES, RecordCategory, Purpose
    ):
        req = request(actor_agency, Role.SAFEGUARDING_LEAD, owner, category, purpose)
        req = AccessRequest(req.actor, action, req.record, req.purpose, req.on)
        assert_matches(req, POLICY.decide(req))


def test_the_tables_exercise_both_outcomes_and_field_limits() -> None:
    # Guards the generated tests against a table that allows nothing or limits nothing.
    reqs = [
        request(a, Role.SAFEGUARDING_LEAD, o, c, p)
        for a, o, c, p in itertools.product(AGENCIES, AGENCIES, RecordCategory, Purpose)
        if a != o
    ]
    decisions = [POLICY.decide(r) for r in reqs]
    assert any(d.allowed and not d.withheld for d in decisions)
    assert any(d.allowed and d.withheld for d in decisions)
    assert sum(d.allowed for d in decisions) < len(decisions) // 10


def test_school_with_no_agreement_sees_nothing_of_other_agencies() -> None:
    for owner, category, purpose, action in itertools.product(
        AGENCIES, RecordCategory, Purpose, Action
    ):
        if owner == "SCH2":
            continue
        req = request("SCH2", Role.DESIGNATED_SAFEGUARDING_LEAD, owner, category)
        req = AccessRequest(req.actor, action, req.record, purpose, ON)
        decision = POLICY.decide(req)
        assert not decision.allowed and decision.fields == frozenset()


def test_teacher_is_denied_even_where_an_agreement_covers_the_school() -> None:
    req = request("SCH1", Role.TEACHER, "HCSC", RecordCategory.REFERRALS)
    decision = POLICY.decide(req)
    assert not decision.allowed
    assert "does not handle safeguarding" in decision.reason
    dsl = request("SCH1", Role.DESIGNATED_SAFEGUARDING_LEAD, "HCSC", req.record.category)
    assert POLICY.decide(dsl).fields == {"summary"}


def test_health_shares_only_the_crisis_plan_never_the_diagnosis() -> None:
    req = request("MPS", Role.INVESTIGATOR, "ELFT", RecordCategory.HEALTH, Purpose.MISSING_PERSON)
    decision = POLICY.decide(req)
    assert decision.allowed and decision.fields == {"crisis_plan_summary"}
    assert decision.withheld == {"diagnosis", "medication"}
    assert decision.agreement_id == "ISA-2"
    assert "ISA-2" in decision.reason and "Art 9(2)(g)" in decision.reason


def test_overlapping_agency_and_kind_agreements_add_their_fields_and_both_are_cited() -> None:
    req = request("HCSC", owner="MPS", category=RecordCategory.CRIMINAL_HISTORY)
    decision = POLICY.decide(req)
    assert decision.fields == FIELDS[RecordCategory.CRIMINAL_HISTORY]
    assert set(decision.agreement_ids) == {"ISA-1", "ISA-6"}
    assert "s.35" in decision.reason


def test_expired_agreement_denies_and_says_when_it_ran() -> None:
    req = request("REFUGE", Role.IDVA, "MPS", purpose=Purpose.DOMESTIC_ABUSE_MARAC)
    decision = POLICY.decide(req)
    assert not decision.allowed
    assert "ISA-4 (2024-01-01 to 2025-03-31)" in decision.reason
    earlier = AccessRequest(req.actor, req.action, req.record, req.purpose, date(2025, 3, 31))
    assert POLICY.decide(earlier).allowed


def test_agreement_not_yet_started_denies() -> None:
    req = request("MPS", Role.INVESTIGATOR, "HASC", purpose=Purpose.SAFEGUARDING_ADULT)
    assert not POLICY.decide(req).allowed
    later = AccessRequest(req.actor, req.action, req.record, req.purpose, date(2025, 9, 1))
    assert POLICY.decide(later).allowed


def test_agreement_still_in_force_on_its_last_day() -> None:
    req = request("HASC", owner="LAS", category=RecordCategory.REFERRALS)
    req = AccessRequest(req.actor, req.action, req.record, Purpose.SAFEGUARDING_ADULT, ON)
    assert POLICY.decide(req).allowed


def test_wrong_purpose_denies() -> None:
    allowed = request("HCSC", owner="MPS", purpose=Purpose.SAFEGUARDING_CHILD)
    assert POLICY.decide(allowed).allowed
    wrong = request("HCSC", owner="MPS", purpose=Purpose.MENTAL_HEALTH_CRISIS)
    decision = POLICY.decide(wrong)
    assert not decision.allowed and "mental_health_crisis" in decision.reason


def test_no_purpose_denies_even_own_records() -> None:
    decision = POLICY.decide(request("MPS", Role.INVESTIGATOR, "MPS", purpose=None))
    assert not decision.allowed and "purpose" in decision.reason


def test_partner_may_not_create_or_change_anothers_records() -> None:
    for action in (Action.CREATE, Action.UPDATE):
        req = request("HCSC", owner="MPS")
        req = AccessRequest(req.actor, action, req.record, req.purpose, ON)
        assert not POLICY.decide(req).allowed


def test_hand_built_agreement_cannot_grant_changes_to_anothers_records() -> None:
    # The loader refuses such an agreement; the decision point refuses it again.
    loose = replace(load_agreements(RAW)[0], actions=frozenset(Action))
    policy = SharingPolicy.from_agreements([loose])
    for action in Action:
        req = request("HCSC", owner="MPS")
        req = AccessRequest(req.actor, action, req.record, req.purpose, ON)
        assert policy.decide(req).allowed == (action in {Action.READ, Action.SEARCH, Action.EXPORT})


def test_export_only_where_the_agreement_lists_it() -> None:
    export = request("MPS", Role.INVESTIGATOR, "ELFT", purpose=Purpose.MISSING_PERSON)
    export = AccessRequest(export.actor, Action.EXPORT, export.record, export.purpose, ON)
    assert POLICY.decide(export).allowed
    no_export = request("HCSC", owner="MPS")
    no_export = AccessRequest(
        no_export.actor, Action.EXPORT, no_export.record, Purpose.SAFEGUARDING_CHILD, ON
    )
    decision = POLICY.decide(no_export)
    assert not decision.allowed and "do not allow export" in decision.reason


JUSTIFICATION = "Child reported missing overnight; checking known addresses and contacts"


@pytest.mark.parametrize("text", [None, "", "   ", "urgent", "x" * 19, " " * 10 + "y" * 19])
def test_break_glass_without_a_real_justification_denies(text: str | None) -> None:
    req = request("LAS", Role.PARAMEDIC, "HCSC", break_glass=text)
    decision = POLICY.decide(req)
    assert not decision.allowed and not decision.alert and decision.fields == frozenset()


def test_break_glass_with_justification_reads_the_whole_record_and_alerts() -> None:
    req = request("LAS", Role.PARAMEDIC, "ELFT", RecordCategory.HEALTH, break_glass=JUSTIFICATION)
    decision = POLICY.decide(req)
    assert decision.allowed and decision.break_glass and decision.alert
    assert decision.fields == FIELDS[RecordCategory.HEALTH]
    assert JUSTIFICATION in decision.reason
    assert JUSTIFICATION in decision.audit_record().detail


@pytest.mark.parametrize("action", [a for a in Action if a is not Action.READ])
def test_break_glass_is_for_reading_only(action: Action) -> None:
    req = request("LAS", Role.PARAMEDIC, "ELFT", break_glass=JUSTIFICATION)
    req = AccessRequest(req.actor, action, req.record, req.purpose, ON, JUSTIFICATION)
    decision = POLICY.decide(req)
    assert not decision.allowed and not decision.alert


def test_break_glass_still_needs_a_safeguarding_role_and_a_purpose() -> None:
    teacher = request("SCH2", Role.TEACHER, "MPS", break_glass=JUSTIFICATION)
    assert not POLICY.decide(teacher).allowed
    no_purpose = request("LAS", Role.PARAMEDIC, "MPS", purpose=None, break_glass=JUSTIFICATION)
    assert not POLICY.decide(no_purpose).allowed


def test_empty_policy_denies_every_partner_and_allows_own_staff() -> None:
    empty = SharingPolicy()
    assert not empty.decide(request("HCSC", owner="MPS")).allowed
    assert empty.decide(request("MPS", Role.SUPERVISOR, "MPS")).allowed


def test_cross_agency_read_is_audited_as_a_disclosure_to_the_reader() -> None:
    decision = POLICY.decide(request("HCSC", owner="MPS"))
    entry = decision.audit_record()
    assert entry.action is AuditAction.DISCLOSURE and entry.recipient == "HCSC"
    assert entry.actor == "user@HCSC" and entry.subject_id == "p1"
    assert entry.purpose == "safeguarding_child" and "ISA-1" in entry.detail


def test_own_read_is_audited_as_a_consultation() -> None:
    entry = POLICY.decide(request("MPS", Role.INVESTIGATOR, "MPS")).audit_record()
    assert entry.action is AuditAction.CONSULTATION and entry.recipient is None


def test_actor_from_staff_user() -> None:
    user = StaffUser(1, "jsmith", "J Smith", Role.INVESTIGATOR, 3, "MPS", "Met Police")
    actor = Actor.from_staff(user, PartnerKind.POLICE)
    assert actor == Actor("jsmith@MPS", "MPS", PartnerKind.POLICE, Role.INVESTIGATOR)


def test_parse_purpose() -> None:
    assert parse_purpose("missing_person") is Purpose.MISSING_PERSON
    assert parse_purpose(" ") is None
    with pytest.raises(InvalidInput) as caught:
        parse_purpose("curiosity")
    assert [e.field for e in caught.value.field_errors] == ["purpose"]


# --- Validation ------------------------------------------------------------------------------


def _errors(raw: list[dict[str, Any]]) -> set[str]:
    with pytest.raises(InvalidInput) as caught:
        load_agreements(raw)
    return {e.field for e in caught.value.field_errors}


def test_loader_names_every_bad_field_of_one_agreement() -> None:
    bad = {
        "id": "",
        "title": "Bad",
        "provider_agency": "MPS",
        "provider_kind": "police",
        "recipient_agency": "HCSC",
        "purposes": ["safeguarding_child", "curiosity"],
        "shares": [
            {"category": "identity"},
            {"category": "identity"},
            {"category": "horoscope"},
            {"category": "health", "fields": []},
            {"category": "flags", "colour": "red"},
        ],
        "lawful_basis": "GDPR",
        "valid_from": "2025-13-01",
        "valid_until": "yesterday",
        "actions": ["read", "update"],
        "valid_untill": "2026-01-01",
    }
    assert _errors([bad]) == {
        "[0].id",
        "[0].provider_agency",
        "[0].purposes[1]",
        "[0].shares[1].category",
        "[0].shares[2].category",
        "[0].shares[3].fields",
        "[0].shares[4].colour",
        "[0].lawful_basis",
        "[0].valid_from",
        "[0].valid_until",
        "[0].actions[1]",
        "[0].valid_untill",
    }


def test_loader_checks_dates_recipient_and_repeated_ids() -> None:
    backwards = {**RAW[0], "id": "X", "valid_from": "2025-01-01", "valid_until": "2024-01-01"}
    to_itself = {**RAW[1], "id": "Y", "recipient_agency": "ELFT"}
    assert _errors([backwards, to_itself, RAW[2], RAW[2]]) == {
        "[0].valid_until",
        "[1].recipient_agency",
        "[3].id",
    }


def test_loader_requires_provider_purposes_shares_and_objects() -> None:
    missing = {"id": "Z", "title": "t", "recipient_agency": "HCSC", "lawful_basis": BASIS_LE}
    assert _errors([missing, "not an object"]) == {  # type: ignore[list-item]
        "[0].provider_agency",
        "[0].purposes",
        "[0].shares",
        "[0].valid_from",
        "[1]",
    }
    assert _errors([{**RAW[2], "provider_kind": "astrologer"}]) == {"[0].provider_kind"}


def test_loader_accepts_the_tables() -> None:
    loaded = load_agreements(RAW)
    assert [a.id for a in loaded] == [r["id"] for r in RAW]
    assert loaded[1].actions == {Action.READ, Action.SEARCH, Action.EXPORT}
    assert loaded[0].actions == {Action.READ, Action.SEARCH}


# --- Random tables: the index agrees with a scan -----------------------------------------------

_codes = st.sampled_from(sorted(AGENCIES))
_share = st.builds(
    lambda c, f: {"category": c.value} | ({"fields": sorted(f)} if f else {}),
    st.sampled_from(list(RecordCategory)),
    st.frozensets(st.sampled_from(["summary", "detail", "diagnosis", "crisis_plan_summary"])),
)


@st.composite
def _tables(draw: st.DrawFn) -> list[dict[str, Any]]:
    table = []
    for n in range(draw(st.integers(1, 8))):
        provider = draw(
            st.one_of(
                _codes.map(lambda c: {"provider_agency": c}),
                st.sampled_from(list(PartnerKind)).map(lambda k: {"provider_kind": k.value}),
            )
        )
        others = sorted(set(AGENCIES) - {provider.get("provider_agency", "")})
        recipient = draw(st.sampled_from(others))
        shares = draw(st.lists(_share, min_size=1, max_size=4, unique_by=lambda s: s["category"]))
        purposes = draw(
            st.lists(st.sampled_from([p.value for p in Purpose]), min_size=1, max_size=3)
        )
        start = draw(st.dates(date(2024, 1, 1), date(2026, 1, 1)))
        table.append(
            _agreement(f"R{n}", provider, recipient, purposes=purposes, shares=shares)
            | {"valid_from": start.isoformat()}
        )
    return table


@settings(max_examples=25, deadline=None)
@given(_tables())
def test_indexed_decisions_agree_with_a_scan_of_random_tables(table: list[dict[str, Any]]) -> None:
    policy = SharingPolicy.from_agreements(load_agreements(table))
    for actor_agency, owner, category, purpose in itertools.product(
        AGENCIES, AGENCIES, RecordCategory, Purpose
    ):
        req = request(actor_agency, Role.SAFEGUARDING_LEAD, owner, category, purpose)
        assert_matches(req, policy.decide(req), table)
