"""Staff pages: the role's home, the work queues, the case page and the Victims' Code pages.

Every form posts with the session's CSRF token. A form with a problem comes back with the
message next to the field it concerns and what was typed still in it.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from safercity.cases import service
from safercity.cases.forms import when
from safercity.cases.page_actions import action_router
from safercity.cases.page_case import case_page
from safercity.platform.http import ContextDep, PageSession, render

router = APIRouter(include_in_schema=False)

Reference = Annotated[str, Path(max_length=20)]


@router.get("/staff")
def dashboard(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    tiles = service.dashboard(ctx.db, ctx.clock, session.user)
    return render(request, "cases/dashboard.html", tiles=tiles, error="")


@router.get("/staff/cases")
def find_case(
    request: Request,
    ctx: ContextDep,
    session: PageSession,
    reference: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """Go to a case by its reference."""
    wanted = reference.strip().upper()
    if wanted and _exists(ctx, wanted):
        return RedirectResponse(f"/staff/cases/{quote(wanted)}", status_code=303)
    tiles = service.dashboard(ctx.db, ctx.clock, session.user)
    return render(
        request,
        "cases/dashboard.html",
        status_code=404 if wanted else 422,
        tiles=tiles,
        error="No case has this reference. It looks like SC-7K3M-9Q2D.",
        reference=reference,
    )


def _exists(ctx: ContextDep, reference: str) -> bool:
    with ctx.db.transaction() as conn:
        return service.exists(conn, reference)


@router.get("/staff/cases/triage")
def triage(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    items = service.triage_queue(ctx.db, ctx.clock, session.user)
    return render(
        request,
        "cases/queue.html",
        title="Triage: new reports",
        intro="Oldest first. Under the National Crime Recording Standard, decide "
        "within 24 hours of the report whether to record a crime.",
        rows=[{"case": i.case, "clock": i.clock} for i in items],
        when=when,
        show_clock=True,
        show_requests=False,
    )


def _queue(
    request: Request,
    title: str,
    intro: str,
    rows: list[dict[str, object]],
    show_requests: bool = False,
) -> Response:
    return render(
        request,
        "cases/queue.html",
        title=title,
        intro=intro,
        rows=rows,
        when=when,
        show_clock=False,
        show_requests=show_requests,
    )


@router.get("/staff/cases/unallocated")
def unallocated(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    rows = service.allocation_queue(ctx.db, session.user)
    return _queue(
        request,
        "Awaiting allocation",
        "Recorded crimes with no officer in the case.",
        [{"case": c} for c in rows],
    )


@router.get("/staff/cases/mine")
def mine(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    items = service.my_cases(ctx.db, session.user)
    return _queue(
        request,
        "My cases",
        "Cases you are officer in. Files the prosecutor returned "
        "come first, with what they asked for.",
        [{"case": i.case, "requests": i.requests} for i in items],
        show_requests=True,
    )


@router.get("/staff/cases/open")
def open_cases(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    rows = service.force_cases(ctx.db, session.user)
    return _queue(
        request,
        "All open cases",
        "Every open case your force holds, oldest first.",
        [{"case": c} for c in rows],
    )


@router.get("/staff/cases/prosecution")
def prosecution(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    rows = service.prosecutor_queue(ctx.db, session.user)
    return _queue(
        request,
        "Case files to review",
        "Charged cases the police have sent. Open "
        "one to accept it for prosecution or return it with your requests.",
        [{"case": c} for c in rows],
    )


@router.get("/staff/cases/court")
def court(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    work = service.court_queue(ctx.db, ctx.clock, session.user)
    return render(request, "cases/court.html", work=work, when=when)


@router.get("/staff/victim-updates")
def updates_due(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    rows = service.updates_needing_attention(ctx.db, ctx.clock, session.user)
    return render(
        request, "cases/updates.html", rows=rows, now=ctx.clock.now(), when=when, outbox=False
    )


@router.get("/staff/outbox")
def outbox_page(request: Request, ctx: ContextDep, session: PageSession) -> Response:
    rows = service.recent_updates(ctx.db, ctx.clock, session.user)
    return render(
        request, "cases/updates.html", rows=rows, now=ctx.clock.now(), when=when, outbox=True
    )


@router.get("/staff/cases/{reference}")
def case(
    request: Request,
    reference: Reference,
    ctx: ContextDep,
    session: PageSession,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    return case_page(request, ctx, session.user, reference, done=done)


router.include_router(action_router)
