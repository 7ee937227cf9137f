"""`safercity audit verify` catches a row edited directly in the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from safercity.platform.audit import service as audit
from safercity.platform.audit.model import AuditAction, AuditRecord
from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from safercity.web.cli import app

runner = CliRunner()


def _log(db: Database, clock: FixedClock, n: int) -> None:
    for i in range(n):
        with db.transaction() as conn:
            audit.record(
                conn,
                clock,
                AuditRecord(
                    actor="investigator@MPS",
                    action=AuditAction.CONSULTATION,
                    subject_type="case",
                    subject_id=f"SC-{i}",
                    purpose="investigation",
                ),
            )


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFERCITY_DATABASE_URL", database_url)
    monkeypatch.setenv("SAFERCITY_DATA_DIR", str(tmp_path))


def test_verify_passes_on_an_untouched_log(db: Database, clock: FixedClock, cli_env: None) -> None:
    _log(db, clock, 6)
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "6 entries" in result.output


def test_verify_fails_and_names_the_row_edited_in_the_database(
    db: Database, clock: FixedClock, cli_env: None
) -> None:
    _log(db, clock, 6)
    with db.transaction() as conn:
        conn.execute(text("UPDATE audit_log SET purpose = 'curiosity' WHERE seq = 4"))
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "entry 4" in result.output


def test_verify_fails_when_the_newest_rows_are_deleted(
    db: Database, clock: FixedClock, cli_env: None
) -> None:
    _log(db, clock, 6)
    with db.transaction() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq >= 5"))
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "entry 5" in result.output


def test_concurrent_appenders_keep_one_unbroken_chain(db: Database, clock: FixedClock) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: _log(db, clock, 5), range(8)))
    checked, broken = audit.verify(db)
    assert broken is None and checked == 40


def test_a_rolled_back_use_case_logs_nothing_and_leaves_nothing_for_the_next(
    db: Database, clock: FixedClock
) -> None:
    with pytest.raises(RuntimeError), db.transaction() as conn:
        audit.record(
            conn,
            clock,
            AuditRecord(
                actor="investigator@MPS",
                action=AuditAction.CONSULTATION,
                subject_type="case",
                subject_id="SC-ROLLED-BACK",
                purpose="investigation",
            ),
        )
        raise RuntimeError("the use case failed after reading")
    _log(db, clock, 1)
    checked, broken = audit.verify(db)
    assert broken is None and checked == 1
    with db.transaction() as conn:
        assert audit.trail(conn, "case", "SC-ROLLED-BACK") == []
