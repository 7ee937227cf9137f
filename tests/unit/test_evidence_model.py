"""Rules for accepting evidence files and for the chain of custody (pure, no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from safercity.evidence.model import (
    CustodyEvent,
    EvidenceItem,
    EvidenceRecord,
    Handler,
    Handling,
    NewEvidence,
    audit_action,
    check_handling,
    clean_filename,
    custody_status,
    exhibit_number,
    format_size,
    handling_problems,
    may_add,
    may_see,
    new_evidence_problems,
    sniff,
    type_problem,
)
from safercity.evidence.vocabulary import CustodyAction, EvidenceKind, MediaType
from safercity.platform.audit.model import AuditAction
from safercity.platform.errors import Conflict
from safercity.platform.identity.model import Role

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
POLICE = Handler("investigator@MPS", "Investigator Example", "Metropolitan Police Service")

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 20
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 20
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 20
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00" * 20
OLD_MOV = b"\x00\x00\x00\x08wide\x00\x00\x00\x00mdat" + b"\x00" * 20
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x00" * 20
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 20


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (JPEG, MediaType.JPEG),
        (PNG, MediaType.PNG),
        (WEBP, MediaType.WEBP),
        (MP4, MediaType.MP4),
        (MOV, MediaType.QUICKTIME),
        (OLD_MOV, MediaType.QUICKTIME),
        (PDF, MediaType.PDF),
        (HEIC, None),
        (b"<html><script>alert(1)</script>", None),
        (b"MZ\x90\x00", None),
        (b"", None),
    ],
)
def test_a_file_type_is_recognised_by_its_first_bytes(
    head: bytes, expected: MediaType | None
) -> None:
    assert sniff(head) is expected


def test_a_video_is_refused_as_a_photo_whatever_its_name() -> None:
    problem = type_problem(EvidenceKind.PHOTO, 1000, MediaType.MP4)
    assert problem is not None
    assert problem.field == "file"
    assert "MP4 video" in problem.message and "(Photograph)" in problem.message


def test_an_unrecognised_file_is_refused_with_the_formats_accepted() -> None:
    problem = type_problem(EvidenceKind.OTHER, 1000, None)
    assert problem is not None
    assert "JPEG" in problem.message and "PDF" in problem.message


def test_an_empty_file_is_refused() -> None:
    problem = type_problem(EvidenceKind.PHOTO, 0, None)
    assert problem is not None and "empty" in problem.message


@pytest.mark.parametrize(
    ("kind", "media"),
    [
        (EvidenceKind.PHOTO, MediaType.JPEG),
        (EvidenceKind.CCTV_STILL, MediaType.WEBP),
        (EvidenceKind.BODY_WORN_VIDEO, MediaType.QUICKTIME),
        (EvidenceKind.DOCUMENT, MediaType.PDF),
        (EvidenceKind.DOCUMENT, MediaType.PNG),
        (EvidenceKind.OTHER, MediaType.MP4),
    ],
)
def test_each_kind_accepts_its_formats(kind: EvidenceKind, media: MediaType) -> None:
    assert type_problem(kind, 10, media) is None


def test_an_upload_needs_a_known_kind_a_description_and_a_reason() -> None:
    errors = new_evidence_problems(
        NewEvidence(kind="selfie", filename="a.jpg", description=" ", reason="")
    )
    assert {e.field for e in errors} == {"kind", "description", "reason"}


def test_control_characters_are_refused_in_free_text_but_newlines_allowed_in_a_description() -> (
    None
):
    ok = NewEvidence("photo", "a.jpg", "Line one\nLine two", "Seized at the scene")
    assert new_evidence_problems(ok) == []
    bad = NewEvidence("photo", "a.jpg", "Nul\x00byte", "Seized\nat the scene")
    assert {e.field for e in new_evidence_problems(bad)} == {"description", "reason"}
    bad = NewEvidence("photo", "a.jpg", "Lone \ud800 surrogate", "Seized\x7f")
    assert {e.field for e in new_evidence_problems(bad)} == {"description", "reason"}


def test_a_reason_longer_than_the_audit_purpose_is_refused() -> None:
    errors = new_evidence_problems(NewEvidence("photo", None, "A photo", "x" * 201))
    assert [e.field for e in errors] == ["reason"]


def test_a_filename_keeps_no_folder_and_no_control_characters() -> None:
    assert clean_filename("C:\\Users\\pc\\Desktop\\cctv\x07 2.jpg") == "cctv 2.jpg"
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename(None) == "unnamed"
    assert clean_filename("\ud800.jpg") == ".jpg"
    assert len(clean_filename("a" * 500 + ".jpg")) == 200


def test_exhibits_are_numbered_within_their_case() -> None:
    assert [exhibit_number(n) for n in (1, 2, 10)] == ["SC/1", "SC/2", "SC/10"]


def test_sizes_read_as_people_read_them() -> None:
    assert format_size(812) == "812 bytes"
    assert format_size(50 * 1024 * 1024) == "50 MB"
    assert format_size(1536) == "1.5 KB"


def test_a_transfer_or_disclosure_must_say_who_received_it() -> None:
    errors = handling_problems(Handling(action="disclosed", reason="For charging advice"))
    assert [e.field for e in errors] == ["recipient"]
    assert (
        handling_problems(Handling("disclosed", "For charging advice", recipient_agency="CPS-LDN"))
        == []
    )
    assert handling_problems(Handling("sealed", "Bagged and sealed, seal 0012345")) == []


def test_only_handlings_a_person_does_can_be_recorded_by_hand() -> None:
    errors = handling_problems(Handling(action="received", reason="Pretend upload"))
    assert [e.field for e in errors] == ["action"]
    errors = handling_problems(Handling(action="sealed", reason="ok", recipient_agency="no code!"))
    assert {e.field for e in errors} == {"reason", "recipient_agency"}


def _event(
    n: int, action: CustodyAction, recipient: str | None = None, agency: str | None = None
) -> CustodyEvent:
    return CustodyEvent(n, action, AT, POLICE, "a reason", recipient, agency)


def _record(*events: CustodyEvent) -> EvidenceRecord:
    item = EvidenceItem(
        1,
        "SC-AAAA-BBBB",
        "SC/1",
        EvidenceKind.PHOTO,
        "a.jpg",
        MediaType.JPEG,
        10,
        "0" * 64,
        "A photo",
        POLICE,
        AT,
    )
    return EvidenceRecord(item, (_event(0, CustodyAction.RECEIVED), *events))


def test_custody_starts_with_the_receiving_agency_and_follows_transfers() -> None:
    record = _record(
        _event(1, CustodyAction.VIEWED),
        _event(2, CustodyAction.TRANSFERRED, "Crown Prosecution Service London"),
        _event(3, CustodyAction.SEALED),
    )
    status = custody_status(record.custody)
    assert status.holder == "Crown Prosecution Service London"
    assert status.sealed and not status.returned
    assert status.label == "Sealed, held by Crown Prosecution Service London"
    assert _record().status.label == "Held by Metropolitan Police Service"


def test_a_sealed_exhibit_cannot_be_opened_or_disclosed_until_unsealed() -> None:
    sealed = _record(_event(1, CustodyAction.SEALED))
    for action in (
        CustodyAction.VIEWED,
        CustodyAction.DOWNLOADED,
        CustodyAction.DISCLOSED,
        CustodyAction.SEALED,
    ):
        with pytest.raises(Conflict):
            check_handling(sealed, action)
    check_handling(sealed, CustodyAction.UNSEALED)
    check_handling(sealed, CustodyAction.TRANSFERRED)
    reopened = _record(_event(1, CustodyAction.SEALED), _event(2, CustodyAction.UNSEALED))
    check_handling(reopened, CustodyAction.DOWNLOADED)


def test_an_exhibit_not_sealed_cannot_be_unsealed() -> None:
    with pytest.raises(Conflict, match="not sealed"):
        check_handling(_record(), CustodyAction.UNSEALED)


def test_after_return_to_its_owner_only_the_retained_copy_can_be_opened() -> None:
    returned = _record(_event(1, CustodyAction.RETURNED, "the owner"))
    assert returned.status.label == "Returned to the owner"
    check_handling(returned, CustodyAction.VIEWED)
    for action in (CustodyAction.TRANSFERRED, CustodyAction.SEALED, CustodyAction.RETURNED):
        with pytest.raises(Conflict, match="returned"):
            check_handling(returned, action)


def test_police_add_and_see_exhibits_and_the_prosecutor_sees_only_those_passed_to_them() -> None:
    assert may_add(Role.INVESTIGATOR) and may_add(Role.SUPERVISOR)
    assert not may_add(Role.PROSECUTOR)
    plain = _record().custody
    assert may_see(Role.INVESTIGATOR, "MPS", plain)
    assert not may_see(Role.PROSECUTOR, "CPS-LDN", plain)
    disclosed = _record(_event(1, CustodyAction.DISCLOSED, "CPS London", "CPS-LDN")).custody
    assert may_see(Role.PROSECUTOR, "CPS-LDN", disclosed)
    assert not may_see(Role.PROSECUTOR, "CPS-KENT", disclosed)


def test_openings_are_consultations_and_passing_on_is_a_disclosure_in_the_audit_log() -> None:
    assert audit_action(CustodyAction.RECEIVED) is AuditAction.COLLECTION
    assert audit_action(CustodyAction.DOWNLOADED) is AuditAction.CONSULTATION
    assert audit_action(CustodyAction.VIEWED) is AuditAction.CONSULTATION
    assert audit_action(CustodyAction.TRANSFERRED) is AuditAction.DISCLOSURE
    assert audit_action(CustodyAction.DISCLOSED) is AuditAction.DISCLOSURE
    assert audit_action(CustodyAction.SEALED) is AuditAction.ALTERATION
