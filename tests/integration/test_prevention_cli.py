"""`safercity prevention`: import, backtest and the Knox test from the command line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safercity.web.cli import app

runner = CliRunner()
DATA = Path(__file__).parent.parent / "data" / "prevention"
HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context"
)


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFERCITY_DATABASE_URL", database_url)
    monkeypatch.setenv("SAFERCITY_DATA_DIR", str(tmp_path))


def test_import_reports_rows_stored_and_rejected_by_reason(cli_env: None, db: object) -> None:
    result = runner.invoke(
        app, ["prevention", "import", str(DATA / "police_uk"), str(DATA / "police_uk_faults.csv")]
    )
    assert result.exit_code == 0, result.output
    assert "no coordinates" in result.output
    assert "new events stored" in result.output
    again = runner.invoke(app, ["prevention", "import", str(DATA / "police_uk")])
    assert "0 new events stored" in again.output


def test_import_of_a_missing_path_says_what_is_wrong(cli_env: None, db: object) -> None:
    result = runner.invoke(app, ["prevention", "import", "/no/such/folder"])
    assert result.exit_code == 2
    assert "neither a file nor a folder" in result.output


def _month_file(path: Path, month: str, points: list[tuple[float, float]]) -> None:
    lines = [HEADER] + [
        f"id-{month}-{i},{month},Metropolitan Police Service,Metropolitan Police Service,"
        f"{lon},{lat},On or near Test Street,E01000001,Test 001A,Burglary,Under investigation,"
        for i, (lon, lat) in enumerate(points)
    ]
    path.write_text("\n".join(lines) + "\n")


def test_backtest_json_has_every_method_and_the_default_with_each_share(tmp_path: Path) -> None:
    # A steady hotspot in Southwark and scattered events elsewhere: every method finds it.
    hot = [(-0.0911, 51.4739)] * 8
    scattered = [(-0.30 + 0.02 * k, 51.45 + 0.01 * (k % 5)) for k in range(10)]
    for m in range(1, 7):
        _month_file(tmp_path / f"2023-0{m}.csv", f"2023-0{m}", hot + scattered[m : m + 3])
    result = runner.invoke(
        app,
        [
            "prevention",
            "backtest",
            "--crimes",
            str(tmp_path),
            "--crime-type",
            "Burglary",
            "--from",
            "2023-04",
            "--to",
            "2023-06",
            "--cell-m",
            "250",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert {"naive", "kde", "prospective", "stkde", "etas", "default"} <= set(figures)
    for method in ("naive", "default"):
        assert set(figures[method]) >= {"hit_rate", "pai", "pei"}
        assert set(figures[method]["hit_rate"]) == {"0.01", "0.05", "0.10"}
        # The hotspot holds 8 of each month's 11 events.
        assert figures[method]["hit_rate"]["0.01"] >= 8 / 11
    assert figures["months"] == 3 and figures["cells"] > 20_000


def test_backtest_refuses_a_period_with_no_history(tmp_path: Path) -> None:
    _month_file(tmp_path / "2023-01.csv", "2023-01", [(-0.0911, 51.4739)])
    result = runner.invoke(
        app,
        [
            "prevention",
            "backtest",
            "--crimes",
            str(tmp_path),
            "--from",
            "2023-01",
            "--to",
            "2023-02",
            "--json",
        ],
    )
    assert result.exit_code == 2
    assert "no events before the test period" in result.output


def test_backtest_names_a_bad_month(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["prevention", "backtest", "--crimes", str(tmp_path), "--from", "Jan", "--to", "2023-02"],
    )
    assert result.exit_code == 2 and "YYYY-MM" in result.output


def test_knox_reproduces_the_published_chicago_2016_observed_table(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "prevention",
            "knox",
            "--events",
            str(DATA / "chicago_burglary_2016.csv.gz"),
            "--x-col",
            "x",
            "--y-col",
            "y",
            "--date-col",
            "date",
            "--space-bands",
            "0,0.1,200,400,600",
            "--time-bands",
            "0,7,14,21",
            "--iterations",
            "19",
            "--seed",
            "1",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    table = json.loads(result.stdout)
    assert table["events"] == 11_701
    assert table["observed"] == [
        [342, 97, 62],
        [1892, 1514, 1362],
        [4145, 3643, 3592],
        [5805, 5143, 4919],
    ]
    assert table["cells"][0]["space_band"] == "[0, 0.1]"
    assert table["reading"].startswith("Homes within")


def test_knox_names_a_missing_column_and_a_bad_row(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    with events.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["x", "y", "when"])
        writer.writerow(["1", "2", "2024-01-01"])
        writer.writerow(["one", "2", "2024-01-02"])
    missing = runner.invoke(app, ["prevention", "knox", "--events", str(events)])
    assert missing.exit_code == 2 and "no column date" in missing.output
    bad = runner.invoke(app, ["prevention", "knox", "--events", str(events), "--date-col", "when"])
    assert bad.exit_code == 2 and ":3:" in bad.output


def test_import_into_a_database_without_tables_says_to_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFERCITY_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("SAFERCITY_DATA_DIR", str(tmp_path))
    result = runner.invoke(app, ["prevention", "import", str(DATA / "police_uk")])
    assert result.exit_code == 2
    assert "safercity db upgrade" in result.output
