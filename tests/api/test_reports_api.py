"""The public REST contract: report a crime, follow it, add to it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from safercity.migrations.tables import metadata
from safercity.platform import outbox
from safercity.platform.audit.store import audit_log
from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from tests.factories import report_payload


def _submit(client: TestClient, clock: FixedClock, key: str | None = None, **overrides: Any) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        "/api/v1/reports", json=report_payload(clock.now(), **overrides), headers=headers
    )


def _row_counts(db: Database) -> dict[str, int]:
    with db.transaction() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in metadata.sorted_tables
            if t.name not in ("audit_head",)
        }


def test_report_gives_reference_and_code_that_show_the_case(
    client: TestClient, clock: FixedClock
) -> None:
    created = _submit(client, clock, key="key-00000001")
    assert created.status_code == 201
    body = created.json()
    assert body["reference"].startswith("SC-") and len(body["tracking_code"]) == 11
    shown = client.get(
        f"/api/v1/reports/{body['reference']}", headers={"X-Tracking-Code": body["tracking_code"]}
    )
    assert shown.status_code == 200
    status = shown.json()
    assert status["crime_type"] == "Burglary"
    assert status["timeline"], "the victim sees at least the report being received"


def test_the_same_idempotency_key_gives_one_report(
    client: TestClient, clock: FixedClock, db: Database
) -> None:
    first = _submit(client, clock, key="double-click-1")
    before = _row_counts(db)
    second = _submit(client, clock, key="double-click-1")
    assert second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert _row_counts(db) == before


def test_concurrent_retries_with_one_key_make_one_report(app: FastAPI, clock: FixedClock) -> None:
    with TestClient(app) as client, ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: _submit(client, clock, key="retry-storm-1"), range(6)))
    references = {r.json().get("reference") for r in results if r.status_code == 201}
    assert len(references) == 1
    assert all(r.status_code in (201, 409) for r in results)


def test_reusing_a_key_for_a_different_report_is_refused(
    client: TestClient, clock: FixedClock
) -> None:
    _submit(client, clock, key="reused-key-1")
    other = _submit(client, clock, key="reused-key-1", crime_type="Robbery")
    assert other.status_code == 409
    assert other.headers["content-type"].startswith("application/problem+json")
    assert "different report" in other.json()["detail"]


def test_wrong_code_looks_exactly_like_an_unknown_reference(
    client: TestClient, clock: FixedClock
) -> None:
    reference = _submit(client, clock).json()["reference"]
    wrong = client.get(f"/api/v1/reports/{reference}", headers={"X-Tracking-Code": "AAAAA-AAAAA"})
    unknown = client.get("/api/v1/reports/SC-0000-0000", headers={"X-Tracking-Code": "AAAAA-AAAAA"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json()["detail"] == unknown.json()["detail"]


def test_repeated_wrong_codes_are_rate_limited_even_for_the_right_code_after(
    client: TestClient, clock: FixedClock
) -> None:
    body = _submit(client, clock).json()
    url = f"/api/v1/reports/{body['reference']}"
    for _ in range(10):
        assert client.get(url, headers={"X-Tracking-Code": "WRONG-CODE1"}).status_code == 404
    limited = client.get(url, headers={"X-Tracking-Code": body["tracking_code"]})
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert "Wait" in limited.json()["detail"]


def test_missing_and_wrong_fields_come_back_as_a_problem_naming_each_field(
    client: TestClient, clock: FixedClock, db: Database
) -> None:
    payload = report_payload(clock.now())
    del payload["crime_type"]
    payload["victim"]["preferred_channel"] = "pigeon"
    response = client.post("/api/v1/reports", json=payload)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"crime_type", "victim.preferred_channel"} <= fields
    assert sum(_row_counts(db).values()) == 0


def test_a_pin_outside_london_is_refused_next_to_the_location(
    client: TestClient, clock: FixedClock
) -> None:
    response = _submit(client, clock, location={"latitude": 52.2053, "longitude": 0.1218})
    assert response.status_code == 422
    assert "location.latitude" in {e["field"] for e in response.json()["errors"]}


def test_malformed_json_is_a_problem_not_a_server_error(client: TestClient) -> None:
    response = client.post(
        "/api/v1/reports", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["status"] == 422


def test_a_failure_mid_submission_leaves_nothing_half_written(
    app: FastAPI, clock: FixedClock, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_enqueue(*_args: Any, **_kwargs: Any) -> int:
        raise RuntimeError("mail queue unavailable")

    monkeypatch.setattr(outbox, "enqueue", broken_enqueue)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = _submit(client, clock, key="crash-midway-1")
    assert response.status_code == 500
    assert sum(_row_counts(db).values()) == 0


def test_submitting_and_tracking_are_on_the_audit_log(
    client: TestClient, clock: FixedClock, db: Database
) -> None:
    body = _submit(client, clock).json()
    client.get(
        f"/api/v1/reports/{body['reference']}", headers={"X-Tracking-Code": body["tracking_code"]}
    )
    with db.transaction() as conn:
        actions = (
            conn.execute(
                select(audit_log.c.action).where(audit_log.c.subject_id == body["reference"])
            )
            .scalars()
            .all()
        )
    assert "collection" in actions and "consultation" in actions


def test_the_victim_can_send_the_officer_a_message(client: TestClient, clock: FixedClock) -> None:
    body = _submit(client, clock).json()
    response = client.post(
        f"/api/v1/reports/{body['reference']}/messages",
        json={"kind": "message", "text": "I remembered the van was white."},
        headers={"X-Tracking-Code": body["tracking_code"]},
    )
    assert response.status_code == 201
    assert len(response.json()["timeline"]) >= 2


def test_health_reports_the_database(client: TestClient, db: Database) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["database"] == db.dialect
    with db.transaction() as conn:
        conn.execute(text("SELECT 1"))
