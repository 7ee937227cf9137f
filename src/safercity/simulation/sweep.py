"""Many runs at once: scenarios × seeds, serially or on a Dask cluster.

A sweep is a list of (scenario, seed) runs of the same length. `run_many` runs them in this
process (`workers=0`), on a local Dask cluster of worker processes (the default), or on a real
cluster when given its scheduler's address. Each run is one task (a simulated day of London
takes seconds, far above Dask's few milliseconds of overhead a task), seeded by its own seed,
so a run's result does not depend on where or in which order it ran: a sweep on Dask equals
the same sweep run serially.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from safercity.simulation.engine import simulate
from safercity.simulation.results import RunResult
from safercity.simulation.scenario import Scenario, load_scenario
from safercity.simulation.world import build_world

__all__ = ["Run", "run_many", "run_one"]

SweepProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class Run:
    """One run of a sweep: a scenario (a name, a path or a loaded one) and a seed."""

    scenario: str | Path | Scenario
    seed: int


def run_one(scenario: str | Path | Scenario, seed: int, days: int) -> dict[str, Any]:
    """One run, as JSON-ready data (what a Dask worker sends back)."""
    loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    return simulate(build_world(loaded), days=days, seed=seed).to_dict()


def run_many(
    runs: Sequence[Run],
    *,
    days: int,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: SweepProgress | None = None,
) -> list[RunResult]:
    """Every run's result, in the order of `runs`.

    `workers=0` runs them here, one after another; otherwise on Dask: the cluster at
    `scheduler` (an address such as ``tcp://10.0.0.5:8786``), or a local cluster of `workers`
    worker processes (default: one per CPU, at most one per run).
    """
    if workers == 0 and scheduler is None:
        results = []
        for done, run in enumerate(runs, start=1):
            results.append(RunResult.from_dict(run_one(run.scenario, run.seed, days)))
            if progress is not None:
                progress(done, len(runs))
        return results
    return _on_dask(runs, days=days, workers=workers, scheduler=scheduler, progress=progress)


def _on_dask(
    runs: Sequence[Run],
    *,
    days: int,
    workers: int | None,
    scheduler: str | None,
    progress: SweepProgress | None,
) -> list[RunResult]:
    from distributed import Client, LocalCluster, as_completed  # heavy: only for sweeps

    cluster: AbstractContextManager[Any]
    if scheduler is not None:
        cluster = nullcontext(scheduler)
    else:
        count = workers or min(len(runs), os.cpu_count() or 1)
        cluster = LocalCluster(
            n_workers=max(1, count),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
    with cluster as address, Client(address) as client:
        futures = [client.submit(run_one, run.scenario, run.seed, days, pure=False) for run in runs]
        for done, _ in enumerate(as_completed(futures), start=1):
            if progress is not None:
                progress(done, len(runs))
        return [RunResult.from_dict(data) for data in client.gather(futures)]
