"""A sweep of scenarios × seeds on a real local Dask cluster (worker processes) gives the same
results, in the same order, as the same sweep run one after another in this process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from safercity.simulation.results import RunResult
from safercity.simulation.scenario import scenario_from_dict
from safercity.simulation.sweep import Run, run_many

SMALL = {"police": 0.03, "ambulance": 0.03, "fire": 0.3}


def _distributed() -> Any:
    """Dask's distributed (heavy, and without complete annotations): imported when used."""
    import distributed

    return distributed


def _comparable(result: RunResult) -> dict[str, Any]:
    data = result.to_dict()
    data.pop("wall_s")
    return data


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[Run]:
    """Two small scenarios × two seeds: one given as a loaded scenario, one as a file path."""
    joint = scenario_from_dict({"name": "small_joint", "demand": {"stream_scale": SMALL}})
    path = tmp_path_factory.mktemp("scenarios") / "small_separate.json"
    path.write_text(
        json.dumps(
            {
                "control_rooms": "separate",
                "transfer_delay_s": 300,
                "demand": {"stream_scale": SMALL},
            }
        ),
        encoding="utf-8",
    )
    return [Run(joint, 11), Run(str(path), 11), Run(joint, 12), Run(path, 12)]


@pytest.fixture(scope="module")
def serial(runs: list[Run]) -> list[RunResult]:
    done: list[tuple[int, int]] = []
    results = run_many(runs, days=1, workers=0, progress=lambda d, n: done.append((d, n)))
    assert done == [(1, 4), (2, 4), (3, 4), (4, 4)]
    return results


@pytest.fixture
def cluster() -> Iterator[Any]:
    with _distributed().LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as started:
        yield started


def test_the_serial_sweep_keeps_the_order_of_its_runs(serial: list[RunResult]) -> None:
    assert [(r.scenario, r.seed, r.days) for r in serial] == [
        ("small_joint", 11, 1),
        ("small_separate", 11, 1),
        ("small_joint", 12, 1),
        ("small_separate", 12, 1),
    ]
    # Different scenarios and seeds give different results.
    assert len({json.dumps(r.kpis(), sort_keys=True) for r in serial}) == 4


def test_a_sweep_on_two_dask_worker_processes_equals_the_serial_one(
    runs: list[Run], serial: list[RunResult]
) -> None:
    done: list[tuple[int, int]] = []
    on_dask = run_many(runs, days=1, workers=2, progress=lambda d, n: done.append((d, n)))
    assert [r.kpis() for r in on_dask] == [r.kpis() for r in serial]
    assert [_comparable(r) for r in on_dask] == [_comparable(r) for r in serial]
    assert [d for d, _ in done] == [1, 2, 3, 4] and {n for _, n in done} == {4}


def test_a_sweep_runs_on_the_cluster_at_a_scheduler_address(
    cluster: Any, runs: list[Run], serial: list[RunResult]
) -> None:
    address = cluster.scheduler_address
    assert address.startswith("tcp://")
    on_dask = run_many(runs[:2], days=1, scheduler=address)
    assert [r.kpis() for r in on_dask] == [r.kpis() for r in serial[:2]]
    # The runs were that cluster's tasks, and the cluster is still up for the next sweep.
    with _distributed().Client(address) as client:
        assert client.run_on_scheduler(_finished_runs) == 2
        assert len(client.scheduler_info()["workers"]) == 2


def _finished_runs(dask_scheduler: Any) -> int:
    prefix = dask_scheduler.task_prefixes.get("run_one")
    return 0 if prefix is None else int(prefix.state_counts["memory"])
