"""Need to know, proved over the API: every role of every agency tries every endpoint against
every record of every agency, for every purpose, and gets exactly what the agreements allow.

The expectations are worked out here from the raw agreement JSON and the role table written out
by hand, not by the policy code under test. Every field of every record holds a unique canary
string; a response may contain a canary only if that field is one the user may see for the
request's purpose, so a leak anywhere (a list, a search, an export, an error message, an object
guessed from another tenant) fails the test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

import pytest
from fastapi.testclient import TestClient

from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from safercity.safeguarding import service as hub
from safercity.safeguarding.agreements import Purpose
from safercity.safeguarding.model import KINDS, RecordKind
from tests.factories import HUB_AGENCIES, HUB_STAFF, Staff, seed_hub, token_for

RAW_AGREEMENTS: list[dict[str, Any]] = json.loads(
    resources.files("safercity.safeguarding")
    .joinpath("data/london_agreements.json")
    .read_text(encoding="utf-8")
)
KIND_OF = {code: partner_kind.value for code, _, _, partner_kind in HUB_AGENCIES}
# The roles that handle safeguarding, written out by hand from the issue and KCSIE.
HANDLERS = {
    "investigator",
    "supervisor",
    "social_worker",
    "safeguarding_lead",
    "mental_health_practitioner",
    "paramedic",
    "probation_officer",
    "designated_safeguarding_lead",
    "idva",
}
AUDIT_READERS = {"supervisor", "admin", "data_protection_officer"}
SHARING_PURPOSES = [p for p in Purpose if p not in (Purpose.SUBJECT_ACCESS, Purpose.RETENTION)]
# One member of staff per partner agency who can create its records.
AUTHORS = {
    "MPS": "sg_investigator",
    "SOUTHWARK": "sg_socialworker",
    "SOUTHWARK-ASC": "sg_asc_lead",
    "SLAM": "sg_mh",
    "LAS": "sg_paramedic",
    "PROB-LDN": "sg_probation",
    "SCH-PECKHAM": "sg_dsl",
    "SOLACE": "sg_idva",
}
USERS = {username: (role.value, agency) for username, role, agency in HUB_STAFF}


@dataclass(frozen=True)
class Held:
    """One record of the world: whose, what, and the canary in each field."""

    ref: str
    owner: str
    category: str
    canaries: dict[str, str]  # field -> canary


@dataclass(frozen=True)
class Sent:
    """A referral of the world, with the canaries its fields carry."""

    id: int
    sender: str
    receiver: str
    ref: str
    reason: str
    person_name: str  # the sender's identity canaries, given and family

    def visible(self, user: str, purpose: Purpose, on: date) -> set[str]:
        role, agency = USERS[user]
        everything = {self.reason, *self.person_name.split()}
        if role == "data_protection_officer":
            return everything if _dpo_may(purpose, "read") else set()
        if role not in HANDLERS or purpose not in SHARING_PURPOSES or agency not in KIND_OF:
            return set()
        if agency in (self.sender, self.receiver):
            return everything
        fields = _shared_fields(agency, self.sender, "referrals", purpose, "read", on)
        if fields is None:
            return set()
        shown = set()
        if "*" in fields or "reason" in fields:
            shown.add(self.reason)
        if "*" in fields or "person_name" in fields:
            shown |= set(self.person_name.split())
        return shown


@dataclass
class World:
    records: list[Held]
    people: dict[str, str]  # owner agency -> person ref
    referrals: list[Sent]
    meeting_id: int
    meeting_members: set[str]
    meeting_canaries: set[str]


def _canary(agency: str, kind: str, field: str) -> str:
    return f"cnry{agency}{kind}{field}".replace("-", "").replace("_", "").lower()


def _values(agency: str, kind: RecordKind) -> dict[str, str]:
    values = {}
    for field in KINDS[kind].fields:
        if field in ("date_of_birth", "occurred_on", "review_on", "offence_date"):
            continue  # dates are checked, so they cannot carry a canary
        values[field] = _canary(agency, kind.value, field)
    if kind is RecordKind.FLAG:
        values["flag"] = "domestic_abuse_victim"
    if kind is RecordKind.EVENT:
        values["occurred_on"] = "2026-11-01"
    values.pop("link_type", None)  # links must name a real case or incident: none here
    values.pop("link_ref", None)
    return values


def _build(db: Database, clock: FixedClock, staff: Staff) -> World:
    policy = hub.hub_policy()
    held: list[Held] = []
    people: dict[str, str] = {}
    purpose = Purpose.SAFEGUARDING_CHILD
    for agency, author in AUTHORS.items():
        user = staff[author]
        identity = _values(agency, RecordKind.IDENTITY)
        identity["given_name"] = f"zqx{identity['given_name']}"
        ref = hub.create_person(db, clock, policy, user, identity, purpose)
        people[agency] = ref
        held.append(Held(ref, agency, "identity", dict(identity)))
        for kind in RecordKind:
            if kind is RecordKind.IDENTITY:
                continue
            values = _values(agency, kind)
            hub.add_record(db, clock, policy, user, ref, kind, values, purpose)
            canaries = {k: v for k, v in values.items() if v.startswith("cnry")}
            held.append(Held(ref, agency, KINDS[kind].category.value, canaries))
    referrals = []
    for sender, receiver in (("MPS", "SOLACE"), ("SOUTHWARK", "MPS"), ("SLAM", "LAS")):
        reason = f"cnryreferral{sender}{receiver}".replace("-", "").lower()
        referral = hub.make_referral(
            db, clock, policy, staff[AUTHORS[sender]], people[sender], receiver,
            Purpose.DOMESTIC_ABUSE_MARAC, reason, True,
        )  # fmt: skip
        identity = next(h for h in held if h.ref == people[sender] and h.category == "identity")
        name = f"{identity.canaries['given_name']} {identity.canaries['family_name']}"
        referrals.append(Sent(referral.id, sender, receiver, people[sender], reason, name))
    members = {"MPS", "SOLACE", "SOUTHWARK"}
    chair = staff["sg_investigator"]
    meeting_id = hub.create_meeting(db, clock, chair, date(2026, 12, 1), "Marac", members)
    hub.add_marac_case(db, clock, policy, chair, meeting_id, people["MPS"])
    meeting_canaries = {*referrals[0].person_name.split(), referrals[0].reason}
    return World(held, people, referrals, meeting_id, members, meeting_canaries)


def _shared_fields(
    user_agency: str, owner: str, category: str, purpose: Purpose, action: str, on: date
) -> set[str] | None:
    """None: no agreement; otherwise the fields shared (all of them: the string "*")."""
    found: set[str] | None = None
    for raw in RAW_AGREEMENTS:
        provider_ok = (
            raw.get("provider_agency") == owner or raw.get("provider_kind") == KIND_OF[owner]
        )
        in_force = date.fromisoformat(raw["valid_from"]) <= on and (
            raw.get("valid_until") is None or on <= date.fromisoformat(raw["valid_until"])
        )
        actions = raw.get("actions", ["read", "search"])
        if not (
            provider_ok
            and raw["recipient_agency"] == user_agency
            and purpose.value in raw["purposes"]
            and in_force
            and action in actions
        ):
            continue
        for share in raw["shares"]:
            if share["category"] == category:
                found = found or set()
                found |= set(share.get("fields", ["*"]))
    return found


def visible(user: str, held: Held, purpose: Purpose, action: str, on: date) -> set[str]:
    """The canaries of this record the user may see, from the tables alone."""
    role, agency = USERS[user]
    if role == "data_protection_officer":
        return set(held.canaries.values()) if _dpo_may(purpose, action) else set()
    if role not in HANDLERS or purpose not in SHARING_PURPOSES or agency not in KIND_OF:
        return set()
    if agency == held.owner:
        return set(held.canaries.values())
    fields = _shared_fields(agency, held.owner, held.category, purpose, action, on)
    if fields is None:
        return set()
    return {v for k, v in held.canaries.items() if "*" in fields or k in fields}


CANARY_PREFIX = "cnry"


def _dpo_may(purpose: Purpose, action: str) -> bool:
    """The data protection officer: subject access (Art 15) and retention review (Art 17)."""
    return (purpose is Purpose.SUBJECT_ACCESS and action in ("read", "search", "export")) or (
        purpose is Purpose.RETENTION and action in ("read", "search", "erase")
    )


def _leaks(body: str, allowed: set[str], world: World) -> set[str]:
    every = {c for h in world.records for c in h.canaries.values()}
    every |= {c for r in world.referrals for c in (r.reason, *r.person_name.split())}
    return {c for c in every if c in body and c not in allowed}


@pytest.mark.parametrize("user", sorted(USERS))
def test_every_endpoint_returns_exactly_what_need_to_know_allows(
    user: str, db: Database, clock: FixedClock, client: TestClient
) -> None:
    staff = seed_hub(db, clock)
    world = _build(db, clock, staff)
    on = clock.now().date()
    role, agency = USERS[user]
    headers = token_for(client, user)
    purposes = list(Purpose) if role == "data_protection_officer" else SHARING_PURPOSES

    def check(response: Any, allowed: set[str]) -> None:
        leaked = _leaks(response.text, allowed, world)
        assert not leaked, (user, response.request.url, sorted(leaked)[:5])

    for purpose in purposes:
        # Every person of every agency, by reference (the other tenants' refs are "guessed").
        for owner, ref in world.people.items():
            response = client.get(
                f"/api/v1/safeguarding/people/{ref}", params={"purpose": purpose}, headers=headers
            )
            own = [h for h in world.records if h.ref == ref]
            expected = [visible(user, h, purpose, "read", on) for h in own]
            allowed = set().union(*expected)
            referral_canaries = set().union(
                *(r.visible(user, purpose, on) for r in world.referrals if r.ref == ref)
            )
            allowed |= referral_canaries
            if agency in KIND_OF and role not in HANDLERS | {"data_protection_officer"}:
                assert response.status_code == 404, (user, owner, purpose)
            elif agency not in KIND_OF:
                assert response.status_code == 403, (user, owner, purpose)
            elif not allowed:
                assert response.status_code == 404, (user, owner, purpose, response.text)
            else:
                assert response.status_code == 200, (user, owner, purpose, response.text)
                shown = set()
                for record in response.json()["records"]:
                    shown |= set(record["fields"].values())
                want = set().union(*expected)
                assert {c for c in shown if CANARY_PREFIX in c} == want, (
                    user, owner, purpose,
                )  # fmt: skip
            check(response, allowed)
        # Search: only identities the user may search for this purpose.
        response = client.get(
            "/api/v1/safeguarding/people", params={"q": "zqx", "purpose": purpose}, headers=headers
        )
        allowed = set().union(
            *(
                visible(user, h, purpose, "search", on)
                for h in world.records
                if h.category == "identity"
            )
        )
        check(response, allowed)
        if response.status_code == 200:
            found = {hit["ref"] for hit in response.json()}
            expected_refs = {
                h.ref for h in world.records
                if h.category == "identity" and visible(user, h, purpose, "search", on)
            }  # fmt: skip
            assert found == expected_refs, (user, purpose)
        # Lists: referrals only the user's agency sent or received.
        response = client.get(
            "/api/v1/safeguarding/referrals", params={"purpose": purpose}, headers=headers
        )
        allowed = set().union(
            *(
                r.visible(user, purpose, on)
                for r in world.referrals
                if agency in (r.sender, r.receiver)
            )
        )
        check(response, allowed)
        if response.status_code == 200:
            assert all(agency in (r["from_agency"], r["to_agency"]) for r in response.json())
    # Exports: the subject access export is the data protection officer's alone.
    for ref in world.people.values():
        response = client.get(f"/api/v1/safeguarding/people/{ref}/subject-access", headers=headers)
        if role == "data_protection_officer":
            assert response.status_code == 200
        else:
            assert response.status_code == 403, (user, response.text)
            check(response, set())
        response = client.get(f"/api/v1/safeguarding/people/{ref}/audit", headers=headers)
        assert response.status_code == (200 if role in AUDIT_READERS else 403), user
    # Marac: the sitting agencies' safeguarding staff only.
    response = client.get(f"/api/v1/safeguarding/marac/{world.meeting_id}", headers=headers)
    if agency in world.meeting_members and role in HANDLERS:
        assert response.status_code == 200
        check(response, world.meeting_canaries | _police_dash(world))
    else:
        assert response.status_code in (403, 404), (user, response.text)
        check(response, set())
    # Guessed ids: referrals answered only by the agency they were sent to.
    for referral in world.referrals:
        rid, receiver = referral.id, referral.receiver
        response = client.post(
            f"/api/v1/safeguarding/referrals/{rid}/accept",
            json={"purpose": "domestic_abuse_marac"},
            headers=headers,
        )
        if agency == receiver and role in HANDLERS:
            assert response.status_code == 200, (user, response.text)
        else:
            assert response.status_code in (403, 404), (user, rid, response.text)
            check(response, set())
    for guess in (world.meeting_id + 1, 999_999):
        response = client.get(f"/api/v1/safeguarding/marac/{guess}", headers=headers)
        assert response.status_code in (403, 404)
    # Writing into another agency's person the user cannot see is "not found", not a foothold.
    for owner, ref in world.people.items():
        response = client.post(
            f"/api/v1/safeguarding/people/{ref}/records",
            json={
                "purpose": "safeguarding_child",
                "kind": "flag",
                "fields": {"flag": "marac_case"},
            },
            headers=headers,
        )
        can_see = any(
            visible(user, h, Purpose.SAFEGUARDING_CHILD, "read", on)
            for h in world.records
            if h.ref == ref
        ) or any(
            r.visible(user, Purpose.SAFEGUARDING_CHILD, on) for r in world.referrals if r.ref == ref
        )
        if role in HANDLERS and agency in KIND_OF and can_see:
            assert response.status_code == 201, (user, owner, response.text)
        else:
            assert response.status_code in (403, 404), (user, owner, response.text)


def _police_dash(world: World) -> set[str]:
    return {
        c for h in world.records if h.owner == "MPS" and h.category == "risk_assessments"
        for c in h.canaries.values()
    }  # fmt: skip
