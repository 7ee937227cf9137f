"""The case page's forms: each posts one use case, then goes back to the case page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from safercity.cases import service
from safercity.cases.forms import FormState, parse_date, parse_london_datetime
from safercity.cases.page_case import case_page
from safercity.cases.vocabulary import SuspectAction
from safercity.platform.errors import Conflict, FieldError, InvalidInput
from safercity.platform.http import ContextDep, CsrfSession

action_router = APIRouter(include_in_schema=False)
T = TypeVar("T")

Reference = Annotated[str, Path(max_length=20)]
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
# Read as plain text so a wrong value is shown next to its field; bounded so a post stays small.
Short = Annotated[str, Form(max_length=400)]
Long = Annotated[str, Form(max_length=6000)]


def _do(
    request: Request,
    ctx: ContextDep,
    session: CsrfSession,
    reference: str,
    form: str,
    values: dict[str, str],
    use_case: Callable[[], object],
    done: str,
) -> Response:
    """Run a use case; on a problem show the case page again with it next to the field."""
    try:
        use_case()
    except (InvalidInput, Conflict) as error:
        state = FormState.of(form, error, values)
        return case_page(request, ctx, session.user, reference, state, error.status)
    target = f"/staff/cases/{quote(reference.strip().upper())}?done={done}#{form}"
    return RedirectResponse(target, status_code=303)


def _choice(name: str, value: str, kind: Callable[[str], T], what: str) -> T:
    try:
        return kind(value)
    except ValueError:
        raise InvalidInput(f"Choose {what}.", [FieldError(name, f"Choose {what}.")]) from None


@action_router.post("/staff/cases/{reference}/recording-decision")
def record(
    request: Request,
    reference: Reference,
    ctx: ContextDep,
    session: CsrfSession,
    decision: Short = "",
    reason: Long = "",
    offence: Short = "",
) -> Response:
    def use_case() -> None:
        chosen = _choice("decision", decision, service.RecordingDecision, "a decision")
        service.record_decision(
            ctx.db,
            ctx.clock,
            session.user,
            reference,
            decision=chosen,
            reason=reason,
            offence=offence or None,
        )

    values = {"decision": decision, "reason": reason, "offence": offence}
    return _do(request, ctx, session, reference, "record", values, use_case, "record")


@action_router.post("/staff/cases/{reference}/allocation")
def allocate(
    request: Request,
    reference: Reference,
    ctx: ContextDep,
    session: CsrfSession,
    officer: Short = "",
) -> Response:
    def use_case() -> None:
        service.allocate(ctx.db, ctx.clock, session.user, reference, officer)

    return _do(
        request, ctx, session, reference, "allocate", {"officer": officer}, use_case, "allocate"
    )


@action_router.post("/staff/cases/{reference}/log")
def add_log(
    request: Request, reference: Reference, ctx: ContextDep, session: CsrfSession, text: Long = ""
) -> Response:
    def use_case() -> None:
        service.add_log_entry(ctx.db, ctx.clock, session.user, reference, text)

    return _do(request, ctx, session, reference, "log", {"text": text}, use_case, "log")


@action_router.post("/staff/cases/{reference}/suspects")
def add_suspect(
    request: Request,
    reference: Reference,
    ctx: ContextDep,
    session: CsrfSession,
    name: Short = "",
    date_of_birth: Short = "",
) -> Response:
    def use_case() -> None:
        born = parse_date("date_of_birth", date_of_birth, required=False)
        service.add_suspect(ctx.db, ctx.clock, session.user, reference, name, born)

    values = {"name": name, "date_of_birth": date_of_birth}
    return _do(request, ctx, session, reference, "suspect", values, use_case, "suspect")


@action_router.post("/staff/cases/{reference}/suspects/{suspect_id}/actions")
def act_on_suspect(
    request: Request,
    reference: Reference,
    suspect_id: RowId,
    ctx: ContextDep,
    session: CsrfSession,
    action: Short = "",
    bail_return: Short = "",
    reason: Long = "",
) -> Response:
    def use_case() -> None:
        chosen = _choice("action", action, SuspectAction, "what was done")
        back = parse_date("bail_return", bail_return, required=chosen is SuspectAction.BAIL)
        service.act_on_suspect(
            ctx.db,
            ctx.clock,
            session.user,
            reference,
            suspect_id,
            chosen,
            bail_return=back,
            reason=reason or None,
        )

    values = {"action": action, "bail_return": bail_return, "reason": reason}
    return _do(
        request, ctx, session, reference, f"suspect-{suspect_id}", values, use_case, "action"
    )


@action_router.post("/staff/cases/{reference}/suspects/{suspect_id}/charge")
def charge(
    request: Request,
    reference: Reference,
    suspect_id: RowId,
    ctx: ContextDep,
    session: CsrfSession,
    charges: Long = "",
    prosecutor: Short = "",
) -> Response:
    def use_case() -> None:
        service.charge(
            ctx.db, ctx.clock, session.user, reference, suspect_id, charges, prosecutor or None
        )

    values = {"charges": charges, "prosecutor": prosecutor}
    return _do(request, ctx, session, reference, f"charge-{suspect_id}", values, use_case, "charge")


@action_router.post("/staff/cases/{reference}/prosecution/resubmission")
def resubmit(
    request: Request,
    reference: Reference,
    ctx: ContextDep,
    session: CsrfSession,
    response: Long = "",
) -> Response:
    def use_case() -> None:
        service.resubmit_to_prosecutor(ctx.db, ctx.clock, session.user, reference, response)

    return _do(
        request, ctx, session, reference, "resubmit", {"response": response}, use_case, "resubmit"
    )


@action_router.post("/staff/cases/{reference}/prosecution/decision")
def review(
    request: Request,
    reference: Reference,
    ctx: ContextDep,
    session: CsrfSession,
    decision: Short = "",
    text: Long = "",
) -> Response:
    def use_case() -> None:
        if decision == "accept":
            service.accept_case(ctx.db, ctx.clock, session.user, reference, text)
        elif decision == "return":
            service.return_case(ctx.db, ctx.clock, session.user, reference, text)
        else:
            raise InvalidInput(
                "Choose accept or return.", [FieldError("decision", "Choose accept or return.")]
            )

    values = {"decision": decision, "text": text}
    return _do(request, ctx, session, reference, "review", values, use_case, "review")


@action_router.post("/staff/cases/{reference}/hearings")
def list_hearing(
    request: Request,
    reference: Reference,
    ctx: ContextDep,
    session: CsrfSession,
    hearing_date: Short = "",
    hearing_time: Short = "",
    place: Short = "",
    court_name: Short = "",
) -> Response:
    def use_case() -> None:
        starts = parse_london_datetime("hearing_date", hearing_date, "hearing_time", hearing_time)
        try:
            service.list_hearing(
                ctx.db,
                ctx.clock,
                session.user,
                reference,
                starts_at=starts,
                place=place,
                court_name=court_name or None,
            )
        except InvalidInput as error:
            # The service names the instant; this form asks for it as a date and a time.
            problems = [
                FieldError("hearing_date" if p.field == "starts_at" else p.field, p.message)
                for p in error.field_errors
            ]
            raise InvalidInput(error.detail, problems) from None

    values = {
        "hearing_date": hearing_date,
        "hearing_time": hearing_time,
        "place": place,
        "court_name": court_name,
    }
    return _do(request, ctx, session, reference, "hearing", values, use_case, "hearing")


@action_router.post("/staff/cases/{reference}/hearings/{hearing_id}/result")
def court_result(
    request: Request,
    reference: Reference,
    hearing_id: RowId,
    ctx: ContextDep,
    session: CsrfSession,
    result: Short = "",
) -> Response:
    def use_case() -> None:
        service.record_court_result(ctx.db, ctx.clock, session.user, reference, hearing_id, result)

    return _do(
        request,
        ctx,
        session,
        reference,
        f"result-{hearing_id}",
        {"result": result},
        use_case,
        "result",
    )


@action_router.post("/staff/cases/{reference}/outcome")
def outcome(
    request: Request,
    reference: Reference,
    ctx: ContextDep,
    session: CsrfSession,
    outcome: Short = "",
    reason: Long = "",
) -> Response:
    def use_case() -> None:
        service.close_with_police_outcome(
            ctx.db, ctx.clock, session.user, reference, outcome, reason
        )

    values = {"outcome": outcome, "reason": reason}
    return _do(request, ctx, session, reference, "outcome", values, use_case, "outcome")


@action_router.post("/staff/cases/{reference}/victim-updates/{update_id}/told")
def mark_told(
    request: Request,
    reference: Reference,
    update_id: RowId,
    ctx: ContextDep,
    session: CsrfSession,
    how: Short = "",
) -> Response:
    def use_case() -> None:
        service.mark_told(ctx.db, ctx.clock, session.user, reference, update_id, how)

    return _do(
        request, ctx, session, reference, f"told-{update_id}", {"how": how}, use_case, "told"
    )
