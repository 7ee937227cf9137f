"""Property-based tests from the OpenAPI schema: no input, however odd, gives a server error,
and documented responses match their schemas."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from tests.factories import PASSWORD, seed_staff

not_a_server_error = schemathesis.checks.not_a_server_error


@pytest.fixture
def api_schema(app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture
def staff_token(app: FastAPI, db: Database, clock: FixedClock) -> str:
    from fastapi.testclient import TestClient

    seed_staff(db, clock)
    with TestClient(app) as client:
        response = client.post("/api/v1/auth/token",
                               data={"username": "supervisor", "password": PASSWORD})
    token: str = response.json()["access_token"]
    return token


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_no_input_gives_a_server_error(case: schemathesis.Case, staff_token: str) -> None:
    headers = {"Authorization": f"Bearer {staff_token}"}
    case.call_and_validate(
        headers=headers,
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
