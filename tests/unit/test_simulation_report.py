"""The simulation report: a page that escapes what users wrote, shows every target met or
missed, draws accessible charts and loads nothing; a CSV and JSON lines of the key figures."""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from safercity.simulation.report import (
    REPORT_CSS,
    kpi_lines,
    kpi_table,
    render_body,
    render_html,
    write_report,
)
from safercity.simulation.results import Distribution, Measure, RunResult
from safercity.simulation.scenario import Scenario

HOSTILE = '<script>alert("x")</script> & Co'
TARGETS = (  # key, label, statistic, target (s), the distribution it reads
    ("ambulance_c1_mean", "Ambulance category 1, mean", "mean", 420.0, "ambulance_C1"),
    ("fire_first_mean", "First fire engine, mean", "mean", 360.0, "fire_first"),
    ("police_i_p90", "Police grade I, 90th centile", "p90", 900.0, "police_I"),
)
LABELS = {"ambulance_C1": "Ambulance category 1", "fire_first": "First fire engine",
          "police_I": "Police grade I"}  # fmt: skip
MARKS = {"ambulance_C1": (420.0, 900.0), "fire_first": (360.0,), "police_I": (900.0,)}
VOID = {"meta", "br", "hr", "img", "input", "link", "col", "wbr", "source"}
SVG_EMPTY = {"rect", "line", "path", "polyline", "text", "circle"}


def run(
    name: str = "today",
    title: str = "London today",
    seed: int = 1,
    slower: float = 1.0,
    counts: dict[str, int] | None = None,
) -> RunResult:
    """A run whose response times are `slower` times a fixed sample (no simulation needed)."""
    base = [120.0 + 15.0 * i for i in range(40)]  # 2 to 11.75 minutes
    distributions = tuple(
        Distribution.of(key, label, [t * slower for t in base], MARKS[key])
        for key, label in LABELS.items()
    )
    by_key = {d.key: d for d in distributions}
    measures = tuple(
        Measure(key, label, stat, target, by_key[dist].statistic(stat), 40, "A source")
        for key, label, stat, target, dist in TARGETS
    )
    return RunResult(
        scenario=name,
        title=title,
        seed=seed,
        days=1,
        measures=measures,
        distributions=distributions,
        counts=counts if counts is not None else {"calls": 50, "incidents": 40},
        vehicles_per_incident=1.25 * slower,
        utilisation={"police": 0.2, "ambulance": 0.5 * slower},
        officer_hours={"Assault": 10.0 * slower, "Burglary": 4.0},
        officer_cost=560.0 * slower,
        harm={"total_days": 120.0, "within_target_share": 0.9},
        wall_s=1.5,
    )


@pytest.fixture
def runs() -> list[RunResult]:
    return [run(), run("worse", HOSTILE, slower=2.0)]


def scenario(name: str, title: str, description: str) -> Scenario:
    return Scenario(name=name, title=title, description=description)


class Tree(HTMLParser):
    """Checks that every element closes in order, and collects each SVG's children."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.ids: set[str] = set()
        self.svgs: list[dict[str, str]] = []
        self.svg_children: list[list[str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append(tag)
        if "id" in values:
            assert values["id"] not in self.ids, f"duplicate id {values['id']}"
            self.ids.add(values["id"])
        if tag == "svg":
            self.svgs.append(values)
            self.svg_children.append([])
        elif self.stack and self.stack[-1] == "svg":
            self.svg_children[-1].append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in VOID | SVG_EMPTY, f"<{tag}/> is not an empty element"
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


def parsed(page: str) -> Tree:
    tree = Tree()
    tree.feed(page)
    tree.close()
    assert tree.stack == []
    return tree


def test_page_escapes_what_users_wrote(runs: list[RunResult]) -> None:
    about = [scenario("worse", HOSTILE, f"Described as {HOSTILE}")]
    page = render_html(runs, scenarios=about)
    assert "<script" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in page
    assert "Described as &lt;script&gt;" in page
    assert "London today" in page
    parsed(page)


def test_page_shows_every_measure_against_its_target(runs: list[RunResult]) -> None:
    page = render_html(runs)
    for _, label, _, target_s, _ in TARGETS:
        assert label in page
        assert f'<td class="num">{target_s / 60:g}</td>' in page
    assert "✓ met" in page and "✗ missed" in page  # the slower run misses its mean targets
    assert "minutes" in page


def test_every_chart_is_an_svg_with_a_title_and_a_description(runs: list[RunResult]) -> None:
    tree = parsed(render_html(runs))
    assert len(tree.svgs) >= len(TARGETS) + len(LABELS)  # a bar chart a target, a curve a kind
    for attrs, children in zip(tree.svgs, tree.svg_children, strict=True):
        assert attrs["role"] == "img"
        assert children[:2] == ["title", "desc"]
        assert set(attrs["aria-labelledby"].split()) <= tree.ids
        assert "viewbox" in attrs


def test_chart_descriptions_read_out_the_figures(runs: list[RunResult]) -> None:
    page = render_html(runs)
    descs = re.findall(r"<desc[^>]*>(.*?)</desc>", page)
    ambulance = next(d for d in descs if d.startswith("Ambulance category 1, mean"))
    mean_min = run().measure("ambulance_c1_mean").value_s / 60  # type: ignore[operator]
    assert f"A · London today: {mean_min:.1f}" in ambulance
    assert "Target: 7 min." in ambulance
    curve = next(d for d in descs if d.startswith("First fire engine."))
    assert "London today: 40 responses, half within 7 minutes, 40% within 6 minutes." in curve


def test_page_loads_nothing_from_anywhere(runs: list[RunResult]) -> None:
    page = render_html(runs)
    without_namespace = page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert not re.search(r"https?:|<script|<link|<img|@import|url\(|src=", without_namespace)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert 'name="viewport"' in page


def test_several_seeds_show_the_mean_and_range() -> None:
    runs = [run(seed=1), run(seed=2, slower=2.0)]
    page = render_html(runs)
    assert "met in 1 of 2 runs" in page
    assert page.count("A · London today") >= 2
    low = runs[0].measure("fire_first_mean").value_s / 60  # type: ignore[operator]
    high = runs[1].measure("fire_first_mean").value_s / 60  # type: ignore[operator]
    assert f"({low:.1f} to {high:.1f})" in page
    assert "B · " not in page  # one scenario, pooled


def test_a_measure_without_responses_says_so() -> None:
    empty = run()
    measures = tuple(
        Measure(m.key, m.label, m.statistic, m.target_s, None, 0, m.source) for m in empty.measures
    )
    page = render_html([RunResult(**{**empty.__dict__, "measures": measures})])
    assert "no data" in page
    assert 'class="num met"' not in page and 'class="num missed"' not in page


def test_body_is_the_page_without_its_document(runs: list[RunResult]) -> None:
    body = render_body(runs)
    assert body.startswith('<main class="simrep">') and "<html" not in body
    assert body in render_html(runs) and REPORT_CSS in render_html(runs)
    assert "No runs" in render_body([])


def test_kpi_lines_are_one_json_object_a_run(runs: list[RunResult]) -> None:
    lines = kpi_lines(runs)
    assert len(lines) == 2 and all("\n" not in line for line in lines)
    assert [json.loads(line) for line in lines] == [r.kpis() for r in runs]


def test_csv_has_every_runs_columns_in_a_stable_order(tmp_path: Path) -> None:
    runs = [run(counts={"calls": 5}), run("other", "Other", counts={"calls": 6, "queued": 2})]
    files = write_report(runs, tmp_path / "out")
    with files.csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns, _ = kpi_table(runs)
    assert list(rows[0]) == columns
    assert columns[:3] == ["scenario", "seed", "days"] and columns.index("count_queued") > 0
    assert [row["scenario"] for row in rows] == ["today", "other"]
    assert rows[0]["count_queued"] == "" and rows[1]["count_queued"] == "2"
    assert rows[0]["ambulance_c1_mean_met"] == "true"
    assert rows[0]["fire_first_mean_met"] == "false"


def test_write_report_writes_the_page_the_csv_and_the_runs(
    tmp_path: Path, runs: list[RunResult]
) -> None:
    files = write_report(runs, tmp_path / "new" / "folder")
    assert files.html.read_text(encoding="utf-8").startswith("<!doctype html>")
    saved = json.loads(files.json.read_text(encoding="utf-8"))
    assert [RunResult.from_dict(data) for data in saved] == runs
    assert {p.name for p in files.folder.iterdir()} == {"report.html", "kpis.csv", "runs.json"}
