"""Builders shared by the tests: staff, agencies and report payloads."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from safercity.platform.clock import Clock
from safercity.platform.db import Database
from safercity.platform.identity import service as identity
from safercity.platform.identity.model import AgencyKind, Role, StaffUser
from safercity.safeguarding import service as safeguarding
from safercity.safeguarding.agreements import PartnerKind

PASSWORD = "correct horse battery"

AGENCIES = (
    ("MPS", "Metropolitan Police Service", AgencyKind.POLICE),
    ("CPS-LDN", "Crown Prosecution Service London", AgencyKind.PROSECUTOR),
    ("CAMB-MC", "Camberwell Green Magistrates' Court", AgencyKind.COURT),
    ("LAS", "London Ambulance Service", AgencyKind.AMBULANCE),
)

STAFF = (
    ("handler", Role.CALL_HANDLER, "MPS"),
    ("investigator", Role.INVESTIGATOR, "MPS"),
    ("supervisor", Role.SUPERVISOR, "MPS"),
    ("prosecutor", Role.PROSECUTOR, "CPS-LDN"),
    ("witnesscare", Role.WITNESS_CARE_OFFICER, "MPS"),
    ("clerk", Role.COURT_CLERK, "CAMB-MC"),
    ("admin", Role.ADMIN, "MPS"),
    ("paramedic", Role.DISPATCHER, "LAS"),
)


@dataclass(frozen=True)
class Staff:
    by_name: dict[str, StaffUser]

    def __getitem__(self, username: str) -> StaffUser:
        return self.by_name[username]


def seed_staff(db: Database, clock: Clock) -> Staff:
    for code, name, kind in AGENCIES:
        identity.ensure_agency(db, code, name, kind)
    users = {}
    for username, role, agency in STAFF:
        users[username] = identity.add_user(
            db,
            clock,
            username=username,
            password=PASSWORD,
            role=role,
            agency_code=agency,
            display_name=f"{username.title()} Example",
            email=f"{username}@example.org",
            phone="020 7946 0000",
        )
    return Staff(users)


def token_for(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def report_payload(now: datetime, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "crime_type": "Burglary",
        "description": "Someone forced the back door and took a laptop and a bicycle.",
        "occurred_from": (now - timedelta(days=1)).isoformat(),
        "occurred_to": (now - timedelta(hours=20)).isoformat(),
        "location": {"text": "12 Acacia Avenue, SE15 4AB", "latitude": 51.47, "longitude": -0.069},
        "victim": {
            "name": "Sam Taylor",
            "preferred_channel": "email",
            "email": "sam.taylor@example.com",
            "phone": "07700 900123",
        },
        "reporter_is_victim": True,
        "enhanced_rights": {},
    }
    payload.update(overrides)
    return payload


def openapi_without_database() -> dict[str, Any]:
    """The app's OpenAPI schema, built without touching a database (for parametrising tests)."""
    from safercity.platform.config import Settings
    from safercity.web.app import create_app
    from safercity.web.bootstrap import build_context

    ctx = build_context(Settings(database_url="sqlite://", secret_key="schema-only"))
    schema: dict[str, Any] = create_app(ctx, deliver_outbox=False).openapi()
    return schema


# A small fleet around Waterloo (51.5033, -0.1195): enough to see choices, quick to load.
TEST_FLEET = (
    ("FE1", "fire", "LFB", "fire_engine", "defibrillator;firefighting;first_aid", 51.4990, -0.1130),
    ("FE2", "fire", "LFB", "fire_engine", "defibrillator;firefighting;first_aid", 51.4990, -0.1130),
    ("FE3", "fire", "LFB", "fire_engine", "defibrillator;firefighting;first_aid", 51.5400, -0.1000),
    (
        "AMB1",
        "ambulance",
        "LAS",
        "ambulance",
        "defibrillator;first_aid;paramedic;patient_transport",
        51.4980,
        -0.1180,
    ),
    (
        "AMB2",
        "ambulance",
        "LAS",
        "ambulance",
        "defibrillator;first_aid;paramedic;patient_transport",
        51.5200,
        -0.1500,
    ),
    (
        "FRU1",
        "ambulance",
        "LAS",
        "fast_response_car",
        "defibrillator;first_aid;paramedic",
        51.5010,
        -0.1160,
    ),
    (
        "POL1",
        "police",
        "MPS",
        "police_response_car",
        "defibrillator;first_aid;police_officer",
        51.5020,
        -0.1150,
    ),
    ("POL2", "police", "MPS", "police_response_car", "first_aid;police_officer", 51.5100, -0.1300),
    (
        "MHC1",
        "health",
        "SLAM",
        "mental_health_car",
        "first_aid;mental_health_professional;paramedic",
        51.4700,
        -0.0900,
    ),
)
WATERLOO = (51.50335, -0.11953)


def seed_fleet(db: Database, clock: Clock) -> list[str]:
    """Load TEST_FLEET; returns the call signs."""
    from safercity.dispatch import service as dispatch
    from safercity.dispatch.capabilities import Capability, Service
    from safercity.dispatch.fleet import Unit, UnitType

    units = [
        Unit(
            call_sign=sign,
            service=Service(service),
            agency_code=agency,
            unit_type=UnitType(kind),
            home_base_code=f"BASE-{sign}",
            capabilities=frozenset(Capability(c) for c in caps.split(";")),
            crew=2,
        )
        for sign, service, agency, kind, caps, _, _ in TEST_FLEET
    ]
    homes = {sign: (lat, lon) for sign, _, _, _, _, lat, lon in TEST_FLEET}
    dispatch.load_fleet(db, clock, units, homes)
    return [u.call_sign for u in units]


def call_payload(**overrides: Any) -> dict[str, Any]:
    """A cardiac arrest outside County Hall, as the API's example."""
    body: dict[str, Any] = {
        "caller_name": "Sam Taylor",
        "callback_number": "07700 900123",
        "location": {"lat": WATERLOO[0], "lon": WATERLOO[1], "address": "County Hall, SE1 7PB"},
        "description": "Man collapsed outside the entrance, not breathing.",
        "incident_type": "cardiac_arrest",
        "answers": {"conscious": False, "breathing": False},
    }
    body.update(overrides)
    return body


# The safeguarding hub as London's bundled agreements name it: (code, name, agency kind,
# partner kind), and one member of staff for each role each partner holds.
HUB_AGENCIES = (
    ("MPS", "Metropolitan Police Service", AgencyKind.POLICE, PartnerKind.POLICE),
    ("SOUTHWARK", "Southwark Children's Services", AgencyKind.COUNCIL,
     PartnerKind.CHILDREN_SOCIAL_CARE),
    ("SOUTHWARK-ASC", "Southwark Adult Social Care", AgencyKind.COUNCIL,
     PartnerKind.ADULT_SOCIAL_CARE),
    ("SLAM", "South London and Maudsley", AgencyKind.NHS_TRUST, PartnerKind.MENTAL_HEALTH_TRUST),
    ("LAS", "London Ambulance Service", AgencyKind.AMBULANCE, PartnerKind.AMBULANCE),
    ("PROB-LDN", "Probation Service London", AgencyKind.PROBATION, PartnerKind.PROBATION),
    ("SCH-PECKHAM", "Peckham Demo Academy", AgencyKind.SCHOOL, PartnerKind.SCHOOL),
    ("SOLACE", "Solace Women's Aid", AgencyKind.CHARITY, PartnerKind.DOMESTIC_ABUSE_CHARITY),
)  # fmt: skip
HUB_STAFF = (
    ("sg_investigator", Role.INVESTIGATOR, "MPS"),
    ("sg_supervisor", Role.SUPERVISOR, "MPS"),
    ("sg_handler", Role.CALL_HANDLER, "MPS"),
    ("sg_dpo", Role.DATA_PROTECTION_OFFICER, "MPS"),
    ("sg_socialworker", Role.SOCIAL_WORKER, "SOUTHWARK"),
    ("sg_asc_lead", Role.SAFEGUARDING_LEAD, "SOUTHWARK-ASC"),
    ("sg_mh", Role.MENTAL_HEALTH_PRACTITIONER, "SLAM"),
    ("sg_paramedic", Role.PARAMEDIC, "LAS"),
    ("sg_probation", Role.PROBATION_OFFICER, "PROB-LDN"),
    ("sg_dsl", Role.DESIGNATED_SAFEGUARDING_LEAD, "SCH-PECKHAM"),
    ("sg_teacher", Role.TEACHER, "SCH-PECKHAM"),
    ("sg_idva", Role.IDVA, "SOLACE"),
    ("sg_prosecutor", Role.PROSECUTOR, "CPS-LDN"),  # not a hub partner
)


def seed_hub(db: Database, clock: Clock) -> Staff:
    """The hub's partner agencies and staff (plus the CPS, which is not a partner)."""
    identity.ensure_agency(db, "CPS-LDN", "Crown Prosecution Service London", AgencyKind.PROSECUTOR)
    for code, name, kind, partner_kind in HUB_AGENCIES:
        identity.ensure_agency(db, code, name, kind)
        safeguarding.register_partner(db, code, partner_kind)
    users = {}
    for username, role, agency in HUB_STAFF:
        users[username] = identity.add_user(
            db,
            clock,
            username=username,
            password=PASSWORD,
            role=role,
            agency_code=agency,
            display_name=f"{username.removeprefix('sg_').title()} Example",
            email=f"{username}@example.org",
            phone="020 7946 0000",
        )
    return Staff(users)


def recorded_burglary(
    db: Database, clock: Clock, staff: Staff, lat: float = 51.4739, lon: float = -0.0911
) -> str:
    """A burglary reported yesterday at (lat, lon) and recorded as a crime by the handler."""
    from safercity.cases import service as cases
    from tests.unit.test_cases_intake import a_report

    report = a_report(clock)  # type: ignore[arg-type]
    report = replace(report, latitude=lat, longitude=lon)
    with db.transaction() as conn:
        reference = cases.open_from_report(conn, clock, report)
    cases.record_decision(
        db,
        clock,
        staff["handler"],
        reference,
        decision=cases.RecordingDecision.CRIME,
        reason="Forced entry.",
        offence=None,
    )
    return reference
