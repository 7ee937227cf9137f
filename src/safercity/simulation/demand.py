"""Emergency demand for the simulation: when calls come, from where, about what, for how long.

A *demand model* is data: a JSON file per city (``data/london_demand.json``) and a CSV of its
small areas (LSOAs, ``data/london_lsoa_demand.csv``), both rebuilt by ``bench/build_demand.py``;
docs/simulation.md gives the source of every number, or says it is an assumption. The model has
one *stream* per service that takes 999 calls (police, ambulance, fire), each with:

- its yearly volume, an hour-of-day profile and a day-of-week profile;
- a *type mix*: incident types of the joint taxonomy, each with the key answers its calls come
  with (a cardiac arrest: not conscious, not breathing) and its time on scene; for ambulance
  calls also the share closed by telephone (hear and treat) and the share taken to hospital;
- a *spread* over the areas: a blend of area columns (population, people aged 65 and over,
  recorded violence), optionally within fixed shares by borough;
- the share of its calls that are mental-health calls, which a Right Care, Right Person
  scenario can change on its own, and the share of incidents that bring more than one call.

``generate`` draws seeded calls from it: Poisson arrivals hour by hour, each call's type and
area from the mix and the spread, its point a little way from the area's point (kept inside the
city), and its times from log-normal distributions with the stated mean and spread.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from safercity.contact.taxonomy import Taxonomy
from safercity.platform.errors import FieldError, InvalidInput
from safercity.simulation import sampling
from safercity.simulation.demand_file import read_model
from safercity.simulation.model import (
    Areas,
    DemandCall,
    DemandModel,
    Duration,
    Floats,
    Ints,
    Space,
    Stream,
    TypeShare,
    area_weights,
)

__all__ = [
    "Areas",
    "DemandCall",
    "DemandModel",
    "Duration",
    "Space",
    "Stream",
    "TypeShare",
    "area_weights",
    "generate",
    "iter_calls",
    "load_demand",
    "scaled",
]

DAY_S = 86_400
HOUR_S = 3_600
# The columns a day's draws are kept in, in DemandCall's order after its type line.
_CALL_COLUMNS = (
    "seconds", "line", "area", "lat", "lon", "borough", "service", "remote", "conveyed",
    "handover", "calls",
)  # fmt: skip


def load_demand(path: str | Path | None = None, *, taxonomy: Taxonomy | None = None) -> DemandModel:
    """The demand model in `path` (its areas CSV beside it), or London's bundled one.

    Every type code is checked against `taxonomy` (the bundled London one by default).
    InvalidInput lists every problem, each naming its field by its JSON path.
    """
    return read_model(path, taxonomy)


def scaled(model: DemandModel, factor_by_borough: Mapping[str, float]) -> DemandModel:
    """The model with each borough's demand multiplied by its factor (1 where none is given).

    For growth: a borough whose population grows by 3% gets 1.03. Each stream's calls in that
    borough grow by the factor, so its yearly volume grows by the mean factor over its spread.
    """
    boroughs = model.areas.boroughs
    factors = np.ones(len(boroughs))
    errors = []
    for name, factor in factor_by_borough.items():
        if name not in boroughs:
            errors.append(FieldError(f"factor_by_borough.{name}", "is not a borough"))
        elif not (isinstance(factor, int | float) and math.isfinite(factor) and factor >= 0):
            errors.append(FieldError(f"factor_by_borough.{name}", "must be a number, 0 or more"))
        else:
            factors[boroughs.index(name)] = float(factor)
    if errors:
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
        raise InvalidInput(f"The growth factors are not valid: {detail}", errors)
    per_area = factors[model.areas.borough_index]
    streams = tuple(
        replace(s, annual_incidents=s.annual_incidents * float(area_weights(model, s) @ per_area))
        for s in model.streams
    )
    return replace(model, streams=streams, growth=model.growth * per_area)


def generate(model: DemandModel, *, days: int, seed: int, start: datetime) -> list[DemandCall]:
    """Every call of `days` days from `start` (an aware datetime), in time order.

    The same model, seed and start give the same calls. Each day is drawn with its own
    generator, seeded from (`seed`, day), so the first day of a week is the same as a one-day
    run, and a year can be drawn day by day (`iter_calls`) in little memory.
    """
    return list(iter_calls(model, days=days, seed=seed, start=start))


def iter_calls(
    model: DemandModel, *, days: int, seed: int, start: datetime
) -> Iterator[DemandCall]:
    """The calls of `generate`, one day at a time."""
    errors = []
    if start.tzinfo is None or start.utcoffset() is None:
        errors.append(FieldError("start", "must be an aware datetime (with a time zone)"))
    if days < 0:
        errors.append(FieldError("days", "must be 0 or more"))
    if seed < 0:
        errors.append(FieldError("seed", "must be 0 or more"))
    if errors:
        detail = "; ".join(f"{e.field} {e.message}" for e in errors)
        raise InvalidInput(f"Cannot generate demand: {detail}", errors)
    return _days(model, days=days, seed=seed, start=start)


def _days(model: DemandModel, *, days: int, seed: int, start: datetime) -> Iterator[DemandCall]:
    firsts = np.cumsum([0] + [len(s.types) for s in model.streams]).tolist()
    plans = [_Plan.of(model, s, first) for s, first in zip(model.streams, firsts, strict=False)]
    radius = _radius(model)
    first = start.timestamp()
    for day in range(days):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(day,)))
        yield from _one_day(model, plans, radius, first + day * DAY_S, rng)


@dataclass(frozen=True, eq=False)
class _Plan:
    """A stream turned into the arrays its draws need."""

    stream: Stream
    type_cumulative: Floats
    area_cumulative: Floats
    on_scene_mean: Floats
    on_scene_sd: Floats
    telephone: Floats
    conveyance: Floats
    call_counts: Ints
    call_cumulative: Floats
    hourly: Floats
    weekday: Floats
    first_line: int  # the index of its first type line among all streams' lines

    @classmethod
    def of(cls, model: DemandModel, stream: Stream, first_line: int) -> _Plan:
        types = stream.types
        counts = sorted(stream.multi_call_counts.items()) or [(2, 1.0)]
        return cls(
            stream=stream,
            type_cumulative=np.cumsum(stream.probabilities()),
            area_cumulative=np.cumsum(area_weights(model, stream)),
            on_scene_mean=np.array([t.on_scene.mean_s for t in types]),
            on_scene_sd=np.array([t.on_scene.sd_s for t in types]),
            telephone=np.array([t.telephone_share for t in types]),
            conveyance=np.array([t.conveyance_share for t in types]),
            call_counts=np.array([k for k, _ in counts], dtype=np.int64),
            call_cumulative=np.cumsum([w for _, w in counts]),
            hourly=np.array(stream.hourly),
            weekday=np.array(stream.weekday),
            first_line=first_line,
        )


def _radius(model: DemandModel) -> Floats:
    """How far a call may lie from its area's point: `jitter_m`, or less in a small area."""
    radius = np.full(len(model.areas), model.jitter_m)
    area_km2 = model.areas.columns.get("area_km2")
    if area_km2 is not None:
        radius = np.minimum(radius, np.sqrt(area_km2 * 1e6 / math.pi))
    return radius


def _pick(cumulative: Floats, rng: np.random.Generator, n: int) -> Ints:
    """`n` indices drawn with the weights whose running total is `cumulative`."""
    if not n or cumulative[-1] <= 0:
        return np.zeros(n, dtype=np.int64)
    picked: Ints = np.searchsorted(cumulative, rng.random(n) * cumulative[-1], side="right")
    return np.minimum(picked, len(cumulative) - 1)


def _one_day(
    model: DemandModel,
    plans: list[_Plan],
    radius: Floats,
    day_start: float,
    rng: np.random.Generator,
) -> list[DemandCall]:
    """One day's calls of every stream, in time order (a tie keeps the streams' order)."""
    local = [
        datetime.fromtimestamp(day_start + (h + 0.5) * HOUR_S, model.timezone) for h in range(24)
    ]
    hour = np.array([t.hour for t in local])
    weekday = np.array([t.weekday() for t in local])
    drawn = []
    for plan in plans:
        stream = plan.stream
        rates = stream.annual_incidents / 365 * plan.hourly[hour] * plan.weekday[weekday]
        counts = rng.poisson(rates)
        seconds = day_start + (np.repeat(np.arange(24), counts) + rng.random(counts.sum())) * HOUR_S
        drawn.append(_draw(model, plan, radius, seconds, rng))
    columns = {key: np.concatenate([d[key] for d in drawn]) for key in drawn[0]} if drawn else {}
    if not columns or not len(columns["seconds"]):
        return []
    order = np.argsort(columns["seconds"], kind="stable")
    return _calls(model, plans, {key: values[order] for key, values in columns.items()})


def _draw(
    model: DemandModel, plan: _Plan, radius: Floats, seconds: Floats, rng: np.random.Generator
) -> dict[str, npt.NDArray[Any]]:
    """The columns of one stream's calls at `seconds`: type, area, point and times."""
    n, stream, areas = len(seconds), plan.stream, model.areas
    kind = _pick(plan.type_cumulative, rng, n)
    area = _pick(plan.area_cumulative, rng, n)
    lat, lon, borough = sampling.place(
        area,
        lat=areas.lat,
        lon=areas.lon,
        radius_m=radius,
        area_borough=areas.borough_index,
        rng=rng,
    )
    on_scene = sampling.lognormal(rng, plan.on_scene_mean[kind], plan.on_scene_sd[kind])
    remote = rng.random(n) < plan.telephone[kind]
    conveyed = ~remote & (rng.random(n) < plan.conveyance[kind])
    handover = np.zeros(n)
    if stream.handover is not None and n:
        mean, sd = np.full(n, stream.handover.mean_s), np.full(n, stream.handover.sd_s)
        handover = np.where(conveyed, sampling.lognormal(rng, mean, sd), 0.0)
    multi = rng.random(n) < stream.multi_call_share
    extra = plan.call_counts[_pick(plan.call_cumulative, rng, n)]
    return {
        "seconds": seconds,
        "line": kind + plan.first_line,
        "area": area,
        "lat": lat,
        "lon": lon,
        "borough": borough,
        "service": np.where(remote, 0.0, on_scene),
        "remote": remote,
        "conveyed": conveyed,
        "handover": handover,
        "calls": np.where(multi, extra, 1),
    }


def _calls(
    model: DemandModel, plans: list[_Plan], columns: Mapping[str, npt.NDArray[Any]]
) -> list[DemandCall]:
    """DemandCall objects from sorted columns: the one step that is one Python call per call."""
    lines = [(p.stream.name, t.code, t.label, t.answers) for p in plans for t in p.stream.types]
    names, codes, tz = model.areas.boroughs, model.areas.codes, model.timezone
    stamp = datetime.fromtimestamp
    return [
        DemandCall(stamp(t, tz), *lines[int(k)], la, lo, names[b], codes[a], s, r, c, h, m)
        for t, k, a, la, lo, b, s, r, c, h, m in zip(
            *(columns[key].tolist() for key in _CALL_COLUMNS), strict=True
        )
    ]
