"""Property-based tests from the OpenAPI schema: no input, however odd, gives a server error,
and every documented response matches its schema and content type."""

from __future__ import annotations

import functools

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from tests.factories import (
    call_payload,
    openapi_without_database,
    report_payload,
    seed_fleet,
    seed_hub,
    seed_staff,
    token_for,
)

CHECKS = [
    schemathesis.checks.not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
]


# Generated requests per operation: 20 keeps the whole suite under 15 minutes on this 2-core
# machine with every operation covered on both databases.
EXAMPLES = 20
_999_PATHS = ("/api/v1/calls", "/api/v1/incidents", "/api/v1/units", "/api/v1/incident-types")


@functools.cache
def _loaded_schema() -> BaseSchema:
    """The schema, built and parsed once for the module (building the app takes seconds)."""
    return schemathesis.openapi.from_dict(openapi_without_database())


def _operation_labels() -> list[tuple[str, str]]:
    """Every operation in the schema, read from an app that never touches a database."""
    paths = openapi_without_database()["paths"]
    return sorted((path, method.upper()) for path, item in paths.items() for method in item)


@pytest.mark.parametrize(("path", "method"), _operation_labels())
def test_no_input_gives_a_server_error(
    path: str, method: str, app: FastAPI, client: TestClient, db: Database, clock: FixedClock
) -> None:
    if path.startswith("/api/v1/safeguarding"):
        # A partner's investigator and a person on the hub, so requests reach past the
        # partner check; the person's reference is in the schema's examples' shape.
        seed_hub(db, clock)
        headers = token_for(client, "sg_investigator")
        client.post(
            "/api/v1/safeguarding/people",
            json={
                "purpose": "safeguarding_child",
                "identity": {"given_name": "A", "family_name": "B"},
            },
            headers=headers,
        )
    elif path.startswith(_999_PATHS):
        seed_staff(db, clock)
        # A call handler, the test fleet and one open incident (number 1), so generated
        # requests reach past the role check and the 404.
        headers = token_for(client, "handler")
        seed_fleet(db, clock)
        client.post("/api/v1/calls", json=call_payload(), headers=headers)
    else:
        seed_staff(db, clock)
        headers = token_for(client, "supervisor")
        # A real case exists, so generated references sometimes reach past the 404.
        client.post("/api/v1/reports", json=report_payload(clock.now()))
    schema = _loaded_schema()
    schema.app = app  # requests go to this test's app, in process, as from_asgi would send them
    operation = schema[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate(headers={**headers, **(case.headers or {})}, checks=CHECKS)

    call()
