"""The safeguarding hub in the browser: find a person, read what the agreements let you see for
the purpose you state, add to the record, assess risk, refer, run Marac, review the audit.

Every page calls the same service functions as the API, so the same policy decision point and
audit log stand behind both. No person's record is read until a purpose is chosen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from safercity.platform.errors import FieldError, InvalidInput, SaferCityError
from safercity.platform.http import ContextDep, CsrfSession, PageSession, render
from safercity.platform.identity.model import Permission, Role, StaffUser
from safercity.safeguarding import service
from safercity.safeguarding.agreements import Purpose, RecordCategory
from safercity.safeguarding.model import KINDS, Flag, RecordKind, clean_values
from safercity.safeguarding.policy import SharingPolicy, parse_purpose
from safercity.safeguarding.risk import MissingAssessment, load_dash_checklist

router = APIRouter(include_in_schema=False)

HOME = "/safeguarding"
PersonRef = Annotated[str, Path(min_length=3, max_length=40)]
ItemId = Annotated[int, Path(ge=1, le=2_147_483_647)]
OptionalText = Annotated[str, Form(max_length=4000)]

PURPOSE_LABELS = {
    Purpose.SAFEGUARDING_CHILD: "Safeguarding a child",
    Purpose.SAFEGUARDING_ADULT: "Safeguarding an adult at risk",
    Purpose.DOMESTIC_ABUSE_MARAC: "Domestic abuse (Marac)",
    Purpose.MISSING_PERSON: "A missing person",
    Purpose.MENTAL_HEALTH_CRISIS: "A mental-health crisis",
    Purpose.PUBLIC_PROTECTION_MAPPA: "Public protection (MAPPA)",
    Purpose.CHILD_EXPLOITATION: "Child exploitation",
    Purpose.SUBJECT_ACCESS: "A subject access request",
    Purpose.RETENTION: "Retention review",
}
CATEGORY_LABELS = {
    RecordCategory.IDENTITY: "Identity",
    RecordCategory.FLAGS: "Flags",
    RecordCategory.CONTACTS: "Key contacts",
    RecordCategory.CHRONOLOGY: "Chronology",
    RecordCategory.RISK_ASSESSMENTS: "Risk assessments",
    RecordCategory.HEALTH: "Health",
    RecordCategory.CRIMINAL_HISTORY: "Criminal history",
    RecordCategory.EDUCATION: "Education",
    RecordCategory.REFERRALS: "Referrals",
}
# The record kinds offered on the person page, with the form's fields in order.
ADDABLE = (
    RecordKind.FLAG,
    RecordKind.EVENT,
    RecordKind.CONTACT,
    RecordKind.HEALTH_NOTE,
    RecordKind.OFFENCE,
    RecordKind.EDUCATION_NOTE,
)
ADD_LABELS = {
    RecordKind.FLAG: "a flag",
    RecordKind.EVENT: "a chronology event",
    RecordKind.CONTACT: "a key contact",
    RecordKind.HEALTH_NOTE: "a health note",
    RecordKind.OFFENCE: "an offence",
    RecordKind.EDUCATION_NOTE: "an education note",
}
IDENTITY_FIELDS = KINDS[RecordKind.IDENTITY].required + KINDS[RecordKind.IDENTITY].optional


def _policy(ctx: ContextDep) -> SharingPolicy:
    return service.hub_policy(ctx.settings.sharing_agreements)


def purposes_for(user: StaffUser) -> list[tuple[str, str]]:
    """The purposes this member of staff may state: the DPO's are the DPO's alone."""
    dpo = user.role is Role.DATA_PROTECTION_OFFICER
    return [
        (p.value, PURPOSE_LABELS[p])
        for p in Purpose
        if dpo == (p in (Purpose.SUBJECT_ACCESS, Purpose.RETENTION))
    ]


def _error_map(errors: Sequence[FieldError]) -> dict[str, str]:
    """Each field's first error, to show beside it."""
    error_for: dict[str, str] = {}
    for field in errors:
        error_for.setdefault(field.field, field.message)
    return error_for


def _errors(error: InvalidInput) -> tuple[list[FieldError], dict[str, str]]:
    return list(error.field_errors), _error_map(error.field_errors)


def _to_person(ref: str, purpose: Purpose) -> Response:
    return RedirectResponse(f"{HOME}/people/{ref}?purpose={purpose.value}", status_code=303)


def _purpose(value: str | None) -> Purpose | None:
    try:
        return parse_purpose(value)
    except InvalidInput:
        return None


def _common(session: Any) -> dict[str, Any]:
    return {
        "purposes": purposes_for(session.user),
        "purpose_labels": {p.value: label for p, label in PURPOSE_LABELS.items()},
    }


# --- the hub's front page ---------------------------------------------------------------------


@router.get(HOME)
def hub_home(
    request: Request,
    ctx: ContextDep,
    session: PageSession,
    q: Annotated[str, Query(max_length=100)] = "",
    purpose: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    user = session.user
    chosen = _purpose(purpose)
    hits: list[service.SearchHit] | None = None
    errors: list[FieldError] = []
    error_for: dict[str, str] = {}
    partner = True
    try:
        if q.strip():
            if chosen is None:
                raise InvalidInput(
                    "Say why you are looking.",
                    [FieldError("purpose", "Choose the purpose of this search.")],
                )
            hits = service.search_people(ctx.db, ctx.clock, _policy(ctx), user, q, chosen)
        referrals = (
            service.referrals_for(ctx.db, ctx.clock, _policy(ctx), user, chosen)
            if chosen is not None
            else []
        )
        meetings = service.meetings_for(ctx.db, user)
    except InvalidInput as problem:
        errors, error_for = _errors(problem)
        referrals, meetings = [], []
    except SaferCityError as problem:  # not a partner of the hub
        if problem.status != 403:
            raise
        partner, referrals, meetings = False, [], []
        errors = [FieldError("hub", problem.detail)]
    return render(
        request,
        "safeguarding/home.html",
        status_code=422 if error_for else 200,
        q=q,
        purpose=chosen.value if chosen else "",
        hits=hits,
        referrals=referrals,
        meetings=meetings,
        errors=errors,
        error_for=error_for,
        partner=partner,
        can_review=user.can(Permission.READ_AUDIT) or user.role is Role.SAFEGUARDING_LEAD,
        partners=service.partners(ctx.db),
        **_common(session),
    )


# --- people -----------------------------------------------------------------------------------


@router.get(HOME + "/people/new")
def new_person_form(request: Request, session: PageSession) -> Response:
    return render(
        request,
        "safeguarding/new_person.html",
        values={},
        errors=[],
        error_for={},
        fields=IDENTITY_FIELDS,
        **_common(session),
    )


@router.post(HOME + "/people/new")
async def create_person(request: Request, ctx: ContextDep, session: CsrfSession) -> Response:
    form = await request.form()
    values = {name: str(form.get(name, ""))[:4000] for name in (*IDENTITY_FIELDS, "purpose")}
    try:
        chosen = parse_purpose(values["purpose"])
        identity = {k: v for k, v in values.items() if k != "purpose" and v.strip()}
        problems = [] if chosen else [FieldError("purpose", "Choose the purpose.")]
        try:
            clean_values(RecordKind.IDENTITY, identity)
        except InvalidInput as problem:
            problems += problem.field_errors
        if problems or chosen is None:
            raise InvalidInput("The person's details are not complete.", problems)
        ref = service.create_person(ctx.db, ctx.clock, _policy(ctx), session.user, identity, chosen)
    except InvalidInput as problem:
        errors, error_for = _errors(problem)
        return render(
            request,
            "safeguarding/new_person.html",
            status_code=422,
            values=values,
            errors=errors,
            error_for=error_for,
            fields=IDENTITY_FIELDS,
            **_common(session),
        )
    return _to_person(ref, chosen)


def _person_page(
    request: Request,
    ctx: ContextDep,
    session: Any,
    view: service.PersonView | None,
    ref: str,
    *,
    status_code: int = 200,
    values: Mapping[str, str] | None = None,
    errors: Sequence[FieldError] = (),
    form: str = "",
) -> Response:
    error_for = _error_map(errors)
    return render(
        request,
        "safeguarding/person.html",
        status_code=status_code,
        ref=ref.strip().upper(),
        view=view,
        categories=[c for c in CATEGORY_LABELS if c is not RecordCategory.REFERRALS],
        category_labels=CATEGORY_LABELS,
        addable=[(k, KINDS[k], ADD_LABELS[k]) for k in ADDABLE],
        flags=list(Flag),
        values=values or {},
        errors=list(errors),
        error_for=error_for,
        form=form,
        can_audit=session.user.can(Permission.READ_AUDIT),
        **_common(session),
    )


@router.get(HOME + "/people/{ref}")
def person_page(
    request: Request,
    ctx: ContextDep,
    session: PageSession,
    ref: PersonRef,
    purpose: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    chosen = _purpose(purpose)
    if chosen is None:  # no record is read until the purpose is stated
        return _person_page(request, ctx, session, None, ref)
    view = service.view_person(ctx.db, ctx.clock, _policy(ctx), session.user, ref, chosen)
    return _person_page(request, ctx, session, view, ref)


@router.post(HOME + "/people/{ref}/break-glass")
def break_glass(
    request: Request,
    ctx: ContextDep,
    session: CsrfSession,
    ref: PersonRef,
    purpose: Annotated[str, Form(max_length=40)] = "",
    justification: OptionalText = "",
) -> Response:
    values = {"purpose": purpose, "justification": justification}
    try:
        chosen = parse_purpose(purpose)
        if chosen is None:
            raise InvalidInput("Say why.", [FieldError("purpose", "Choose the purpose.")])
        view = service.view_person(
            ctx.db, ctx.clock, _policy(ctx), session.user, ref, chosen, justification
        )
    except InvalidInput as problem:
        return _person_page(
            request, ctx, session, None, ref, status_code=422, values=values,
            errors=problem.field_errors, form="break-glass",
        )  # fmt: skip
    return _person_page(request, ctx, session, view, ref)


@router.post(HOME + "/people/{ref}/records")
async def add_record(
    request: Request, ctx: ContextDep, session: CsrfSession, ref: PersonRef
) -> Response:
    form = await request.form()
    values = {str(k): str(v)[:4000] for k, v in form.items() if k != "csrf_token"}
    chosen = _purpose(values.get("purpose"))
    try:
        kind = RecordKind(values.get("kind", ""))
    except ValueError:
        kind = None
    try:
        if chosen is None:
            raise InvalidInput("Say why.", [FieldError("purpose", "Choose the purpose.")])
        if kind is None or kind not in ADDABLE:
            raise InvalidInput("Choose what to add.", [FieldError("kind", "Choose a kind.")])
        fields = {name: values[name] for name in KINDS[kind].fields if values.get(name, "").strip()}
        service.add_record(ctx.db, ctx.clock, _policy(ctx), session.user, ref, kind, fields, chosen)
    except InvalidInput as problem:
        view = (
            service.view_person(ctx.db, ctx.clock, _policy(ctx), session.user, ref, chosen)
            if chosen
            else None
        )
        return _person_page(
            request, ctx, session, view, ref, status_code=422, values=values,
            errors=problem.field_errors, form=f"add-{kind.value if kind else ''}",
        )  # fmt: skip
    return _to_person(ref, chosen)


# --- DASH -------------------------------------------------------------------------------------


def _dash_page(
    request: Request,
    session: Any,
    ref: str,
    *,
    values: Mapping[str, str],
    errors: Sequence[FieldError] = (),
    result: Any = None,
    status_code: int = 200,
) -> Response:
    error_for = _error_map(errors)
    return render(
        request,
        "safeguarding/dash.html",
        status_code=status_code,
        ref=ref.strip().upper(),
        questions=list(load_dash_checklist().questions.values()),
        values=values,
        errors=list(errors),
        error_for=error_for,
        result=result,
        **_common(session),
    )


@router.get(HOME + "/people/{ref}/dash")
def dash_form(request: Request, session: PageSession, ref: PersonRef) -> Response:
    return _dash_page(request, session, ref, values={"purpose": "domestic_abuse_marac"})


@router.post(HOME + "/people/{ref}/dash")
async def dash_submit(
    request: Request, ctx: ContextDep, session: CsrfSession, ref: PersonRef
) -> Response:
    form = await request.form()
    values = {str(k): str(v)[:4000] for k, v in form.items() if k != "csrf_token"}
    questions = list(load_dash_checklist().questions.values())
    try:
        chosen = parse_purpose(values.get("purpose"))
        missing = [
            FieldError(f"q{q.number}", f"Answer question {q.number}.")
            for q in questions
            if not values.get(f"q{q.number}")
        ]
        if chosen is None:
            missing.insert(0, FieldError("purpose", "Choose the purpose."))
        if missing:
            raise InvalidInput("Some answers are missing.", missing)
        answers = service.dash_answers({str(q.number): values[f"q{q.number}"] for q in questions})
        incidents = values.get("incidents_last_12_months", "0").strip() or "0"
        if not incidents.isdigit():
            raise InvalidInput(
                "Check the number of incidents.",
                [FieldError("incidents_last_12_months", "Enter a whole number, 0 or more.")],
            )
        assert chosen is not None
        _, result = service.record_dash(
            ctx.db,
            ctx.clock,
            _policy(ctx),
            session.user,
            ref,
            answers,
            chosen,
            professional_judgement=values.get("professional_judgement") == "yes",
            judgement_reason=values.get("judgement_reason", ""),
            incidents_last_12_months=int(incidents),
            safety_plan=values.get("safety_plan", ""),
        )
    except InvalidInput as problem:
        return _dash_page(
            request, session, ref, values=values, errors=problem.field_errors, status_code=422
        )
    return _dash_page(request, session, ref, values=values, result=result)


# --- missing-person risk ----------------------------------------------------------------------


@router.post(HOME + "/people/{ref}/missing-risk")
def missing_risk(
    request: Request,
    ctx: ContextDep,
    session: CsrfSession,
    ref: PersonRef,
    age: Annotated[str, Form(max_length=4)] = "",
    factors: Annotated[list[str] | None, Form(max_length=10)] = None,
    previous_episodes: Annotated[str, Form(max_length=4)] = "0",
    notes: OptionalText = "",
) -> Response:
    chosen = Purpose.MISSING_PERSON
    ticked = set(factors or [])
    values = {"age": age, "previous_episodes": previous_episodes, "notes": notes}
    try:
        if not age.strip().isdigit():
            raise InvalidInput("Give the age.", [FieldError("age", "Enter the age in years.")])
        episodes = previous_episodes.strip() or "0"
        if not episodes.isdigit():
            raise InvalidInput(
                "Check the number.",
                [FieldError("previous_episodes", "Enter a whole number, 0 or more.")],
            )
        assessment = MissingAssessment(
            assessed_by=session.user.audit_name,
            assessed_at=ctx.clock.now(),
            age=int(age),
            vulnerable="vulnerable" in ticked,
            mental_health_crisis="mental_health_crisis" in ticked,
            risk_of_harm_to_self="risk_of_harm_to_self" in ticked,
            risk_of_harm_to_others="risk_of_harm_to_others" in ticked,
            exploitation="exploitation" in ticked,
            previous_episodes=int(episodes),
        )
        service.record_missing_risk(
            ctx.db, ctx.clock, _policy(ctx), session.user, ref, assessment, chosen, notes
        )
    except InvalidInput as problem:
        view = service.view_person(ctx.db, ctx.clock, _policy(ctx), session.user, ref, chosen)
        return _person_page(
            request, ctx, session, view, ref, status_code=422, values=values,
            errors=problem.field_errors, form="missing",
        )  # fmt: skip
    return _to_person(ref, chosen)


# --- referrals --------------------------------------------------------------------------------


def _referral_page(
    request: Request,
    ctx: ContextDep,
    session: Any,
    values: Mapping[str, str],
    errors: Sequence[FieldError] = (),
    status_code: int = 200,
) -> Response:
    error_for = _error_map(errors)
    return render(
        request,
        "safeguarding/referral.html",
        status_code=status_code,
        values=values,
        errors=list(errors),
        error_for=error_for,
        partners=[p for p in service.partners(ctx.db) if p.agency_id != session.user.agency_id],
        **_common(session),
    )


@router.get(HOME + "/referrals/new")
def referral_form(
    request: Request,
    ctx: ContextDep,
    session: PageSession,
    person: Annotated[str, Query(max_length=40)] = "",
    purpose: Annotated[str, Query(max_length=40)] = "",
    reason: Annotated[str, Query(max_length=500)] = "",
    to: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    values = {"person_ref": person, "purpose": purpose, "reason": reason, "to_agency": to}
    return _referral_page(request, ctx, session, values)


@router.post(HOME + "/referrals/new")
def make_referral(
    request: Request,
    ctx: ContextDep,
    session: CsrfSession,
    person_ref: Annotated[str, Form(max_length=40)] = "",
    to_agency: Annotated[str, Form(max_length=20)] = "",
    purpose: Annotated[str, Form(max_length=40)] = "",
    reason: OptionalText = "",
    consent: Annotated[str, Form(max_length=5)] = "",
    lawful_basis_override: OptionalText = "",
) -> Response:
    values = {
        "person_ref": person_ref,
        "to_agency": to_agency,
        "purpose": purpose,
        "reason": reason,
        "consent": consent,
        "lawful_basis_override": lawful_basis_override,
    }
    try:
        chosen = parse_purpose(purpose)
        problems = []
        if chosen is None:
            problems.append(FieldError("purpose", "Choose the purpose of the referral."))
        if not to_agency:
            problems.append(FieldError("to_agency", "Choose the agency to refer to."))
        if problems:
            raise InvalidInput("The referral is not complete.", problems)
        service.make_referral(
            ctx.db, ctx.clock, _policy(ctx), session.user, person_ref, to_agency, chosen,
            reason, consent == "yes", lawful_basis_override or None,
        )  # fmt: skip
    except InvalidInput as problem:
        return _referral_page(
            request, ctx, session, values, errors=problem.field_errors, status_code=422
        )
    assert chosen is not None
    return _to_person(person_ref, chosen)


@router.post(HOME + "/referrals/{referral_id}/{answer}")
def answer_referral(
    ctx: ContextDep,
    session: CsrfSession,
    referral_id: ItemId,
    answer: Annotated[str, Path(pattern="^(accept|decline|outcome)$")],
    purpose: Annotated[str, Form(max_length=40)] = "",
    text: OptionalText = "",
) -> Response:
    chosen = parse_purpose(purpose)
    service.answer_referral(
        ctx.db,
        ctx.clock,
        _policy(ctx),
        session.user,
        referral_id,
        chosen,
        accept={"accept": True, "decline": False}.get(answer),
        decline_reason=text if answer == "decline" else None,
        outcome=text if answer == "outcome" else None,
    )
    return RedirectResponse(f"{HOME}?purpose={purpose}", status_code=303)


# --- Marac ------------------------------------------------------------------------------------


@router.post(HOME + "/marac")
def create_meeting(
    ctx: ContextDep,
    session: CsrfSession,
    title: Annotated[str, Form(max_length=200)] = "",
    held_on: Annotated[str, Form(max_length=10)] = "",
    agencies: Annotated[list[str] | None, Form(max_length=60)] = None,
) -> Response:
    try:
        day = date.fromisoformat(held_on)
    except ValueError:
        raise InvalidInput(
            "Give the meeting's date.", [FieldError("held_on", "Give a date as YYYY-MM-DD.")]
        ) from None
    meeting_id = service.create_meeting(ctx.db, ctx.clock, session.user, day, title, agencies or [])
    return RedirectResponse(f"{HOME}/marac/{meeting_id}", status_code=303)


@router.get(HOME + "/marac/{meeting_id}")
def meeting_page(
    request: Request, ctx: ContextDep, session: PageSession, meeting_id: ItemId
) -> Response:
    view = service.view_meeting(ctx.db, ctx.clock, _policy(ctx), session.user, meeting_id)
    return render(
        request,
        "safeguarding/marac.html",
        view=view,
        chair=view.meeting.chair_agency == session.user.agency_code,
    )


@router.post(HOME + "/marac/{meeting_id}/cases")
def add_case(
    ctx: ContextDep,
    session: CsrfSession,
    meeting_id: ItemId,
    person_ref: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    service.add_marac_case(ctx.db, ctx.clock, _policy(ctx), session.user, meeting_id, person_ref)
    return RedirectResponse(f"{HOME}/marac/{meeting_id}", status_code=303)


@router.post(HOME + "/marac/{meeting_id}/actions")
def add_action(
    ctx: ContextDep,
    session: CsrfSession,
    meeting_id: ItemId,
    person_ref: Annotated[str, Form(max_length=40)] = "",
    agency: Annotated[str, Form(max_length=20)] = "",
    action: OptionalText = "",
) -> Response:
    service.add_marac_action(
        ctx.db, ctx.clock, session.user, meeting_id, person_ref, agency, action
    )
    return RedirectResponse(f"{HOME}/marac/{meeting_id}", status_code=303)


# --- audit and break-glass review -------------------------------------------------------------


@router.get(HOME + "/people/{ref}/audit")
def audit_page(request: Request, ctx: ContextDep, session: PageSession, ref: PersonRef) -> Response:
    entries = service.audit_trail(ctx.db, ctx.clock, session.user, ref)
    return render(request, "safeguarding/audit.html", ref=ref.strip().upper(), entries=entries)


@router.get(HOME + "/alerts")
def alerts_page(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    alerts = service.break_glass_alerts(ctx.db, session.user)
    return render(request, "safeguarding/alerts.html", alerts=alerts)


@router.post(HOME + "/alerts/{alert_id}/review")
def review_alert(ctx: ContextDep, session: CsrfSession, alert_id: ItemId) -> Response:
    service.review_alert(ctx.db, ctx.clock, session.user, alert_id)
    return RedirectResponse(f"{HOME}/alerts", status_code=303)
