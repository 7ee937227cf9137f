"""Reading and checking a demand model: its JSON file and the CSV of areas beside it.

Every problem is collected, each under the JSON path of its field
(``streams[1].type_mix[3].code``), and raised together as one InvalidInput, so that whoever
edits a scenario's copy of the data sees all of its mistakes at once.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Collection, Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from safercity.city.boroughs import city_boroughs
from safercity.contact.taxonomy import KEY_QUESTIONS, KeyAnswers, Taxonomy, load_taxonomy
from safercity.dispatch.capabilities import Service
from safercity.platform.errors import FieldError, InvalidInput
from safercity.simulation import sampling
from safercity.simulation.model import (
    Areas,
    DemandModel,
    Duration,
    Space,
    Stream,
    TypeShare,
    area_weights,
)

DEFAULT_MODEL_FILE = "london_demand.json"
MINUTE_S = 60.0
HOURS, WEEKDAYS = 24, 7
MAX_JITTER_M = 5_000.0
RIVER_TOLERANCE_M = 300.0  # an area's point on the Thames belongs to the nearest bank
TEXT_COLUMNS = ("code", "name", "borough")
SHOWN_IN_DETAIL = 5

_TOP = frozenset({"about", "note", "city", "timezone", "areas", "jitter_m", "streams"})
_STREAM = frozenset(
    {
        "name", "annual_incidents", "hourly", "weekday", "space", "type_mix",
        "mental_health_share", "multi_call_share", "multi_call_counts", "handover_min",
        "sources", "note",
    }
)  # fmt: skip
_TYPE = frozenset(
    {
        "label", "code", "weight", "answers", "on_scene_min", "telephone_share",
        "conveyance_share", "mental_health", "note",
    }
)  # fmt: skip
_SPACE = frozenset({"columns", "borough_shares", "note"})
_DURATION = frozenset({"mean", "sd"})


class _Check:
    """Collects the problems found in a demand file, each with the path of its field."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append(FieldError(path or "$", message))

    def keys(
        self, data: Any, path: str, allowed: Collection[str], required: Collection[str] = ()
    ) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            self.fail(path, "must be an object")
            return {}
        for key in data:
            if key not in allowed:
                self.fail(
                    _join(path, str(key)), f"unknown field (known: {', '.join(sorted(allowed))})"
                )
        for key in required:
            if key not in data:
                self.fail(_join(path, key), "is missing")
        return data

    def number(
        self, value: Any, path: str, *, maximum: float = math.inf, positive: bool = False
    ) -> float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        in_range = ok and math.isfinite(value) and value <= maximum
        if in_range and (value > 0 if positive else value >= 0):
            return float(value)
        least = "more than 0" if positive else "0 or more"
        most = f" and at most {maximum:g}" if math.isfinite(maximum) else ""
        self.fail(path, f"must be a finite number, {least}{most}, not {value!r}")
        return 0.0

    def weights(self, value: Any, path: str, length: int | None = None) -> tuple[float, ...]:
        if not isinstance(value, list):
            self.fail(path, "must be a list of weights")
            return ()
        if length is not None and len(value) != length:
            self.fail(path, f"needs {length} weights, not {len(value)}")
            return ()
        weights = tuple(self.number(w, f"{path}[{i}]") for i, w in enumerate(value))
        if weights and not any(weights):
            self.fail(path, "every weight is zero")
        return weights


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def read_model(path: str | Path | None, taxonomy: Taxonomy | None) -> DemandModel:
    """The checked model in `path` (the bundled London one if None); see `demand.load_demand`."""
    folder: Traversable
    if path is None:
        folder, name = resources.files("safercity.simulation").joinpath("data"), DEFAULT_MODEL_FILE
    else:
        folder, name = Path(path).parent, Path(path).name
    try:
        data = json.loads(folder.joinpath(name).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"{name} is not valid JSON: {error}", [FieldError("$", str(error))]
        ) from None
    check = _Check()
    top = check.keys(data, "", _TOP, required=("city", "timezone", "areas", "jitter_m", "streams"))
    areas = _areas(check, folder, top.get("areas"))
    taxonomy = taxonomy or load_taxonomy()
    streams = top.get("streams")
    if not isinstance(streams, list) or not streams:
        check.fail("streams", "must be a list of one or more streams")
        streams = []
    model = DemandModel(
        city=str(top.get("city", "")),
        timezone=_timezone(check, top.get("timezone")),
        streams=tuple(
            _stream(check, s, f"streams[{i}]", areas, taxonomy) for i, s in enumerate(streams)
        ),
        areas=areas,
        jitter_m=check.number(top.get("jitter_m"), "jitter_m", maximum=MAX_JITTER_M),
        growth=np.ones(len(areas)),
    )
    _check_model(check, model)
    if check.errors:
        shown = "; ".join(f"{e.field}: {e.message}" for e in check.errors[:SHOWN_IN_DETAIL])
        more = len(check.errors) - SHOWN_IN_DETAIL
        shown += f" (and {more} more)" if more > 0 else ""
        raise InvalidInput(f"The demand model in {name} is not valid: {shown}", check.errors)
    return model


def _check_model(check: _Check, model: DemandModel) -> None:
    names = [s.name for s in model.streams]
    for i, name in enumerate(names):
        if name in names[:i]:
            check.fail(f"streams[{i}].name", f"{name!r} is listed twice")
    if check.errors or not len(model.areas):
        return
    for i, stream in enumerate(model.streams):
        if not area_weights(model, stream).any():
            check.fail(f"streams[{i}].space", "spreads the stream over no area: all weights are 0")


def _timezone(check: _Check, name: Any) -> ZoneInfo:
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        check.fail("timezone", f"unknown time zone {name!r}")
        return ZoneInfo("UTC")


def _areas(check: _Check, folder: Traversable, name: Any) -> Areas:
    boroughs = tuple(b.name for b in city_boroughs().boroughs)
    empty = Areas((), (), boroughs, np.zeros(0, np.int64), np.zeros(0), np.zeros(0), {})
    source = folder.joinpath(str(name)) if isinstance(name, str) and name else None
    if source is None or not source.is_file():
        check.fail("areas", f"must name the CSV of areas beside the model file, not {name!r}")
        return empty
    reader = csv.DictReader(io.StringIO(source.read_text(encoding="utf-8")))
    rows, header = list(reader), list(reader.fieldnames or ())
    missing = [c for c in (*TEXT_COLUMNS, "lat", "lon") if c not in header]
    if missing or not rows:
        check.fail("areas", f"{name} needs rows and the columns {', '.join(missing) or 'it has'}")
        return empty
    numeric = [c for c in header if c not in TEXT_COLUMNS]
    try:
        values = np.array([[float(row[c]) for c in numeric] for row in rows])
    except (TypeError, ValueError):
        check.fail("areas", f"{name}: every column but {', '.join(TEXT_COLUMNS)} must be numeric")
        return empty
    columns = {c: values[:, j] for j, c in enumerate(numeric)}
    unknown = sorted({row["borough"] for row in rows} - set(boroughs))
    negative = [c for c, v in columns.items() if c not in ("lat", "lon") and (v < 0).any()]
    if unknown or negative or not np.isfinite(values).all():
        check.fail(
            "areas",
            f"{name}: unknown boroughs {unknown}, negative columns {negative}, or numbers that "
            "are not finite",
        )
        return empty
    areas = Areas(
        codes=tuple(row["code"] for row in rows),
        names=tuple(row["name"] for row in rows),
        boroughs=boroughs,
        borough_index=np.array([boroughs.index(row["borough"]) for row in rows], dtype=np.int64),
        lat=columns.pop("lat"),
        lon=columns.pop("lon"),
        columns=columns,
    )
    _check_inside(check, areas)
    return areas


def _check_inside(check: _Check, areas: Areas) -> None:
    """Every area's point must lie in the city: calls fall back to it."""
    outside = np.flatnonzero(sampling.borough_index(areas.lat, areas.lon) < 0)
    city = city_boroughs()
    for i in outside.tolist():
        if city.borough_near(float(areas.lat[i]), float(areas.lon[i]), RIVER_TOLERANCE_M) is None:
            check.fail("areas", f"area {areas.codes[i]}'s point lies outside the city")


def _stream(check: _Check, data: Any, path: str, areas: Areas, taxonomy: Taxonomy) -> Stream:
    required = ("name", "annual_incidents", "hourly", "weekday", "space", "type_mix")
    s = check.keys(data, path, _STREAM, required)
    service = _service(check, s.get("name"), f"{path}.name")
    hourly = check.weights(s.get("hourly"), f"{path}.hourly", HOURS)
    weekday = check.weights(s.get("weekday"), f"{path}.weekday", WEEKDAYS)
    mix = s.get("type_mix")
    if not isinstance(mix, list) or not mix:
        check.fail(f"{path}.type_mix", "must be a list of one or more types")
        mix = []
    types = tuple(
        _type(check, t, f"{path}.type_mix[{i}]", service, taxonomy) for i, t in enumerate(mix)
    )
    stream = Stream(
        name=str(s.get("name")),
        annual_incidents=check.number(s.get("annual_incidents"), f"{path}.annual_incidents"),
        hourly=_scaled_to(hourly, 1.0),
        weekday=_scaled_to(weekday, WEEKDAYS),
        space=_space(check, s.get("space"), f"{path}.space", areas),
        types=types,
        mental_health_share=_share(check, s, path, "mental_health_share"),
        multi_call_share=_share(check, s, path, "multi_call_share"),
        multi_call_counts=_call_counts(check, s.get("multi_call_counts", {}), path),
        handover=(
            _duration(check, s["handover_min"], f"{path}.handover_min")
            if "handover_min" in s
            else None
        ),
        sources=s.get("sources", {}) if isinstance(s.get("sources", {}), Mapping) else {},
    )
    _check_groups(check, stream, path)
    return stream


def _scaled_to(weights: tuple[float, ...], total: float) -> tuple[float, ...]:
    """The weights scaled to sum to `total` (hourly: 1; weekday: 7, a mean of 1)."""
    sum_ = sum(weights)
    return tuple(w * total / sum_ for w in weights) if sum_ > 0 else weights


def _share(check: _Check, data: Mapping[str, Any], path: str, key: str) -> float:
    return check.number(data.get(key, 0.0), f"{path}.{key}", maximum=1.0)


def _service(check: _Check, name: Any, path: str) -> Service | None:
    try:
        return Service(name)
    except ValueError:
        check.fail(path, f"must be a service ({', '.join(s.value for s in Service)}), not {name!r}")
        return None


def _check_groups(check: _Check, stream: Stream, path: str) -> None:
    mental = [t.weight for t in stream.types if t.mental_health]
    rest = [t.weight for t in stream.types if not t.mental_health]
    if stream.mental_health_share > 0 and not any(mental):
        check.fail(f"{path}.mental_health_share", "needs type_mix lines with mental_health: true")
    if stream.mental_health_share < 1 and not any(rest):
        check.fail(f"{path}.type_mix", "needs a positive weight outside the mental-health group")


def _type(
    check: _Check, data: Any, path: str, service: Service | None, taxonomy: Taxonomy
) -> TypeShare:
    t = check.keys(data, path, _TYPE, required=("code", "weight", "answers", "on_scene_min"))
    code = t.get("code")
    if not isinstance(code, str) or code not in taxonomy.types:
        check.fail(
            f"{path}.code", f"unknown incident type {code!r} (not in the {taxonomy.city} taxonomy)"
        )
    elif service is not None and service not in taxonomy.types[code].plans:
        check.fail(f"{path}.code", f"{code} is not attended by {service.value}")
    mental_health = t.get("mental_health", False)
    if not isinstance(mental_health, bool):
        check.fail(f"{path}.mental_health", "must be true or false")
    return TypeShare(
        label=str(t.get("label", code)),
        code=str(code),
        weight=check.number(t.get("weight"), f"{path}.weight"),
        answers=_answers(check, t.get("answers"), f"{path}.answers"),
        on_scene=_duration(check, t.get("on_scene_min"), f"{path}.on_scene_min"),
        telephone_share=_share(check, t, path, "telephone_share"),
        conveyance_share=_share(check, t, path, "conveyance_share"),
        mental_health=mental_health is True,
    )


def _answers(check: _Check, data: Any, path: str) -> KeyAnswers:
    if not isinstance(data, Mapping):
        check.fail(path, "must be an object of key answers")
        return KeyAnswers()
    known: dict[str, bool] = {}
    for key, value in data.items():
        if key not in KEY_QUESTIONS:
            check.fail(f"{path}.{key}", f"unknown key question (known: {', '.join(KEY_QUESTIONS)})")
        elif not isinstance(value, bool):
            check.fail(f"{path}.{key}", "must be true or false")
        else:
            known[key] = value
    return KeyAnswers(**known)


def _duration(check: _Check, data: Any, path: str) -> Duration:
    d = check.keys(data, path, _DURATION, required=("mean", "sd"))
    mean = check.number(d.get("mean"), f"{path}.mean", positive=True)
    sd = check.number(d.get("sd"), f"{path}.sd")
    return Duration(mean * MINUTE_S, sd * MINUTE_S)


def _space(check: _Check, data: Any, path: str, areas: Areas) -> Space:
    s = check.keys(data, path, _SPACE, required=("columns",))
    columns = dict(_weights_by_name(check, s.get("columns"), f"{path}.columns", areas.columns))
    if "columns" in s and not any(columns.values()):
        check.fail(f"{path}.columns", "needs at least one positive weight")
    if "borough_shares" not in s:
        return Space(columns)
    shares = _weights_by_name(check, s["borough_shares"], f"{path}.borough_shares", areas.boroughs)
    if not any(shares.values()):
        check.fail(f"{path}.borough_shares", "needs at least one positive share")
    return Space(columns, shares)


def _weights_by_name(
    check: _Check, data: Any, path: str, known: Collection[str]
) -> dict[str, float]:
    if not isinstance(data, Mapping):
        check.fail(path, "must be an object of names and weights")
        return {}
    weights = {}
    for key, value in data.items():
        if key not in known:
            check.fail(f"{path}.{key}", f"unknown name (known: {', '.join(sorted(known))})")
        else:
            weights[str(key)] = check.number(value, f"{path}.{key}")
    return weights


def _call_counts(check: _Check, data: Any, path: str) -> dict[int, float]:
    counts: dict[int, float] = {}
    if not isinstance(data, Mapping):
        check.fail(f"{path}.multi_call_counts", "must be an object of call counts and weights")
        return counts
    for key, value in data.items():
        where = f"{path}.multi_call_counts.{key}"
        if not str(key).isdigit() or int(key) < 2:
            check.fail(where, "must be a whole number of calls, 2 or more")
            continue
        counts[int(key)] = check.number(value, where)
    if counts and not any(counts.values()):
        check.fail(f"{path}.multi_call_counts", "every weight is zero")
    return counts
