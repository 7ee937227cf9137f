"""The FastAPI application: every capability's routes, one error format, static assets."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from safercity.cases import api as cases_api
from safercity.cases import pages as cases_pages
from safercity.contact import api as contact_api
from safercity.contact import pages as contact_pages
from safercity.dispatch import api as dispatch_api
from safercity.dispatch import service as dispatch_service
from safercity.evidence import api as evidence_api
from safercity.evidence import pages as evidence_pages
from safercity.platform import outbox
from safercity.platform.errors import FieldError, InvalidInput, SaferCityError
from safercity.platform.http import (
    PROBLEM_RESPONSES,
    STATIC_DIR,
    AppContext,
    SignInRequired,
    problem_response,
    render,
)
from safercity.prevention import api as prevention_api
from safercity.prevention import events as prevention_events
from safercity.prevention import opendata_api, warnings_api, warnings_pages
from safercity.prevention import pages as prevention_pages
from safercity.prevention import warnings as prevention_warnings
from safercity.reporting import api as reporting_api
from safercity.reporting import pages as reporting_pages
from safercity.reporting import service as reporting_service
from safercity.safeguarding import api as safeguarding_api
from safercity.safeguarding import pages as safeguarding_pages
from safercity.simulation import api as simulation_api
from safercity.simulation import jobs as simulation_jobs
from safercity.simulation import pages as simulation_pages
from safercity.web import auth, home
from safercity.web.bootstrap import outbox_transport

OUTBOX_INTERVAL_SECONDS = 2.0
HOUSEKEEPING_EVERY_ROUNDS = 300
# Crimes recorded on the platform reach the crime map and warn their neighbours within ~10 s.
PREVENTION_EVERY_ROUNDS = 5


def _take_in_recorded_crimes(ctx: AppContext) -> None:
    prevention_events.sync_platform_crimes(
        ctx.db, ctx.clock, ctx.settings.signing_key, on_new=prevention_warnings.warn_neighbours
    )


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _field_name(location: tuple[Any, ...]) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "request"


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SaferCityError)
    async def _domain_error(request: Request, error: SaferCityError) -> Response:
        if _is_api(request):
            return problem_response(error, request.url.path)
        return render(request, "error.html", status_code=error.status, error=error)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, error: RequestValidationError) -> Response:
        fields = [
            FieldError(_field_name(tuple(e.get("loc", ()))), str(e.get("msg", "is not valid")))
            for e in error.errors()
        ]
        summary = "; ".join(f"{f.field}: {f.message}" for f in fields[:5])
        problem = InvalidInput(f"Fix these fields and send again. {summary}", fields)
        if _is_api(request):
            return problem_response(problem, request.url.path)
        return render(request, "error.html", status_code=422, error=problem)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
        problem = SaferCityError(str(error.detail))
        problem.status = error.status_code
        problem.title = {404: "Not found", 405: "Method not allowed"}.get(
            error.status_code, "Request not accepted"
        )
        if error.status_code == 404:
            problem.detail = "There is nothing at this address. Check the link."
        elif error.status_code == 405:
            problem.detail = f"{request.method} is not accepted here. See /docs for the methods."
        if _is_api(request):
            return problem_response(problem, request.url.path)
        return render(request, "error.html", status_code=error.status_code, error=problem)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, error: SignInRequired) -> Response:
        target = f"/staff/sign-in?next={quote(error.next_url)}&reason={quote(error.message)}"
        return RedirectResponse(target, status_code=303)


async def _background_work_forever(ctx: AppContext) -> None:
    """Background work: deliver queued messages, move units on at their turnout time and ETA;
    now and then, forget expired records."""
    transport = outbox_transport(ctx.settings)
    rounds = 0
    while True:
        await asyncio.to_thread(outbox.deliver_pending, ctx.db, ctx.clock, transport)
        await asyncio.to_thread(dispatch_service.advance, ctx.db, ctx.clock)
        if rounds % PREVENTION_EVERY_ROUNDS == 0:
            await asyncio.to_thread(_take_in_recorded_crimes, ctx)
        if rounds % HOUSEKEEPING_EVERY_ROUNDS == 0:
            await asyncio.to_thread(reporting_service.forget_expired_keys, ctx.db, ctx.clock)
        rounds += 1
        await asyncio.sleep(OUTBOX_INTERVAL_SECONDS)


def create_app(
    ctx: AppContext,
    deliver_outbox: bool = True,
    simulation_runner: simulation_jobs.Runner | None = None,
) -> FastAPI:
    """The app. With `deliver_outbox` the background work runs, simulations included (in a
    process of their own unless `simulation_runner` says otherwise); without it, simulation
    requests are only queued, unless a `simulation_runner` is given."""
    if simulation_runner is None and deliver_outbox:
        simulation_runner = simulation_jobs.ProcessRunner()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # More threads than SQLite can use only add GIL contention and tail latency.
        threads = ctx.settings.worker_threads or (8 if ctx.db.dialect == "sqlite" else 40)
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        task = asyncio.create_task(_background_work_forever(ctx)) if deliver_outbox else None
        worker = None
        if simulation_runner is not None:
            worker = simulation_jobs.SimulationWorker(ctx.db, ctx.clock, simulation_runner)
            setattr(app.state, simulation_jobs.STATE_KEY, worker)
            worker.start()
        yield
        if worker is not None:
            await asyncio.to_thread(worker.stop)
        if task:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app = FastAPI(
        title="SaferCity",
        version="0.1.0",
        description="One platform for a city's police, ambulance, fire, prosecutors and courts.",
        lifespan=lifespan,
    )
    app.state.context = ctx
    _install_error_handlers(app)

    @app.get("/health", tags=["platform"], summary="Is the platform up and its database reachable?")
    def health() -> JSONResponse:
        if ctx.db.is_reachable():
            return JSONResponse({"status": "ok", "database": ctx.db.dialect})
        return JSONResponse(
            {"status": "unavailable", "detail": "The database cannot be reached."},
            status_code=503,
        )

    for api_router in (
        auth.api_router,
        reporting_api.router,
        cases_api.router,
        evidence_api.router,
        contact_api.router,
        dispatch_api.router,
        simulation_api.router,
        safeguarding_api.router,
        prevention_api.router,
        warnings_api.router,
        opendata_api.router,
    ):
        app.include_router(api_router, responses=PROBLEM_RESPONSES)
    for router in (
        auth.pages_router,
        home.router,
        reporting_pages.router,
        cases_pages.router,
        evidence_pages.router,
        contact_pages.router,
        simulation_pages.router,
        safeguarding_pages.router,
        prevention_pages.router,
        warnings_pages.router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
