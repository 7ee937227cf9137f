"""The open choices API: staff ask for scenarios side by side; anyone follows the run to its
figures. Runs here simulate a two-hundredth of London's demand, so each takes a fraction of a
second (the scenario loader is replaced by one that scales every stream down)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from safercity.platform.http import AppContext
from safercity.simulation import jobs, service
from safercity.simulation.jobs import InlineRunner, ProcessRunner, SimulationWorker
from safercity.simulation.scenario import Scenario, load_scenario
from safercity.web.app import create_app
from tests.factories import seed_staff, token_for

TINY = 0.005  # of each demand stream: some 50 calls a simulated day
STREAMS = ("police", "ambulance", "fire")


def tiny_loader(scale: float = TINY) -> Callable[[str], Scenario]:
    """Loads a bundled scenario with its demand scaled down, for runs of a fraction of a second."""

    def load(name: str) -> Scenario:
        scenario = load_scenario(name)
        shrunk = {s: scenario.stream_scale.get(s, 1.0) * scale for s in STREAMS}
        return replace(scenario, stream_scale=shrunk)

    return load


@pytest.fixture(autouse=True)
def _tiny_scenarios(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "load_scenario", tiny_loader())


@pytest.fixture
def app(ctx: AppContext) -> FastAPI:
    """The app with its simulation worker running runs in its own thread."""
    return create_app(ctx, deliver_outbox=False, simulation_runner=InlineRunner())


@pytest.fixture
def staff(client: TestClient, db: Database, clock: FixedClock) -> dict[str, str]:
    seed_staff(db, clock)
    return token_for(client, "investigator")


def wait_until_finished(client: TestClient, run_id: int, timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = client.get(f"/api/v1/simulations/{run_id}").json()
        if body["status"] in ("done", "failed") or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def test_staff_ask_for_two_scenarios_and_follow_the_run_to_its_figures(
    client: TestClient, staff: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/simulations",
        json={"scenarios": ["london_today", "separate_control_rooms"], "days": 2, "seed": 7},
        headers=staff,
    )
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["status"] == "queued"
    assert response.headers["location"] == accepted["status_url"] == "/api/v1/simulations/1"
    assert accepted["page_url"] == "/analysis/simulations/1"

    body = wait_until_finished(client, accepted["id"])
    assert body["status"] == "done", body
    assert body["progress_days"] == body["total_days"] == 4
    assert body["links"] == {
        "page": "/analysis/simulations/1",
        "csv": "/analysis/simulations/1.csv",
        "json": "/analysis/simulations/1.json",
    }
    first, second = body["results"]
    assert (first["scenario"], second["scenario"]) == ("london_today", "separate_control_rooms")
    assert first["seed"] == 7 and first["days"] == 2
    assert first["count_calls"] > 0 and "ambulance_c1_mean_target_s" in first
    # Open data: who asked is not shown.
    assert "investigator" not in str(body)


def test_the_same_seed_gives_the_same_figures(client: TestClient, staff: dict[str, str]) -> None:
    ids = [
        client.post(
            "/api/v1/simulations", json={"scenarios": ["london_today"], "seed": 3}, headers=staff
        ).json()["id"]
        for _ in range(2)
    ]
    first, second = (wait_until_finished(client, i)["results"] for i in ids)
    assert first == second


def test_asking_needs_a_staff_token(client: TestClient, db: Database) -> None:
    response = client.post("/api/v1/simulations", json={"scenarios": ["london_today"]})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scenarios": []}, "scenarios"),
        ({"scenarios": ["a", "b", "c", "d", "e"]}, "scenarios"),
        ({"scenarios": ["Not a name!"]}, "scenarios.0"),
        ({"scenarios": ["london_today"], "days": 8}, "days"),
        ({"scenarios": ["london_today"], "days": 0}, "days"),
        ({"scenarios": ["london_today"], "seed": -1}, "seed"),
        ({"scenarios": ["london_today"], "speed": "fast"}, "speed"),
        ({"scenarios": ["no_such_scenario"]}, "scenarios"),
        ({"scenarios": ["london_today", "london_today"]}, "scenarios"),
    ],
)
def test_invalid_requests_are_refused_naming_the_field(
    client: TestClient, staff: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = client.post("/api/v1/simulations", json=body, headers=staff)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert problem["status"] == 422
    assert field in [e["field"] for e in problem["errors"]], problem


def test_an_unknown_run_is_not_found(client: TestClient) -> None:
    response = client.get("/api/v1/simulations/99")
    assert response.status_code == 404
    assert response.json()["title"] == "Not found"


def test_the_bundled_scenarios_are_listed(client: TestClient) -> None:
    listed = client.get("/api/v1/simulations/scenarios").json()
    names = [s["name"] for s in listed]
    assert "london_today" in names and "separate_control_rooms" in names
    assert all(s["title"] and s["description"] for s in listed)


def test_a_scenario_the_city_cannot_build_fails_with_the_reason(
    client: TestClient, staff: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(name: str) -> Scenario:
        return replace(tiny_loader()(name), stream_scale={"no_such_stream": 1.0})

    monkeypatch.setattr(jobs, "load_scenario", broken)
    run_id = client.post(
        "/api/v1/simulations", json={"scenarios": ["london_today"]}, headers=staff
    ).json()["id"]
    body = wait_until_finished(client, run_id)
    assert body["status"] == "failed"
    assert "no demand stream no_such_stream" in body["error"]
    assert body["results"] == []


def test_a_restart_runs_what_was_queued_or_running_again(
    ctx: AppContext, db: Database, clock: FixedClock
) -> None:
    staff = seed_staff(db, clock)
    wanted = service.check_request(["london_today"], 1, 1)
    running = service.request_simulation(db, clock, staff["admin"], wanted)
    queued = service.request_simulation(db, clock, staff["admin"], wanted)
    # The first was taken by a worker whose process then stopped.
    assert service.claim_next(db, clock) is not None
    assert service.run_status(db, running.id).status is service.RunStatus.RUNNING

    worker = SimulationWorker(db, clock, InlineRunner(), poll_seconds=0.05)
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            runs = [service.run_status(db, r.id) for r in (running, queued)]
            if all(r.status.finished for r in runs):
                break
            time.sleep(0.05)
    finally:
        worker.stop()
    assert [r.status for r in runs] == [service.RunStatus.DONE] * 2
    assert runs[0].results[0].scenario == "london_today"


def test_a_worker_stopped_mid_run_leaves_the_request_to_run_again(
    db: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = seed_staff(db, clock)
    wanted = service.check_request(["london_today"], 1, 1)
    run = service.request_simulation(db, clock, staff["admin"], wanted)
    reached, release = threading.Event(), threading.Event()

    def gated(name: str) -> Scenario:
        reached.set()
        release.wait(10)
        return tiny_loader()(name)

    monkeypatch.setattr(jobs, "load_scenario", gated)
    worker = SimulationWorker(db, clock, ProcessRunner(), poll_seconds=0.05)
    worker.start()
    assert reached.wait(10)
    # The app shuts down while the simulation process starts: the process is stopped...
    stopping = threading.Thread(target=worker.stop)
    stopping.start()
    release.set()
    stopping.join(20)
    assert not stopping.is_alive()
    assert service.run_status(db, run.id).status is service.RunStatus.RUNNING
    # ...and at the next start the request is queued again.
    assert service.requeue_interrupted(db) == 1
    assert service.run_status(db, run.id).status is service.RunStatus.QUEUED


def test_the_openapi_schema_documents_the_request_with_its_limits(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    create = schema["components"]["schemas"]["SimulationCreate"]
    assert create["properties"]["scenarios"]["maxItems"] == 4
    assert create["properties"]["days"]["maximum"] == 7
    assert create["examples"][0]["scenarios"] == ["london_today", "separate_control_rooms"]
    assert "202" in schema["paths"]["/api/v1/simulations"]["post"]["responses"]
