"""The staff case API: the same use cases as the case pages, over JSON with a bearer token."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from safercity.cases import service
from safercity.cases.api_views import case_public, summary_public
from safercity.cases.schemas import (
    AllocationCreate,
    CasePublic,
    CasesPublic,
    ChargeCreate,
    CourtResultCreate,
    HearingCreate,
    HearingCreated,
    LogEntryCreate,
    OutcomeCreate,
    ProsecutionDecisionCreate,
    RecordingDecisionCreate,
    ResubmissionCreate,
    SuspectActionCreate,
    SuspectCreate,
    SuspectCreated,
    ToldCreate,
    VictimUpdatePublic,
    VictimUpdatesPublic,
)
from safercity.platform.http import ApiUser, ContextDep

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])

Reference = Annotated[str, Path(max_length=20, description="The crime reference, SC-XXXX-XXXX.")]
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Queue = Literal["triage", "unallocated", "mine", "open", "prosecution", "court"]


@router.get("", response_model=CasesPublic, summary="A queue of cases")
def list_cases(
    ctx: ContextDep, user: ApiUser, queue: Annotated[Queue, Query(description="Which work queue.")]
) -> CasesPublic:
    """Cases in one of your role's work queues (triage is oldest first, with its NCRS clock)."""
    db, clock = ctx.db, ctx.clock
    if queue == "triage":
        data = [
            summary_public(i.case, clock=i.clock) for i in service.triage_queue(db, clock, user)
        ]
    elif queue == "mine":
        data = [summary_public(i.case, requests=i.requests) for i in service.my_cases(db, user)]
    else:
        rows = {
            "unallocated": lambda: service.allocation_queue(db, user),
            "open": lambda: service.force_cases(db, user),
            "prosecution": lambda: service.prosecutor_queue(db, user),
            "court": lambda: service.court_queue(db, clock, user).to_list,
        }[queue]()
        data = [summary_public(row) for row in rows]
    return CasesPublic(data=data, count=len(data))


@router.get(
    "/victim-updates",
    response_model=VictimUpdatesPublic,
    summary="Victim updates owed under the Victims' Code",
)
def victim_updates(
    ctx: ContextDep,
    user: ApiUser,
    scope: Annotated[Literal["due", "all"], Query(description="due: overdue or due today.")],
) -> VictimUpdatesPublic:
    if scope == "due":
        rows = service.updates_needing_attention(ctx.db, ctx.clock, user)
    else:
        rows = service.recent_updates(ctx.db, ctx.clock, user)
    now = ctx.clock.now()
    data = [VictimUpdatePublic.of(row, now) for row in rows]
    return VictimUpdatesPublic(data=data, count=len(data))


def _case(ctx: ContextDep, user: ApiUser, reference: str) -> CasePublic:
    view = service.staff_case(ctx.db, ctx.clock, user, reference)
    return case_public(view, service.actions_for(user, view), ctx.clock.now())


@router.get("/{reference}", response_model=CasePublic, summary="A case file")
def get_case(reference: Reference, ctx: ContextDep, user: ApiUser) -> CasePublic:
    """The case file as your role sees it, with the actions you may take on it now."""
    return _case(ctx, user, reference)


@router.post(
    "/{reference}/recording-decision",
    response_model=CasePublic,
    summary="Record the report as a crime, or not",
)
def record_decision(
    reference: Reference, body: RecordingDecisionCreate, ctx: ContextDep, user: ApiUser
) -> CasePublic:
    service.record_decision(
        ctx.db,
        ctx.clock,
        user,
        reference,
        decision=service.RecordingDecision(body.decision),
        reason=body.reason,
        offence=body.offence,
    )
    return _case(ctx, user, reference)


@router.post(
    "/{reference}/allocation", response_model=CasePublic, summary="Allocate the case to an officer"
)
def allocate(
    reference: Reference, body: AllocationCreate, ctx: ContextDep, user: ApiUser
) -> CasePublic:
    service.allocate(ctx.db, ctx.clock, user, reference, body.officer)
    return _case(ctx, user, reference)


@router.post(
    "/{reference}/log",
    response_model=CasePublic,
    status_code=201,
    summary="Write in the investigation log",
)
def add_log(
    reference: Reference, body: LogEntryCreate, ctx: ContextDep, user: ApiUser
) -> CasePublic:
    service.add_log_entry(ctx.db, ctx.clock, user, reference, body.text)
    return _case(ctx, user, reference)


@router.post(
    "/{reference}/suspects", response_model=SuspectCreated, status_code=201, summary="Add a suspect"
)
def add_suspect(
    reference: Reference, body: SuspectCreate, ctx: ContextDep, user: ApiUser
) -> SuspectCreated:
    suspect_id = service.add_suspect(
        ctx.db, ctx.clock, user, reference, body.name, body.date_of_birth
    )
    return SuspectCreated(id=suspect_id)


@router.post(
    "/{reference}/suspects/{suspect_id}/actions",
    response_model=CasePublic,
    summary="Arrest, interview, bail, release under investigation, or take no action",
)
def act_on_suspect(
    reference: Reference,
    suspect_id: RowId,
    body: SuspectActionCreate,
    ctx: ContextDep,
    user: ApiUser,
) -> CasePublic:
    service.act_on_suspect(
        ctx.db,
        ctx.clock,
        user,
        reference,
        suspect_id,
        body.action,
        bail_return=body.bail_return,
        reason=body.reason,
    )
    return _case(ctx, user, reference)


@router.post(
    "/{reference}/suspects/{suspect_id}/charge",
    response_model=CasePublic,
    summary="Charge a suspect and hand the file to the prosecutor",
)
def charge(
    reference: Reference, suspect_id: RowId, body: ChargeCreate, ctx: ContextDep, user: ApiUser
) -> CasePublic:
    service.charge(ctx.db, ctx.clock, user, reference, suspect_id, body.charges, body.prosecutor)
    return _case(ctx, user, reference)


@router.post(
    "/{reference}/prosecution/resubmission",
    response_model=CasePublic,
    summary="Send a returned file back to the prosecutor",
)
def resubmit(
    reference: Reference, body: ResubmissionCreate, ctx: ContextDep, user: ApiUser
) -> CasePublic:
    service.resubmit_to_prosecutor(ctx.db, ctx.clock, user, reference, body.response)
    return _case(ctx, user, reference)


@router.post(
    "/{reference}/prosecution/decision",
    response_model=CasePublic,
    summary="The prosecutor accepts the file, or returns it with requests",
)
def prosecution_decision(
    reference: Reference, body: ProsecutionDecisionCreate, ctx: ContextDep, user: ApiUser
) -> CasePublic:
    if body.decision == "accept":
        service.accept_case(ctx.db, ctx.clock, user, reference, body.text)
    else:
        service.return_case(ctx.db, ctx.clock, user, reference, body.text)
    return _case(ctx, user, reference)


@router.post(
    "/{reference}/hearings",
    response_model=HearingCreated,
    status_code=201,
    summary="List a hearing",
)
def list_hearing(
    reference: Reference, body: HearingCreate, ctx: ContextDep, user: ApiUser
) -> HearingCreated:
    hearing_id = service.list_hearing(
        ctx.db,
        ctx.clock,
        user,
        reference,
        starts_at=body.starts_at,
        place=body.place,
        court_name=body.court_name,
    )
    return HearingCreated(id=hearing_id)


@router.post(
    "/{reference}/hearings/{hearing_id}/result",
    response_model=CasePublic,
    summary="Record the court's result",
)
def court_result(
    reference: Reference, hearing_id: RowId, body: CourtResultCreate, ctx: ContextDep, user: ApiUser
) -> CasePublic:
    service.record_court_result(ctx.db, ctx.clock, user, reference, hearing_id, body.result)
    return _case(ctx, user, reference)


@router.post(
    "/{reference}/outcome",
    response_model=CasePublic,
    summary="Close the case with a police outcome",
)
def outcome(
    reference: Reference, body: OutcomeCreate, ctx: ContextDep, user: ApiUser
) -> CasePublic:
    service.close_with_police_outcome(ctx.db, ctx.clock, user, reference, body.outcome, body.reason)
    return _case(ctx, user, reference)


@router.post(
    "/{reference}/victim-updates/{update_id}/told",
    response_model=CasePublic,
    summary="Say a victim update was given by phone, letter or in person",
)
def mark_told(
    reference: Reference, update_id: RowId, body: ToldCreate, ctx: ContextDep, user: ApiUser
) -> CasePublic:
    service.mark_told(ctx.db, ctx.clock, user, reference, update_id, body.how)
    return _case(ctx, user, reference)
