"""What one simulation run measured: response times against the published targets, and the rest.

A `RunResult` is plain, JSON-ready data (`to_dict` / `from_dict`), so runs can be sent back from
Dask workers, written to reports and kept by the web page. Response times are kept as histograms
(30-second bins) beside their exact mean, 90th centile and count, so a year of ambulance calls
does not travel as millions of numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

BIN_S = 30
MAX_BINNED_S = 2 * 3600  # times past two hours fall in the last bin


@dataclass(frozen=True)
class Target:
    """A published response target: `statistic` ("mean", "p90") of the times within `seconds`."""

    key: str
    label: str
    statistic: str
    seconds: float
    source: str


@dataclass(frozen=True)
class Measure:
    """A simulated response time against its target; `value_s` is None when nothing was timed."""

    key: str
    label: str
    statistic: str
    target_s: float
    value_s: float | None
    count: int
    source: str

    @property
    def met(self) -> bool | None:
        return None if self.value_s is None else self.value_s <= self.target_s


@dataclass(frozen=True)
class Distribution:
    """Response times of one kind: exact summary figures and a histogram of 30-second bins."""

    key: str
    label: str
    count: int
    mean_s: float | None
    median_s: float | None
    p90_s: float | None
    within: Mapping[str, float]  # share of times within "360" s and other marks
    bins: tuple[int, ...]  # counts per BIN_S from 0; the last bin holds everything later

    @classmethod
    def of(
        cls, key: str, label: str, seconds: npt.ArrayLike, marks: Sequence[float] = ()
    ) -> Distribution:
        times = np.asarray(seconds, dtype=np.float64)
        n = int(times.size)
        edges = np.minimum(times // BIN_S, MAX_BINNED_S // BIN_S).astype(np.int64)
        bins = np.bincount(edges, minlength=MAX_BINNED_S // BIN_S + 1)
        return cls(
            key=key,
            label=label,
            count=n,
            mean_s=float(times.mean()) if n else None,
            median_s=float(np.median(times)) if n else None,
            p90_s=float(np.percentile(times, 90)) if n else None,
            within={str(int(m)): float((times <= m).mean()) if n else 0.0 for m in marks},
            bins=tuple(int(b) for b in bins),
        )

    def statistic(self, name: str) -> float | None:
        """The named figure: "mean", "median" or "p90"."""
        value: float | None = {"mean": self.mean_s, "median": self.median_s, "p90": self.p90_s}[
            name
        ]
        return value


@dataclass(frozen=True)
class RunResult:
    """Everything one scenario's run measured, with the seed and length that reproduce it."""

    scenario: str
    title: str
    seed: int
    days: int
    measures: tuple[Measure, ...]
    distributions: tuple[Distribution, ...]
    counts: Mapping[str, int]  # calls, incidents, by stream, sent by telephone, queued...
    vehicles_per_incident: float
    utilisation: Mapping[str, float]  # share of on-duty time busy, by service
    officer_hours: Mapping[str, float]  # police officer-hours by demand type
    officer_cost: float  # of those hours, in the scenario's currency
    harm: Mapping[str, float] = field(default_factory=dict)  # harm-weighted figures
    wall_s: float = 0.0

    def measure(self, key: str) -> Measure:
        for measure in self.measures:
            if measure.key == key:
                return measure
        raise KeyError(key)

    def distribution(self, key: str) -> Distribution:
        for distribution in self.distributions:
            if distribution.key == key:
                return distribution
        raise KeyError(key)

    def kpis(self) -> dict[str, Any]:
        """One flat object of the run's key figures, for JSON lines, CSV rows and comparisons."""
        row: dict[str, Any] = {"scenario": self.scenario, "seed": self.seed, "days": self.days}
        for measure in self.measures:
            row[f"{measure.key}_s"] = _rounded(measure.value_s)
            row[f"{measure.key}_target_s"] = measure.target_s
            row[f"{measure.key}_met"] = measure.met
            row[f"{measure.key}_count"] = measure.count
        row.update({f"count_{k}": v for k, v in self.counts.items()})
        row["vehicles_per_incident"] = _rounded(self.vehicles_per_incident, 3)
        row.update({f"utilisation_{k}": _rounded(v, 4) for k, v in self.utilisation.items()})
        row["officer_hours"] = _rounded(sum(self.officer_hours.values()), 1)
        row["officer_cost"] = _rounded(self.officer_cost, 0)
        row.update({f"harm_{k}": _rounded(v, 3) for k, v in self.harm.items()})
        return row

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunResult:
        values = dict(data)
        values["measures"] = tuple(Measure(**m) for m in data["measures"])
        values["distributions"] = tuple(
            Distribution(**{**d, "bins": tuple(d["bins"])}) for d in data["distributions"]
        )
        return cls(**values)


def _rounded(value: float | None, digits: int = 1) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)
