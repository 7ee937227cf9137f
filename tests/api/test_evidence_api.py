"""The evidence API: upload, list, read, download and custody, for staff with the permission."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from safercity.platform.audit import service as audit
from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from safercity.platform.http import AppContext
from tests.factories import report_payload, seed_staff, token_for

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"CCTV still, camera 2" * 100
PDF = b"%PDF-1.7\n" + b"statement text" * 100


@pytest.fixture
def case(client: TestClient, db: Database, clock: FixedClock) -> dict[str, str]:
    seed_staff(db, clock)
    response = client.post("/api/v1/reports", json=report_payload(clock.now()))
    assert response.status_code == 201, response.text
    created: dict[str, str] = response.json()
    return created


@pytest.fixture
def officer(client: TestClient, case: dict[str, str]) -> dict[str, str]:
    return token_for(client, "investigator")


def upload(
    client: TestClient,
    reference: str,
    headers: dict[str, str],
    content: bytes = JPEG,
    kind: str = "cctv_still",
    filename: str = "camera2.jpg",
    content_type: str = "image/jpeg",
) -> Any:
    return client.post(
        f"/api/v1/cases/{reference}/evidence",
        headers=headers,
        data={
            "kind": kind,
            "description": "Camera 2 at 21:14: a man at the shop door.",
            "reason": "Seized from the shop's CCTV with the manager's consent",
        },
        files={"file": (filename, content, content_type)},
    )


def test_an_officer_uploads_lists_and_downloads_an_exhibit(
    client: TestClient, case: dict[str, str], officer: dict[str, str]
) -> None:
    reference = case["reference"]
    created = upload(client, reference, officer)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["exhibit_number"] == "SC/1"
    assert body["sha256"] == hashlib.sha256(JPEG).hexdigest()
    assert (body["media_type"], body["size_bytes"]) == ("image/jpeg", len(JPEG))
    assert created.headers["location"] == f"/api/v1/evidence/{body['id']}"
    assert [e["action"] for e in body["custody"]] == ["received"]

    listed = client.get(f"/api/v1/cases/{reference}/evidence", headers=officer).json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == body["id"]

    download = client.get(
        body["content_url"], headers=officer, params={"reason": "Prepare the interview"}
    )
    assert download.status_code == 200
    assert download.content == JPEG
    assert download.headers["content-type"] == "image/jpeg"
    assert download.headers["content-disposition"].startswith('attachment; filename="camera2.jpg"')
    assert download.headers["cache-control"] == "no-store"
    assert download.headers["x-content-type-options"] == "nosniff"


def test_each_download_view_and_handling_is_in_the_chain_and_the_audit_log(
    client: TestClient, case: dict[str, str], officer: dict[str, str], ctx: AppContext
) -> None:
    item = upload(client, case["reference"], officer).json()
    client.get(item["content_url"], headers=officer, params={"reason": "Prepare the interview"})
    client.get(
        item["content_url"],
        headers=officer,
        params={"reason": "Show the suspect", "disposition": "inline"},
    )
    handled = client.post(
        f"/api/v1/evidence/{item['id']}/custody",
        headers=officer,
        json={"action": "disclosed", "reason": "Pre-charge advice", "recipient_agency": "CPS-LDN"},
    )
    assert handled.status_code == 201, handled.text
    detail = client.get(f"/api/v1/evidence/{item['id']}", headers=officer).json()
    assert [(e["action"], e["reason"]) for e in detail["custody"]] == [
        ("received", "Seized from the shop's CCTV with the manager's consent"),
        ("downloaded", "Prepare the interview"),
        ("viewed", "Show the suspect"),
        ("disclosed", "Pre-charge advice"),
    ]
    assert detail["custody"][3]["recipient"] == "Crown Prosecution Service London"
    assert detail["custody"][1]["handled_by"]["username"] == "investigator@MPS"
    with ctx.db.transaction() as conn:
        trail = audit.trail(conn, "evidence", str(item["id"]))
    assert [(e.action, e.recipient) for e in trail] == [
        ("collection", None),
        ("consultation", None),
        ("consultation", None),
        ("disclosure", "Crown Prosecution Service London"),
        ("consultation", None),
    ]


def test_a_file_whose_content_is_not_the_declared_kind_is_refused_with_a_clear_422(
    client: TestClient, case: dict[str, str], officer: dict[str, str]
) -> None:
    # A PDF named and labelled as a JPEG: the content decides.
    response = upload(
        client,
        case["reference"],
        officer,
        content=PDF,
        kind="cctv_still",
        filename="still.jpg",
        content_type="image/jpeg",
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["errors"][0]["field"] == "file"
    assert "PDF document" in problem["detail"] and "CCTV still" in problem["detail"]
    unknown = upload(client, case["reference"], officer, content=b"<script>x</script>")
    assert unknown.status_code == 422
    assert "judged by its content" in unknown.json()["detail"]
    listed = client.get(f"/api/v1/cases/{case['reference']}/evidence", headers=officer)
    assert listed.json()["count"] == 0


def test_an_unknown_kind_is_refused_with_a_422(
    client: TestClient, case: dict[str, str], officer: dict[str, str]
) -> None:
    response = upload(client, case["reference"], officer, kind="selfie")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "kind"


def test_a_file_over_the_limit_is_refused_with_413(
    client: TestClient, case: dict[str, str], officer: dict[str, str], ctx: AppContext
) -> None:
    ctx.settings.max_evidence_bytes = 1000
    response = upload(client, case["reference"], officer, content=JPEG)
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "file"
    assert "1000 bytes limit" in response.json()["detail"]


def test_a_body_declared_far_over_the_limit_is_refused_before_it_is_read(
    client: TestClient, case: dict[str, str], officer: dict[str, str], ctx: AppContext
) -> None:
    ctx.settings.max_evidence_bytes = 1000
    big = JPEG + b"x" * 200_000
    response = upload(client, case["reference"], officer, content=big)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert not list(ctx.settings.resolved_evidence_dir.rglob("*.part"))


def test_without_a_token_every_evidence_route_answers_401(
    client: TestClient, case: dict[str, str]
) -> None:
    reference = case["reference"]
    responses = [
        upload(client, reference, {}),
        client.get(f"/api/v1/cases/{reference}/evidence"),
        client.get("/api/v1/evidence/1"),
        client.get("/api/v1/evidence/1/content", params={"reason": "curious"}),
        client.post("/api/v1/evidence/1/custody", json={"action": "sealed", "reason": "seal"}),
    ]
    assert [r.status_code for r in responses] == [401] * 5
    assert responses[0].headers["www-authenticate"] == "Bearer"


def test_a_role_without_the_evidence_permission_gets_403(
    client: TestClient, case: dict[str, str], officer: dict[str, str]
) -> None:
    item = upload(client, case["reference"], officer).json()
    clerk = token_for(client, "clerk")
    responses = [
        upload(client, case["reference"], clerk),
        client.get(f"/api/v1/cases/{case['reference']}/evidence", headers=clerk),
        client.get(f"/api/v1/evidence/{item['id']}", headers=clerk),
        client.get(item["content_url"], headers=clerk, params={"reason": "curious"}),
    ]
    assert [r.status_code for r in responses] == [403] * 4
    assert "Court clerk" in responses[1].json()["detail"]


def test_the_prosecutor_sees_an_exhibit_only_once_it_is_disclosed_to_them(
    client: TestClient, case: dict[str, str], officer: dict[str, str]
) -> None:
    item = upload(client, case["reference"], officer).json()
    prosecutor = token_for(client, "prosecutor")
    assert client.get(f"/api/v1/evidence/{item['id']}", headers=prosecutor).status_code == 403
    client.post(
        f"/api/v1/evidence/{item['id']}/custody",
        headers=officer,
        json={
            "action": "transferred",
            "reason": "Case file handed over",
            "recipient_agency": "CPS-LDN",
        },
    )
    seen = client.get(f"/api/v1/evidence/{item['id']}", headers=prosecutor)
    assert seen.status_code == 200
    assert seen.json()["custody_status"] == "Held by Crown Prosecution Service London"


def test_a_sealed_exhibit_cannot_be_downloaded(
    client: TestClient, case: dict[str, str], officer: dict[str, str]
) -> None:
    item = upload(client, case["reference"], officer).json()
    sealed = client.post(
        f"/api/v1/evidence/{item['id']}/custody",
        headers=officer,
        json={"action": "sealed", "reason": "Bagged, seal 0012345"},
    )
    assert sealed.json()["sealed"] is True
    response = client.get(item["content_url"], headers=officer, params={"reason": "Look"})
    assert response.status_code == 409
    assert "unsealed" in response.json()["detail"]


def test_unknown_cases_and_exhibits_are_404(
    client: TestClient, case: dict[str, str], officer: dict[str, str]
) -> None:
    assert upload(client, "SC-0000-0000", officer).status_code == 404
    assert client.get("/api/v1/cases/SC-0000-0000/evidence", headers=officer).status_code == 404
    assert client.get("/api/v1/evidence/999", headers=officer).status_code == 404


def test_evidence_never_reaches_the_public_tracking_view(
    client: TestClient, case: dict[str, str], officer: dict[str, str]
) -> None:
    item = upload(client, case["reference"], officer).json()
    public = client.get(
        f"/api/v1/reports/{case['reference']}", headers={"X-Tracking-Code": case["tracking_code"]}
    )
    assert public.status_code == 200
    text = public.text
    for secret in ("camera2.jpg", item["sha256"], "SC/1", "CCTV", "shop door"):
        assert secret not in text
    assert client.get(item["content_url"], params={"reason": "public"}).status_code == 401


def test_every_request_body_in_the_schema_carries_an_example(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    bodies = {
        (path, method): operation["requestBody"]["content"]
        for path, operations in paths.items()
        if "evidence" in path
        for method, operation in operations.items()
        if "requestBody" in operation
    }
    assert set(bodies) == {
        ("/api/v1/cases/{reference}/evidence", "post"),
        ("/api/v1/evidence/{evidence_id}/custody", "post"),
    }
    upload_body = bodies[("/api/v1/cases/{reference}/evidence", "post")]["multipart/form-data"]
    assert set(upload_body["example"]) == {"file", "kind", "description", "reason"}


def test_no_input_to_the_evidence_routes_gives_a_server_error_or_breaks_the_schema(
    client: TestClient, app: FastAPI, case: dict[str, str], officer: dict[str, str]
) -> None:
    # An exhibit exists, so generated ids also reach the download and custody paths.
    assert upload(client, case["reference"], officer).status_code == 201
    supervisor = token_for(client, "supervisor")
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [op.ok() for op in schema.get_all_operations() if "evidence" in op.ok().path]
    assert len(operations) == 5
    checks = [
        schemathesis.checks.not_a_server_error,
        response_schema_conformance,
        content_type_conformance,
    ]
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
        def call(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=supervisor, checks=checks)

        call()
