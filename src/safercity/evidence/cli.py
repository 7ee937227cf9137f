"""Evidence commands: ``safercity evidence verify`` re-hashes every stored file."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from safercity.evidence import integrity
from safercity.evidence.blobs import FileBlobStore
from safercity.platform.config import Settings
from safercity.platform.db import Database

app = typer.Typer(help="Evidence files and their chain of custody.", no_args_is_help=True)


@app.callback()
def _evidence() -> None:
    """Evidence files and their chain of custody."""


@app.command("verify")
def verify() -> None:
    """Hash every stored evidence file again; list each changed or missing one and exit 1."""
    settings = Settings()
    db = Database.from_url(settings.resolved_database_url)
    blobs = FileBlobStore(settings.resolved_evidence_dir)
    console = Console(stderr=True)
    columns = (
        TextColumn("Hashing evidence files"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    try:
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("verify", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            result = integrity.verify(db, blobs, advance)
    finally:
        db.dispose()
    for problem in result.problems:
        typer.secho(f"MISMATCH {problem.description}", fg=typer.colors.RED, err=True)
    summary = (
        f"{result.files_checked} files checked for {result.items_checked} exhibits "
        f"in {settings.resolved_evidence_dir}"
    )
    if result.problems:
        typer.secho(
            f"Evidence store DAMAGED: {len(result.problems)} exhibits do not match "
            f"their recorded SHA-256 ({summary}).",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(code=1)
    typer.echo(f"Evidence intact: {summary}; every file matches its SHA-256.")
