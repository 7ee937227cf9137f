"""The command-line contracts other tools rely on: db upgrade and users add."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from safercity.platform.http import AppContext
from safercity.platform.identity import service as identity
from safercity.platform.identity.model import AgencyKind, Role
from safercity.web.cli import app

runner = CliRunner()


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFERCITY_DATABASE_URL", database_url)
    monkeypatch.setenv("SAFERCITY_DATA_DIR", str(tmp_path))


def test_db_upgrade_is_safe_to_run_again(db: Database, cli_env: None) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_users_add_creates_an_account_that_can_sign_in(
    ctx: AppContext, db: Database, clock: FixedClock, cli_env: None
) -> None:
    identity.ensure_agency(db, "CPS-LDN", "Crown Prosecution Service London", AgencyKind.PROSECUTOR)
    result = runner.invoke(
        app,
        [
            "users",
            "add",
            "--username",
            "aisha",
            "--password",
            "a long enough password",
            "--role",
            "prosecutor",
            "--agency",
            "CPS-LDN",
        ],
    )
    assert result.exit_code == 0, result.output
    user = identity.authenticate(db, clock, ctx.identity, "aisha", "a long enough password")
    assert user.role is Role.PROSECUTOR and user.agency_code == "CPS-LDN"


def test_users_add_explains_an_unknown_agency_and_exits_non_zero(
    db: Database, cli_env: None
) -> None:
    result = runner.invoke(
        app,
        [
            "users",
            "add",
            "--username",
            "x",
            "--password",
            "a long enough password",
            "--role",
            "admin",
            "--agency",
            "NOPE",
        ],
    )
    assert result.exit_code == 2
    assert "No agency with code 'NOPE'" in result.output


def test_city_import_roads_builds_a_graph_from_an_osm_extract(tmp_path: Path) -> None:
    extract = (
        Path(__file__).resolve().parent.parent / "data" / "osm" / "north_london_southgate.osm.gz"
    )
    out = tmp_path / "southgate.roads.npz"
    result = runner.invoke(app, ["city", "import-roads", str(extract), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0
    from safercity.dispatch.routing import RoadGraph

    graph = RoadGraph.load(out)
    assert graph.covers(51.6165, -0.1330)  # Arnos Grove, inside the extract
