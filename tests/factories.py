"""Builders shared by the tests: staff, agencies and report payloads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from safercity.platform.clock import Clock
from safercity.platform.db import Database
from safercity.platform.identity import service as identity
from safercity.platform.identity.model import AgencyKind, Role, StaffUser

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
