"""The open choices API: ask for scenarios to be simulated side by side, and follow the run.

Asking needs a member of staff's bearer token; the scenarios and a run's status and figures
are open data, readable by anyone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from safercity.platform.http import ApiUser, ContextDep
from safercity.simulation import jobs, service
from safercity.simulation.service import MAX_DAYS, MAX_SCENARIOS, MAX_SEED, SimulationRun

router = APIRouter(prefix="/api/v1/simulations", tags=["simulation"])

RunId = Annotated[
    int, Path(ge=1, le=2_147_483_647, description="The simulation's number.", examples=[1])
]
ScenarioName = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9_]+$")]
Figure = float | int | bool | str | None


class ScenarioOut(BaseModel):
    name: str = Field(description="What to send in `scenarios`.", examples=["london_today"])
    title: str
    description: str


class SimulationCreate(BaseModel):
    """Bundled scenarios to simulate side by side, each for the same days from the same seed."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"scenarios": ["london_today", "separate_control_rooms"], "days": 1}]
        },
    )

    scenarios: list[ScenarioName] = Field(
        min_length=1,
        max_length=MAX_SCENARIOS,
        description="Names of bundled scenarios (GET /api/v1/simulations/scenarios), "
        f"1 to {MAX_SCENARIOS}, each once.",
    )
    days: int = Field(default=1, ge=1, le=MAX_DAYS, description="Simulated days per scenario.")
    seed: int = Field(
        default=1, ge=0, le=MAX_SEED, description="The same seed gives the same calls."
    )


class SimulationAccepted(BaseModel):
    id: int
    status: str = Field(examples=["queued"])
    status_url: str = Field(description="Follow the run here (GET).")
    page_url: str = Field(description="The shareable page with the comparison.")


class SimulationLinks(BaseModel):
    page: str
    csv: str
    json_: str = Field(alias="json")


class SimulationOut(BaseModel):
    """A run as it stands; `results` holds each scenario's key figures once it is done."""

    model_config = ConfigDict(populate_by_name=True)

    id: int
    status: str = Field(description="queued, running, done or failed.", examples=["running"])
    status_label: str
    scenarios: list[str]
    days: int
    seed: int
    progress_days: int = Field(description="Simulated days done, over all the scenarios.")
    total_days: int = Field(description="Days × scenarios.")
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None = Field(description="Why it failed, when it did.")
    links: SimulationLinks
    results: list[dict[str, Figure]] | None = Field(
        description="Each scenario's key figures (response times against targets, counts, "
        "utilisation, officer hours), in the order asked; null until done."
    )

    @classmethod
    def of(cls, run: SimulationRun) -> SimulationOut:
        page = f"/analysis/simulations/{run.id}"
        return cls(
            id=run.id,
            status=run.status.value,
            status_label=run.status.label,
            scenarios=list(run.scenarios),
            days=run.days,
            seed=run.seed,
            progress_days=run.progress_days,
            total_days=run.total_days,
            requested_at=run.requested_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            error=run.error,
            links=SimulationLinks(page=page, csv=f"{page}.csv", json=f"{page}.json"),
            results=[r.kpis() for r in run.results] if run.status.finished else None,
        )


@router.get("/scenarios", response_model=list[ScenarioOut], summary="The bundled scenarios")
def scenarios() -> list[ScenarioOut]:
    return [
        ScenarioOut(name=c.name, title=c.title, description=c.description)
        for c in service.scenario_choices()
    ]


@router.post(
    "",
    status_code=202,
    response_model=SimulationAccepted,
    summary="Ask for scenarios to be simulated side by side",
)
def create(
    body: SimulationCreate, request: Request, response: Response, ctx: ContextDep, user: ApiUser
) -> SimulationAccepted:
    """Queues the run and answers at once; follow `status_url` until it is done or failed."""
    wanted = service.check_request(body.scenarios, body.days, body.seed)
    run = service.request_simulation(ctx.db, ctx.clock, user, wanted)
    jobs.nudge(request.app.state)
    status_url = f"{router.prefix}/{run.id}"
    response.headers["Location"] = status_url
    return SimulationAccepted(
        id=run.id,
        status=run.status.value,
        status_url=status_url,
        page_url=f"/analysis/simulations/{run.id}",
    )


@router.get(
    "/{run_id}",
    response_model=SimulationOut,
    response_model_by_alias=True,
    summary="A simulation's status, progress and, when done, its key figures",
)
def status(run_id: RunId, ctx: ContextDep) -> SimulationOut:
    return SimulationOut.of(service.run_status(ctx.db, run_id))
