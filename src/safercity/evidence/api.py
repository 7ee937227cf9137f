"""The evidence API, for staff only: upload an exhibit, list a case's exhibits, read one with its
chain of custody, download its file, record its handling."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from safercity.evidence import service
from safercity.evidence.http import BlobsDep, UploadRoute, file_response
from safercity.evidence.model import (
    MAX_DESCRIPTION,
    MAX_REASON,
    MAX_RECIPIENT,
    CustodyEvent,
    EvidenceRecord,
    Handler,
    Handling,
    NewEvidence,
)
from safercity.evidence.vocabulary import CustodyAction, EvidenceKind, MediaType
from safercity.platform.http import ApiUser, ContextDep

_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What went wrong and what to do about it."},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
# Every error is an RFC 9457 problem document; saying so keeps the schema honest for clients.
PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {
        "description": description,
        "content": {"application/problem+json": {"schema": _PROBLEM_SCHEMA}},
    }
    for status, description in (
        (400, "The request could not be read."),
        (401, "No valid bearer token."),
        (403, "The role or agency may not do this."),
        (404, "No such case or exhibit."),
        (409, "The exhibit's custody does not allow this now (e.g. sealed)."),
        (413, "The file is over the size limit."),
        (422, "Some input is not valid; `errors` names each field."),
    )
}

router = APIRouter(tags=["evidence"], responses=PROBLEMS)
_uploads = APIRouter(tags=["evidence"], route_class=UploadRoute, responses=PROBLEMS)

Reference = Annotated[
    str, Path(max_length=40, description="The case's crime reference.", examples=["SC-7K3M-9Q2D"])
]
EvidenceId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The item's number.")]
Reason = Annotated[str, Field(min_length=3, max_length=MAX_REASON)]
RecordableAction = Literal["transferred", "disclosed", "sealed", "unsealed", "returned"]


class HandlerOut(BaseModel):
    username: str = Field(description="username@AGENCY, as the audit log names them.")
    name: str
    agency: str

    @classmethod
    def of(cls, handler: Handler) -> HandlerOut:
        return cls(username=handler.actor, name=handler.name, agency=handler.agency)


class CustodyEventOut(BaseModel):
    id: int
    action: CustodyAction
    action_label: str
    at: datetime
    handled_by: HandlerOut
    reason: str
    recipient: str | None
    recipient_agency: str | None

    @classmethod
    def of(cls, event: CustodyEvent) -> CustodyEventOut:
        return cls(
            id=event.id,
            action=event.action,
            action_label=event.action.label,
            at=event.at,
            handled_by=HandlerOut.of(event.handler),
            reason=event.reason,
            recipient=event.recipient,
            recipient_agency=event.recipient_agency,
        )


class EvidenceOut(BaseModel):
    id: int
    case_reference: str
    exhibit_number: str = Field(examples=["SC/1"])
    kind: EvidenceKind
    kind_label: str
    original_filename: str
    media_type: MediaType = Field(description="Recognised from the file's content on upload.")
    size_bytes: int
    sha256: str = Field(description="The SHA-256 of the content; the file is stored under it.")
    description: str
    added_by: HandlerOut
    added_at: datetime
    custody_status: str = Field(examples=["Sealed, held by Metropolitan Police Service"])
    sealed: bool
    returned: bool
    content_url: str

    @classmethod
    def fields_of(cls, record: EvidenceRecord) -> dict[str, Any]:
        item, status = record.item, record.status
        return {
            "id": item.id,
            "case_reference": item.case_reference,
            "exhibit_number": item.exhibit_number,
            "kind": item.kind,
            "kind_label": item.kind.label,
            "original_filename": item.original_filename,
            "media_type": item.media_type,
            "size_bytes": item.size_bytes,
            "sha256": item.sha256,
            "description": item.description,
            "added_by": HandlerOut.of(item.added_by),
            "added_at": item.added_at,
            "custody_status": status.label,
            "sealed": status.sealed,
            "returned": status.returned,
            "content_url": f"/api/v1/evidence/{item.id}/content",
        }

    @classmethod
    def of(cls, record: EvidenceRecord) -> EvidenceOut:
        return cls(**cls.fields_of(record))


class EvidenceDetailOut(EvidenceOut):
    custody: list[CustodyEventOut] = Field(description="The chain of custody, oldest first.")

    @classmethod
    def of(cls, record: EvidenceRecord) -> EvidenceDetailOut:
        return cls(**cls.fields_of(record), custody=[CustodyEventOut.of(e) for e in record.custody])


class EvidenceListOut(BaseModel):
    data: list[EvidenceOut]
    count: int


class CustodyEventCreate(BaseModel):
    """A handling of the exhibit to add to its chain of custody."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "action": "disclosed",
                    "reason": "Pre-charge advice file sent to the reviewing lawyer",
                    "recipient": "Crown Prosecution Service London",
                    "recipient_agency": "CPS-LDN",
                }
            ]
        }
    )

    action: RecordableAction
    reason: Reason
    recipient: Annotated[
        str | None,
        Field(
            max_length=MAX_RECIPIENT, description="Who received it, for a transfer or a disclosure."
        ),
    ] = None
    recipient_agency: Annotated[
        str | None,
        Field(
            max_length=40,
            description="The receiving agency's code; its staff may then see the exhibit.",
        ),
    ] = None


_UPLOAD_EXAMPLE = {
    "file": "(the file's bytes: a JPEG, PNG, WebP, MP4, MOV or PDF)",
    "kind": "cctv_still",
    "description": "Still from the shop's CCTV, camera 2, 21:14, showing a man at the door.",
    "reason": "Seized from the shop's CCTV system with the manager's consent",
}
_UPLOAD_DOCS: dict[str, Any] = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {"examples": [_UPLOAD_EXAMPLE]},
                "example": _UPLOAD_EXAMPLE,
            }
        }
    }
}
_FILE_TYPES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file, exactly as received.",
        "content": {m.value: {"schema": {"type": "string", "format": "binary"}} for m in MediaType},
    }
}


@_uploads.post(
    "/api/v1/cases/{reference}/evidence",
    status_code=201,
    response_model=EvidenceDetailOut,
    summary="Add an exhibit to a case",
    openapi_extra=_UPLOAD_DOCS,
)
def upload_evidence(
    reference: Reference,
    ctx: ContextDep,
    user: ApiUser,
    blobs: BlobsDep,
    response: Response,
    file: Annotated[UploadFile, File(description="The file. Its type is judged by content.")],
    kind: Annotated[EvidenceKind, Form(description="What the file is.")],
    description: Annotated[str, Form(max_length=MAX_DESCRIPTION)],
    reason: Annotated[
        str, Form(max_length=MAX_REASON, description="Why it is being added (the custody record).")
    ],
) -> EvidenceDetailOut:
    """Upload a photo, CCTV still, body-worn video or document as an exhibit. The file's type
    is checked from its content against `kind`; it is stored under its SHA-256, and its chain
    of custody starts with this upload."""
    new = NewEvidence(
        kind=kind.value, filename=file.filename, description=description, reason=reason
    )
    record = service.add_evidence(
        ctx.db, ctx.clock, blobs, user, reference, new, file.file, ctx.settings.max_evidence_bytes
    )
    response.headers["Location"] = f"/api/v1/evidence/{record.item.id}"
    return EvidenceDetailOut.of(record)


router.include_router(_uploads)


@router.get(
    "/api/v1/cases/{reference}/evidence",
    response_model=EvidenceListOut,
    summary="List a case's exhibits",
)
def list_evidence(reference: Reference, ctx: ContextDep, user: ApiUser) -> EvidenceListOut:
    records = service.case_evidence(ctx.db, ctx.clock, user, reference)
    return EvidenceListOut(data=[EvidenceOut.of(r) for r in records], count=len(records))


@router.get(
    "/api/v1/evidence/{evidence_id}",
    response_model=EvidenceDetailOut,
    summary="An exhibit and its chain of custody",
)
def get_evidence(evidence_id: EvidenceId, ctx: ContextDep, user: ApiUser) -> EvidenceDetailOut:
    return EvidenceDetailOut.of(service.evidence_record(ctx.db, ctx.clock, user, evidence_id))


@router.get(
    "/api/v1/evidence/{evidence_id}/content",
    response_class=StreamingResponse,
    responses=_FILE_TYPES,
    summary="Download or view an exhibit's file",
)
def get_content(
    evidence_id: EvidenceId,
    ctx: ContextDep,
    user: ApiUser,
    blobs: BlobsDep,
    reason: Annotated[
        str,
        Query(
            min_length=3,
            max_length=MAX_REASON,
            description="Why you are opening it (the custody record).",
        ),
    ],
    disposition: Annotated[
        Literal["attachment", "inline"], Query(description="inline to view in the browser.")
    ] = "attachment",
) -> StreamingResponse:
    """The file as stored. Each opening is added to the chain of custody and the audit log."""
    inline = disposition == "inline"
    action = CustodyAction.VIEWED if inline else CustodyAction.DOWNLOADED
    item, stream = service.open_content(ctx.db, ctx.clock, blobs, user, evidence_id, reason, action)
    return file_response(item, stream, inline)


@router.post(
    "/api/v1/evidence/{evidence_id}/custody",
    status_code=201,
    response_model=EvidenceDetailOut,
    summary="Record a handling of an exhibit",
)
def add_custody_event(
    evidence_id: EvidenceId, body: CustodyEventCreate, ctx: ContextDep, user: ApiUser
) -> EvidenceDetailOut:
    """Record a transfer, a disclosure, a seal, an unseal or a return, with its reason."""
    handling = Handling(
        action=body.action,
        reason=body.reason,
        recipient=body.recipient,
        recipient_agency=body.recipient_agency,
    )
    return EvidenceDetailOut.of(
        service.record_handling(ctx.db, ctx.clock, user, evidence_id, handling)
    )
