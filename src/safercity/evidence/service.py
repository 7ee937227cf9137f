"""Evidence use cases: add an exhibit, see a case's exhibits, open one, record its handling.

Each use case checks the role, works in one transaction, and writes its chain-of-custody entry
and its audit entry (DPA 2018 s.62) in that same transaction, so neither can be lost alone.
"""

from __future__ import annotations

from typing import BinaryIO

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from safercity.cases import service as cases
from safercity.evidence import store
from safercity.evidence.blobs import BlobMissing, BlobStore, BlobTooLarge, StagedBlob
from safercity.evidence.model import (
    GATHERING_ROLES,
    MAX_REASON,
    CustodyEvent,
    EvidenceItem,
    EvidenceRecord,
    Handler,
    Handling,
    NewEvidence,
    audit_action,
    check_handling,
    clean_filename,
    exhibit_number,
    format_size,
    handling_problems,
    may_add,
    may_see,
    new_evidence_problems,
    sniff,
    text_problem,
    type_problem,
)
from safercity.evidence.vocabulary import CustodyAction, EvidenceKind, MediaType
from safercity.platform.audit import service as audit
from safercity.platform.audit.model import AuditAction, AuditRecord
from safercity.platform.clock import Clock
from safercity.platform.db import Database
from safercity.platform.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
)
from safercity.platform.http import require
from safercity.platform.identity import service as identity
from safercity.platform.identity.model import Agency, Permission, StaffUser

SUBJECT = "evidence"
_SAVE_ATTEMPTS = 3


def _reference(reference: str) -> str:
    normalised = reference.strip().upper()
    if not normalised or len(normalised) > 40 or not normalised.isprintable():
        raise NotFound("There is no case with this crime reference. Check the reference.")
    return normalised


def _existing_case(conn: Connection, user: StaffUser, reference: str) -> None:
    """The case must exist; police must also be of the force that may open it. Others (a
    prosecutor giving pre-charge advice) see only exhibits passed to them, case sent or not."""
    if user.role in GATHERING_ROLES:
        cases.check_case_access(conn, user, reference)
    elif not cases.exists(conn, reference):
        raise NotFound(
            f"There is no case with the crime reference {reference}. Check it and try again."
        )


def _visible_record(conn: Connection, user: StaffUser, evidence_id: int) -> EvidenceRecord:
    record = store.record(conn, evidence_id)
    if record is None:
        raise NotFound(f"There is no item of evidence {evidence_id}. Check the link.")
    _existing_case(conn, user, record.item.case_reference)
    if not may_see(user.role, user.agency_code, record.custody):
        raise Forbidden(
            f"Exhibit {record.item.exhibit_number} has not been transferred or "
            f"disclosed to {user.agency_name}. Ask the officer in the case."
        )
    return record


def _log(
    conn: Connection,
    clock: Clock,
    user: StaffUser,
    record: EvidenceRecord,
    action: CustodyAction,
    reason: str,
    recipient: str | None = None,
) -> None:
    # The detail names the exhibit and the file's digest only: no personal data.
    audit.record(
        conn,
        clock,
        AuditRecord(
            actor=user.audit_name,
            action=audit_action(action),
            subject_type=SUBJECT,
            subject_id=str(record.item.id),
            purpose=reason[:MAX_REASON],
            recipient=recipient if audit_action(action) is AuditAction.DISCLOSURE else None,
            detail=f"{action.value} exhibit {record.item.exhibit_number} of case "
            f"{record.item.case_reference}; sha256 {record.item.sha256}",
        ),
    )


def add_evidence(
    db: Database,
    clock: Clock,
    blobs: BlobStore,
    user: StaffUser,
    reference: str,
    new: NewEvidence,
    content: BinaryIO,
    max_bytes: int,
) -> EvidenceRecord:
    """Receive a file as an exhibit in a case: checked, stored by hash, its custody begun."""
    require(user, Permission.HANDLE_EVIDENCE)
    if not may_add(user.role):
        raise Forbidden(
            f"Exhibits are added by police investigators; your role "
            f"({user.role.label}) can see those passed to your agency."
        )
    if errors := new_evidence_problems(new):
        raise InvalidInput("Some answers need changing before the file can be added.", errors)
    reference = _reference(reference)
    with db.transaction() as conn:
        # Checked before the upload is copied and hashed, which may take a while.
        _existing_case(conn, user, reference)
    try:
        staged = blobs.stage(content, max_bytes)
    except BlobTooLarge as error:
        message = (
            f"The file is larger than the {format_size(error.limit)} limit for evidence. "
            "Upload a smaller file, or split a long video into parts."
        )
        raise PayloadTooLarge(message, [FieldError("file", message)]) from error
    with staged:
        kind = EvidenceKind(new.kind)
        media = sniff(staged.head)
        if problem := type_problem(kind, staged.size, media):
            raise InvalidInput(f"The file cannot be added. {problem.message}", [problem])
        assert media is not None
        return _save_new(db, clock, user, reference, new, staged, media)


def _save_new(
    db: Database,
    clock: Clock,
    user: StaffUser,
    reference: str,
    new: NewEvidence,
    staged: StagedBlob,
    media: MediaType,
) -> EvidenceRecord:
    handler, now = Handler.of(user), clock.now()
    for attempt in range(1, _SAVE_ATTEMPTS + 1):
        try:
            with db.transaction() as conn:
                _existing_case(conn, user, reference)
                seq = store.next_exhibit_seq(conn, reference)
                evidence_id = store.insert_item(
                    conn,
                    case_reference=reference,
                    exhibit_seq=seq,
                    exhibit_number=exhibit_number(seq),
                    kind=new.kind,
                    original_filename=clean_filename(new.filename),
                    media_type=media.value,
                    size_bytes=staged.size,
                    sha256=staged.sha256,
                    description=new.description.strip(),
                    added_by=handler.actor,
                    added_by_name=handler.name,
                    added_by_agency=handler.agency,
                    added_at=now,
                )
                reason = new.reason.strip()
                store.append_custody(
                    conn, evidence_id, CustodyAction.RECEIVED, now, handler, reason
                )
                record = store.record(conn, evidence_id)
                assert record is not None
                _log(conn, clock, user, record, CustodyAction.RECEIVED, reason)
                # Last, inside the transaction: if the file cannot be made durable, no record
                # is committed; if the commit fails after it, the file is an unreferenced copy.
                staged.commit()
            return record
        except IntegrityError as error:
            # Two exhibits given the same number at once (PostgreSQL): number this one again.
            if attempt == _SAVE_ATTEMPTS:
                raise Conflict(
                    "Another exhibit was being added to this case at the same "
                    "moment. Send the file again."
                ) from error
    raise AssertionError("unreachable")


def case_evidence(
    db: Database, clock: Clock, user: StaffUser, reference: str
) -> list[EvidenceRecord]:
    """The exhibits of a case that this member of staff may see, in exhibit order."""
    require(user, Permission.HANDLE_EVIDENCE)
    reference = _reference(reference)
    with db.transaction() as conn:
        _existing_case(conn, user, reference)
        records = [
            r
            for r in store.records_for_case(conn, reference)
            if may_see(user.role, user.agency_code, r.custody)
        ]
        audit.record(
            conn,
            clock,
            AuditRecord(
                actor=user.audit_name,
                action=AuditAction.CONSULTATION,
                subject_type="case",
                subject_id=reference,
                purpose="List the case's evidence",
                detail=f"evidence list: {len(records)} exhibits",
            ),
        )
    return records


def evidence_record(
    db: Database, clock: Clock, user: StaffUser, evidence_id: int
) -> EvidenceRecord:
    """One exhibit's details and its whole chain of custody."""
    require(user, Permission.HANDLE_EVIDENCE)
    with db.transaction() as conn:
        record = _visible_record(conn, user, evidence_id)
        audit.record(
            conn,
            clock,
            AuditRecord(
                actor=user.audit_name,
                action=AuditAction.CONSULTATION,
                subject_type=SUBJECT,
                subject_id=str(evidence_id),
                purpose="View the exhibit's record and custody",
                detail=f"record of exhibit {record.item.exhibit_number} of case "
                f"{record.item.case_reference}",
            ),
        )
    return record


def open_content(
    db: Database,
    clock: Clock,
    blobs: BlobStore,
    user: StaffUser,
    evidence_id: int,
    reason: str,
    action: CustodyAction = CustodyAction.DOWNLOADED,
) -> tuple[EvidenceItem, BinaryIO]:
    """Open an exhibit's file to view or download it, recording who, when and why first."""
    require(user, Permission.HANDLE_EVIDENCE)
    if action not in (CustodyAction.VIEWED, CustodyAction.DOWNLOADED):
        raise ValueError("opening a file is a view or a download")
    if problem := text_problem(
        "reason", reason, "the reason you are opening it", MAX_REASON, multiline=False
    ):
        raise InvalidInput(f"Say why you are opening this file. {problem.message}", [problem])
    with db.transaction() as conn:
        record = _visible_record(conn, user, evidence_id)
        check_handling(record, action)
        try:
            stream = blobs.open(record.item.sha256)
        except BlobMissing as error:
            raise Conflict(
                f"The stored file for exhibit {record.item.exhibit_number} is "
                "missing. Tell the evidence officer: `safercity evidence verify` "
                "lists every damaged or missing file."
            ) from error
        try:
            store.append_custody(
                conn, evidence_id, action, clock.now(), Handler.of(user), reason.strip()
            )
            _log(conn, clock, user, record, action, reason.strip())
        except BaseException:
            stream.close()
            raise
    return record.item, stream


def record_handling(
    db: Database, clock: Clock, user: StaffUser, evidence_id: int, handling: Handling
) -> EvidenceRecord:
    """Add a handling (transfer, disclosure, seal, unseal, return) to the chain of custody."""
    require(user, Permission.HANDLE_EVIDENCE)
    if errors := handling_problems(handling):
        raise InvalidInput("Some answers need changing before this can be recorded.", errors)
    action = CustodyAction(handling.action)
    recipient = (handling.recipient or "").strip() or None
    agency_code = handling.recipient_agency or None
    if agency_code is not None:
        agency = _agency(db, agency_code)
        agency_code, recipient = agency.code, recipient or agency.name
    with db.transaction() as conn:
        record = _visible_record(conn, user, evidence_id)
        check_handling(record, action)
        store.append_custody(
            conn,
            evidence_id,
            action,
            clock.now(),
            Handler.of(user),
            handling.reason.strip(),
            recipient,
            agency_code,
        )
        _log(conn, clock, user, record, action, handling.reason.strip(), recipient)
        updated = store.record(conn, evidence_id)
    assert updated is not None
    return updated


def _agency(db: Database, code: str) -> Agency:
    agencies = identity.list_agencies(db)
    for agency in agencies:
        if agency.code.upper() == code.upper():
            return agency
    known = ", ".join(a.code for a in agencies) or "none yet"
    raise InvalidInput(
        "The receiving agency is not known.",
        [
            FieldError(
                "recipient_agency", f"No agency has the code {code}. Known agencies: {known}."
            )
        ],
    )


__all__ = [
    "CustodyEvent",
    "add_evidence",
    "case_evidence",
    "evidence_record",
    "open_content",
    "record_handling",
]
