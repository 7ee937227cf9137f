"""Staff pages: a case's exhibits with the upload form, and one exhibit with its chain of
custody, the way to open its file, and the form to record its handling."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from safercity.evidence import service
from safercity.evidence.http import BlobsDep, UploadRoute, file_response
from safercity.evidence.model import (
    MAX_DESCRIPTION,
    MAX_REASON,
    MAX_RECIPIENT,
    EvidenceRecord,
    Handling,
    NewEvidence,
    format_size,
    may_add,
)
from safercity.evidence.vocabulary import RECORDABLE_ACTIONS, CustodyAction, EvidenceKind
from safercity.platform.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    PayloadTooLarge,
    SaferCityError,
)
from safercity.platform.http import ContextDep, CsrfSession, PageSession, render
from safercity.platform.identity import service as identity
from safercity.platform.identity.service import BrowserSession

router = APIRouter(include_in_schema=False)
_uploads = APIRouter(include_in_schema=False, route_class=UploadRoute)

Reference = Annotated[str, Path(max_length=40)]
EvidenceId = Annotated[int, Path(ge=1, le=2_147_483_647)]
# Form fields are read as plain text, so a wrong value is shown next to its field.
Text = Annotated[str, Form(max_length=MAX_DESCRIPTION + 100)]


def case_evidence_url(reference: str) -> str:
    """The page of a case's exhibits, for the case file's page to link to."""
    return f"/staff/cases/{reference}/evidence"


def _field_errors(error: SaferCityError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for field in error.field_errors:
        errors.setdefault(field.field, field.message)
    return errors


def _case_page(
    request: Request,
    ctx: ContextDep,
    session: BrowserSession,
    reference: str,
    error: SaferCityError | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    records = service.case_evidence(ctx.db, ctx.clock, session.user, reference)
    return render(
        request,
        "evidence/case.html",
        status_code=error.status if error else 200,
        reference=reference.strip().upper(),
        records=records,
        kind_options=[(k.value, k.label) for k in EvidenceKind],
        can_add=may_add(session.user.role),
        error=error,
        errors=_field_errors(error) if error else {},
        values=values or {},
        max_size=format_size(ctx.settings.max_evidence_bytes),
        format_size=format_size,
        max_description=MAX_DESCRIPTION,
        max_reason=MAX_REASON,
    )


@router.get("/staff/cases/{reference}/evidence")
def case_evidence_page(
    request: Request, reference: Reference, ctx: ContextDep, session: PageSession
) -> Response:
    return _case_page(request, ctx, session, reference)


@_uploads.post("/staff/cases/{reference}/evidence")
def upload_page(
    request: Request,
    reference: Reference,
    ctx: ContextDep,
    session: CsrfSession,
    blobs: BlobsDep,
    file: Annotated[UploadFile | None, File()] = None,
    kind: Annotated[str, Form(max_length=40)] = "",
    description: Text = "",
    reason: Text = "",
) -> Response:
    values = {"kind": kind, "description": description, "reason": reason}
    try:
        if file is None or not file.filename:
            raise InvalidInput(
                "Choose the file to add.", [FieldError("file", "Choose the file to add.")]
            )
        new = NewEvidence(kind=kind, filename=file.filename, description=description, reason=reason)
        record = service.add_evidence(
            ctx.db,
            ctx.clock,
            blobs,
            session.user,
            reference,
            new,
            file.file,
            ctx.settings.max_evidence_bytes,
        )
    except (InvalidInput, PayloadTooLarge) as error:
        return _case_page(request, ctx, session, reference, error, values)
    return RedirectResponse(f"/staff/evidence/{record.item.id}", status_code=303)


router.include_router(_uploads)


def _item_page(
    request: Request,
    ctx: ContextDep,
    record: EvidenceRecord,
    error: SaferCityError | None = None,
    form: str = "",
    values: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "evidence/item.html",
        status_code=error.status if error else 200,
        record=record,
        item=record.item,
        status=record.status,
        action_options=[(a.value, a.label) for a in RECORDABLE_ACTIONS],
        agency_options=[(a.code, a.name) for a in identity.list_agencies(ctx.db)],
        error=error,
        errors=_field_errors(error) if error else {},
        form=form,
        values=values or {},
        format_size=format_size,
        max_reason=MAX_REASON,
        max_recipient=MAX_RECIPIENT,
        case_url=f"/staff/cases/{record.item.case_reference}",
        evidence_url=case_evidence_url(record.item.case_reference),
    )


@router.get("/staff/evidence/{evidence_id}")
def item_page(
    request: Request, evidence_id: EvidenceId, ctx: ContextDep, session: PageSession
) -> Response:
    record = service.evidence_record(ctx.db, ctx.clock, session.user, evidence_id)
    return _item_page(request, ctx, record)


@router.post("/staff/evidence/{evidence_id}/content")
def open_file(
    request: Request,
    evidence_id: EvidenceId,
    ctx: ContextDep,
    session: CsrfSession,
    blobs: BlobsDep,
    reason: Text = "",
    mode: Annotated[str, Form(max_length=20)] = "download",
) -> Response:
    """Opening the file is a POST: it adds to the chain of custody, so it needs the CSRF token."""
    action = CustodyAction.VIEWED if mode == "view" else CustodyAction.DOWNLOADED
    try:
        item, stream = service.open_content(
            ctx.db, ctx.clock, blobs, session.user, evidence_id, reason, action
        )
    except (InvalidInput, Conflict) as error:
        record = service.evidence_record(ctx.db, ctx.clock, session.user, evidence_id)
        return _item_page(request, ctx, record, error, "open", {"reason": reason})
    return file_response(item, stream, inline=action is CustodyAction.VIEWED)


@router.post("/staff/evidence/{evidence_id}/custody")
def record_handling(
    request: Request,
    evidence_id: EvidenceId,
    ctx: ContextDep,
    session: CsrfSession,
    action: Annotated[str, Form(max_length=20)] = "",
    reason: Text = "",
    recipient: Text = "",
    recipient_agency: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    handling = Handling(
        action=action,
        reason=reason,
        recipient=recipient or None,
        recipient_agency=recipient_agency or None,
    )
    try:
        service.record_handling(ctx.db, ctx.clock, session.user, evidence_id, handling)
    except (InvalidInput, Conflict) as error:
        record = service.evidence_record(ctx.db, ctx.clock, session.user, evidence_id)
        values = {
            "action": action,
            "reason": reason,
            "recipient": recipient,
            "recipient_agency": recipient_agency,
        }
        return _item_page(request, ctx, record, error, "custody", values)
    return RedirectResponse(f"/staff/evidence/{evidence_id}#custody", status_code=303)
