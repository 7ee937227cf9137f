"""The control room in the browser: take a call, see the queue and the map, send units.

One page (`/staff/999`): the intake form, the incident queue, the offline map and the selected
incident's panel with its recommendation. Forms post one use case each and come back to the
page; the page keeps itself current through server-sent events (`/staff/999/events`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from safercity.contact import service
from safercity.contact.board_view import board_json, priority_summary, status_label
from safercity.contact.duplicates import DuplicateRule
from safercity.contact.http import RuleDep, TaxonomyDep, TravelDep
from safercity.contact.intake_form import (
    QUESTION_LABELS,
    THRIVE_FIELDS,
    IntakeValues,
    read_intake,
    values_of,
)
from safercity.contact.model import RiskLevel, VulnerabilityFlag
from safercity.contact.priority import AmbulanceCategory, FireResponse, PoliceGrade
from safercity.contact.taxonomy import KEY_QUESTIONS, Taxonomy
from safercity.dispatch import service as dispatch
from safercity.dispatch.assignment import STATUS_COLOURS, AssignmentStatus
from safercity.dispatch.recommend import format_duration
from safercity.dispatch.travel import Travel
from safercity.platform.errors import FieldError, InvalidInput, SaferCityError
from safercity.platform.http import AppContext, ContextDep, CsrfSession, PageSession, render
from safercity.platform.identity.model import Permission, StaffUser
from safercity.platform.identity.service import BrowserSession

router = APIRouter(include_in_schema=False)

BOARD = "/staff/999"
IncidentId = Annotated[int, Path(ge=1, le=2_147_483_647)]
CallSign = Annotated[str, Path(min_length=1, max_length=64)]
# How often the event stream looks for changes, and how often it says it is alive.
POLL_SECONDS = 1.0
PING_SECONDS = 15
PRIORITY_CHOICES = {
    "police": [(p.value, p.label) for p in PoliceGrade],
    "ambulance": [(p.value, p.label) for p in AmbulanceCategory],
    "fire": [(p.value, p.label) for p in FireResponse],
    "health": [(p.value, p.label) for p in AmbulanceCategory],
}
CREW_STEPS = (
    AssignmentStatus.EN_ROUTE,
    AssignmentStatus.ON_SCENE,
    AssignmentStatus.AT_HOSPITAL,
    AssignmentStatus.CLEARED,
)


@dataclass(frozen=True)
class Desk:
    """What every control-room route works with: the request, the app, the handler, the city."""

    request: Request
    ctx: AppContext
    session: BrowserSession
    taxonomy: Taxonomy
    rule: DuplicateRule
    travel: Travel | None

    @property
    def user(self) -> StaffUser:
        return self.session.user


def _desk(
    request: Request,
    ctx: ContextDep,
    session: PageSession,
    taxonomy: TaxonomyDep,
    rule: RuleDep,
    travel: TravelDep,
) -> Desk:
    return Desk(request, ctx, session, taxonomy, rule, travel)


def _posting_desk(
    request: Request,
    ctx: ContextDep,
    session: CsrfSession,
    taxonomy: TaxonomyDep,
    rule: RuleDep,
    travel: TravelDep,
) -> Desk:
    return Desk(request, ctx, session, taxonomy, rule, travel)


DeskDep = Annotated[Desk, Depends(_desk)]
# For forms that change something: the session's CSRF token is checked first.
PostingDesk = Annotated[Desk, Depends(_posting_desk)]


def _errors(error: SaferCityError | None) -> dict[str, str]:
    found: dict[str, str] = {}
    for field in error.field_errors if error else ():
        name = field.field.split(".")[0]
        found.setdefault(f"thrive_{name}" if name in THRIVE_FIELDS else name, field.message)
    return found


def _board_page(
    desk: Desk,
    *,
    selected: int | None = None,
    intake_error: SaferCityError | None = None,
    values: IntakeValues | None = None,
    panel_error: SaferCityError | None = None,
) -> Response:
    ctx, user, taxonomy = desk.ctx, desk.user, desk.taxonomy
    board = service.board(ctx.db, user, taxonomy, desk.rule)
    panel = _panel_values(desk, selected) if selected else None
    status = 200
    if intake_error or panel_error:
        status = (intake_error or panel_error).status  # type: ignore[union-attr]
    return render(
        desk.request,
        "contact/board.html",
        status_code=status,
        board=board,
        board_data=board_json(board, ctx.clock.now()),
        panel=panel,
        panel_error=panel_error,
        selected=selected,
        types=taxonomy.choices(),
        questions=[(q, QUESTION_LABELS[q]) for q in KEY_QUESTIONS],
        thrive_fields=THRIVE_FIELDS,
        flags=[(f.value, f.label) for f in VulnerabilityFlag],
        risks=[r.value for r in RiskLevel],
        priority_choices=PRIORITY_CHOICES,
        values=values or IntakeValues({}, frozenset()),
        errors=_errors(intake_error),
        intake_error=intake_error,
        priority_summary=priority_summary,
        can_take_calls=user.can(Permission.TAKE_CALLS),
        legend=[
            (status_label(s), STATUS_COLOURS[s])
            for s in ("available", "dispatched", "en_route", "on_scene", "at_hospital")
        ],
    )


def _panel_values(desk: Desk, incident_id: int) -> dict[str, Any]:
    ctx, user = desk.ctx, desk.user
    detail = service.incident_detail(ctx.db, ctx.clock, user, desk.taxonomy, desk.rule, incident_id)
    suggestion = None
    if detail.view.incident.status.value == "open":
        _, suggestion = service.recommendation(ctx.db, ctx.clock, desk.travel, user, incident_id)
    timeline = [(e.at, e.actor, e.text) for e in detail.events] + [
        (at, actor, f"{a.call_sign}: {status_label(status)}")
        for a in detail.view.assignments
        for status, at, actor in detail.history.get(a.id, [])
    ]
    return {
        "timeline": sorted(timeline, key=lambda item: item[0]),
        "detail": detail,
        "suggestion": suggestion,
        "format_duration": format_duration,
        "status_label": status_label,
        "status_colours": STATUS_COLOURS,
        "crew_steps": CREW_STEPS,
        "priority_summary": priority_summary,
        "now": ctx.clock.now(),
    }


@router.get(BOARD)
def board_page(
    desk: DeskDep, incident: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None
) -> Response:
    return _board_page(desk, selected=incident)


@router.get(BOARD + "/incidents/{incident_id}/panel")
def panel_fragment(incident_id: IncidentId, desk: DeskDep) -> Response:
    """The selected incident's panel alone: the page swaps it in when the incident changes."""
    values = _panel_values(desk, incident_id)
    return render(desk.request, "contact/_panel.html", panel=values, panel_error=None)


@router.get(BOARD + "/board.json")
def board_data(
    ctx: ContextDep, session: PageSession, taxonomy: TaxonomyDep, rule: RuleDep
) -> JSONResponse:
    board = service.board(ctx.db, session.user, taxonomy, rule)
    return JSONResponse(board_json(board, ctx.clock.now()))


@router.get(BOARD + "/events")
async def board_events(
    request: Request, ctx: ContextDep, session: PageSession, taxonomy: TaxonomyDep, rule: RuleDep
) -> EventSourceResponse:
    """Server-sent events: a `board` event with the whole picture whenever it changes."""
    user = session.user

    async def changes() -> AsyncIterator[dict[str, str]]:
        last = ""
        while not await request.is_disconnected():
            board = await run_in_threadpool(service.board, ctx.db, user, taxonomy, rule)
            data = board_json(board, ctx.clock.now())
            digest = hashlib.sha256(
                json.dumps({**data, "now": ""}, sort_keys=True).encode()
            ).hexdigest()
            if digest != last:
                last = digest
                yield {"event": "board", "id": digest[:16], "data": json.dumps(data)}
            await asyncio.sleep(POLL_SECONDS)

    return EventSourceResponse(changes(), ping=PING_SECONDS)


@router.get(BOARD + "/likely-duplicates")
def likely_duplicates_fragment(
    request: Request,
    ctx: ContextDep,
    session: PageSession,
    rule: RuleDep,
    lat: Annotated[float, Query(ge=-90, le=90)],
    lon: Annotated[float, Query(ge=-180, le=180)],
    callback_number: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """While a call is being taken: open incidents it may be about, to join instead."""
    try:
        found = service.likely_duplicates_of(
            ctx.db,
            ctx.clock,
            session.user,
            lat=lat,
            lon=lon,
            callback_number=callback_number or None,
            rule=rule,
        )
    except SaferCityError:
        found = ()
    return render(request, "contact/_offered.html", offered=found)


@router.post(BOARD + "/calls")
async def take_call(desk: PostingDesk) -> Response:
    form = await desk.request.form()
    # Files have no place in this form: only text values are read.
    data: dict[str, list[str]] = {
        key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form
    }
    problem: SaferCityError | None = None
    try:
        new = read_intake(data)
        outcome = await run_in_threadpool(
            service.take_call, desk.ctx.db, desk.ctx.clock, desk.user, desk.taxonomy, desk.rule, new
        )
    except SaferCityError as error:
        problem = error
    if problem is not None:
        return await run_in_threadpool(
            _board_page,
            desk,
            intake_error=problem,
            values=values_of(data),
        )
    return RedirectResponse(f"{BOARD}?incident={outcome.incident.id}#incident-panel", 303)


def _act(
    desk: Desk, incident_id: int, use_case: Callable[[], object], then: int | None = None
) -> Response:
    """Run a panel action; on a problem show the page again with it in the panel."""
    try:
        use_case()
    except SaferCityError as error:
        return _board_page(desk, selected=incident_id, panel_error=error)
    return RedirectResponse(f"{BOARD}?incident={then or incident_id}#incident-panel", 303)


@router.post(BOARD + "/incidents/{incident_id}/dispatch")
def send_units(
    incident_id: IncidentId,
    desk: PostingDesk,
    units: Annotated[list[str] | None, Form(max_length=30)] = None,
    extra_units: Annotated[str, Form(max_length=400)] = "",
    confirm_divert: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    signs = [*(units or []), *extra_units.replace(",", " ").split()]
    return _act(
        desk,
        incident_id,
        lambda: service.send_units(
            desk.ctx.db,
            desk.ctx.clock,
            desk.travel,
            desk.user,
            desk.taxonomy,
            incident_id,
            signs,
            confirm_divert=confirm_divert == "yes",
        ),
    )


@router.post(BOARD + "/incidents/{incident_id}/merge")
def merge(
    incident_id: IncidentId,
    desk: PostingDesk,
    into: Annotated[int, Form(ge=1, le=2_147_483_647)],
) -> Response:
    return _act(
        desk,
        incident_id,
        lambda: service.merge(
            desk.ctx.db, desk.ctx.clock, desk.user, desk.taxonomy, incident_id, into
        ),
        then=into,
    )


@router.post(BOARD + "/incidents/{incident_id}/keep-separate")
def keep_separate(
    incident_id: IncidentId,
    desk: PostingDesk,
    other: Annotated[int, Form(ge=1, le=2_147_483_647)],
) -> Response:
    return _act(
        desk,
        incident_id,
        lambda: service.keep_separate(desk.ctx.db, desk.ctx.clock, desk.user, incident_id, other),
    )


@router.post(BOARD + "/incidents/{incident_id}/close")
def close(
    incident_id: IncidentId,
    desk: PostingDesk,
) -> Response:
    return _act(
        desk,
        incident_id,
        lambda: service.close_incident(
            desk.ctx.db, desk.ctx.clock, desk.user, desk.taxonomy, incident_id
        ),
    )


@router.post(BOARD + "/incidents/{incident_id}/units/{call_sign}/status")
def unit_status(
    incident_id: IncidentId,
    call_sign: CallSign,
    desk: PostingDesk,
    status: Annotated[str, Form(max_length=20)],
) -> Response:
    """A crew's status as radioed to the handler, or a unit stood down."""

    def change() -> None:
        if status == "stand_down":
            service.stand_down(desk.ctx.db, desk.ctx.clock, desk.user, incident_id, call_sign)
            return
        if status not in {s.value for s in CREW_STEPS}:
            raise InvalidInput(
                f"{status[:20]!r} is not a crew status",
                [FieldError("status", "Choose en route, on scene, at hospital or clear")],
            )
        step = AssignmentStatus(status)
        dispatch.report_status(desk.ctx.db, desk.ctx.clock, desk.user, call_sign, step)

    return _act(desk, incident_id, change)
