"""``safercity prevention``: import crime events, backtest the forecasters, run a Knox test."""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO, Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from safercity.platform.cli import fail
from safercity.platform.clock import SystemClock
from safercity.platform.config import Settings
from safercity.platform.db import Database
from safercity.platform.errors import FieldError, InvalidInput, SaferCityError
from safercity.prevention import backtest as backtesting
from safercity.prevention import events, police_uk, warnings
from safercity.prevention.knox import Metric, knox_test, near_repeat_sentence
from safercity.prevention.model import parse_month

app = typer.Typer(
    help="Prevention: crime events, forecasts and near repeats.", no_args_is_help=True
)
_err = Console(stderr=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,.0f} rows"),
        TimeElapsedColumn(),
        console=_err,
        transient=True,
    )


@app.command("import")
def import_command(
    paths: Annotated[
        list[Path],
        typer.Argument(help="data.police.uk street-level CSV files (plain or .gz) or folders."),
    ],
) -> None:
    """Load data.police.uk files and the platform's recorded crimes into the store of crime
    events. Rows that cannot be used are counted and listed by reason."""
    settings = Settings()  # the database is brought up to date by `safercity db upgrade`
    db = Database.from_url(settings.resolved_database_url)
    report = police_uk.ImportReport()
    clock = SystemClock()
    try:
        events.check_store_ready(db)
        with _progress() as bar:
            task = bar.add_task("Importing", total=None)
            added = events.import_files(
                db, clock, paths, report, progress=lambda n: bar.advance(task, n)
            )
        platform = events.sync_platform_crimes(
            db, clock, settings.signing_key, on_new=warnings.warn_neighbours
        )
    except SaferCityError as error:
        fail(error)
    finally:
        db.dispose()
    for line in report.summary():
        typer.echo(line)
    typer.echo(f"{added} new events stored; {platform} crimes taken in from the platform.")


def _read_files(paths: list[Path], crime_type: str) -> tuple[Any, Any, list[date], int]:
    report = police_uk.ImportReport()
    lons: list[float] = []
    lats: list[float] = []
    months: list[date] = []
    with _progress() as bar:
        task = bar.add_task("Reading", total=None)
        for batch in police_uk.read_crimes(paths, report, batch_size=50_000):
            for event in batch:
                if event.crime_type == crime_type:
                    lons.append(event.lon)
                    lats.append(event.lat)
                    months.append(event.month)
            bar.advance(task, len(batch))
    if report.rejected_total:
        for line in report.summary():
            _err.print(line, markup=False, highlight=False)
    return np.array(lons), np.array(lats), months, report.rejected_total


@app.command("backtest")
def backtest_command(
    crimes: Annotated[
        list[Path], typer.Option("--crimes", help="data.police.uk files or folders (repeatable).")
    ],
    first: Annotated[str, typer.Option("--from", help="First month to forecast, YYYY-MM.")],
    last: Annotated[str, typer.Option("--to", help="Last month to forecast, YYYY-MM.")],
    crime_type: Annotated[str, typer.Option(help="A data.police.uk crime type.")] = "Burglary",
    cell_m: Annotated[float, typer.Option(help="Grid cell size in metres.")] = 250.0,
    offset_m: Annotated[
        tuple[float, float], typer.Option(help="Grid origin offset east and north, metres.")
    ] = (0.0, 0.0),
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Score every forecaster month by month (rolling origin): hit rate, PAI and PEI at 1%, 5%
    and 10% of the city's area; the product's default under "default"."""
    try:
        if crime_type not in police_uk.CRIME_TYPES + police_uk.LEGACY_CRIME_TYPES:
            raise InvalidInput(
                "Unknown crime type.",
                [FieldError("crime_type", f"Use one of: {', '.join(police_uk.CRIME_TYPES)}.")],
            )
        start, end = _month_option(first, "from"), _month_option(last, "to")
        lons, lats, months, _ = _read_files(crimes, crime_type)
        with Progress(TextColumn("Backtesting {task.description}"), console=_err) as bar:
            task = bar.add_task("", total=None)
            result = backtesting.run_backtest(
                lons,
                lats,
                months,
                first=start,
                last=end,
                cell_m=cell_m,
                offset=offset_m,
                progress=lambda name: bar.update(task, description=name),
            )
    except SaferCityError as error:
        fail(error)
    result["crime_type"] = crime_type
    if as_json:
        typer.echo(json.dumps(result))
        return
    typer.echo(
        f"{crime_type}, {result['from']} to {result['to']} ({result['months']} months, "
        f"{result['events_tested']} events), {result['cells']} cells of {cell_m:g} m"
    )
    typer.echo(f"{'method':<12}{'hit 1%':>9}{'hit 5%':>9}{'hit 10%':>9}{'PAI 5%':>9}{'PEI 5%':>9}")
    for name, figures in result.items():
        if isinstance(figures, dict) and "hit_rate" in figures:
            hit, pai, pei = figures["hit_rate"], figures["pai"], figures["pei"]
            typer.echo(
                f"{name:<12}{hit['0.01']:>9.4f}{hit['0.05']:>9.4f}{hit['0.10']:>9.4f}"
                f"{pai['0.05']:>9.2f}{pei['0.05']:>9.4f}"
            )


def _month_option(text: str, field: str) -> date:
    try:
        return parse_month(text, field)
    except ValueError as error:
        raise InvalidInput("Bad month.", [FieldError(field, str(error))]) from None


def _bands(text: str, field: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise InvalidInput(
            "Bad bands.", [FieldError(field, f"Give numbers separated by commas, not {text!r}.")]
        ) from None


@contextmanager
def _open_text(path: Path) -> Iterator[IO[str]]:
    if not path.is_file():
        raise InvalidInput("No such file.", [FieldError("events", f"{path} is not a file.")])
    with (
        gzip.open(path, "rt", newline="") if path.suffix == ".gz" else path.open(newline="") as file
    ):
        yield file


def _date(text: str) -> date:
    text = text.strip()
    for layout in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise ValueError(text)


def read_events(path: Path, x_col: str, y_col: str, date_col: str) -> tuple[Any, Any, list[date]]:
    """x, y (metres) and dates from a CSV file; every bad row is named by its line."""
    xs: list[float] = []
    ys: list[float] = []
    dates: list[date] = []
    with _open_text(path) as file:
        reader = csv.DictReader(file)
        missing = [c for c in (x_col, y_col, date_col) if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInput(
                f"{path} has no column {', '.join(missing)}.",
                [
                    FieldError(
                        "columns", f"The file's columns are: {', '.join(reader.fieldnames or [])}."
                    )
                ],
            )
        for line, row in enumerate(reader, start=2):
            try:
                xs.append(float(row[x_col]))
                ys.append(float(row[y_col]))
                dates.append(_date(row[date_col]))
            except (TypeError, ValueError):
                raise InvalidInput(
                    f"{path}:{line}: a bad value.",
                    [
                        FieldError(
                            f"line {line}",
                            "x and y must be numbers and the date a date "
                            "(YYYY-MM-DD or DD/MM/YYYY).",
                        )
                    ],
                ) from None
    return np.array(xs), np.array(ys), dates


@app.command("knox")
def knox_command(
    events_file: Annotated[Path, typer.Option("--events", help="A CSV file (plain or .gz).")],
    x_col: Annotated[str, typer.Option(help="Column of x in metres.")] = "x",
    y_col: Annotated[str, typer.Option(help="Column of y in metres.")] = "y",
    date_col: Annotated[str, typer.Option(help="Column of the date.")] = "date",
    space_bands: Annotated[str, typer.Option(help="Distance edges, metres.")] = "0,0.1,200,400,600",
    time_bands: Annotated[str, typer.Option(help="Time edges, days.")] = "0,7,14,21",
    iterations: Annotated[int, typer.Option(help="Monte Carlo permutations.")] = 99,
    seed: Annotated[int | None, typer.Option(help="Seed, for the same table again.")] = None,
    metric: Annotated[str, typer.Option(help="euclidean or manhattan.")] = "euclidean",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """The Knox test for near repeats: observed and expected pairs close in space and time,
    Knox ratios and Monte Carlo p-values, band by band. Bands are [e0, e1] then (e_k, e_k+1]."""
    try:
        x, y, dates = read_events(events_file, x_col, y_col, date_col)
        chosen: Metric = "manhattan" if metric == "manhattan" else "euclidean"
        if metric not in ("euclidean", "manhattan"):
            raise InvalidInput(
                "Unknown metric.", [FieldError("metric", "Use euclidean or manhattan.")]
            )
        result = knox_test(
            x,
            y,
            dates,
            space_edges=_bands(space_bands, "space_bands"),
            time_edges=_bands(time_bands, "time_bands"),
            iterations=iterations,
            seed=seed,
            metric=chosen,
        )
    except SaferCityError as error:
        fail(error)
    sentence = near_repeat_sentence(result)
    cells = [
        {
            "space_band": cell.space_label,
            "time_band": cell.time_label,
            "observed": cell.observed,
            "expected": round(cell.expected, 3),
            "knox_ratio": None if cell.ratio is None else round(cell.ratio, 3),
            "median_simulated": cell.median,
            "ratio_to_median": None
            if cell.ratio_to_median is None
            else round(cell.ratio_to_median, 3),
            "p_value": round(cell.p_value, 4),
        }
        for cell in result.cells()
    ]
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "events": result.events,
                    "iterations": result.iterations,
                    "seed": result.seed,
                    "metric": result.metric,
                    "space_edges_m": list(result.space_edges),
                    "time_edges_days": list(result.time_edges),
                    "cells": cells,
                    "observed": result.observed.tolist(),
                    "reading": sentence,
                }
            )
        )
        return
    typer.echo(f"{result.events} events, {result.iterations} permutations, {result.metric}")
    typer.echo(
        f"{'space (m)':<16}{'time (days)':<14}{'observed':>9}{'expected':>10}{'ratio':>8}{'p':>8}"
    )
    for cell in cells:
        ratio = "-" if cell["knox_ratio"] is None else f"{cell['knox_ratio']:.2f}"
        typer.echo(
            f"{cell['space_band']:<16}{cell['time_band']:<14}{cell['observed']:>9}"
            f"{cell['expected']:>10.1f}{ratio:>8}{cell['p_value']:>8.3f}"
        )
    typer.echo(sentence)
