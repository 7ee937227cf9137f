"""Text with a NUL character is bad input on every database, never a server error."""

from __future__ import annotations

from fastapi.testclient import TestClient

from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from tests.factories import seed_staff


def test_a_nul_in_a_sign_in_name_is_refused_as_bad_input(
    client: TestClient, db: Database, clock: FixedClock
) -> None:
    seed_staff(db, clock)
    response = client.post("/api/v1/auth/token", data={"username": "\x00", "password": "0"})
    assert response.status_code == 422
    assert "NUL character" in response.json()["detail"]
