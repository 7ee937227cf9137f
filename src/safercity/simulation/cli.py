"""``safercity simulate``: run scenarios and write the report that compares them.

One seed runs each scenario here, one after another, with a progress bar of days simulated.
Several seeds (``--seeds``), ``--workers`` or ``--scheduler`` make a sweep (`sweep.run_many`):
on a local Dask cluster, on the one at ``--scheduler``, or here with ``--workers 0``, with a
progress bar of runs done. Every scenario is read, checked and built before anything runs, so
a mistake in the last file stops the command at once, not after hours of the others.

stdout holds only the results (with ``--json``, one JSON object a run and nothing else);
progress, errors and where the report went are on stderr.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from safercity.platform.cli import fail
from safercity.platform.errors import FieldError, InvalidInput, SaferCityError
from safercity.simulation.report import ReportFiles, kpi_lines, write_report
from safercity.simulation.results import RunResult
from safercity.simulation.scenario import Scenario, load_scenario

if TYPE_CHECKING:  # the engine and the world pull in the whole model: only when running
    from safercity.simulation.world import World

__all__ = ["Plan", "app", "make_plan", "parse_seeds", "simulate_command"]

MAX_DAYS = 366
MAX_RUNS = 10_000
DEFAULT_OUT = Path("simulation-report")

app = typer.Typer(help="Simulate the city's emergency demand under scenarios.")


@dataclass(frozen=True)
class Plan:
    """What to run, checked: the scenarios (built), the seeds, how long and where."""

    scenarios: tuple[Scenario, ...]
    worlds: tuple[World, ...]
    seeds: tuple[int, ...]
    days: int
    sweep: bool  # several seeds or a cluster: through sweep.run_many
    workers: int | None
    scheduler: str | None


def simulate_command(
    scenarios: Annotated[
        list[str],
        typer.Argument(
            help="Bundled scenario names (london_today, police_do_less...) or paths to "
            "scenario JSON files.",
            metavar="SCENARIO...",
            show_default=False,
        ),
    ],
    days: Annotated[int, typer.Option(help=f"Days to simulate, 1 to {MAX_DAYS}.")] = 7,
    seed: Annotated[
        int | None, typer.Option(help="The seed of a single run (default 1).", show_default=False)
    ] = None,
    seeds: Annotated[
        str | None,
        typer.Option(help="Several seeds, e.g. 1,2,3 or 1-10: a sweep, on Dask by default."),
    ] = None,
    out: Annotated[Path, typer.Option(help="Folder for the report.")] = DEFAULT_OUT,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print each run's key figures as one JSON object a line."),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(help="Dask worker processes for a sweep (0: in this process, in turn)."),
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Run the sweep on this Dask scheduler (tcp://host:8786).")
    ] = None,
) -> None:
    """Simulate scenarios and write a report comparing them (report.html, kpis.csv, runs.json)."""
    try:
        plan = make_plan(scenarios, days, seed, seeds, workers, scheduler)
        _prepare(out)
    except SaferCityError as error:
        fail(error)
    stderr = Console(stderr=True)
    results = _run_sweep(plan, stderr) if plan.sweep else _run_here(plan, stderr)
    files = write_report(results, out, scenarios=plan.scenarios)
    _tell(results, files, as_json, stderr)


app.command("simulate")(simulate_command)


# --- checking the input ------------------------------------------------------------------------


def make_plan(
    names: Sequence[str],
    days: int,
    seed: int | None,
    seeds: str | None,
    workers: int | None,
    scheduler: str | None,
) -> Plan:
    """The checked plan; InvalidInput names the option that is wrong and how to put it right."""
    _check_days(days)
    if seed is not None and seeds is not None:
        _invalid(
            "--seeds", "--seed and --seeds are both given: --seed for one run, --seeds for several"
        )
    if workers is not None and workers < 0:
        _invalid("--workers", f"--workers must be 0 (run here) or more, not {workers}")
    chosen = parse_seeds(seeds) if seeds is not None else (1 if seed is None else seed,)
    _check_seed(chosen[0])
    loaded = tuple(_load(name) for name in names)
    _check_names(loaded, names)
    if len(loaded) * len(chosen) > MAX_RUNS:
        _invalid("--seeds", f"{len(loaded) * len(chosen)} runs are too many: at most {MAX_RUNS}")
    worlds = tuple(_build(scenario, name) for scenario, name in zip(loaded, names, strict=True))
    sweep = seeds is not None or workers is not None or scheduler is not None
    return Plan(loaded, worlds, chosen, days, sweep, workers, scheduler)


def _check_days(days: int) -> None:
    if not 1 <= days <= MAX_DAYS:
        _invalid("--days", f"--days must be a whole number from 1 to {MAX_DAYS}, not {days}")


def _check_seed(seed: int) -> None:
    if seed < 0:
        _invalid("--seed", f"--seed must be 0 or more, not {seed}")


SEED_ITEM = re.compile(r"(\d+)(?:-(\d+))?")


def parse_seeds(text: str) -> tuple[int, ...]:
    """Seeds from "1,2,3" or "1-5" or both ("1-3,7"), in the order given, each once."""
    seeds: list[int] = []
    for item in text.split(","):
        match = SEED_ITEM.fullmatch(item.strip())
        if match is None:
            _invalid("--seeds", f"--seeds: {item.strip()!r} is not a seed; give 1,2,3 or 1-10")
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if last < first:
            _invalid("--seeds", f"--seeds: {item.strip()} runs backwards; write {last}-{first}")
        if last - first >= MAX_RUNS:
            _invalid("--seeds", f"--seeds: {item.strip()} is more than {MAX_RUNS} seeds")
        seeds.extend(range(first, last + 1))
    return tuple(dict.fromkeys(seeds))


def _load(name: str) -> Scenario:
    try:
        return load_scenario(name)
    except InvalidInput as error:
        if Path(name).exists():  # a file with mistakes, rather than a name nobody knows
            detail = (
                f"{name} is not a valid scenario. Correct these fields (docs/simulation.md "
                "lists them all):"
            )
            raise InvalidInput(detail, error.field_errors) from None
        raise


def _check_names(loaded: Sequence[Scenario], names: Sequence[str]) -> None:
    # The report tells scenarios apart by name; two files called alike would be pooled as one.
    seen: dict[str, str] = {}
    for scenario, given in zip(loaded, names, strict=True):
        if scenario.name in seen:
            _invalid(
                "scenario",
                f"{seen[scenario.name]} and {given} are both named {scenario.name!r}; "
                'give each its own "name", or list it once',
            )
        seen[scenario.name] = given


def _build(scenario: Scenario, name: str) -> World:
    from safercity.simulation.world import build_world

    try:
        return build_world(scenario)
    except InvalidInput as error:
        raise InvalidInput(f"{name}: {error.detail}", error.field_errors) from None


def _prepare(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        _invalid("--out", f"--out: cannot make the folder {out}: {error.strerror or error}")


def _invalid(option: str, message: str) -> NoReturn:
    raise InvalidInput(f"{message}.", [FieldError(option, message)])


# --- running -----------------------------------------------------------------------------------


def _progress(console: Console, what: str) -> Progress:
    return Progress(
        TextColumn(f"{{task.description}} ({what})"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def _run_here(plan: Plan, console: Console) -> list[RunResult]:
    """Each scenario in turn in this process, a bar of simulated days each."""
    from safercity.simulation.engine import simulate

    seed = plan.seeds[0]
    results = []
    with _progress(console, "days") as progress:
        for world in plan.worlds:
            task = progress.add_task(escape(world.scenario.title), total=plan.days)

            def advance(done: int, _total: int, task: TaskID = task) -> None:
                progress.update(task, completed=done)

            results.append(simulate(world, days=plan.days, seed=seed, progress=advance))
    return results


def _run_sweep(plan: Plan, console: Console) -> list[RunResult]:
    """Every scenario with every seed through `run_many`, a bar of runs done."""
    from safercity.simulation.sweep import Run, run_many

    runs = [Run(scenario, seed) for scenario in plan.scenarios for seed in plan.seeds]
    with _progress(console, "runs") as progress:
        task = progress.add_task("Sweep", total=len(runs))
        try:
            return run_many(
                runs,
                days=plan.days,
                workers=plan.workers,
                scheduler=plan.scheduler,
                progress=lambda done, _total: progress.update(task, completed=done),
            )
        except OSError as error:
            if plan.scheduler is None:
                raise
            progress.stop()
            fail(InvalidInput(f"--scheduler: {error}. Is a Dask scheduler running there?"))


# --- telling ----------------------------------------------------------------------------------


def _tell(results: Sequence[RunResult], files: ReportFiles, as_json: bool, err: Console) -> None:
    if as_json:
        for line in kpi_lines(results):
            typer.echo(line)
    else:
        Console().print(_summary(results))
    # With --json stdout is for the JSON lines alone, so the paths go to stderr.
    where = err if as_json else Console()
    where.print(f"Report: {escape(str(files.html))}", highlight=False, soft_wrap=True)
    where.print(
        f"Key figures: {escape(str(files.csv))}; every run: {escape(str(files.json))}",
        highlight=False,
        soft_wrap=True,
    )


def _summary(results: Sequence[RunResult]) -> Table:
    table = Table(title="Response targets met")
    for column in ("Scenario", "Seed", "Days", "Met", "Missed"):
        table.add_column(column)
    for result in results:
        judged = [m for m in result.measures if m.met is not None]
        missed = [m.label for m in judged if not m.met]
        table.add_row(
            escape(result.title),
            str(result.seed),
            str(result.days),
            f"{len(judged) - len(missed)} of {len(judged)}",
            escape("; ".join(missed)) or "none",
        )
    return table
