"""``safercity bench``: measure the platform on a London-size case.

``safercity bench dispatch`` plays one simulated day of 999 work through the same use cases a
control room uses: the default London fleet (799 units), N incidents (10,000 by default) with a
daily profile, a type mix over the joint taxonomy and locations inside London's boroughs. For
each incident, in time order: unit statuses move on (en route, on scene), units whose job is
over clear, the call is taken, the units to send are recommended (timed), and the recommended
units are sent. Incidents are left open (closing them is not on the recommendation's path).
Figures and how to read them are in docs/benchmarks.md.
"""

from __future__ import annotations

import heapq
import json
import resource
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import numpy.typing as npt
import shapely
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from safercity import migrations
from safercity.city.boroughs import city_boroughs
from safercity.contact import service as contact
from safercity.contact.duplicates import DuplicateRule
from safercity.contact.http import taxonomy_from, travel_from
from safercity.contact.service import NewCall
from safercity.contact.taxonomy import KeyAnswers, Taxonomy
from safercity.dispatch import service as dispatch
from safercity.dispatch.assignment import AssignmentStatus
from safercity.dispatch.fleet import home_base_positions, london_fleet
from safercity.dispatch.travel import Travel
from safercity.dispatch.traveltime import DEFAULT_MODEL_FILE
from safercity.platform.clock import FixedClock
from safercity.platform.config import Settings
from safercity.platform.db import Database
from safercity.platform.identity import service as identity
from safercity.platform.identity.model import AgencyKind, Role, StaffUser
from safercity.simulation.engine import simulate
from safercity.simulation.scenario import load_scenario
from safercity.simulation.world import build_world
from safercity.web.bootstrap import build_context

app = typer.Typer(help="Measure the platform on a London-size case.", no_args_is_help=True)

# The simulated day: a Tuesday in GMT, so the clock's hour is London's local hour.
DAY_START = datetime(2026, 3, 10, tzinfo=UTC)

# Share of the day's 999 incidents starting in each hour (00:00 first). An assumption, shaped
# like published UK ambulance demand by hour of day (NHS England's Ambulance Quality
# Indicators and LAS annual reports show the same curve): a trough of about 2.5% an hour at
# 04:00-06:00, a climb through the morning, and a plateau of about 5.5% an hour from late
# morning to mid-evening. Police and fire demand peak later in the evening; one curve for all.
HOURLY_PROFILE: tuple[float, ...] = (
    4.4, 3.9, 3.4, 2.9, 2.5, 2.4, 2.6, 3.2, 4.0, 4.6, 5.1, 5.4,
    5.4, 5.3, 5.2, 5.2, 5.3, 5.5, 5.5, 5.3, 5.0, 4.7, 4.5, 4.3,
)  # fmt: skip

# The type mix: (taxonomy code, relative weight, the handler's key answers). An assumption,
# skewed to ambulance work as London's is (LAS answers far more 999 calls needing a vehicle
# than the Met, and the Met far more than LFB, whose incidents are ~40% false alarms):
# ~55% ambulance only, ~30% police (some with an ambulance), ~10% fire, ~5% road collisions.
TYPE_MIX: tuple[tuple[str, float, KeyAnswers], ...] = (
    ("cardiac_arrest", 1.5, KeyAnswers(conscious=False, breathing=False)),
    ("breathing_difficulty", 9.0, KeyAnswers()),
    ("breathing_difficulty", 1.0, KeyAnswers(breathing=False)),
    ("chest_pain", 9.0, KeyAnswers()),
    ("stroke", 4.0, KeyAnswers()),
    ("unconscious_person", 6.0, KeyAnswers()),
    ("fall_with_injury", 10.0, KeyAnswers(injured=True)),
    ("fall_with_injury", 3.0, KeyAnswers(injured=False)),
    ("mental_health_crisis", 4.0, KeyAnswers()),
    ("concern_for_welfare", 6.0, KeyAnswers()),
    ("concern_for_welfare", 2.0, KeyAnswers(injured=True)),
    ("assault_in_progress", 4.0, KeyAnswers()),
    ("assault_in_progress", 2.5, KeyAnswers(injured=True)),
    ("domestic_abuse_ongoing", 5.0, KeyAnswers()),
    ("burglary_in_progress", 3.0, KeyAnswers(crime_in_progress=True)),
    ("robbery_just_occurred", 2.0, KeyAnswers()),
    ("weapon_seen_knife", 1.5, KeyAnswers()),
    ("weapon_seen_firearm", 0.2, KeyAnswers()),
    ("missing_vulnerable_person", 2.0, KeyAnswers()),
    ("anti_social_behaviour", 3.0, KeyAnswers()),
    ("suspicious_package", 0.3, KeyAnswers()),
    ("automatic_fire_alarm", 3.0, KeyAnswers()),
    ("rubbish_or_grass_fire", 2.0, KeyAnswers()),
    ("house_fire_no_persons_reported", 1.0, KeyAnswers()),
    ("house_fire_persons_reported", 0.4, KeyAnswers(persons_reported=True)),
    ("commercial_building_fire", 0.3, KeyAnswers()),
    ("flooding", 1.0, KeyAnswers()),
    ("lift_rescue", 1.0, KeyAnswers()),
    ("gas_leak", 0.5, KeyAnswers()),
    ("water_rescue", 0.2, KeyAnswers()),
    ("hazardous_materials", 0.1, KeyAnswers()),
    ("rtc_no_persons_trapped", 4.5, KeyAnswers(injured=True)),
    ("rtc_persons_trapped", 0.5, KeyAnswers()),
)

# Once on scene, a unit works for this long (uniform, minutes) and then clears: an assumption
# covering treatment, conveyance and handover, or the job at the scene.
JOB_MINUTES = (20.0, 70.0)

# The travel model's mean absolute error on its held-out 30% (2,268 LFB incidents), from
# docs/travel_time.md; used only when the model file does not carry its own figure.
TRAVEL_MODEL_HOLDOUT_MAE_S = 65.9


@dataclass(frozen=True)
class PlannedIncident:
    at: datetime
    lat: float
    lon: float
    type_code: str
    answers: KeyAnswers


def _hours(rng: np.random.Generator, count: int) -> npt.NDArray[np.float64]:
    """Seconds after midnight for `count` incidents, following HOURLY_PROFILE, sorted."""
    weights = np.array(HOURLY_PROFILE, dtype=np.float64)
    hours = rng.choice(len(weights), size=count, p=weights / weights.sum())
    seconds = hours * 3600.0 + rng.uniform(0.0, 3600.0, size=count)
    return np.sort(seconds)


def _points(rng: np.random.Generator, count: int) -> list[tuple[float, float]]:
    """`count` (lat, lon) points drawn uniformly inside the city's boroughs (rejection).

    Uniform in degrees: across London's 0.4 degrees of latitude a degree of longitude changes
    length by under 1%, so this is uniform in area to that.
    """
    area = shapely.union_all(city_boroughs().shapes)
    shapely.prepare(area)
    west, south, east, north = area.bounds
    found: list[tuple[float, float]] = []
    while len(found) < count:
        lon = rng.uniform(west, east, size=2 * count)
        lat = rng.uniform(south, north, size=2 * count)
        inside = shapely.contains_xy(area, lon, lat)
        found.extend(zip(lat[inside].tolist(), lon[inside].tolist(), strict=True))
    return found[:count]


def plan_day(taxonomy: Taxonomy, count: int, rng: np.random.Generator) -> list[PlannedIncident]:
    """`count` incidents over DAY_START's day, in time order."""
    mix = [entry for entry in TYPE_MIX if entry[0] in taxonomy.types]
    if not mix:
        raise typer.BadParameter("the taxonomy has none of the bench's incident types")
    weights = np.array([w for _, w, _ in mix], dtype=np.float64)
    kinds = rng.choice(len(mix), size=count, p=weights / weights.sum())
    seconds = _hours(rng, count)
    points = _points(rng, count)
    return [
        PlannedIncident(
            DAY_START + timedelta(seconds=float(s)), lat, lon, mix[int(k)][0], mix[int(k)][2]
        )
        for s, (lat, lon), k in zip(seconds, points, kinds, strict=True)
    ]


def holdout_mae_s() -> float:
    """The shipped model's held-out MAE: from the model file if it carries one, else the
    figure in docs/travel_time.md."""
    text = resources.files("safercity.dispatch").joinpath("data", DEFAULT_MODEL_FILE).read_text()
    data: dict[str, Any] = json.loads(text)
    for key in ("holdout_mae_s", "heldout_mae_s"):
        if isinstance(data.get(key), int | float):
            return float(data[key])
    return TRAVEL_MODEL_HOLDOUT_MAE_S


def _rss_mb() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _ms(samples: Sequence[int], q: float) -> float:
    if not samples:
        return 0.0
    return round(float(np.percentile(np.array(samples, dtype=np.float64), q)) / 1e6, 3)


@dataclass
class _Tally:
    recommend_ns: list[int]
    take_call_ns: list[int]
    dispatch_ns: list[int]
    incomplete: int = 0
    units_sent: int = 0
    nothing_sent: int = 0
    busy_peak: int = 0


class _Day:
    """One simulated day on one database: units clear, calls come in, units go out."""

    def __init__(
        self, db: Database, clock: FixedClock, travel: Travel, taxonomy: Taxonomy, seed: int
    ) -> None:
        self.db, self.clock, self.travel, self.taxonomy = db, clock, travel, taxonomy
        self.rng = np.random.default_rng([seed, 1])  # job times: apart from the day's plan
        self.rule = DuplicateRule()
        # (clear at, call sign, on scene at: None if it has no ETA and must report arriving)
        self.releases: list[tuple[datetime, str, datetime | None]] = []
        self.advanced_to = clock.now()  # statuses have moved on up to here
        self.tally = _Tally([], [], [])
        self.user: StaffUser | None = None

    def setup(self) -> None:
        identity.ensure_agency(
            self.db, "LAS", "London Ambulance Service NHS Trust", AgencyKind.AMBULANCE
        )
        self.user = identity.add_user(
            self.db,
            self.clock,
            username=f"bench-{secrets.token_hex(4)}",
            password=secrets.token_urlsafe(18),
            role=Role.CALL_HANDLER,
            agency_code="LAS",
            display_name="Bench call handler",
        )
        fleet = london_fleet()
        dispatch.load_fleet(self.db, self.clock, fleet, home_base_positions(fleet))

    def _advance(self, at: datetime) -> None:
        self.clock.set(at)
        dispatch.advance(self.db, self.clock)
        self.advanced_to = at

    def _clear_until(self, until: datetime, user: StaffUser) -> None:
        """Units whose job ends by `until` clear, each at its own time."""
        while self.releases and self.releases[0][0] <= until:
            at, sign, arrived = heapq.heappop(self.releases)
            if arrived is not None and arrived > self.advanced_to:  # not yet marked on scene
                self._advance(at)
            self.clock.set(at)
            if arrived is None:
                dispatch.report_status(self.db, self.clock, user, sign, AssignmentStatus.ON_SCENE)
            dispatch.report_status(self.db, self.clock, user, sign, AssignmentStatus.CLEARED)

    def run(self, planned: PlannedIncident) -> None:
        user = self.user
        assert user is not None
        self._clear_until(planned.at, user)
        self._advance(planned.at)
        label = self.taxonomy.types[planned.type_code].label
        new = NewCall(
            lat=planned.lat,
            lon=planned.lon,
            description=f"Bench call: {label}",
            type_code=planned.type_code,
            answers=planned.answers,
        )
        t0 = time.perf_counter_ns()
        outcome = contact.take_call(self.db, self.clock, user, self.taxonomy, self.rule, new)
        incident_id = outcome.incident.id
        t1 = time.perf_counter_ns()
        _, found = contact.recommendation(self.db, self.clock, self.travel, user, incident_id)
        t2 = time.perf_counter_ns()
        self.tally.take_call_ns.append(t1 - t0)
        self.tally.recommend_ns.append(t2 - t1)
        self.tally.incomplete += not found.complete
        signs = [c.unit.call_sign for c in found.chosen]
        if not signs:
            self.tally.nothing_sent += 1
            return
        t3 = time.perf_counter_ns()
        view = contact.send_units(
            self.db, self.clock, self.travel, user, self.taxonomy, incident_id, signs
        )
        self.tally.dispatch_ns.append(time.perf_counter_ns() - t3)
        low, high = JOB_MINUTES
        for assignment in view.assignments:
            arrives = assignment.on_scene_due
            job = timedelta(minutes=float(self.rng.uniform(low, high)))
            ends = (arrives or planned.at) + job
            heapq.heappush(self.releases, (ends, assignment.call_sign, arrives))
        self.tally.units_sent += len(view.assignments)
        self.tally.busy_peak = max(self.tally.busy_peak, len(self.releases))


@contextmanager
def _database(url: str | None) -> Iterator[tuple[str, Path]]:
    """The database URL to use and a scratch directory; a fresh SQLite file when no URL."""
    with tempfile.TemporaryDirectory(prefix="safercity-bench-") as scratch:
        yield url or f"sqlite:///{Path(scratch) / 'bench.db'}", Path(scratch)


def run_dispatch(
    incidents: int, seed: int, database_url: str | None, console: Console
) -> dict[str, Any]:
    """Play the day and return the figures."""
    started = time.perf_counter()
    taxonomy = taxonomy_from(None)
    travel = travel_from(None, None)
    if travel is None:
        raise typer.BadParameter("the bundled travel-time model could not be loaded")
    plan = plan_day(taxonomy, incidents, np.random.default_rng(seed))
    clock = FixedClock(DAY_START - timedelta(hours=1))
    with _database(database_url) as (url, scratch):
        console.print(f"Migrating {url.split('://', 1)[0]} database...")
        migrations.upgrade(url)
        settings = Settings(
            database_url=url, data_dir=scratch, secret_key=secrets.token_urlsafe(32)
        )
        ctx = build_context(settings, clock)
        try:
            day = _Day(ctx.db, clock, travel, taxonomy, seed)
            day.setup()
            units = len(london_fleet())
            with Progress(
                TextColumn("999 calls"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
            ) as progress:
                task = progress.add_task("calls", total=len(plan))
                for planned in plan:
                    day.run(planned)
                    progress.advance(task)
            database = ctx.db.dialect
        finally:
            ctx.db.dispose()
    tally = day.tally
    return {
        "recommend_p50_ms": _ms(tally.recommend_ns, 50),
        "recommend_p99_ms": _ms(tally.recommend_ns, 99),
        "recommend_max_ms": _ms(tally.recommend_ns, 100),
        "take_call_p50_ms": _ms(tally.take_call_ns, 50),
        "dispatch_p50_ms": _ms(tally.dispatch_ns, 50),
        "wall_s": round(time.perf_counter() - started, 1),
        "units": units,
        "incidents": len(plan),
        "units_sent": tally.units_sent,
        "units_busy_peak": tally.busy_peak,
        "shortfall_share": round(tally.incomplete / len(plan), 4) if plan else 0.0,
        "nothing_sent_share": round(tally.nothing_sent / len(plan), 4) if plan else 0.0,
        "travel_model": travel.description,
        "travel_model_name": travel.model.name,
        "travel_model_holdout_mae_s": holdout_mae_s(),
        "peak_rss_mb": round(_rss_mb(), 1),
        "database": database,
        "seed": seed,
    }


def _table(figures: dict[str, Any], title: str = "999 dispatch on a London-size day") -> Table:
    table = Table(title=title)
    table.add_column("Figure")
    table.add_column("Value", justify="right")
    for key, value in figures.items():
        table.add_row(key, str(value))
    return table


@app.command("dispatch")
def bench_dispatch(
    incidents: Annotated[
        int, typer.Option(min=1, help="Incidents over the simulated day.")
    ] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed for the day's incidents and job times.")] = 1,
    database_url: Annotated[
        str | None,
        typer.Option(
            help="An empty database to use (its data is kept); default: a fresh SQLite file in "
            "a temporary directory, deleted after."
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object on stdout, nothing else.")
    ] = False,
) -> None:
    """Play one simulated day of 999 calls over the London fleet and time each recommendation."""
    progress_console = Console(stderr=True)
    figures = run_dispatch(incidents, seed, database_url, progress_console)
    if as_json:
        typer.echo(json.dumps(figures))
    else:
        Console().print(_table(figures, "A simulated London"))


YEAR_OF_INCIDENTS = 3_500_000  # London's 999 incidents in a year, all services (issue 4)


def run_simulate(scenario: str, days: int, seed: int, clock: str) -> dict[str, Any]:
    """Simulate `days` days of `scenario` and measure speed and peak memory."""
    world = build_world(load_scenario(scenario))
    started = time.perf_counter()
    console = Console(stderr=True)
    columns = (TextColumn("simulated days"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeRemainingColumn(), console=console) as progress:
        task = progress.add_task("days", total=days)
        result = simulate(
            world,
            days=days,
            seed=seed,
            clock=clock,
            progress=lambda done, _total: progress.update(task, completed=done),
        )
    wall = time.perf_counter() - started
    incidents = result.counts.get("incidents", 0)
    rate = incidents / wall if wall else 0.0
    return {
        "scenario": scenario,
        "clock": clock,
        "days": days,
        "seed": seed,
        "incidents": incidents,
        "wall_s": round(wall, 2),
        "incidents_per_s": round(rate, 1),
        "week_wall_s": round(wall * 7 / days, 1),
        "year_wall_s_estimate": round(YEAR_OF_INCIDENTS / rate, 0) if rate else None,
        "peak_rss_mb": round(_rss_mb(), 1),
    }


@app.command("simulate")
def bench_simulate(
    days: Annotated[int, typer.Option(min=1, max=366, help="Simulated days.")] = 7,
    seed: Annotated[int, typer.Option(min=0, help="Random seed.")] = 1,
    scenario: Annotated[str, typer.Option(help="A bundled scenario or a path.")] = "london_today",
    clock: Annotated[str, typer.Option(help="Event engine: heap or simpy.")] = "heap",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Simulated incidents a second, the wall time of a simulated week, and peak memory."""
    if clock not in ("heap", "simpy"):
        typer.secho("Error: --clock must be heap or simpy.", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2)
    figures = run_simulate(scenario, days, seed, clock)
    if as_json:
        typer.echo(json.dumps(figures))
    else:
        Console().print(_table(figures, "A simulated London"))
