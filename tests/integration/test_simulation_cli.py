"""`safercity simulate`: runs scenarios, writes the report, prints one JSON object a run with
--json, and stops bad input with exit code 2 and a message that says what to change.

The scenarios are London's with a few percent of its police and ambulance demand, so that a
simulated day takes about a second.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from safercity.simulation.cli import parse_seeds
from safercity.simulation.scenario import bundled_scenarios
from safercity.web.cli import app

SMALL_DEMAND = {"stream_scale": {"police": 0.03, "ambulance": 0.03, "fire": 0.3}}


def write_scenario(folder: Path, name: str, **fields: Any) -> Path:
    today = json.loads(bundled_scenarios()["london_today"].read_text(encoding="utf-8"))
    data = {"name": name, "title": name, "demand": SMALL_DEMAND, "fleet": today["fleet"]}
    path = folder / f"{name}.json"
    path.write_text(json.dumps({**data, **fields}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("scenarios")
    joint = write_scenario(folder, "small_joint", title="Small <joint> & co")
    separate = write_scenario(
        folder, "small_separate", control_rooms="separate", transfer_delay_s=60
    )
    return joint, separate


def simulate(*args: str | Path) -> Any:
    return CliRunner().invoke(app, ["simulate", *map(str, args)])


def test_json_prints_one_object_a_scenario_and_writes_the_report(
    scenarios: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "report"
    result = simulate(*scenarios, "--days", "1", "--seed", "3", "--json", "--out", out)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    figures = [json.loads(line) for line in lines]  # stdout holds the JSON and nothing else
    assert [f["scenario"] for f in figures] == ["small_joint", "small_separate"]
    assert all(f["seed"] == 3 and f["days"] == 1 for f in figures)
    assert all(f["count_incidents"] > 0 and "ambulance_c1_mean_met" in f for f in figures)
    assert "report.html" in result.stderr
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Small &lt;joint&gt; &amp; co" in page and "<svg" in page
    assert len((out / "kpis.csv").read_text(encoding="utf-8").splitlines()) == 3
    assert len(json.loads((out / "runs.json").read_text(encoding="utf-8"))) == 2


def test_seeds_run_a_sweep_and_print_where_the_report_is(
    scenarios: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "sweep"
    result = simulate(scenarios[0], "--days", "1", "--seeds", "1-2", "--workers", "0", "--out", out)
    assert result.exit_code == 0, result.output
    assert str(out / "report.html") in result.stdout
    assert "Response targets met" in result.stdout
    runs = json.loads((out / "runs.json").read_text(encoding="utf-8"))
    assert [r["seed"] for r in runs] == [1, 2]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Seeds: 1, 2." in page and '<span class="range">(' in page  # mean and range


def test_an_unknown_scenario_exits_2_naming_the_bundled_ones(tmp_path: Path) -> None:
    result = simulate("london_tomorrow", "--out", tmp_path)
    assert result.exit_code == 2
    assert "No scenario file london_tomorrow" in result.stderr
    assert "london_today" in result.stderr
    assert result.stdout == ""


def test_an_invalid_scenario_file_exits_2_naming_the_field(tmp_path: Path) -> None:
    bad = write_scenario(tmp_path, "bad", demand={"stream_scale": {"police": -1}})
    result = simulate(bad, "--days", "1", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "is not a valid scenario" in result.stderr
    assert "demand.stream_scale.police: must be a number from 0 to 20" in result.stderr
    assert not (tmp_path / "out" / "report.html").exists()


def test_an_unreadable_scenario_file_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    result = simulate(broken, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "is not readable JSON" in result.stderr


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (["--days", "0"], "--days must be a whole number from 1 to 366, not 0"),
        (["--days", "367"], "--days must be a whole number from 1 to 366, not 367"),
        (["--seeds", "1,two"], "--seeds: 'two' is not a seed"),
        (["--seeds", "5-2"], "write 2-5"),
        (["--seed", "1", "--seeds", "2"], "--seed and --seeds are both given"),
        (["--workers", "-1"], "--workers must be 0"),
    ],
)
def test_bad_options_exit_2_saying_what_to_change(
    options: list[str], says: str, tmp_path: Path
) -> None:
    result = simulate("london_today", *options, "--out", tmp_path)
    assert result.exit_code == 2
    assert says in result.stderr


def test_one_scenario_twice_is_refused(scenarios: tuple[Path, Path], tmp_path: Path) -> None:
    result = simulate(scenarios[0], scenarios[0], "--out", tmp_path)
    assert result.exit_code == 2
    assert "both named 'small_joint'" in result.stderr


def test_seeds_are_read_from_lists_and_ranges() -> None:
    assert parse_seeds("1-3,7, 2") == (1, 2, 3, 7)
    assert parse_seeds("0") == (0,)
