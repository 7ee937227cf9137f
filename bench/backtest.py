"""The forecasters' backtest over London, timed, and the evidence for the default forecaster.

Run from the repository root (needs the data.police.uk Met burglary files, one gzip a year, as
in the project's shared reference data):

    .venv/bin/python bench/backtest.py --data ../shared/data/police_uk/met_burglary time
    .venv/bin/python bench/backtest.py --data ../shared/data/police_uk/met_burglary select

``time``: 12 months (2023) forecast at 250 m from the 36 months before (2020–2022), every
method; the median wall time of 3 runs (reading the files is not timed), and the figures.
``select``: the default against the naive 36-month count on data before 2024 only: chosen on
2019–2021, confirmed on 2022–2023 (history from 2010): pooled 5% hit rates, the months the
default wins, and a bootstrap 95% interval of the difference (months resampled).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import date
from pathlib import Path

import numpy as np

from safercity.prevention import evaluate, police_uk
from safercity.prevention.backtest import run_backtest, study_grid
from safercity.prevention.forecast import Events, NaiveCount, default_forecaster
from safercity.prevention.model import month_index


def read(folder: Path, years: range) -> tuple[np.ndarray, np.ndarray, list[date]]:
    files = [folder / f"met-burglary-street-{year}.csv.gz" for year in years]
    lons: list[float] = []
    lats: list[float] = []
    months: list[date] = []
    for batch in police_uk.read_crimes(files, police_uk.ImportReport(), batch_size=50_000):
        for event in batch:
            lons.append(event.lon)
            lats.append(event.lat)
            months.append(event.month)
    return np.array(lons), np.array(lats), months


def timed(folder: Path) -> dict[str, object]:
    lon, lat, months = read(folder, range(2020, 2024))
    walls = []
    for _ in range(3):
        started = time.perf_counter()
        result = run_backtest(
            lon, lat, months, first=date(2023, 1, 1), last=date(2023, 12, 1), cell_m=250.0
        )
        walls.append(time.perf_counter() - started)
    return {"wall_s_median": round(statistics.median(walls), 2), "walls_s": walls} | {
        name: figures["hit_rate"]
        for name, figures in result.items()
        if isinstance(figures, dict) and "hit_rate" in figures
    }


def _per_month(forecaster: object, events: Events, grid: object, targets: list[int]) -> np.ndarray:
    rows = []
    cells = grid.nx * grid.ny  # type: ignore[attr-defined]
    for target in targets:
        scores = forecaster.score(events, grid, target)  # type: ignore[attr-defined]
        total, hits, _ = evaluate.month_figures(scores, events.in_month(target, cells), grid)  # type: ignore[arg-type]
        rows.append((total, hits[0.05]))
    return np.array(rows)


def select(folder: Path) -> dict[str, object]:
    lon, lat, months = read(folder, range(2010, 2024))
    grid, projection = study_grid(250.0)
    x, y = projection.to_metres(lon, lat)
    events = Events.on(grid, x, y, np.array([month_index(m) for m in months]))
    out: dict[str, object] = {}
    periods = {"choose 2019-2021": (2019, 2021), "confirm 2022-2023": (2022, 2023)}
    for label, (first, last) in periods.items():
        targets = list(range(month_index(date(first, 1, 1)), month_index(date(last, 12, 1)) + 1))
        naive = _per_month(NaiveCount(), events, grid, targets)
        best = _per_month(default_forecaster(), events, grid, targets)
        rng = np.random.default_rng(1)
        diffs = []
        for _ in range(2000):
            pick = rng.integers(0, len(targets), len(targets))
            diffs.append(
                best[pick, 1].sum() / best[pick, 0].sum()
                - naive[pick, 1].sum() / naive[pick, 0].sum()
            )
        out[label] = {
            "naive_36_hit_5pct": round(naive[:, 1].sum() / naive[:, 0].sum(), 4),
            "default_hit_5pct": round(best[:, 1].sum() / best[:, 0].sum(), 4),
            "months_default_better": int(
                (best[:, 1] / best[:, 0] > naive[:, 1] / naive[:, 0]).sum()
            ),
            "months": len(targets),
            "difference_95ci": [round(float(v), 4) for v in np.percentile(diffs, [2.5, 97.5])],
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["time", "select"])
    parser.add_argument("--data", type=Path, required=True)
    args = parser.parse_args()
    print(json.dumps(timed(args.data) if args.what == "time" else select(args.data), indent=1))


if __name__ == "__main__":
    main()
