"""`safercity evidence verify` against the real database and files on disk."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from safercity.cases import service as cases
from safercity.cases.model import NewCrimeReport, VictimDetails
from safercity.cases.vocabulary import ContactChannel
from safercity.evidence import service
from safercity.evidence.blobs import FileBlobStore
from safercity.evidence.model import EvidenceItem, NewEvidence
from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from safercity.platform.identity.model import StaffUser
from safercity.web.cli import app
from tests.factories import seed_staff

PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"a broken window" * 200
VIDEO = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"frames" * 300


def open_case(db: Database, clock: FixedClock) -> str:
    report = NewCrimeReport(
        crime_type="Criminal damage and arson",
        description="Shop window smashed overnight.",
        occurred_from=clock.now() - timedelta(hours=10),
        occurred_to=None,
        location_text="Rye Lane, SE15",
        latitude=None,
        longitude=None,
        borough="Southwark",
        victim=VictimDetails(
            name="Ash Patel", preferred_channel=ContactChannel.EMAIL, email="ash@example.com"
        ),
    )
    with db.transaction() as conn:
        return cases.open_from_report(conn, clock, report)


def _add(
    db: Database,
    clock: FixedClock,
    blobs: FileBlobStore,
    officer: StaffUser,
    reference: str,
    content: bytes,
    kind: str,
) -> EvidenceItem:
    new = NewEvidence(
        kind=kind,
        filename="exhibit",
        description="Seized at the scene",
        reason="Recovered from the scene",
    )
    return service.add_evidence(
        db, clock, blobs, officer, reference, new, io.BytesIO(content), 1024 * 1024
    ).item


@pytest.fixture
def stored(
    db: Database, clock: FixedClock, tmp_path: Path
) -> tuple[FileBlobStore, list[EvidenceItem]]:
    officer = seed_staff(db, clock)["investigator"]
    blobs = FileBlobStore(tmp_path / "evidence")
    reference = open_case(db, clock)
    items = [
        _add(db, clock, blobs, officer, reference, PHOTO, "photo"),
        _add(db, clock, blobs, officer, reference, VIDEO, "body_worn_video"),
    ]
    return blobs, items


def _verify(database_url: str, tmp_path: Path) -> Result:
    env = {
        "SAFERCITY_DATABASE_URL": database_url,
        "SAFERCITY_DATA_DIR": str(tmp_path),
        "SAFERCITY_EVIDENCE_DIR": None,
    }
    return CliRunner().invoke(app, ["evidence", "verify"], env=env)


def test_verify_passes_when_every_file_matches_its_hash(
    stored: tuple[FileBlobStore, list[EvidenceItem]], database_url: str, tmp_path: Path
) -> None:
    result = _verify(database_url, tmp_path)
    assert result.exit_code == 0, result.output
    assert "Evidence intact: 2 files checked for 2 exhibits" in result.output


def test_verify_names_a_corrupted_file_and_exits_1(
    stored: tuple[FileBlobStore, list[EvidenceItem]], database_url: str, tmp_path: Path
) -> None:
    blobs, (_photo, video) = stored
    path = blobs.path_for(video.sha256)
    path.chmod(0o644)
    with path.open("r+b") as damaged:
        damaged.seek(100)
        damaged.write(b"tampered")
    result = _verify(database_url, tmp_path)
    output: str = result.output
    assert result.exit_code == 1, output
    assert f"exhibit SC/2 of case {video.case_reference} (evidence {video.id})" in output
    assert "has CHANGED" in output
    assert "SC/1" not in output
    assert "1 exhibits do not match" in output


def test_verify_reports_a_missing_file(
    stored: tuple[FileBlobStore, list[EvidenceItem]], database_url: str, tmp_path: Path
) -> None:
    blobs, (photo, _video) = stored
    blobs.path_for(photo.sha256).unlink()
    result = _verify(database_url, tmp_path)
    assert result.exit_code == 1
    assert f"exhibit SC/1 of case {photo.case_reference}" in result.output
    assert "MISSING" in result.output
