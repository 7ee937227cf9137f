"""Judging forecasts as the literature does: hit rate, PAI and PEI, on a rolling origin.

For a share a of the study area's cells (1%, 5% and 10% by default), the forecast's top
k = ceil(a × cells) cells are flagged. Then, for the month forecast:

- hit rate = events in flagged cells / all events;
- PAI (predictive accuracy index, Chainey et al. 2008) = hit rate / a, using the flagged cells'
  true share of the area (k / cells);
- PEI (predictive efficiency index, Hunt 2016) = events in flagged cells / the most events any k
  cells held that month.

Ties at the cut (common with counts) are broken by a fixed random order of the cells (seeded),
never by position, so no part of the map is favoured. Rolling origin: each month is forecast only
from the months before it; figures are pooled over the months (events and hits summed) before
the ratios are taken.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from safercity.prevention.forecast import Events, FloatArray, Forecaster, Grid

AREA_SHARES = (0.01, 0.05, 0.10)
TIE_SEED = 20240101


@dataclass
class Tally:
    """Events and hits summed over months, per area share."""

    events: float = 0.0
    hits: dict[float, float] = field(default_factory=dict)
    best: dict[float, float] = field(default_factory=dict)

    def add(self, events: float, hits: Mapping[float, float], best: Mapping[float, float]) -> None:
        self.events += events
        for share in hits:
            self.hits[share] = self.hits.get(share, 0.0) + hits[share]
            self.best[share] = self.best.get(share, 0.0) + best[share]


def flagged(
    scores: FloatArray, inside: NDArray[np.int64], k: int, tie_order: FloatArray
) -> FloatArray:
    """The k inside cells with the highest scores, ties in the fixed random order."""
    chosen = np.asarray(inside)
    order = np.lexsort((tie_order[chosen], -scores[chosen]))
    return chosen[order[:k]].astype(np.float64)


def month_figures(
    scores: FloatArray,
    actual: FloatArray,
    grid: Grid,
    shares: Iterable[float] = AREA_SHARES,
    seed: int = TIE_SEED,
) -> tuple[float, dict[float, float], dict[float, float]]:
    inside = np.flatnonzero(grid.inside.ravel()).astype(np.int64)
    tie_order = np.random.default_rng(seed).random(grid.nx * grid.ny)
    events = float(actual[inside].sum())
    hits, best = {}, {}
    ranked_actual = np.sort(actual[inside])[::-1]
    for share in shares:
        k = math.ceil(share * len(inside))
        top = flagged(scores, inside, k, tie_order).astype(np.int64)
        hits[share] = float(actual[top].sum())
        best[share] = float(ranked_actual[:k].sum())
    return events, hits, best


def backtest(
    forecaster: Forecaster,
    events: Events,
    grid: Grid,
    months: Sequence[int],
    shares: Sequence[float] = AREA_SHARES,
) -> dict[str, dict[str, float]]:
    """Forecast each month from the months before it; pooled hit rate, PAI and PEI per share."""
    tally = Tally()
    cells = grid.nx * grid.ny
    for month in months:
        scores = forecaster.score(events, grid, month)
        tally.add(*month_figures(scores, events.in_month(month, cells), grid, shares))
    inside = grid.cells
    result: dict[str, dict[str, float]] = {"hit_rate": {}, "pai": {}, "pei": {}}
    for share in shares:
        key = f"{share:.2f}"
        hits = tally.hits.get(share, 0.0)
        best = tally.best.get(share, 0.0)
        rate = hits / tally.events if tally.events else 0.0
        true_share = math.ceil(share * inside) / inside
        result["hit_rate"][key] = round(rate, 4)
        result["pai"][key] = round(rate / true_share, 3)
        result["pei"][key] = round(hits / best, 4) if best else 0.0
    return result
