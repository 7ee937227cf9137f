"""``safercity city import-roads``: build the road graph from OpenStreetMap, offline."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from safercity.dispatch.roads import read_roads, save_network

app = typer.Typer(help="The city's road network, for travel times.", no_args_is_help=True)


@app.callback()
def city() -> None:
    """The city's road network, for travel times."""


def _default_out(source: Path) -> Path:
    name = source.name
    for suffix in (".gz", ".bz2", ".pbf", ".osm"):
        name = name.removesuffix(suffix)
    return Path(f"{name}.roads.npz")


@app.command("import-roads")
def import_roads(
    file: Annotated[
        Path,
        typer.Argument(
            help="An OpenStreetMap .osm, .osm.gz or .osm.pbf file, or a directory with "
            "nodes.csv.gz and edges.csv.gz.",
            exists=True,
            readable=True,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(help="Where to write the graph (.npz); default <name>.roads.npz here."),
    ] = None,
    speed_factor: Annotated[
        float,
        typer.Option(min=0.1, max=5.0, help="Multiplies every road speed (1 = the limit)."),
    ] = 1.0,
) -> None:
    """Build the directed road graph (drivable ways, one-way rules, speeds) and save it."""
    started = time.perf_counter()
    try:
        report = read_roads(file, speed_factor=speed_factor)
    except (OSError, ValueError, SyntaxError, KeyError) as error:
        # ParseError is a SyntaxError; a CSV without the expected columns raises KeyError.
        typer.secho(f"Error: cannot read {file}: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2) from error
    network = report.network
    if network.node_count < 2:
        typer.secho(f"Error: {file} holds no drivable roads.", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2)
    target = out or _default_out(file)
    save_network(network, target)
    elapsed = time.perf_counter() - started
    source = f"{report.ways} drivable ways" if report.ways else "a prepared edge list"
    typer.echo(
        f"{source} -> {network.node_count} nodes, {network.edge_count} "
        f"directed edges in the largest strongly connected component "
        f"(dropped {report.dropped_nodes} nodes, {report.dropped_edges} edges); "
        f"saved to {target} in {elapsed:.1f} s"
    )
