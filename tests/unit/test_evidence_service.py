"""Evidence use cases against the database, with the in-memory file store."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import BinaryIO

import pytest
from sqlalchemy import Table, func, select

from safercity.cases import service as cases
from safercity.cases.model import NewCrimeReport, VictimDetails
from safercity.cases.triage import RecordingDecision
from safercity.cases.vocabulary import ContactChannel
from safercity.evidence import integrity, service
from safercity.evidence.blobs import MemoryBlobStore, StagedBlob
from safercity.evidence.model import EvidenceRecord, Handling, NewEvidence
from safercity.evidence.store import evidence_custody, evidence_items
from safercity.evidence.vocabulary import CustodyAction
from safercity.platform.audit import service as audit
from safercity.platform.clock import FixedClock
from safercity.platform.db import Database
from safercity.platform.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
)
from safercity.platform.identity import service as identity
from safercity.platform.identity.model import AgencyKind, Role
from tests.factories import PASSWORD, Staff, seed_staff

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"photo of a forced door" * 50
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"video frames" * 50
LIMIT = 1024 * 1024


def open_case(db: Database, clock: FixedClock) -> str:
    report = NewCrimeReport(
        crime_type="Burglary",
        description="Back door forced; laptop taken.",
        occurred_from=clock.now() - timedelta(days=1),
        occurred_to=None,
        location_text="12 Acacia Avenue",
        latitude=None,
        longitude=None,
        borough="Southwark",
        victim=VictimDetails(
            name="Sam Taylor", preferred_channel=ContactChannel.EMAIL, email="sam@example.com"
        ),
    )
    with db.transaction() as conn:
        return cases.open_from_report(conn, clock, report)


@pytest.fixture
def staff(db: Database, clock: FixedClock) -> Staff:
    return seed_staff(db, clock)


@pytest.fixture
def reference(db: Database, clock: FixedClock) -> str:
    return open_case(db, clock)


def add(
    db: Database,
    clock: FixedClock,
    blobs: MemoryBlobStore,
    staff: Staff,
    reference: str,
    content: bytes = JPEG,
    kind: str = "photo",
    who: str = "investigator",
) -> EvidenceRecord:
    new = NewEvidence(
        kind=kind,
        filename="door.jpg",
        description="The forced back door",
        reason="Photographed at the scene",
    )
    return service.add_evidence(
        db, clock, blobs, staff[who], reference, new, io.BytesIO(content), LIMIT
    )


def _count(db: Database, table: Table) -> int:
    with db.transaction() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_adding_a_file_stores_it_by_hash_and_starts_its_chain_of_custody(
    db: Database, clock: FixedClock, staff: Staff, reference: str
) -> None:
    blobs = MemoryBlobStore()
    record = add(db, clock, blobs, staff, reference)
    item = record.item
    assert item.exhibit_number == "SC/1" and item.case_reference == reference
    assert item.media_type.value == "image/jpeg" and item.size_bytes == len(JPEG)
    assert blobs.contents[item.sha256] == JPEG
    assert [e.action for e in record.custody] == [CustodyAction.RECEIVED]
    assert record.custody[0].handler.actor == "investigator@MPS"
    assert record.custody[0].reason == "Photographed at the scene"
    with db.transaction() as conn:
        trail = audit.trail(conn, "evidence", str(item.id))
    assert [(e.action, e.actor, e.purpose) for e in trail] == [
        ("collection", "investigator@MPS", "Photographed at the scene")
    ]
    assert "Sam" not in trail[0].detail and "door" not in trail[0].detail


def test_exhibits_are_numbered_in_order_within_each_case(
    db: Database, clock: FixedClock, staff: Staff, reference: str
) -> None:
    blobs = MemoryBlobStore()
    other = open_case(db, clock)
    numbers = [
        add(db, clock, blobs, staff, ref, content).item.exhibit_number
        for ref, content in ((reference, JPEG), (reference, JPEG + b"2"), (other, JPEG))
    ]
    assert numbers == ["SC/1", "SC/2", "SC/1"]
    assert len(blobs.contents) == 2  # the same photo in two cases is stored once


def test_a_file_whose_content_does_not_match_its_kind_is_refused_and_nothing_kept(
    db: Database, clock: FixedClock, staff: Staff, reference: str
) -> None:
    blobs = MemoryBlobStore()
    with pytest.raises(InvalidInput) as error:
        add(db, clock, blobs, staff, reference, content=MP4, kind="photo")
    assert error.value.field_errors[0].field == "file"
    assert blobs.contents == {} and _count(db, evidence_items) == 0


def test_a_file_over_the_limit_is_refused_as_too_large(
    db: Database, clock: FixedClock, staff: Staff, reference: str
) -> None:
    blobs = MemoryBlobStore()
    with pytest.raises(PayloadTooLarge, match="1 MB limit"):
        add(db, clock, blobs, staff, reference, content=JPEG + b"x" * LIMIT)
    assert blobs.contents == {} and _count(db, evidence_items) == 0


def test_evidence_for_an_unknown_case_is_refused(
    db: Database, clock: FixedClock, staff: Staff
) -> None:
    with pytest.raises(NotFound, match="SC-0000-0000"):
        add(db, clock, MemoryBlobStore(), staff, "sc-0000-0000")


def test_if_the_file_cannot_be_made_durable_no_record_is_kept(
    db: Database, clock: FixedClock, staff: Staff, reference: str
) -> None:
    class FailingStore(MemoryBlobStore):
        def stage(self, source: BinaryIO, max_bytes: int) -> StagedBlob:
            staged = super().stage(source, max_bytes)

            def commit() -> None:
                raise OSError("disk full")

            staged.commit = commit  # type: ignore[method-assign]
            return staged

    blobs = FailingStore()
    with pytest.raises(OSError, match="disk full"):
        add(db, clock, blobs, staff, reference)
    assert _count(db, evidence_items) == 0 and _count(db, evidence_custody) == 0
    assert blobs.contents == {}


def test_only_police_handlers_add_exhibits_and_roles_without_the_permission_see_nothing(
    db: Database, clock: FixedClock, staff: Staff, reference: str
) -> None:
    with pytest.raises(Forbidden, match="added by police investigators"):
        add(db, clock, MemoryBlobStore(), staff, reference, who="prosecutor")
    for who in ("clerk", "handler", "admin"):
        with pytest.raises(Forbidden):
            service.case_evidence(db, clock, staff[who], reference)


def test_opening_a_file_is_added_to_the_custody_chain_and_the_audit_log(
    db: Database, clock: FixedClock, staff: Staff, reference: str
) -> None:
    blobs = MemoryBlobStore()
    evidence_id = add(db, clock, blobs, staff, reference).item.id
    clock.advance(timedelta(hours=2))
    _item, stream = service.open_content(
        db,
        clock,
        blobs,
        staff["supervisor"],
        evidence_id,
        "Review before interview",
        CustodyAction.VIEWED,
    )
    with stream:
        assert stream.read() == JPEG
    record = service.evidence_record(db, clock, staff["supervisor"], evidence_id)
    opened = record.custody[-1]
    assert (opened.action, opened.handler.actor, opened.reason) == (
        CustodyAction.VIEWED,
        "supervisor@MPS",
        "Review before interview",
    )
    assert opened.at == clock.now()
    with db.transaction() as conn:
        trail = audit.trail(conn, "evidence", str(evidence_id))
    assert [(e.action, e.purpose) for e in trail][1:] == [
        ("consultation", "Review before interview"),
        ("consultation", "View the exhibit's record and custody"),
    ]


def test_opening_needs_a_reason(
    db: Database, clock: FixedClock, staff: Staff, reference: str
) -> None:
    blobs = MemoryBlobStore()
    evidence_id = add(db, clock, blobs, staff, reference).item.id
    with pytest.raises(InvalidInput, match="Say why"):
        service.open_content(db, clock, blobs, staff["investigator"], evidence_id, " ")


def test_a_disclosure_to_the_prosecutor_is_audited_with_its_recipient_and_opens_the_exhibit_to_them(
    db: Database, clock: FixedClock, staff: Staff, reference: str
) -> None:
    blobs = MemoryBlobStore()
    evidence_id = add(db, clock, blobs, staff, reference).item.id
    prosecutor = staff["prosecutor"]
    assert service.case_evidence(db, clock, prosecutor, reference) == []
    with pytest.raises(Forbidden, match="not been transferred or disclosed"):
        service.evidence_record(db, clock, prosecutor, evidence_id)
    record = service.record_handling(
        db,
        clock,
        staff["investigator"],
        evidence_id,
        Handling("disclosed", "Pre-charge advice", recipient_agency="cps-ldn"),
    )
    last = record.custody[-1]
    assert (last.recipient, last.recipient_agency) == (
        "Crown Prosecution Service London",
        "CPS-LDN",
    )
    assert [r.item.id for r in service.case_evidence(db, clock, prosecutor, reference)] == [
        evidence_id
    ]
    with db.transaction() as conn:
        disclosure = [
            e for e in audit.trail(conn, "evidence", str(evidence_id)) if e.action == "disclosure"
        ]
    assert [(d.recipient, d.purpose) for d in disclosure] == [
        ("Crown Prosecution Service London", "Pre-charge advice")
    ]


def test_a_handling_to_an_unknown_agency_is_refused(
    db: Database, clock: FixedClock, staff: Staff, reference: str
) -> None:
    evidence_id = add(db, clock, MemoryBlobStore(), staff, reference).item.id
    with pytest.raises(InvalidInput) as error:
        service.record_handling(
            db,
            clock,
            staff["investigator"],
            evidence_id,
            Handling("transferred", "To the lab", recipient_agency="LAB-1"),
        )
    assert error.value.field_errors[0].field == "recipient_agency"


def test_a_sealed_exhibit_cannot_be_downloaded_until_unsealed(
    db: Database, clock: FixedClock, staff: Staff, reference: str
) -> None:
    blobs = MemoryBlobStore()
    evidence_id = add(db, clock, blobs, staff, reference).item.id
    officer = staff["investigator"]
    service.record_handling(db, clock, officer, evidence_id, Handling("sealed", "Seal 0012345"))
    with pytest.raises(Conflict, match="sealed"):
        service.open_content(db, clock, blobs, officer, evidence_id, "Check it")
    service.record_handling(db, clock, officer, evidence_id, Handling("unsealed", "For court"))
    _item, stream = service.open_content(db, clock, blobs, officer, evidence_id, "For court")
    stream.close()
    assert _count(db, evidence_custody) == 4


def test_verification_names_each_exhibit_whose_file_changed_or_went_missing(
    db: Database, clock: FixedClock, staff: Staff, reference: str
) -> None:
    blobs = MemoryBlobStore()
    first = add(db, clock, blobs, staff, reference).item
    second = add(db, clock, blobs, staff, reference, content=MP4, kind="body_worn_video").item
    reused = add(db, clock, blobs, staff, open_case(db, clock)).item
    calls: list[tuple[int, int]] = []
    assert integrity.verify(db, blobs, lambda d, t: calls.append((d, t))).problems == []
    assert calls == [(1, 2), (2, 2)]
    blobs.contents[first.sha256] = b"edited"
    del blobs.contents[second.sha256]
    result = integrity.verify(db, blobs)
    assert (result.files_checked, result.items_checked) == (2, 3)
    assert [(p.file.evidence_id, p.found_sha256 is None) for p in result.problems] == [
        (first.id, False),
        (reused.id, False),
        (second.id, True),
    ]
    assert "SC/2" in result.problems[2].description
    assert "MISSING" in result.problems[2].description


def test_the_staged_file_protocol_is_met_by_the_fake() -> None:
    staged: StagedBlob = MemoryBlobStore().stage(io.BytesIO(JPEG), LIMIT)
    assert staged.size == len(JPEG)


def test_officers_of_another_force_cannot_list_or_open_a_case_s_exhibits(
    db: Database, clock: FixedClock, staff: Staff, reference: str
) -> None:
    cases.record_decision(
        db,
        clock,
        staff["handler"],
        reference,
        decision=RecordingDecision.CRIME,
        reason="A crime on the balance of probabilities.",
    )
    evidence_id = add(db, clock, MemoryBlobStore(), staff, reference).item.id
    identity.ensure_agency(db, "BTP", "British Transport Police", AgencyKind.POLICE)
    outsider = identity.add_user(
        db, clock, username="btp-dc", password=PASSWORD, role=Role.INVESTIGATOR, agency_code="BTP"
    )
    with pytest.raises(Forbidden, match="another agency"):
        service.case_evidence(db, clock, outsider, reference)
    with pytest.raises(Forbidden, match="another agency"):
        service.evidence_record(db, clock, outsider, evidence_id)
