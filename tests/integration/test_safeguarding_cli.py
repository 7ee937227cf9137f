"""`safercity safeguarding`: a city sets up its own hub from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from safercity.platform.identity import service as identity
from safercity.platform.identity.model import AgencyKind
from safercity.safeguarding import service
from safercity.web.cli import app

runner = CliRunner()


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFERCITY_DATABASE_URL", database_url)
    monkeypatch.setenv("SAFERCITY_DATA_DIR", str(tmp_path))


def test_the_bundled_agreements_are_listed(cli_env: None) -> None:
    result = runner.invoke(app, ["safeguarding", "agreements", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert any(a["id"] == "LDN-MARAC-01" and a["recipient"] == "SOLACE" for a in listed)


def test_a_bad_agreements_file_is_refused_naming_each_field(cli_env: None, tmp_path: Path) -> None:
    bad = tmp_path / "agreements.json"
    bad.write_text(json.dumps([{"id": "A", "title": "T", "provider_kind": "bakery"}]))
    result = runner.invoke(app, ["safeguarding", "agreements", str(bad)])
    assert result.exit_code == 2
    assert "[0].provider_kind" in result.output and "[0].shares" in result.output


def test_an_agency_is_made_a_hub_partner(cli_env: None, db: Database, clock: FixedClock) -> None:
    identity.ensure_agency(db, "GMP", "Greater Manchester Police", AgencyKind.POLICE)
    result = runner.invoke(app, ["safeguarding", "partner", "GMP", "police"])
    assert result.exit_code == 0, result.output
    assert [(p.code, p.kind.value) for p in service.partners(db)] == [("GMP", "police")]
    unknown = runner.invoke(app, ["safeguarding", "partner", "NOPE", "police"])
    assert unknown.exit_code == 2 and "no agency 'NOPE'" in unknown.output
