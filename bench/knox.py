"""Knox test timing on the Chicago 2016 residential burglaries (11,701 events).

Run from the repository root: ``.venv/bin/python bench/knox.py [path.csv[.gz]]``. The file has
columns x, y (metres) and date (YYYY-MM-DD); by default the fixture in tests/data/prevention.
The bands are the published ones (Euclidean; [0, 0.1], (0.1, 200], (200, 400], (400, 600] m by
[0, 7], (7, 14], (14, 21] days) with 99 permutations. Prints the median wall time of 5 runs as
JSON; reading the file is not timed.
"""

from __future__ import annotations

import csv
import gzip
import json
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

from safercity.prevention.knox import knox_test

FIXTURE = Path(__file__).parent.parent / "tests" / "data" / "prevention"
DEFAULT = FIXTURE / "chicago_burglary_2016.csv.gz"
SPACE = [0, 0.1, 200, 400, 600]
TIME = [0, 7, 14, 21]
ITERATIONS = 99
RUNS = 5


def read_events(path: Path) -> tuple[np.ndarray, np.ndarray, list[date]]:
    with (
        gzip.open(path, "rt", newline="") if path.suffix == ".gz" else path.open(newline="") as file
    ):
        rows = list(csv.DictReader(file))
    x = np.array([float(r["x"]) for r in rows])
    y = np.array([float(r["y"]) for r in rows])
    return x, y, [date.fromisoformat(r["date"]) for r in rows]


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    x, y, dates = read_events(path)
    times = []
    for run in range(RUNS):
        started = time.perf_counter()
        result = knox_test(
            x, y, dates, space_edges=SPACE, time_edges=TIME, iterations=ITERATIONS, seed=run
        )
        times.append(time.perf_counter() - started)
    print(
        json.dumps(
            {
                "benchmark": "knox_test",
                "file": path.name,
                "events": result.events,
                "iterations": ITERATIONS,
                "runs": RUNS,
                "median_s": round(statistics.median(times), 3),
                "min_s": round(min(times), 3),
                "max_s": round(max(times), 3),
                "observed_pairs": int(result.observed.sum()),
                "python": platform.python_version(),
                "numpy": np.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
