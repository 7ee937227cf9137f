"""Open choices in the browser: pick scenarios, run them, share the comparison.

`/analysis/simulations` lists the bundled scenarios and the latest runs; a signed-in member of
staff picks up to four and runs them. Each run has a public page that anyone with the link can
open: while it runs, the status there updates itself (htmx polling the `status` fragment);
when done it shows the comparison and links to the figures as CSV and JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from safercity.platform.errors import Conflict, FieldError, InvalidInput, Unauthorized
from safercity.platform.http import SESSION_COOKIE, ContextDep, CsrfSession, render
from safercity.platform.identity import service as identity
from safercity.platform.identity.service import BrowserSession
from safercity.simulation import jobs, service
from safercity.simulation.engine import DEFAULT_START
from safercity.simulation.report import REPORT_CSS, render_body
from safercity.simulation.service import MAX_DAYS, MAX_SCENARIOS, MAX_SEED, SimulationRun

router = APIRouter(include_in_schema=False)

HOME = "/analysis/simulations"
RunId = Annotated[int, Path(ge=1, le=2_147_483_647)]
FORM_FIELDS = ("scenarios", "days", "seed")
# Open data: anyone may fetch the figures, from any site.
OPEN_DATA_HEADERS = {"Access-Control-Allow-Origin": "*"}


def _signed_in(request: Request, ctx: ContextDep) -> BrowserSession | None:
    """The signed-in member of staff, if any: the page is public, running is for staff."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        session = identity.resume_session(ctx.db, ctx.clock, ctx.identity, token)
    except Unauthorized:  # an ended session reads as signed out here
        return None
    request.state.session = session
    return session


def _form_page(
    request: Request,
    ctx: ContextDep,
    session: BrowserSession | None,
    *,
    values: Mapping[str, Any] | None = None,
    errors: Sequence[FieldError] = (),
) -> Response:
    error_for: dict[str, str] = {}
    for error in errors:
        error_for.setdefault(error.field, error.message)
    return render(
        request,
        "simulation/index.html",
        status_code=422 if errors else 200,
        signed_in=session is not None,
        choices=service.scenario_choices(),
        runs=service.recent_runs(ctx.db),
        titles=_titles(),
        values=values or {"scenarios": [], "days": "1", "seed": "1"},
        errors=list(errors),
        error_for=error_for,
        known_fields=FORM_FIELDS,
        max_days=MAX_DAYS,
        max_scenarios=MAX_SCENARIOS,
        max_seed=MAX_SEED,
    )


@router.get(HOME)
def simulations_page(request: Request, ctx: ContextDep) -> Response:
    return _form_page(request, ctx, _signed_in(request, ctx))


def _whole(text: str, field: str, message: str) -> tuple[int | None, FieldError | None]:
    """A whole number as typed, or the error to show beside its field."""
    try:
        return int(text.strip()[:20]), None
    except ValueError:
        return None, FieldError(field, message)


@router.post(HOME)
def run_simulations(
    request: Request,
    ctx: ContextDep,
    session: CsrfSession,
    scenarios: Annotated[list[str] | None, Form(max_length=20)] = None,
    days: Annotated[str, Form()] = "",
    seed: Annotated[str, Form()] = "",
) -> Response:
    names = scenarios or []
    values = {"scenarios": names, "days": days[:20], "seed": seed[:20]}
    day_count, days_error = _whole(
        days, "days", f"Enter a whole number of days from 1 to {MAX_DAYS}"
    )
    seed_number, seed_error = _whole(seed, "seed", f"Enter a whole number from 0 to {MAX_SEED}")
    errors = [e for e in (days_error, seed_error) if e is not None]
    try:
        # A number that could not be read is already reported: check the rest with a stand-in.
        wanted = service.check_request(
            names, 1 if day_count is None else day_count, 0 if seed_number is None else seed_number
        )
    except InvalidInput as problem:
        errors += [e for e in problem.field_errors if e.field not in {f.field for f in errors}]
    if errors:
        errors.sort(key=lambda e: FORM_FIELDS.index(e.field))
        return _form_page(request, ctx, session, values=values, errors=errors)
    run = service.request_simulation(ctx.db, ctx.clock, session.user, wanted)
    jobs.nudge(request.app.state)
    return RedirectResponse(f"{HOME}/{run.id}", status_code=303)


def _titles() -> dict[str, str]:
    return {choice.name: choice.title for choice in service.scenario_choices()}


def _progress(run: SimulationRun) -> dict[str, Any]:
    """Where a running request is: which scenario, which of its days."""
    count = len(run.scenarios)
    done = min(run.progress_days, run.total_days)
    current = min(done // run.days, count - 1)
    day = run.days if done >= run.total_days else done - current * run.days + 1
    return {"scenario": current + 1, "count": count, "day": day, "done": done}


def _comparison(run: SimulationRun) -> str:
    """The report comparing the run's scenarios, set inside this page under its heading."""
    return render_body(run.results, scenarios=service.scenarios_of(run), embedded=True)


def _run_values(run: SimulationRun) -> dict[str, Any]:
    return {
        "run": run,
        "titles": _titles(),
        "progress": _progress(run),
        "comparison": _comparison(run) if run.results else "",
        "report_css": REPORT_CSS,
        "start": f"{DEFAULT_START:%A} {DEFAULT_START.day} {DEFAULT_START:%B %Y}",
    }


@router.get(HOME + "/{run_id}.csv")
def run_csv(run_id: RunId, ctx: ContextDep) -> Response:
    run = _finished(ctx, run_id)
    return Response(
        service.results_csv(run),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="simulation-{run.id}.csv"',
            **OPEN_DATA_HEADERS,
        },
    )


@router.get(HOME + "/{run_id}.json")
def run_json(run_id: RunId, ctx: ContextDep) -> Response:
    run = _finished(ctx, run_id)
    return Response(
        json.dumps(service.results_json(run), indent=1),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="simulation-{run.id}.json"',
            **OPEN_DATA_HEADERS,
        },
    )


def _finished(ctx: ContextDep, run_id: int) -> SimulationRun:
    run = service.run_status(ctx.db, run_id)
    if run.status is not service.RunStatus.DONE:
        raise Conflict(
            f"Simulation {run_id} is {run.status.label.lower()}: its figures can be "
            "downloaded once it is done."
        )
    return run


@router.get(HOME + "/{run_id}")
def run_page(run_id: RunId, request: Request, ctx: ContextDep) -> Response:
    run = service.run_status(ctx.db, run_id)
    _signed_in(request, ctx)
    return render(request, "simulation/run.html", **_run_values(run))


@router.get(HOME + "/{run_id}/status")
def run_status_fragment(run_id: RunId, request: Request, ctx: ContextDep) -> Response:
    """The run's section alone: the page swaps it in every second until the run ends."""
    run = service.run_status(ctx.db, run_id)
    return render(request, "simulation/_run.html", **_run_values(run))
