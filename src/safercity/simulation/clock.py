"""The simulation's clock: actions scheduled at times, run in time order.

Two interchangeable engines with the same semantics (an action at time t runs once every
action before t has, ties in the order they were scheduled; `run_until(t)` runs the actions
strictly before t): a binary heap of our own, and SimPy's event queue. The simulation uses the
heap by default because it is measured faster (`safercity bench simulate` reports both); a test
checks that both give the same results.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Protocol

import simpy

Action = Callable[[], object]


class Clock(Protocol):
    @property
    def now(self) -> float: ...

    def at(self, time: float, action: Action) -> None: ...

    def run_until(self, time: float) -> None: ...


class HeapClock:
    """A priority queue of (time, order, action): a few hundred nanoseconds an event."""

    def __init__(self) -> None:
        self._queue: list[tuple[float, int, Action]] = []
        self._order = 0
        self._now = 0.0

    @property
    def now(self) -> float:
        return self._now

    def at(self, time: float, action: Action) -> None:
        self._order += 1
        heapq.heappush(self._queue, (max(time, self._now), self._order, action))

    def run_until(self, time: float) -> None:
        queue, pop = self._queue, heapq.heappop
        while queue and queue[0][0] < time:
            when, _, action = pop(queue)
            self._now = when
            action()
        self._now = max(self._now, time)


class SimPyClock:
    """The same clock on SimPy's environment: each action is a timeout's callback."""

    def __init__(self) -> None:
        self._env = simpy.Environment()

    @property
    def now(self) -> float:
        return float(self._env.now)

    def at(self, time: float, action: Action) -> None:
        event = self._env.timeout(max(0.0, time - self._env.now))
        event.callbacks.append(lambda _event: _call(action))

    def run_until(self, time: float) -> None:
        if time > self._env.now:
            self._env.run(until=time)


def _call(action: Action) -> None:
    action()


CLOCKS: dict[str, Callable[[], Clock]] = {"heap": HeapClock, "simpy": SimPyClock}
