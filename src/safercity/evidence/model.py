"""Items of evidence in a case, the rules for accepting their files, and their chain of custody.

An item of evidence (an "exhibit") is a file attached to a case: a photograph, a CCTV still,
body-worn video, a document. Its content is identified by its SHA-256, so any later change to
the stored file shows. Its chain of custody is the unbroken, append-only list of everyone who
handled it, when and why, from the moment it was received; a gap or an unexplained handling
can make evidence inadmissible (PACE 1984 Code B; CPS Disclosure Manual). Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from safercity.evidence.vocabulary import (
    RECORDABLE_ACTIONS,
    CustodyAction,
    EvidenceKind,
    MediaType,
)
from safercity.platform.audit.model import AuditAction
from safercity.platform.errors import Conflict, FieldError
from safercity.platform.identity.model import Role, StaffUser

EXHIBIT_PREFIX = "SC"
MAX_DESCRIPTION = 2000
MAX_REASON = 200  # fits the audit log's purpose column, where the reason is the justification
MAX_RECIPIENT = 200
MAX_FILENAME = 200
AGENCY_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")

ACCEPTED_TYPES: dict[EvidenceKind, tuple[MediaType, ...]] = {
    EvidenceKind.PHOTO: (MediaType.JPEG, MediaType.PNG, MediaType.WEBP),
    EvidenceKind.CCTV_STILL: (MediaType.JPEG, MediaType.PNG, MediaType.WEBP),
    EvidenceKind.BODY_WORN_VIDEO: (MediaType.MP4, MediaType.QUICKTIME),
    # Paper statements are often photographed or scanned to an image.
    EvidenceKind.DOCUMENT: (MediaType.PDF, MediaType.JPEG, MediaType.PNG),
    EvidenceKind.OTHER: tuple(MediaType),
}

# ISO base media files whose brand says "still image" (HEIF, AVIF), not video.
_IMAGE_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"mif1", b"msf1", b"avif", b"avis"})
# Top-level atoms an old QuickTime movie may start with instead of "ftyp".
_QUICKTIME_ATOMS = frozenset({b"moov", b"mdat", b"wide"})

# Police roles that seize and handle exhibits; the prosecutor sees what is passed to them.
GATHERING_ROLES = frozenset({Role.INVESTIGATOR, Role.SUPERVISOR})
_PASSED_ON = (CustodyAction.TRANSFERRED, CustodyAction.DISCLOSED)


def sniff(head: bytes) -> MediaType | None:
    """The file's format judged by its first bytes, never by its name or a declared type."""
    if head.startswith(b"\xff\xd8\xff"):
        return MediaType.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return MediaType.PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return MediaType.WEBP
    if head.startswith(b"%PDF-"):
        return MediaType.PDF
    box = head[4:8]
    if box == b"ftyp" and len(head) >= 12:
        brand = head[8:12]
        if brand == b"qt  ":
            return MediaType.QUICKTIME
        return None if brand in _IMAGE_BRANDS else MediaType.MP4
    if box in _QUICKTIME_ATOMS:
        return MediaType.QUICKTIME
    return None


def type_problem(kind: EvidenceKind, size: int, media: MediaType | None) -> FieldError | None:
    """Why a file cannot be accepted as this kind of evidence, or None when it can."""
    if size == 0:
        return FieldError("file", "The file is empty. Choose the file again.")
    if media is None:
        return FieldError(
            "file",
            "This file is not a JPEG, PNG or WebP image, an MP4 or MOV video or a PDF (judged "
            "by its content, not its name). Save it in one of these formats and upload it again.",
        )
    if media not in ACCEPTED_TYPES[kind]:
        labels = [m.label for m in ACCEPTED_TYPES[kind]]
        allowed = ", ".join(labels[:-1]) + " or " + labels[-1] if len(labels) > 1 else labels[0]
        return FieldError(
            "file",
            f"This file is a {media.label}, but the kind chosen ({kind.label}) must be a "
            f"{allowed}. Choose the right kind, or the right file.",
        )
    return None


def exhibit_number(seq: int) -> str:
    """An exhibit's label within its case, e.g. SC/1, SC/2 in the order they were received."""
    return f"{EXHIBIT_PREFIX}/{seq}"


def _control(text: str, allow_newlines: bool) -> bool:
    """Control characters, and lone surrogates that no database can store as UTF-8."""
    allowed = "\n\r\t" if allow_newlines else ""
    return any(
        ((ord(c) < 32 or ord(c) == 127) and c not in allowed) or 0xD800 <= ord(c) <= 0xDFFF
        for c in text
    )


def clean_filename(name: str | None) -> str:
    """The file's name as the uploader had it, without any folder and control characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in base if not _control(c, allow_newlines=False)).strip()
    return base[-MAX_FILENAME:] or "unnamed"


def text_problem(
    field: str, text: str, what: str, longest: int, multiline: bool
) -> FieldError | None:
    """The one thing wrong with a piece of required free text, or None."""
    if len(text.strip()) < 3:
        return FieldError(field, f"Give {what} in at least 3 characters.")
    if len(text) > longest:
        return FieldError(field, f"Shorten this to at most {longest} characters.")
    if _control(text, allow_newlines=multiline):
        return FieldError(field, "Remove control characters and invalid characters from this text.")
    return None


@dataclass(frozen=True)
class NewEvidence:
    """An officer's upload, as typed, before the file itself is looked at."""

    kind: str
    filename: str | None
    description: str
    reason: str


def new_evidence_problems(new: NewEvidence) -> list[FieldError]:
    errors: list[FieldError] = []
    if new.kind not in EvidenceKind.__members__.values():
        kinds = ", ".join(k.value for k in EvidenceKind)
        errors.append(FieldError("kind", f"Choose what the file is: one of {kinds}."))
    problems = (
        text_problem(
            "description",
            new.description,
            "a description of what this shows",
            MAX_DESCRIPTION,
            multiline=True,
        ),
        text_problem(
            "reason", new.reason, "the reason you are adding it", MAX_REASON, multiline=False
        ),
    )
    return errors + [p for p in problems if p is not None]


@dataclass(frozen=True)
class Handling:
    """A handling of an exhibit that a person records: a transfer, a disclosure, a seal..."""

    action: str
    reason: str
    recipient: str | None = None
    recipient_agency: str | None = None


def handling_problems(handling: Handling) -> list[FieldError]:
    errors: list[FieldError] = []
    if handling.action not in {a.value for a in RECORDABLE_ACTIONS}:
        actions = ", ".join(a.value for a in RECORDABLE_ACTIONS)
        errors.append(FieldError("action", f"Choose what happened: one of {actions}."))
    if problem := text_problem("reason", handling.reason, "the reason", MAX_REASON, False):
        errors.append(problem)
    recipient = handling.recipient or ""
    agency = handling.recipient_agency or ""
    if len(recipient) > MAX_RECIPIENT or _control(recipient, allow_newlines=False):
        errors.append(
            FieldError(
                "recipient",
                f"Give the recipient in at most {MAX_RECIPIENT} characters of plain text.",
            )
        )
    if agency and not AGENCY_CODE_PATTERN.match(agency):
        errors.append(FieldError("recipient_agency", "Give the agency's code, e.g. CPS-LDN."))
    passed_on = handling.action in {a.value for a in _PASSED_ON}
    if passed_on and not recipient.strip() and not agency:
        errors.append(
            FieldError(
                "recipient", "Say who received it: an agency, or a person and their organisation."
            )
        )
    return errors


@dataclass(frozen=True)
class Handler:
    """Who handled an exhibit, as the chain of custody names them."""

    actor: str  # username@AGENCY, as in the audit log
    name: str
    agency: str

    @classmethod
    def of(cls, user: StaffUser) -> Handler:
        return cls(actor=user.audit_name, name=user.display_name, agency=user.agency_name)


@dataclass(frozen=True)
class CustodyEvent:
    """One link in the chain of custody. Never changed or removed once recorded."""

    id: int
    action: CustodyAction
    at: datetime
    handler: Handler
    reason: str
    recipient: str | None = None
    recipient_agency: str | None = None


@dataclass(frozen=True)
class EvidenceItem:
    id: int
    case_reference: str
    exhibit_number: str
    kind: EvidenceKind
    original_filename: str
    media_type: MediaType
    size_bytes: int
    sha256: str
    description: str
    added_by: Handler
    added_at: datetime


@dataclass(frozen=True)
class CustodyStatus:
    """Where an exhibit stands now, following its chain of custody from the start."""

    holder: str
    sealed: bool
    returned: bool

    @property
    def label(self) -> str:
        if self.returned:
            return f"Returned to {self.holder}"
        return f"{'Sealed, held' if self.sealed else 'Held'} by {self.holder}"


def custody_status(events: Iterable[CustodyEvent]) -> CustodyStatus:
    holder, sealed, returned = "", False, False
    for event in events:
        if event.action is CustodyAction.RECEIVED:
            holder = event.handler.agency
        elif event.action is CustodyAction.TRANSFERRED:
            holder = event.recipient or holder
        elif event.action in (CustodyAction.SEALED, CustodyAction.UNSEALED):
            sealed = event.action is CustodyAction.SEALED
        elif event.action is CustodyAction.RETURNED:
            returned, holder = True, event.recipient or "its owner"
    return CustodyStatus(holder=holder, sealed=sealed, returned=returned)


@dataclass(frozen=True)
class EvidenceRecord:
    """An exhibit with its whole chain of custody, oldest first."""

    item: EvidenceItem
    custody: tuple[CustodyEvent, ...]

    @property
    def status(self) -> CustodyStatus:
        return custody_status(self.custody)


_OPENING = (CustodyAction.VIEWED, CustodyAction.DOWNLOADED, CustodyAction.DISCLOSED)


def check_handling(record: EvidenceRecord, action: CustodyAction) -> None:
    """Raise Conflict when the exhibit's state does not allow this handling now."""
    status, exhibit = record.status, record.item.exhibit_number
    if status.returned and action not in (CustodyAction.VIEWED, CustodyAction.DOWNLOADED):
        raise Conflict(
            f"Exhibit {exhibit} was returned to {status.holder}; only its retained "
            "copy can be viewed or downloaded now."
        )
    if status.sealed and action in _OPENING:
        raise Conflict(
            f"Exhibit {exhibit} is sealed. Record that it was unsealed, and why, "
            "before opening or disclosing it."
        )
    if status.sealed and action is CustodyAction.SEALED:
        raise Conflict(f"Exhibit {exhibit} is already sealed.")
    if not status.sealed and action is CustodyAction.UNSEALED:
        raise Conflict(f"Exhibit {exhibit} is not sealed, so it cannot be unsealed.")


def may_add(role: Role) -> bool:
    """Exhibits are seized and added by police investigators and their supervisors."""
    return role in GATHERING_ROLES


def may_see(role: Role, agency_code: str, custody: Sequence[CustodyEvent]) -> bool:
    """Police handlers see every exhibit; anyone else only what was passed to their agency."""
    if role in GATHERING_ROLES:
        return True
    return any(
        event.action in _PASSED_ON and event.recipient_agency == agency_code for event in custody
    )


def audit_action(action: CustodyAction) -> AuditAction:
    """How a handling counts in the audit log of personal-data processing (DPA 2018 s.62)."""
    return {
        CustodyAction.RECEIVED: AuditAction.COLLECTION,
        CustodyAction.VIEWED: AuditAction.CONSULTATION,
        CustodyAction.DOWNLOADED: AuditAction.CONSULTATION,
        CustodyAction.TRANSFERRED: AuditAction.DISCLOSURE,
        CustodyAction.DISCLOSED: AuditAction.DISCLOSURE,
        CustodyAction.SEALED: AuditAction.ALTERATION,
        CustodyAction.UNSEALED: AuditAction.ALTERATION,
        CustodyAction.RETURNED: AuditAction.ALTERATION,
    }[action]


def format_size(size: int) -> str:
    """A size as people read it: 812 bytes, 14.2 KB, 3.5 MB, 1.2 GB (powers of 1024)."""
    if size < 1024:
        return f"{size} bytes"
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            break
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"
