"""The open choices pages: the form, its errors beside their fields, and a run's public page
with its status, its comparison and its figures as CSV and JSON."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from safercity.platform.http import AppContext
from safercity.simulation import service
from safercity.simulation.jobs import InlineRunner
from safercity.web.app import create_app
from tests.api.test_evidence_pages import csrf_of, sign_in
from tests.api.test_simulation_api import _tiny_scenarios, wait_until_finished
from tests.factories import seed_staff

__all__ = ["_tiny_scenarios"]  # the API tests' fixture: tiny demand, runs of a fraction of a second

PAGE = "/analysis/simulations"


@pytest.fixture
def app(ctx: AppContext) -> FastAPI:
    return create_app(ctx, deliver_outbox=False, simulation_runner=InlineRunner())


@pytest.fixture
def csrf(client: TestClient, db: Database, clock: FixedClock) -> str:
    seed_staff(db, clock)
    sign_in(client, "witnesscare")  # any role may run a simulation
    page = client.get(PAGE)
    assert page.status_code == 200
    return csrf_of(page.text)


def _form(csrf: str, **overrides: str | list[str]) -> dict[str, str | list[str]]:
    data: dict[str, str | list[str]] = {
        "csrf_token": csrf,
        "scenarios": ["london_today", "separate_control_rooms"],
        "days": "1",
        "seed": "1",
    }
    data.update(overrides)
    return data


def test_the_form_offers_every_bundled_scenario_with_its_description(
    client: TestClient, csrf: str
) -> None:
    html = client.get(PAGE).text
    for choice in service.scenario_choices():
        assert f'value="{choice.name}"' in html
        assert choice.title in html
    assert 'name="days"' in html and 'value="1"' in html
    assert "No simulations yet." in html


def test_running_redirects_to_the_public_page_that_ends_with_the_comparison(
    client: TestClient, csrf: str
) -> None:
    response = client.post(PAGE, data=_form(csrf), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{PAGE}/1"
    assert wait_until_finished(client, 1)["status"] == "done"

    client.cookies.clear()  # the page is public: anyone with the link may open it
    html = client.get(f"{PAGE}/1").text
    assert "Simulation 1" in html and 'data-status="done"' in html
    assert "hx-get" not in html  # a finished run stops asking for itself
    assert "London today: one joint 999 service" in html
    assert f'href="{PAGE}/1.csv"' in html and f'href="{PAGE}/1.json"' in html
    assert 'id="comparison"' in html
    assert "Witnesscare" not in html  # who asked is not shown

    listing = client.get(PAGE).text
    assert f'href="{PAGE}/1"' in listing and "Done" in listing
    assert "Sign in to run a simulation" in listing and 'name="csrf_token"' not in listing


def test_the_figures_download_as_csv_and_json(client: TestClient, csrf: str) -> None:
    client.post(PAGE, data=_form(csrf, days="2", seed="5"))
    wait_until_finished(client, 1)
    client.cookies.clear()
    response = client.get(f"{PAGE}/1.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="simulation-1.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["scenario"] for r in rows] == ["london_today", "separate_control_rooms"]
    assert rows[0]["seed"] == "5" and rows[0]["days"] == "2"
    assert rows[0]["ambulance_c1_mean_met"] in ("true", "false", "")
    data = client.get(f"{PAGE}/1.json").json()
    assert data["status"] == "done" and len(data["results"]) == 2
    assert data["results"][1]["measures"][0]["target_s"] > 0
    assert "requested_by" not in data


def test_a_run_still_going_shows_its_progress_and_polls_for_it(
    client: TestClient, db: Database, clock: FixedClock
) -> None:
    staff = seed_staff(db, clock)
    wanted = service.check_request(["london_today", "fire_stations_2013"], 3, 1)
    run = service.request_simulation(db, clock, staff["admin"], wanted)
    # Stand in for a worker part of the way through: the second scenario's second day.
    claimed = service.claim_next(db, clock)
    assert claimed is not None and claimed.id == run.id
    service.record_progress(db, run.id, 4)
    html = client.get(f"{PAGE}/{run.id}").text
    assert f'hx-get="{PAGE}/{run.id}/status"' in html and 'hx-trigger="every 1s"' in html
    assert "Scenario 2 of 2" in html and "simulating day 2 of 3" in html
    fragment = client.get(f"{PAGE}/{run.id}/status").text
    assert fragment.lstrip().startswith("<section") and "simulating day 2 of 3" in fragment
    # Figures come once it is done.
    assert client.get(f"{PAGE}/{run.id}.csv").status_code == 409


def test_errors_sit_beside_their_fields_and_keep_what_was_chosen(
    client: TestClient, csrf: str
) -> None:
    response = client.post(
        PAGE, data=_form(csrf, scenarios=["london_today"], days="30", seed="lots")
    )
    assert response.status_code == 422
    html = response.text
    assert 'id="f-days-error"' in html and "from 1 to 7" in html
    assert 'id="f-seed-error"' in html
    assert 'id="f-scenarios-error"' not in html
    assert re.search(r'value="london_today"\s+aria-describedby="[^"]+"\s*checked', html)
    assert 'value="30"' in html and 'value="lots"' in html
    assert '<a href="#f-days">' in html  # the summary links to the field

    zero = client.post(PAGE, data=_form(csrf, days="0", seed="-1"))
    assert 'id="f-days-error"' in zero.text and 'id="f-seed-error"' in zero.text
    none = client.post(PAGE, data=_form(csrf, scenarios=[]))
    assert none.status_code == 422 and 'id="f-scenarios-error"' in none.text
    assert "Choose at least one scenario" in none.text
    five = [c.name for c in service.scenario_choices()][:5]
    too_many = client.post(PAGE, data=_form(csrf, scenarios=five))
    assert "Choose at most 4 scenarios" in too_many.text


def test_running_needs_a_signed_in_member_of_staff(client: TestClient, db: Database) -> None:
    response = client.post(PAGE, data=_form("x"), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/sign-in?next=/analysis/simulations")


def test_a_form_without_its_csrf_token_is_refused(client: TestClient, csrf: str) -> None:
    response = client.post(PAGE, data=_form("not-the-token"))
    assert response.status_code == 403


def test_an_unknown_run_page_is_not_found(client: TestClient) -> None:
    assert client.get(f"{PAGE}/42").status_code == 404
    assert client.get(f"{PAGE}/42.json").status_code == 404
