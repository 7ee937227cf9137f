"""The safeguarding hub's API: risk, referrals, Marac, break-glass, audit, subject access and
erasure, as the partner agencies' staff use them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from safercity.platform import outbox
from safercity.platform.audit import service as audit
from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from tests.factories import seed_hub, token_for

API = "/api/v1/safeguarding"
DA = "domestic_abuse_marac"
JUSTIFICATION = "Unconscious casualty, need her care plan and next of kin now."


@pytest.fixture
def hub(db: Database, clock: FixedClock, client: TestClient) -> dict[str, dict[str, str]]:
    seed_hub(db, clock)
    names = ("sg_investigator", "sg_idva", "sg_socialworker", "sg_supervisor", "sg_dpo",
             "sg_paramedic", "sg_dsl", "sg_mh")  # fmt: skip
    return {name: token_for(client, name) for name in names}


def _person(client: TestClient, headers: dict[str, str], **identity: str) -> str:
    body = {"given_name": "Maya", "family_name": "Singh", "address": "1 Example Road", **identity}
    response = client.post(f"{API}/people", json={"purpose": DA, "identity": body}, headers=headers)
    assert response.status_code == 201, response.text
    ref: str = response.json()["ref"]
    return ref


def _dash(yes: int) -> dict[str, str]:
    return {str(n): "yes" if n <= yes else "no" for n in range(1, 28)}


def test_a_read_needs_a_purpose(client: TestClient, hub: dict[str, Any]) -> None:
    ref = _person(client, hub["sg_investigator"])
    response = client.get(f"{API}/people/{ref}", headers=hub["sg_investigator"])
    assert response.status_code == 422
    assert "purpose" in response.text


def test_dash_with_15_yes_is_high_risk_and_goes_to_marac(
    client: TestClient, hub: dict[str, Any]
) -> None:
    police = hub["sg_investigator"]
    ref = _person(client, police)
    response = client.post(
        f"{API}/people/{ref}/dash", json={"purpose": DA, "answers": _dash(15)}, headers=police
    )
    assert response.status_code == 201, response.text
    result = response.json()
    assert (result["yes_count"], result["risk_level"], result["marac_required"]) == (
        15,
        "high",
        True,
    )
    low = client.post(
        f"{API}/people/{ref}/dash", json={"purpose": DA, "answers": _dash(3)}, headers=police
    ).json()
    assert low["risk_level"] == "standard" and not low["marac_required"]


def test_a_bad_dash_answer_is_named(client: TestClient, hub: dict[str, Any]) -> None:
    ref = _person(client, hub["sg_investigator"])
    answers = _dash(2) | {"4": "maybe"}
    response = client.post(
        f"{API}/people/{ref}/dash",
        json={"purpose": DA, "answers": answers},
        headers=hub["sg_investigator"],
    )
    assert response.status_code == 422
    assert any(e["field"] == "q4" for e in response.json()["errors"])


def test_missing_person_risk_is_graded_with_its_reasons(
    client: TestClient, hub: dict[str, Any]
) -> None:
    ref = _person(client, hub["sg_investigator"])
    response = client.post(
        f"{API}/people/{ref}/missing-risk",
        json={"purpose": "missing_person", "age": 13, "exploitation": True},
        headers=hub["sg_investigator"],
    )
    assert response.status_code == 201, response.text
    assert response.json()["risk_level"] == "high" and response.json()["reasons"]


def test_the_referral_workflow(client: TestClient, hub: dict[str, Any]) -> None:
    police, idva = hub["sg_investigator"], hub["sg_idva"]
    ref = _person(client, police)
    refer = {"person_ref": ref, "to_agency": "SOLACE", "purpose": DA, "reason": "High risk"}
    refused = client.post(f"{API}/referrals", json=refer | {"consent": False}, headers=police)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["lawful_basis_override"]
    basis = "Risk of serious harm; DPA 2018 Sch 1 para 18, consent would put her at risk"
    made = client.post(
        f"{API}/referrals",
        json=refer | {"consent": False, "lawful_basis_override": basis},
        headers=police,
    )
    assert made.status_code == 201, made.text
    rid = made.json()["id"]
    assert client.post(
        f"{API}/referrals/{rid}/outcome", json={"purpose": DA, "outcome": "x"}, headers=idva
    ).status_code == 409  # fmt: skip
    no_reason = client.post(f"{API}/referrals/{rid}/decline", json={"purpose": DA}, headers=idva)
    assert no_reason.status_code == 422
    assert (
        client.post(
            f"{API}/referrals/{rid}/accept", json={"purpose": DA}, headers=police
        ).status_code
        == 403
    )  # the sender cannot answer its own referral
    accepted = client.post(f"{API}/referrals/{rid}/accept", json={"purpose": DA}, headers=idva)
    assert accepted.json()["fields"]["status"] == "accepted"
    closed = client.post(
        f"{API}/referrals/{rid}/outcome",
        json={"purpose": DA, "outcome": "Safety plan agreed; IDVA allocated"},
        headers=idva,
    )
    assert closed.json()["fields"]["status"] == "closed"
    listed = client.get(f"{API}/referrals", params={"purpose": DA}, headers=idva).json()
    assert [r["id"] for r in listed] == [rid]


def test_marac_meeting_cases_and_actions(client: TestClient, hub: dict[str, Any]) -> None:
    police = hub["sg_investigator"]
    ref = _person(client, police)
    meeting = client.post(
        f"{API}/marac",
        json={"held_on": "2026-12-01", "title": "Southwark Marac", "agencies": ["SOLACE"]},
        headers=police,
    )
    assert meeting.status_code == 201, meeting.text
    mid = meeting.json()["id"]
    assert client.post(
        f"{API}/marac/{mid}/cases", json={"person_ref": ref}, headers=police
    ).status_code == 204  # fmt: skip
    action = {"person_ref": ref, "agency": "SOLACE", "action": "IDVA to contact within 24 hours"}
    assert client.post(f"{API}/marac/{mid}/actions", json=action, headers=police).status_code == 201
    assert (
        client.post(f"{API}/marac/{mid}/actions", json=action, headers=hub["sg_idva"]).status_code
        == 403
    )  # only the chair adds actions
    seen = client.get(f"{API}/marac/{mid}", headers=hub["sg_idva"]).json()
    assert seen["cases"][0]["person_name"] == "Maya Singh"
    assert "IDVA to contact" in seen["cases"][0]["actions"]
    assert client.get(f"{API}/marac/{mid}", headers=hub["sg_socialworker"]).status_code == 404


def test_break_glass_shows_all_alerts_the_supervisor_and_is_audited(
    client: TestClient, hub: dict[str, Any], db: Database
) -> None:
    ref = _person(client, hub["sg_mh"], nhs_number="943 476 5919")
    paramedic = hub["sg_paramedic"]
    short = client.post(
        f"{API}/people/{ref}/break-glass",
        json={"purpose": "mental_health_crisis", "justification": "urgent"},
        headers=paramedic,
    )
    assert short.status_code == 422
    assert short.json()["errors"][0]["field"] == "justification"
    opened = client.post(
        f"{API}/people/{ref}/break-glass",
        json={"purpose": "mental_health_crisis", "justification": JUSTIFICATION},
        headers=paramedic,
    )
    assert opened.status_code == 200, opened.text
    assert opened.json()["break_glass"] is True
    identity = opened.json()["records"][0]["fields"]
    assert identity["nhs_number"] == "943 476 5919" and identity["address"] == "1 Example Road"
    with db.transaction() as conn:
        trail = audit.trail(conn, "person", ref)
    assert any("Break-glass" in e.detail for e in trail)
    # The LAS user has no supervisor of their own in the seed; the DPO sees every agency's alerts.
    alerts = client.get(f"{API}/alerts", headers=hub["sg_dpo"]).json()
    assert [(a["person_ref"], a["agency"]) for a in alerts] == [(ref, "LAS")]
    review = client.post(f"{API}/alerts/{alerts[0]['id']}/review", headers=hub["sg_dpo"])
    assert review.status_code == 204
    assert client.get(f"{API}/alerts", headers=hub["sg_dpo"]).json()[0]["reviewed_by"]
    assert client.get(f"{API}/alerts", headers=hub["sg_paramedic"]).status_code == 403


def test_break_glass_alerts_the_supervisor_by_email(
    client: TestClient, hub: dict[str, Any], db: Database
) -> None:
    ref = _person(client, hub["sg_socialworker"])
    client.post(
        f"{API}/people/{ref}/break-glass",
        json={"purpose": "safeguarding_child", "justification": JUSTIFICATION},
        headers=hub["sg_investigator"],
    ).raise_for_status()
    with db.transaction() as conn:
        sent = outbox.messages_about(conn, "safeguarding_alert", ref)
    assert {m.recipient for m in sent} == {"sg_supervisor@example.org", "sg_dpo@example.org"}
    assert all(JUSTIFICATION not in m.body for m in sent)  # the reason stays inside SaferCity


def test_reading_the_audit_trail_is_itself_audited(client: TestClient, hub: dict[str, Any]) -> None:
    ref = _person(client, hub["sg_investigator"])
    client.get(f"{API}/people/{ref}", params={"purpose": DA}, headers=hub["sg_dsl"])
    first = client.get(f"{API}/people/{ref}/audit", headers=hub["sg_supervisor"]).json()
    assert any(e["actor"].startswith("sg_dsl") and e["detail"].startswith("denied") for e in first)
    second = client.get(f"{API}/people/{ref}/audit", headers=hub["sg_supervisor"]).json()
    assert second[-1]["detail"].startswith("Read the audit trail")
    assert second[-1]["actor"].startswith("sg_supervisor")
    assert client.get(f"{API}/people/{ref}/audit", headers=hub["sg_idva"]).status_code == 403


def test_subject_access_exports_every_agency_and_every_disclosure(
    client: TestClient, hub: dict[str, Any]
) -> None:
    police = hub["sg_investigator"]
    ref = _person(client, police)
    client.post(
        f"{API}/people/{ref}/records",
        json={"purpose": DA, "kind": "event", "fields": {"occurred_on": "2026-11-20",
              "summary": "Assault at home"}},
        headers=police,
    ).raise_for_status()  # fmt: skip
    client.post(
        f"{API}/referrals",
        json={"person_ref": ref, "to_agency": "SOLACE", "purpose": DA, "reason": "High risk",
              "consent": True},
        headers=police,
    ).raise_for_status()  # fmt: skip
    client.post(
        f"{API}/people/{ref}/records",
        json={
            "purpose": DA,
            "kind": "contact",
            "fields": {"name": "Sister", "relationship": "sister"},
        },
        headers=hub["sg_idva"],
    ).raise_for_status()
    assert client.get(f"{API}/people/{ref}/subject-access", headers=police).status_code == 403
    export = client.get(f"{API}/people/{ref}/subject-access", headers=hub["sg_dpo"]).json()
    assert {r["agency"] for r in export["records"]} == {"MPS", "SOLACE"}
    # The referral, and each of the charity's reads of the police's records, went to SOLACE.
    assert {d["recipient"] for d in export["disclosures"]} == {"SOLACE"}
    assert any(d["detail"].startswith("Referral") for d in export["disclosures"])
    assert export["referrals"][0]["reason"] == "High risk"
    assert export["retain_until"]


def test_erasure_removes_the_records_and_keeps_the_log(
    client: TestClient, hub: dict[str, Any], db: Database
) -> None:
    police = hub["sg_investigator"]
    ref = _person(client, police)
    assert client.post(
        f"{API}/people/{ref}/erase", json={"reason": "Retention period ended"}, headers=police
    ).status_code == 403  # fmt: skip
    short = client.post(f"{API}/people/{ref}/erase", json={"reason": "x"}, headers=hub["sg_dpo"])
    assert short.status_code == 422
    erased = client.post(
        f"{API}/people/{ref}/erase",
        json={"reason": "Retention period ended"},
        headers=hub["sg_dpo"],
    )
    assert erased.json() == {"records_erased": 1}
    assert client.get(
        f"{API}/people/{ref}", params={"purpose": DA}, headers=police
    ).status_code == 404  # fmt: skip
    with db.transaction() as conn:
        trail = audit.trail(conn, "person", ref)
    assert trail[-1].action == "erasure" and "Retention period ended" in trail[-1].detail
    assert audit.verify(db)[1] is None


def test_the_agreements_are_published_to_staff(client: TestClient, hub: dict[str, Any]) -> None:
    agreements = client.get(f"{API}/agreements", headers=hub["sg_dsl"]).json()
    marac = next(a for a in agreements if a["id"] == "LDN-MARAC-01")
    assert marac["recipient"] == "SOLACE"
    assert marac["shares"]["identity"] == ["family_name", "given_name", "phone"]
    assert client.get(f"{API}/agreements").status_code == 401


def test_the_dpo_sees_who_is_due_for_erasure(
    client: TestClient, hub: dict[str, Any], clock: FixedClock
) -> None:
    ref = _person(client, hub["sg_investigator"])
    assert client.get(f"{API}/retention", headers=hub["sg_dpo"]).json() == []
    clock.advance(timedelta(days=6 * 366 + 1))
    hub = {name: token_for(client, name) for name in ("sg_dpo", "sg_investigator")}
    due = client.get(f"{API}/retention", headers=hub["sg_dpo"]).json()
    assert [d["ref"] for d in due] == [ref]
    assert client.get(f"{API}/retention", headers=hub["sg_investigator"]).status_code == 403
    client.post(
        f"{API}/people/{ref}/erase",
        json={"reason": "Retention period ended"},
        headers=hub["sg_dpo"],
    ).raise_for_status()
    assert client.get(f"{API}/retention", headers=hub["sg_dpo"]).json() == []


def test_a_refused_answer_to_a_referral_is_still_in_the_audit_log(
    client: TestClient, hub: dict[str, Any], db: Database
) -> None:
    police = hub["sg_investigator"]
    ref = _person(client, police)
    made = client.post(
        f"{API}/referrals",
        json={"person_ref": ref, "to_agency": "SOLACE", "purpose": DA, "reason": "High risk",
              "consent": True},
        headers=police,
    )  # fmt: skip
    rid = made.json()["id"]
    for user in ("sg_investigator", "sg_dsl"):
        refused = client.post(
            f"{API}/referrals/{rid}/accept", json={"purpose": DA}, headers=hub[user]
        )
        assert refused.status_code in (403, 404)
    with db.transaction() as conn:
        trail = audit.trail(conn, "person", ref)
    updates = [e for e in trail if f"referral {rid}" in e.detail and e.action == "alteration"]
    assert {e.actor.split("@")[0] for e in updates} >= {"sg_investigator", "sg_dsl"}
