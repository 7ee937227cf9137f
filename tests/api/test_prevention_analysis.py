"""The analyst's view and its API: the forecast's top cells, trends, a recent backtest and the
Knox table, for staff only, with CSV downloads."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from safercity.prevention import analysis, events, police_uk
from tests.api.test_cases_pages import sign_in
from tests.factories import PASSWORD, seed_staff, token_for

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context"
)
HOTSPOT = (-0.0911, 51.4739)  # Camberwell, Southwark


def write_year(folder: Path) -> None:
    """Twelve months of burglaries: a steady hotspot and scattered events across London."""
    rng = random.Random(7)
    for month in range(1, 13):
        rows = [HEADER]
        points = [HOTSPOT] * 6 + [
            (rng.uniform(-0.35, 0.1), rng.uniform(51.40, 51.60)) for _ in range(20)
        ]
        for i, (lon, lat) in enumerate(points):
            rows.append(
                f"id-{month}-{i},2023-{month:02d},Metropolitan Police Service,Metropolitan Police "
                f"Service,{lon:.6f},{lat:.6f},On or near Test Street,E01000001,Test 001A,Burglary,"
                "Under investigation,"
            )
        (folder / f"2023-{month:02d}.csv").write_text("\n".join(rows) + "\n")


@pytest.fixture
def year(db: Database, clock: FixedClock, tmp_path: Path) -> Database:
    write_year(tmp_path)
    events.import_files(db, clock, [tmp_path], police_uk.ImportReport())
    seed_staff(db, clock)
    return db


def test_the_forecasts_top_cell_is_the_hotspot(year: Database) -> None:
    figures = analysis.forecast(year, "Burglary", 250.0)
    assert figures["properties"]["month"] == "2024-01"
    top = figures["features"][0]
    ring = top["geometry"]["coordinates"][0]
    assert ring[0][0] <= HOTSPOT[0] <= ring[2][0] and ring[0][1] <= HOTSPOT[1] <= ring[2][1]
    assert top["properties"] == top["properties"] | {"rank": 1, "band": "0.01"}
    rows = list(csv.reader(io.StringIO(analysis.forecast_csv(figures))))
    assert rows[0] == ["rank", "top_share", "score", "centre_lat", "centre_lon"]
    assert len(rows) == len(figures["features"]) + 1


def test_trends_add_up_to_the_events(year: Database) -> None:
    figures = analysis.trends(year, months=12)
    assert figures["by_crime_type"]["Burglary"] == [26] * 12
    assert figures["by_borough_last_12_months"]["Southwark"]["Burglary"] >= 72
    assert sum(sum(b.values()) for b in figures["by_borough_last_12_months"].values()) == 312


def test_the_backtest_and_knox_tables(year: Database) -> None:
    figures = analysis.backtest(year, "Burglary", 250.0)
    assert figures["months"] == 6 and figures["from"] == "2023-07"
    assert figures["default"]["hit_rate"]["0.01"] >= 6 / 26
    knox = analysis.knox(year, "Burglary")
    assert knox["events"] == 78 and len(knox["cells"]) == 12
    assert knox["cells"][0]["time_band"] == "the same month"


def test_the_api_is_for_staff_only(client: TestClient, year: Database) -> None:
    assert client.get("/api/v1/prevention/forecast").status_code == 401
    headers = token_for(client, "investigator", PASSWORD)
    forecast = client.get("/api/v1/prevention/forecast", headers=headers)
    assert forecast.status_code == 200 and forecast.json()["type"] == "FeatureCollection"
    bad = client.get("/api/v1/prevention/forecast", params={"cell_m": 99}, headers=headers)
    assert bad.status_code == 422 and "cell_m" in bad.text
    assert client.get("/api/v1/prevention/trends", headers=headers).json()["months"]
    dispatcher = token_for(client, "paramedic", PASSWORD)  # an ambulance dispatcher
    assert client.get("/api/v1/prevention/trends", headers=dispatcher).status_code == 403


def test_the_page_and_its_downloads(client: TestClient, year: Database) -> None:
    assert client.get("/analysis/prevention", follow_redirects=False).status_code == 303
    sign_in(client, "supervisor")
    page = client.get("/analysis/prevention")
    assert page.status_code == 200
    assert "Events a month by crime type" in page.text and "Southwark" in page.text
    geo = client.get("/analysis/prevention/forecast.geojson")
    assert json.loads(geo.text)["features"]
    backtest = client.get("/analysis/prevention/backtest")
    assert "(the default)" in backtest.text and "tie" in backtest.text
    assert "Knox ratio" in client.get("/analysis/prevention/knox").text
    for name in ("forecast", "trends", "backtest", "knox"):
        download = client.get(f"/analysis/prevention/{name}.csv")
        assert download.headers["content-type"].startswith("text/csv")
        assert f'filename="{name}.csv"' in download.headers["content-disposition"]
