"""Open choices: an analyst asks for bundled scenarios to be simulated side by side, and shares
the comparison.

A request is recorded here and run in the background (`simulation.jobs`); its page, its
status in the API and its CSV and JSON downloads are open data: simulated figures only, never
who asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from safercity.platform.clock import Clock
from safercity.platform.db import Database
from safercity.platform.errors import FieldError, InvalidInput, NotFound
from safercity.platform.identity.model import StaffUser
from safercity.simulation import store
from safercity.simulation.report import kpi_csv
from safercity.simulation.results import RunResult
from safercity.simulation.scenario import Scenario, bundled_scenarios, load_scenario
from safercity.simulation.store import RunStatus, SimulationRun

__all__ = [
    "MAX_DAYS",
    "MAX_SCENARIOS",
    "MAX_SEED",
    "RunStatus",
    "ScenarioChoice",
    "SimulationRequest",
    "SimulationRun",
    "check_request",
    "claim_next",
    "recent_runs",
    "record_failure",
    "record_progress",
    "record_results",
    "request_simulation",
    "requeue_interrupted",
    "results_csv",
    "results_json",
    "run_status",
    "scenario_choices",
    "scenarios_of",
]

MAX_SCENARIOS = 4
MAX_DAYS = 7  # a London day takes seconds to simulate: a week of four is minutes
MAX_SEED = 2_147_483_647
MAX_ERROR_CHARS = 2000
RECENT = 10


@dataclass(frozen=True)
class ScenarioChoice:
    """A bundled scenario as the analyst chooses it: its name, title and what it changes."""

    name: str
    title: str
    description: str


@dataclass(frozen=True)
class SimulationRequest:
    """What to simulate: scenarios by name, each for `days` days from the same `seed`."""

    scenarios: tuple[str, ...]
    days: int
    seed: int


@cache
def _bundled() -> dict[str, Scenario]:
    return {name: load_scenario(name) for name in bundled_scenarios()}


def scenario_choices() -> tuple[ScenarioChoice, ...]:
    """The bundled scenarios, by name."""
    return tuple(ScenarioChoice(s.name, s.title, s.description) for s in _bundled().values())


def scenarios_of(run: SimulationRun) -> list[Scenario]:
    """The run's scenarios that are still bundled (their titles and descriptions)."""
    bundled = _bundled()
    return [bundled[name] for name in run.scenarios if name in bundled]


def check_request(scenarios: Sequence[str], days: int, seed: int) -> SimulationRequest:
    """The request, or InvalidInput naming each field that is wrong and why."""
    known = {choice.name for choice in scenario_choices()}
    errors = []
    unknown = [name for name in scenarios if name not in known]
    if not scenarios:
        errors.append(FieldError("scenarios", "Choose at least one scenario"))
    elif unknown:
        errors.append(
            FieldError("scenarios", f"There is no bundled scenario called {unknown[0][:80]!r}")
        )
    elif len(set(scenarios)) != len(scenarios):
        errors.append(FieldError("scenarios", "Choose each scenario once"))
    elif len(scenarios) > MAX_SCENARIOS:
        errors.append(FieldError("scenarios", f"Choose at most {MAX_SCENARIOS} scenarios"))
    if not 1 <= days <= MAX_DAYS:
        errors.append(FieldError("days", f"Enter a whole number of days from 1 to {MAX_DAYS}"))
    if not 0 <= seed <= MAX_SEED:
        errors.append(FieldError("seed", f"Enter a whole number from 0 to {MAX_SEED}"))
    if errors:
        summary = "; ".join(f"{e.field}: {e.message}" for e in errors)
        raise InvalidInput(f"The simulation request is not valid. {summary}", errors)
    return SimulationRequest(tuple(scenarios), days, seed)


def request_simulation(
    db: Database, clock: Clock, user: StaffUser, request: SimulationRequest
) -> SimulationRun:
    """Queue a request; the background worker takes it in turn. Any member of staff may ask."""
    with db.transaction() as conn:
        run_id = store.insert_run(
            conn,
            requested_by=user.audit_name,
            at=clock.now(),
            scenarios=request.scenarios,
            days=request.days,
            seed=request.seed,
        )
        run = store.load_run(conn, run_id)
    assert run is not None
    return run


def run_status(db: Database, run_id: int) -> SimulationRun:
    """A request as it stands, with its results once done."""
    with db.transaction() as conn:
        run = store.load_run(conn, run_id)
    if run is None:
        raise NotFound(f"There is no simulation number {run_id}. Check the link.")
    return run


def recent_runs(db: Database, limit: int = RECENT) -> list[SimulationRun]:
    with db.transaction() as conn:
        return store.recent_runs(conn, limit)


def requeue_interrupted(db: Database) -> int:
    """At start-up: requests left running when the process stopped go back in the queue."""
    with db.transaction() as conn:
        return store.requeue_running(conn)


def claim_next(db: Database, clock: Clock) -> SimulationRun | None:
    with db.transaction() as conn:
        return store.claim_next(conn, clock.now())


def record_progress(db: Database, run_id: int, days_done: int) -> None:
    with db.transaction() as conn:
        store.set_progress(conn, run_id, days_done)


def record_results(db: Database, clock: Clock, run_id: int, results: Sequence[RunResult]) -> None:
    with db.transaction() as conn:
        store.finish(conn, run_id, clock.now(), [r.to_dict() for r in results])


def record_failure(db: Database, clock: Clock, run_id: int, message: str) -> None:
    with db.transaction() as conn:
        store.fail(conn, run_id, clock.now(), message[:MAX_ERROR_CHARS])


def results_csv(run: SimulationRun) -> str:
    """One row of key figures per scenario, as the CLI's kpis.csv."""
    return kpi_csv(run.results)


def results_json(run: SimulationRun) -> dict[str, Any]:
    """The request and every scenario's full result, as open data."""
    return {
        "id": run.id,
        "status": run.status.value,
        "scenarios": list(run.scenarios),
        "days": run.days,
        "seed": run.seed,
        "requested_at": run.requested_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "error": run.error,
        "results": [result.to_dict() for result in run.results],
    }
