"""The background worker that runs simulation requests, one at a time, in their turn.

The worker is a thread started with the app. It takes the oldest queued request, loads its
scenarios, hands them to a runner and records the progress (simulated days done) as it comes
and then the results or the reason it failed. At start-up, requests left running by a stopped
process are queued again, so a restart loses none.

`ProcessRunner` (the app's) simulates in a separate process, started for each request: a
simulation is CPU-bound Python, and in the web process it would hold the interpreter lock and
slow every page; on shutdown the process is stopped and its request runs again at the next
start. `InlineRunner` simulates in the worker's own thread (tests, and where processes cannot
be started).
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any, Protocol

from safercity.platform.clock import Clock
from safercity.platform.db import Database
from safercity.platform.errors import SaferCityError
from safercity.simulation import service
from safercity.simulation.engine import simulate
from safercity.simulation.results import RunResult
from safercity.simulation.scenario import Scenario, load_scenario
from safercity.simulation.world import build_world

__all__ = [
    "InlineRunner",
    "ProcessRunner",
    "Runner",
    "SimulationFailed",
    "SimulationWorker",
    "Stopped",
    "nudge",
]

log = logging.getLogger(__name__)

Progress = Callable[[int], None]  # simulated days done, over all the request's scenarios
Message = tuple[str, Any]  # ("progress", days done) | ("result", RunResult dict) | ("error", text)
POLL_SECONDS = 1.0
STATE_KEY = "simulation_worker"  # where the app keeps its worker, on ``app.state``


class SimulationFailed(Exception):
    """A simulation could not be run or did not finish; the message is for the analyst."""


class Stopped(Exception):
    """The worker was told to stop while a simulation ran; the request stays to run again."""


class Runner(Protocol):
    """Runs a request's scenarios and gives back their results in the same order."""

    def run(
        self,
        scenarios: Sequence[Scenario],
        *,
        days: int,
        seed: int,
        progress: Progress,
        stop: threading.Event,
    ) -> list[RunResult]: ...


def simulate_all(
    scenarios: Sequence[Scenario], days: int, seed: int, send: Callable[[Message], None]
) -> None:
    """Simulate each scenario in turn, sending progress, each result, or the error that ended it."""
    try:
        for i, scenario in enumerate(scenarios):
            world = build_world(scenario)

            def day_done(done: int, _total: int, before: int = i * days) -> None:
                send(("progress", before + done))

            result = simulate(world, days=days, seed=seed, progress=day_done)
            send(("result", result.to_dict()))
    except Stopped:
        raise
    except SaferCityError as error:
        send(("error", error.detail))
    except Exception as error:
        log.exception("simulation of %s failed", [s.name for s in scenarios])
        send(("error", f"The simulation stopped with an error: {type(error).__name__}: {error}"))


def _collect(messages: list[Message], count: int) -> list[RunResult]:
    errors = [payload for kind, payload in messages if kind == "error"]
    if errors:
        raise SimulationFailed(str(errors[0]))
    results = [RunResult.from_dict(payload) for kind, payload in messages if kind == "result"]
    if len(results) != count:
        raise SimulationFailed("The simulation stopped before every scenario was done.")
    return results


class InlineRunner:
    """Simulates in the calling thread; a stop takes effect at the end of a simulated day."""

    def run(
        self,
        scenarios: Sequence[Scenario],
        *,
        days: int,
        seed: int,
        progress: Progress,
        stop: threading.Event,
    ) -> list[RunResult]:
        messages: list[Message] = []

        def send(message: Message) -> None:
            if message[0] == "progress":
                if stop.is_set():
                    raise Stopped
                progress(int(message[1]))
            else:
                messages.append(message)

        simulate_all(scenarios, days, seed, send)
        return _collect(messages, len(scenarios))


def _child(
    scenarios: Sequence[Scenario], days: int, seed: int, connection: Connection
) -> None:  # pragma: no cover - runs in the child process
    try:
        simulate_all(scenarios, days, seed, connection.send)
    finally:
        connection.close()


class ProcessRunner:
    """Simulates in a fresh process (spawned: the web process has threads, so no fork)."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("spawn")

    def run(
        self,
        scenarios: Sequence[Scenario],
        *,
        days: int,
        seed: int,
        progress: Progress,
        stop: threading.Event,
    ) -> list[RunResult]:
        receive, send = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=_child, args=(list(scenarios), days, seed, send), daemon=True
        )
        process.start()
        send.close()  # the child holds its end: when it exits, receiving ends
        messages: list[Message] = []
        try:
            while True:
                if stop.is_set():
                    process.terminate()
                    raise Stopped
                if not receive.poll(0.2):
                    continue
                try:
                    message: Message = receive.recv()
                except EOFError:
                    break
                if message[0] == "progress":
                    progress(int(message[1]))
                else:
                    messages.append(message)
        finally:
            process.join(timeout=5)
            receive.close()
        if process.exitcode not in (0, None) and len(messages) < len(scenarios):
            raise SimulationFailed(
                f"The simulation process stopped unexpectedly (exit code {process.exitcode})."
            )
        return _collect(messages, len(scenarios))


class SimulationWorker:
    """A thread that runs queued simulation requests one at a time until stopped."""

    def __init__(
        self, db: Database, clock: Clock, runner: Runner, poll_seconds: float = POLL_SECONDS
    ) -> None:
        self.db, self.clock, self.runner = db, clock, runner
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._work, name="simulation-worker", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """A request was queued: look now rather than at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _work(self) -> None:
        try:
            requeued = service.requeue_interrupted(self.db)
        except Exception:
            log.exception("could not requeue interrupted simulations")
        else:
            if requeued:
                log.info("%d interrupted simulation(s) queued again", requeued)
        while not self._stop.is_set():
            try:
                worked = self.run_next()
            except Exception:
                log.exception("the simulation worker hit an error; it carries on")
                worked = False
            if not worked:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()

    def run_next(self) -> bool:
        """Run the oldest queued request to its end; False when there was none."""
        run = service.claim_next(self.db, self.clock)
        if run is None:
            return False
        try:
            scenarios = [load_scenario(name) for name in run.scenarios]
            results = self.runner.run(
                scenarios,
                days=run.days,
                seed=run.seed,
                progress=lambda done: service.record_progress(self.db, run.id, done),
                stop=self._stop,
            )
        except Stopped:
            return True  # still marked running: queued again at the next start
        except SaferCityError as error:
            service.record_failure(self.db, self.clock, run.id, error.detail)
        except SimulationFailed as error:
            service.record_failure(self.db, self.clock, run.id, str(error))
        except Exception as error:  # recorded, so the request does not stay "running"
            log.exception("simulation %d failed", run.id)
            message = f"The simulation stopped with an error: {type(error).__name__}: {error}"
            service.record_failure(self.db, self.clock, run.id, message)
        else:
            service.record_results(self.db, self.clock, run.id, results)
        return True


def nudge(app_state: object) -> None:
    """Tell the app's worker, if it has one, that a request was just queued."""
    worker = getattr(app_state, STATE_KEY, None)
    if isinstance(worker, SimulationWorker):
        worker.wake()
