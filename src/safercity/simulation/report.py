"""The report of simulation runs: one self-contained HTML page, a CSV of key figures, the raw runs.

The page compares scenarios side by side: every response target (met or missed), the response
times as charts, the share of responses within each time, vehicles sent, how busy each service
was, police officer-hours and their cost, the harm figures and the counts. Runs of one scenario
with several seeds are shown as their mean with the range across seeds.

The page opens from a file anywhere: its CSS is inline, its charts are SVG drawn here, and it
loads nothing (its Content-Security-Policy forbids it). Every text is escaped, since scenario
titles and descriptions come from users' files. Each chart has a <title> and a <desc> that
reads its figures out, and the same figures are in tables beside it.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from safercity.simulation.results import BIN_S, MAX_BINNED_S, Distribution, RunResult
from safercity.simulation.scenario import Scenario

__all__ = [
    "REPORT_CSS",
    "ReportFiles",
    "kpi_csv",
    "kpi_lines",
    "kpi_table",
    "render_body",
    "render_html",
    "write_report",
]

# Okabe-Ito colours: told apart with the common colour-vision deficiencies; lines also differ
# by dash pattern so that colour is never the only cue.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
DASHES = ("", "6 3", "2 2", "8 3 2 3", "1 3", "10 4")
TARGET_COLOUR = "#B00020"
NO_DATA = "no data"
HARM_LABELS = {
    "total_days": "Harm of police demand (days of custody)",
    "unattended_share": "Share of that harm police did not attend",
    "weighted_mean_response_s": "Harm-weighted mean police response",
    "within_target_share": "Harm-weighted share attended within target",
}
COUNT_LABELS = {  # the counts a run keeps, in the order a reader follows a call
    "calls": "999 calls",
    "duplicate_calls_merged": "Further calls merged into their incident",
    "duplicate_calls_merged_into_another_incident": "Further calls merged into a nearer incident",
    "duplicate_calls_missed": "Further calls matching no open incident",
    "incidents": "Incidents",
    "incidents_police": "Police-stream incidents",
    "incidents_ambulance": "Ambulance-stream incidents",
    "incidents_fire": "Fire-stream incidents",
    "closed_by_telephone": "Closed by telephone (hear and treat)",
    "no_attendance": "Needing no attendance",
    "incidents_attended": "Incidents attended",
    "units_sent": "Units sent",
    "incidents_waited_for_a_unit": "Incidents that waited for a free unit",
    "incidents_closed": "Incidents closed",
    "incidents_still_waiting_at_end": "Incidents still open at the end",
}
SERVICE_LABELS = {"police": "Police", "ambulance": "Ambulance", "fire": "Fire", "health": "Health"}


@dataclass(frozen=True)
class ReportFiles:
    """Where `write_report` put the report."""

    folder: Path
    html: Path
    csv: Path
    json: Path


def write_report(
    results: Sequence[RunResult], folder: Path, *, scenarios: Iterable[Scenario] = ()
) -> ReportFiles:
    """Write report.html, kpis.csv and runs.json into `folder` (made if missing).

    `scenarios` (optional) adds each scenario's description and currency, which runs lack.
    """
    folder.mkdir(parents=True, exist_ok=True)
    files = ReportFiles(folder, folder / "report.html", folder / "kpis.csv", folder / "runs.json")
    files.html.write_text(render_html(results, scenarios=scenarios), encoding="utf-8")
    files.csv.write_text(kpi_csv(results), encoding="utf-8", newline="")
    runs = [result.to_dict() for result in results]
    files.json.write_text(json.dumps(runs) + "\n", encoding="utf-8")
    return files


def kpi_lines(results: Sequence[RunResult]) -> list[str]:
    """One JSON object per run: its key figures (`RunResult.kpis`)."""
    return [json.dumps(result.kpis()) for result in results]


def kpi_table(results: Sequence[RunResult]) -> tuple[list[str], list[dict[str, Any]]]:
    """Every run's key figures with the union of their columns, in the order first seen."""
    rows = [result.kpis() for result in results]
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return columns, rows


def kpi_csv(results: Sequence[RunResult]) -> str:
    """`kpi_table` as CSV: true and false as in JSON, an empty cell where a figure is missing."""
    columns, rows = kpi_table(results)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _csv_value(value) for key, value in row.items()})
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    # JSON spelling, so the CSV and the JSON lines read the same
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


# --- the page ----------------------------------------------------------------------------------

REPORT_CSS = """
.simrep{--ink:#1b1f24;--muted:#545d68;--line:#d0d7de;--met:#e6f4ea;--met-ink:#13652c;
--miss:#fde7e9;--miss-ink:#9b1020;--part:#fff4d6;--part-ink:#7a4d00;
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);
max-width:72rem;margin:0 auto;padding:1rem}
.simrep h1{font-size:1.6rem;margin:.2rem 0 .5rem}
.simrep h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--line)}
.simrep h3{font-size:1rem;margin:.2rem 0}
.simrep .note,.simrep figcaption p,.simrep .muted{color:var(--muted);font-size:.9rem}
.simrep .scroll{overflow-x:auto;margin:.5rem 0}
.simrep table{border-collapse:collapse;font-size:.9rem;min-width:100%}
.simrep caption{text-align:left;font-weight:600;padding:.3rem 0}
.simrep th,.simrep td{border:1px solid var(--line);padding:.35rem .5rem;vertical-align:top}
.simrep thead th{background:#f6f8fa;text-align:left}
.simrep tbody th{text-align:left;font-weight:600}
.simrep tbody th .range{font-weight:400}
.simrep td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.simrep .range{color:var(--muted);font-size:.8rem;display:block}
.simrep .met{background:var(--met);color:var(--met-ink)}
.simrep .missed{background:var(--miss);color:var(--miss-ink)}
.simrep .partial{background:var(--part);color:var(--part-ink)}
.simrep .badge{font-weight:600;display:block}
.simrep .swatch{display:inline-block;width:.8em;height:.8em;border-radius:2px;
margin-right:.3em;vertical-align:baseline}
.simrep .cards{display:grid;gap:.75rem;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr))}
.simrep .card{border:1px solid var(--line);border-radius:6px;padding:.6rem .8rem}
.simrep .card p{margin:.3rem 0}
.simrep .charts{display:grid;gap:1rem;grid-template-columns:repeat(auto-fill,minmax(18rem,1fr))}
.simrep figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:.5rem}
.simrep svg{max-width:100%;height:auto;display:block}
.simrep .legend{list-style:none;padding:0;margin:.4rem 0;display:flex;flex-wrap:wrap;gap:.3rem 1rem}
.simrep details{margin:.5rem 0}
.simrep summary{cursor:pointer}
@media (max-width:40rem){.simrep{padding:.5rem;font-size:15px}.simrep th,.simrep td{padding:.25rem}}
"""


@dataclass(frozen=True)
class _Spread:
    """A figure across a scenario's runs: the mean, lowest and highest of the runs that had it."""

    mean: float | None
    low: float | None
    high: float | None
    n: int

    @classmethod
    def of(cls, values: Iterable[float | None]) -> _Spread:
        known = [v for v in values if v is not None and math.isfinite(v)]
        if not known:
            return cls(None, None, None, 0)
        return cls(sum(known) / len(known), min(known), max(known), len(known))

    def texts(self, fmt: Callable[[float], str]) -> tuple[str, str | None]:
        """The mean, and the range where the runs differ once written with `fmt`."""
        if self.mean is None or self.low is None or self.high is None:
            return NO_DATA, None
        low, high = fmt(self.low), fmt(self.high)
        return fmt(self.mean), (f"{low} to {high}" if self.n > 1 and low != high else None)

    def html(self, fmt: Callable[[float], str]) -> str:
        mean, spread = self.texts(fmt)
        return _e(mean) + (f'<span class="range">({_e(spread)})</span>' if spread else "")

    def words(self, fmt: Callable[[float], str]) -> str:
        mean, spread = self.texts(fmt)
        return f"{mean} (range {spread})" if spread else mean


@dataclass(frozen=True)
class _Group:
    """One scenario's runs (one per seed), with its letter and colour on the page."""

    letter: str
    colour: str
    dash: str
    name: str
    title: str
    description: str
    currency: str
    runs: tuple[RunResult, ...]

    @property
    def label(self) -> str:
        return f"{self.letter} · {self.title}"

    def spread(self, figure: Callable[[RunResult], float | None]) -> _Spread:
        return _Spread.of(figure(run) for run in self.runs)


def _groups(results: Sequence[RunResult], scenarios: Iterable[Scenario]) -> list[_Group]:
    # Runs of one scenario and length are pooled; a scenario run for other lengths is another.
    by_name = {scenario.name: scenario for scenario in scenarios}
    pooled: dict[tuple[str, str, int], list[RunResult]] = {}
    for result in results:
        pooled.setdefault((result.scenario, result.title, result.days), []).append(result)
    groups = []
    for i, ((name, title, _), runs) in enumerate(pooled.items()):
        known = by_name.get(name)
        groups.append(
            _Group(
                letter=_letter(i),
                colour=COLOURS[i % len(COLOURS)],
                dash=DASHES[i % len(DASHES)],
                name=name,
                title=title,
                description=known.description if known else "",
                currency=known.currency if known else "GBP",
                runs=tuple(runs),
            )
        )
    return groups


def _letter(i: int) -> str:
    """A, B... Z, AA, AB...: as spreadsheets name columns."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return letters[i] if i < len(letters) else _letter(i // 26 - 1) + letters[i % 26]


def render_html(results: Sequence[RunResult], *, scenarios: Iterable[Scenario] = ()) -> str:
    """The whole report page: one HTML document that needs nothing else."""
    titles = ", ".join(dict.fromkeys(result.title for result in results))
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        f"<title>Simulation report: {_e(titles)}</title><style>{REPORT_CSS}</style></head>"
        f"<body>{render_body(results, scenarios=scenarios)}</body></html>\n"
    )


def render_body(
    results: Sequence[RunResult], *, scenarios: Iterable[Scenario] = (), embedded: bool = False
) -> str:
    """The report's content, for a page that brings REPORT_CSS. Standing alone it is the page's
    <main> with an <h1>; `embedded` (the web UI) makes it a <div> under the page's own heading."""
    tag, heading = (
        ("div", "<h2>Comparison</h2>") if embedded else ("main", "<h1>Simulation report</h1>")
    )
    groups = _groups(results, scenarios)
    if not groups:
        return f'<{tag} class="simrep">{heading}<p>No runs.</p></{tag}>'
    sections = (
        _intro(groups),
        _targets_section(groups),
        _target_charts_section(groups),
        _distributions_section(groups),
        _resources_section(groups),
        _officers_section(groups),
        _harm_section(groups),
        _counts_section(groups),
    )
    return f'<{tag} class="simrep">{heading}' + "".join(sections) + f"</{tag}>"


# --- sections ----------------------------------------------------------------------------------


def _intro(groups: Sequence[_Group]) -> str:
    runs = sum(len(group.runs) for group in groups)
    cards = "".join(_card(group) for group in groups)
    return (
        f'<p class="note">{runs} run{"s" if runs != 1 else ""} of {len(groups)} '
        f"scenario{'s' if len(groups) != 1 else ''}. Where a scenario ran with several seeds, "
        "figures are the mean over its runs with the range (lowest to highest) below. "
        "Times are in minutes from the first 999 call.</p>"
        f'<h2 id="scenarios">Scenarios</h2><div class="cards">{cards}</div>'
    )


def _card(group: _Group) -> str:
    seeds = ", ".join(str(run.seed) for run in group.runs)
    days = ", ".join(str(d) for d in dict.fromkeys(run.days for run in group.runs))
    wall = sum(run.wall_s for run in group.runs)
    description = f"<p>{_e(group.description)}</p>" if group.description else ""
    return (
        f'<section class="card" aria-label="{_e(group.label)}">'
        f"<h3>{_swatch(group)}{_e(group.label)}</h3>"
        f'<p class="muted">{_e(group.name)}</p>{description}'
        f"<p>Seed{'s' if len(group.runs) > 1 else ''}: {_e(seeds)}. Days: {_e(days)}. "
        f"Computed in {wall:,.1f} s.</p></section>"
    )


def _measure_keys(groups: Sequence[_Group]) -> dict[str, tuple[str, float, str]]:
    """Every target measure (key: label, target in seconds, source), in the runs' order."""
    found: dict[str, tuple[str, float, str]] = {}
    for group in groups:
        for run in group.runs:
            for m in run.measures:
                found.setdefault(m.key, (m.label, m.target_s, m.source))
    return found


def _measure_value(key: str) -> Callable[[RunResult], float | None]:
    def value(run: RunResult) -> float | None:
        found = [m.value_s for m in run.measures if m.key == key]
        return None if not found or found[0] is None else found[0] / 60

    return value


def _targets_section(groups: Sequence[_Group]) -> str:
    head = ["Measure", "Target (min)", *(_scenario_head(g) for g in groups)]
    rows = []
    for key, (label, target_s, source) in _measure_keys(groups).items():
        cells = [_target_cell(group, key) for group in groups]
        measure = f'{_e(label)}<span class="range">{_e(source)}</span>'
        rows.append([measure, f'<td class="num">{target_s / 60:g}</td>', *cells])
    table = _table("Response targets met or missed (minutes)", head, rows)
    return (
        '<h2 id="targets">Response targets</h2>'
        '<p class="note">✓ met, ✗ missed; n is how many responses the figure is taken over.</p>'
        + table
    )


def _target_cell(group: _Group, key: str) -> str:
    measures = [m for run in group.runs for m in run.measures if m.key == key]
    verdicts = [m.met for m in measures if m.met is not None]
    value = group.spread(_measure_value(key)).html(_minutes)
    count = _e(_Spread.of(float(m.count) for m in measures).words(_count))
    if not verdicts:
        return f'<td class="num">{value}<span class="range">n = {count}</span></td>'
    met = sum(verdicts)
    if met == len(verdicts):
        css, badge = "met", "✓ met"
    elif met == 0:
        css, badge = "missed", "✗ missed"
    else:
        css, badge = "partial", f"met in {met} of {len(verdicts)} runs"
    return (
        f'<td class="num {css}"><span class="badge">{badge}</span>{value}'
        f'<span class="range">n = {count}</span></td>'
    )


def _target_charts_section(groups: Sequence[_Group]) -> str:
    figures = []
    for key, (label, target_s, _) in _measure_keys(groups).items():
        chart = _Bars(
            ident=f"target-{key}",
            title=f"{label}: minutes against the {_minutes(target_s / 60)} target",
            y_label="minutes",
            categories=(label,),
            values=[[group.spread(_measure_value(key))] for group in groups],
            refs=(target_s / 60,),
            fmt=_minutes,
            unit="min",
        )
        figures.append(_figure(label, _bar_chart(chart, groups)))
    return (
        '<h2 id="target-charts">Response times against their targets</h2>'
        f'<p class="note">One chart per target; the dashed red line is the target, lower is '
        f"better; whiskers show the range across seeds.</p>{_legend(groups)}"
        f'<div class="charts">{"".join(figures)}</div>'
    )


def _distribution_keys(groups: Sequence[_Group]) -> dict[str, str]:
    found: dict[str, str] = {}
    for group in groups:
        for run in group.runs:
            for d in run.distributions:
                found.setdefault(d.key, d.label)
    return found


def _distributions_section(groups: Sequence[_Group]) -> str:
    figures = []
    tables = []
    for key, label in _distribution_keys(groups).items():
        curves = [_Curve.of(group, key) for group in groups]
        if all(curve.count == 0 for curve in curves):
            continue
        figures.append(_figure(label, _cdf_chart(key, label, curves, groups)))
        tables.append(_distribution_table(key, label, groups))
    if not figures:
        return '<h2 id="distributions">Response times</h2><p>No responses were timed.</p>'
    return (
        '<h2 id="distributions">How soon help arrived</h2>'
        '<p class="note">The share of responses that arrived within each time, all seeds of a '
        "scenario pooled. Dashed grey lines mark the targets. Times of 2 hours or more are "
        f"beyond the charts.</p>{_legend(groups)}"
        f'<div class="charts">{"".join(figures)}</div>'
        "<details><summary>These figures as tables</summary>"
        f"{''.join(tables)}</details>"
    )


def _distribution_table(key: str, label: str, groups: Sequence[_Group]) -> str:
    marks = list(
        dict.fromkeys(m for g in groups for r in g.runs for d in _dist(r, key) for m in d.within)
    )
    head = ["Scenario", "n", "Mean", "Median", "90th centile"]
    head += [f"Within {float(m) / 60:g} min" for m in marks]
    rows = []
    for group in groups:
        found = [d for run in group.runs for d in _dist(run, key)]
        cells = _distribution_cells(found, marks)
        rows.append([_scenario_head(group), *(f'<td class="num">{c}</td>' for c in cells)])
    return _table(f"{label} (minutes)", head, rows)


def _distribution_cells(found: Sequence[Distribution], marks: Sequence[str]) -> list[str]:
    # A run that timed nothing has no mean and its shares read 0: it counts only in n.
    timed = [d for d in found if d.count]

    def minutes(name: str) -> str:
        values = (d.statistic(name) for d in timed)
        return _Spread.of(None if v is None else v / 60 for v in values).html(_minutes)

    within = [_Spread.of(d.within.get(m) for d in timed).html(_share) for m in marks]
    count = _Spread.of(float(d.count) for d in found).html(_count)
    return [count, minutes("mean"), minutes("median"), minutes("p90"), *within]


def _dist(run: RunResult, key: str) -> list[Distribution]:
    return [d for d in run.distributions if d.key == key]


def _resources_section(groups: Sequence[_Group]) -> str:
    vehicles = _Bars(
        ident="vehicles",
        title="Vehicles sent per attended incident",
        y_label="vehicles per incident",
        categories=("All services",),
        values=[[group.spread(lambda r: r.vehicles_per_incident)] for group in groups],
        refs=(None,),
        fmt=_ratio,
    )
    services = list(dict.fromkeys(s for g in groups for r in g.runs for s in r.utilisation))
    busy = _Bars(
        ident="utilisation",
        title="Share of on-duty time busy, by service",
        y_label="% of on-duty time",
        categories=[SERVICE_LABELS.get(s, s) for s in services],
        values=[
            [group.spread(_entry(_utilisation, s, 100.0)) for s in services] for group in groups
        ],
        refs=[None] * len(services),
        fmt=_percent,
        tick_suffix="%",
    )
    rows = [["Vehicles per attended incident", *_cells(groups, vehicles.values, 0, _ratio)]]
    for i, service in enumerate(services):
        label = f"{SERVICE_LABELS.get(service, service)}: share of time busy"
        rows.append([_e(label), *_cells(groups, busy.values, i, _percent)])
    return (
        f'<h2 id="resources">Vehicles and how busy they were</h2>{_legend(groups)}'
        '<div class="charts">'
        f"{_figure(vehicles.title, _bar_chart(vehicles, groups))}"
        f"{_figure(busy.title, _bar_chart(busy, groups))}</div>"
        + _table("Vehicles and utilisation", ["Figure", *map(_scenario_head, groups)], rows)
    )


def _cells(
    groups: Sequence[_Group],
    values: Sequence[Sequence[_Spread]],
    index: int,
    fmt: Callable[[float], str],
) -> list[str]:
    return [f'<td class="num">{values[g][index].html(fmt)}</td>' for g in range(len(groups))]


def _officers_section(groups: Sequence[_Group]) -> str:
    hours = _Bars(
        ident="officer-hours",
        title="Police officer-hours spent at incidents",
        y_label="officer-hours",
        categories=("All demand",),
        values=[[group.spread(lambda r: sum(r.officer_hours.values()))] for group in groups],
        refs=(None,),
        fmt=_count,
    )
    rows = [["Officer-hours, all demand", *_cells(groups, hours.values, 0, _count)]]
    cost = [group.spread(lambda r: r.officer_cost) for group in groups]
    priced = (f"{_e(g.currency)} {c.html(_count)}" for g, c in zip(groups, cost, strict=True))
    rows.append(["Their cost", *(f'<td class="num">{text}</td>' for text in priced)])
    for label in _busiest_demand(groups):
        spreads = [group.spread(_entry(_hours, label, missing=0.0)) for group in groups]
        rows.append([_e(label), *(f'<td class="num">{s.html(_count)}</td>' for s in spreads)])
    return (
        '<h2 id="officers">Police officer-hours and their cost</h2>'
        '<p class="note">Hours officers spent travelling to, at and back from incidents (crew '
        "× time), with the ten kinds of demand that took most of them.</p>"
        f'{_legend(groups)}<div class="charts">{_figure(hours.title, _bar_chart(hours, groups))}'
        "</div>" + _table("Officer-hours", ["Figure", *map(_scenario_head, groups)], rows)
    )


def _busiest_demand(groups: Sequence[_Group], top: int = 10) -> list[str]:
    totals: dict[str, float] = {}
    for group in groups:
        for run in group.runs:
            for label, hours in run.officer_hours.items():
                totals[label] = totals.get(label, 0.0) + hours / len(group.runs)
    return sorted(totals, key=lambda label: -totals[label])[:top]


def _harm_section(groups: Sequence[_Group]) -> str:
    keys = list(dict.fromkeys(k for g in groups for r in g.runs for k in r.harm))
    rows = []
    for key in keys:
        fmt, scale = _harm_format(key)
        spreads = [group.spread(_entry(_harm, key, scale)) for group in groups]
        label = HARM_LABELS.get(key, _humane(key))
        rows.append([_e(label), *(f'<td class="num">{s.html(fmt)}</td>' for s in spreads)])
    return (
        '<h2 id="harm">Harm</h2><p class="note">Police demand weighted by the harm of each kind '
        "of incident (days of custody its offence carries), so serious incidents count more."
        "</p>" + _table("Harm figures", ["Figure", *map(_scenario_head, groups)], rows)
    )


def _harm_format(key: str) -> tuple[Callable[[float], str], float]:
    if key.endswith("_share"):
        return _percent, 100.0
    if key.endswith("_s"):
        return (lambda v: f"{_minutes(v)} min"), 1 / 60
    return _count, 1.0


def _entry(
    figures: Callable[[RunResult], Mapping[str, float]],
    key: str,
    scale: float = 1.0,
    missing: float | None = None,
) -> Callable[[RunResult], float | None]:
    """The run's figure `key` of one of its mappings, in the chart's unit."""

    def value(run: RunResult) -> float | None:
        found = figures(run).get(key)
        return missing if found is None else float(found) * scale

    return value


def _hours(run: RunResult) -> Mapping[str, float]:
    return run.officer_hours


def _harm(run: RunResult) -> Mapping[str, float]:
    return run.harm


def _counts(run: RunResult) -> Mapping[str, float]:
    return run.counts


def _utilisation(run: RunResult) -> Mapping[str, float]:
    return run.utilisation


def _counts_section(groups: Sequence[_Group]) -> str:
    found = dict.fromkeys(k for g in groups for r in g.runs for k in r.counts)
    keys = [k for k in COUNT_LABELS if k in found] + [k for k in found if k not in COUNT_LABELS]
    rows = []
    for key in keys:
        spreads = [group.spread(_entry(_counts, key, missing=0.0)) for group in groups]
        label = COUNT_LABELS.get(key, _humane(key))
        rows.append([_e(label), *(f'<td class="num">{s.html(_count)}</td>' for s in spreads)])
    return '<h2 id="counts">Counts</h2>' + _table(
        "Calls, incidents and units", ["Count", *map(_scenario_head, groups)], rows
    )


# --- charts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bars:
    """A grouped bar chart: categories along the bottom, one bar per scenario in each."""

    ident: str
    title: str
    y_label: str
    categories: Sequence[str]
    values: Sequence[Sequence[_Spread]]  # [scenario][category], in the chart's unit
    refs: Sequence[float | None]  # a target line per category, if any
    fmt: Callable[[float], str]  # a value, as the tables show it
    unit: str = ""  # after a target's value: "min"
    tick_suffix: str = ""  # after an axis tick: "%"


BAR_W, BAR_GAP, CAT_GAP = 26, 6, 28
LEFT, RIGHT, TOP, BOTTOM, PLOT_H = 52, 14, 22, 46, 170
MIN_WIDTH = 240
MINUTE_STEPS = (1, 2, 3, 5, 10)  # minutes read best in steps of 1, 2, 3, 5, 10, 20, 30...


def _bar_chart(chart: _Bars, groups: Sequence[_Group]) -> str:
    span = len(groups) * (BAR_W + BAR_GAP) - BAR_GAP
    cats = len(chart.categories)
    width = max(MIN_WIDTH, LEFT + RIGHT + cats * (span + CAT_GAP))
    slot = (width - LEFT - RIGHT) / cats  # each category's share of the plot, bars centred
    highs = [s.high for row in chart.values for s in row if s.high is not None]
    ticks = _ticks(max([*highs, *(r for r in chart.refs if r is not None), 0.0]) * 1.08)
    y = _scale(ticks[-1])
    parts = [_y_axis(ticks, y, width, chart.y_label, chart.tick_suffix)]
    for c, category in enumerate(chart.categories):
        x0 = LEFT + c * slot + (slot - span) / 2
        for g, group in enumerate(groups):
            parts.append(_bar(x0 + g * (BAR_W + BAR_GAP), chart.values[g][c], group, y, chart))
        parts.append(_category_label(x0 + span / 2, category, cats))
        ref = chart.refs[c]
        if ref is not None:
            value = f"{ref:g} {chart.unit}".strip()
            parts.append(_target_line(LEFT + c * slot, LEFT + (c + 1) * slot, y(ref), value))
    desc = _bars_words(chart, groups)
    height = TOP + PLOT_H + (BOTTOM if cats > 1 else 24)  # a lone category has no name below
    return _svg(chart.ident, width, height, chart.title, desc, "".join(parts))


def _bar(x: float, value: _Spread, group: _Group, y: Callable[[float], float], chart: _Bars) -> str:
    mid = x + BAR_W / 2
    letter = _text(mid, TOP + PLOT_H + 14, group.letter, anchor="middle")
    if value.mean is None or value.low is None or value.high is None:
        return letter + _text(mid, TOP + PLOT_H - 4, "–", anchor="middle")
    top = y(value.mean)
    bar = (
        f'<rect x="{x:.1f}" y="{top:.1f}" width="{BAR_W}" height="{TOP + PLOT_H - top:.1f}" '
        f'fill="{group.colour}"><title>{_e(group.label)}: {_e(value.words(chart.fmt))}</title>'
        "</rect>"
    )
    if value.n > 1 and value.high > value.low:  # a whisker from the lowest seed to the highest
        low, high = y(value.low), y(value.high)
        bar += (
            f'<path d="M{mid:.1f} {low:.1f}V{high:.1f}M{mid - 5:.1f} {low:.1f}h10'
            f'M{mid - 5:.1f} {high:.1f}h10" stroke="#1b1f24" stroke-width="1.5" fill="none"/>'
        )
    return bar + letter + _text(mid, y(value.high) - 4, chart.fmt(value.mean), anchor="middle")


def _category_label(x: float, category: str, categories: int) -> str:
    # A lone category is the chart's title already; its name under the bars would repeat it.
    if categories == 1:
        return ""
    return _text(x, TOP + PLOT_H + 32, category, anchor="middle", size=11)


def _target_line(x1: float, x2: float, y: float, value: str) -> str:
    return (
        f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="{TARGET_COLOUR}" '
        'stroke-width="2" stroke-dasharray="6 3"/>'
        + _text(x2, y - 4, f"target {value}", anchor="end", size=10, fill=TARGET_COLOUR)
    )


def _bars_words(chart: _Bars, groups: Sequence[_Group]) -> str:
    sentences = []
    for c, category in enumerate(chart.categories):
        figures = "; ".join(
            f"{group.label}: {chart.values[g][c].words(chart.fmt)}"
            for g, group in enumerate(groups)
        )
        ref = chart.refs[c]
        target = f" Target: {ref:g} {chart.unit}.".replace(" .", ".") if ref is not None else ""
        sentences.append(f"{category}, {chart.y_label}: {figures}.{target}")
    return " ".join(sentences)


@dataclass(frozen=True)
class _Curve:
    """A scenario's response times of one kind, its seeds pooled: the 30-second bins."""

    count: int
    bins: tuple[int, ...]
    marks: tuple[str, ...]

    @classmethod
    def of(cls, group: _Group, key: str) -> _Curve:
        found = [d for run in group.runs for d in _dist(run, key)]
        width = max((len(d.bins) for d in found), default=0)
        bins = [0] * width
        for d in found:
            for i, b in enumerate(d.bins):
                bins[i] += b
        marks = tuple(dict.fromkeys(m for d in found for m in d.within))
        return cls(sum(d.count for d in found), tuple(bins), marks)

    def within(self) -> list[float]:
        """The share within the end of each bin, up to two hours (the last bin is later)."""
        shares, total = [], 0
        for b in self.bins[: MAX_BINNED_S // BIN_S]:
            total += b
            shares.append(total / self.count if self.count else 0.0)
        return shares

    def minutes_to(self, share: float) -> float:
        for i, reached in enumerate(self.within()):
            if reached >= share:
                return (i + 1) * BIN_S / 60
        return MAX_BINNED_S / 60


def _cdf_chart(key: str, label: str, curves: Sequence[_Curve], groups: Sequence[_Group]) -> str:
    last = MAX_BINNED_S / 60
    marks = sorted({float(m) / 60 for c in curves for m in c.marks if float(m) / 60 <= last})
    # As far as 99% of every scenario's responses and the targets go: no further, to keep the
    # curves' shape readable, and no further than the bins (two hours).
    reach = max([*(c.minutes_to(0.99) for c in curves if c.count), *marks, 1.0])
    x_ticks = _ticks(min(reach, last), steps=MINUTE_STEPS)
    x_max = x_ticks[-1]
    width = 320
    x = _x_scale(x_max, width - LEFT - RIGHT)
    y = _scale(100.0)
    parts = [_y_axis([0, 25, 50, 75, 100], y, width, "% arrived", "%")]
    parts.append(_x_axis(x_ticks, x, "minutes from the first call"))
    parts += [_mark(x(m), m, near_end=m > 0.7 * x_max) for m in marks]
    for curve, group in zip(curves, groups, strict=True):
        if curve.count:
            parts.append(_line(curve, group, x, y, x_max))
    desc = _cdf_words(label, curves, groups, marks)
    title = f"{label}: share of responses arriving within each time"
    return _svg(f"cdf-{key}", width, TOP + PLOT_H + BOTTOM, title, desc, "".join(parts))


def _line(
    curve: _Curve,
    group: _Group,
    x: Callable[[float], float],
    y: Callable[[float], float],
    x_max: float,
) -> str:
    points = [f"{x(0):.1f},{y(0):.1f}"]
    for i, share in enumerate(curve.within()):
        minutes = (i + 1) * BIN_S / 60
        points.append(f"{x(minutes):.1f},{y(share * 100):.1f}")
        if minutes >= x_max:
            break
    dash = f' stroke-dasharray="{group.dash}"' if group.dash else ""
    return (
        f'<polyline points="{" ".join(points)}" fill="none" stroke="{group.colour}" '
        f'stroke-width="2"{dash}><title>{_e(group.label)}</title></polyline>'
    )


def _cdf_words(
    label: str, curves: Sequence[_Curve], groups: Sequence[_Group], marks: Sequence[float]
) -> str:
    sentences = []
    for curve, group in zip(curves, groups, strict=True):
        if not curve.count:
            sentences.append(f"{group.label}: no responses.")
            continue
        within = curve.within()
        shares = [
            f"{_share(within[_bin_before(m, len(within))])} within {m:g} minutes" for m in marks
        ]
        half = f"half within {curve.minutes_to(0.5):g} minutes"
        detail = ", ".join([half, *shares])
        sentences.append(f"{group.label}: {_count(curve.count)} responses, {detail}.")
    return f"{label}. " + " ".join(sentences)


def _bin_before(minutes: float, bins: int) -> int:
    """The index of the last bin that ends by `minutes`."""
    return max(0, min(bins, int(minutes * 60 // BIN_S)) - 1)


def _mark(x: float, minutes: float, *, near_end: bool) -> str:
    # Near the right edge the label goes left of its line, so it is not cut off.
    label_x, anchor = (x - 3, "end") if near_end else (x + 3, "start")
    return (
        f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{TOP + PLOT_H}" stroke="#6e7781" '
        'stroke-width="1" stroke-dasharray="4 3"/>'
        + _text(label_x, TOP + 10, f"{minutes:g} min", anchor=anchor, size=10, fill="#545d68")
    )


def _x_scale(high: float, plot_w: float) -> Callable[[float], float]:
    return lambda value: LEFT + plot_w * min(value, high) / high


def _scale(top: float) -> Callable[[float], float]:
    return lambda value: TOP + PLOT_H - PLOT_H * (value / top if top else 0.0)


def _y_axis(
    ticks: Sequence[float],
    y: Callable[[float], float],
    width: float,
    label: str,
    suffix: str = "",
) -> str:
    parts = []
    for tick in ticks:
        parts.append(
            f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            'stroke="#d0d7de" stroke-width="1"/>'
            + _text(LEFT - 5, y(tick) + 4, f"{tick:,g}{suffix}", anchor="end", size=10)
        )
    mid = TOP + PLOT_H / 2
    parts.append(
        f'<text transform="translate(13 {mid:.1f}) rotate(-90)" text-anchor="middle" '
        f'font-size="11" fill="#1b1f24">{_e(label)}</text>'
    )
    return "".join(parts)


def _x_axis(ticks: Sequence[float], x: Callable[[float], float], label: str) -> str:
    base = TOP + PLOT_H
    parts = [
        f'<line x1="{LEFT}" x2="{x(ticks[-1]):.1f}" y1="{base}" y2="{base}" stroke="#57606a"/>'
    ]
    for tick in ticks:
        parts.append(_text(x(tick), base + 14, f"{tick:g}", anchor="middle", size=10))
    parts.append(_text((LEFT + x(ticks[-1])) / 2, base + 34, label, anchor="middle", size=11))
    return "".join(parts)


def _ticks(high: float, count: int = 5, steps: Sequence[float] = (1, 2, 2.5, 5, 10)) -> list[float]:
    """Round steps from 0 to at least `high`: 0, 2, 4... or 0, 25, 50..."""
    if not high > 0:
        return [0.0, 1.0]
    raw = high / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in steps if m * magnitude >= raw)
    n = math.ceil(high / step - 1e-9)
    return [round(i * step, 10) for i in range(n + 1)]


def _svg(ident: str, width: float, height: float, title: str, desc: str, body: str) -> str:
    ident = _e(ident)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family="system-ui,sans-serif">'
        f'<title id="{ident}-title">{_e(title)}</title><desc id="{ident}-desc">{_e(desc)}</desc>'
        f"{body}</svg>"
    )


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: int = 11,
    fill: str = "#1b1f24",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}">{_e(text)}</text>'
    )


# --- small parts -------------------------------------------------------------------------------


def _figure(caption: str, svg: str) -> str:
    return f"<figure><figcaption><h3>{_e(caption)}</h3></figcaption>{svg}</figure>"


def _legend(groups: Sequence[_Group]) -> str:
    items = "".join(f"<li>{_swatch(group)}{_e(group.label)}</li>" for group in groups)
    return f'<ul class="legend" aria-label="Scenarios">{items}</ul>'


def _swatch(group: _Group) -> str:
    return f'<span class="swatch" style="background:{group.colour}" aria-hidden="true"></span>'


def _scenario_head(group: _Group) -> str:
    return f"{_swatch(group)}{_e(group.label)}"


def _table(caption: str, head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table; `head` and the first cell of each row are HTML, the other cells whole <td>s."""
    header = "".join(f'<th scope="col">{cell}</th>' for cell in head)
    body = "".join(f'<tr><th scope="row">{row[0]}</th>{"".join(row[1:])}</tr>' for row in rows)
    return (
        f'<div class="scroll" role="region" tabindex="0" aria-label="{_e(caption)}">'
        f"<table><caption>{_e(caption)}</caption><thead><tr>{header}</tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )


def _e(text: str) -> str:
    return escape(text, quote=True)


def _humane(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _minutes(value: float) -> str:
    return f"{value:.1f}"


def _percent(value: float) -> str:
    return f"{value:.1f}%" if value < 10 else f"{value:.0f}%"


def _share(value: float) -> str:
    return _percent(value * 100)


def _count(value: float) -> str:
    return f"{value:,.0f}"


def _ratio(value: float) -> str:
    return f"{value:.2f}"
