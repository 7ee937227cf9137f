"""The ``safercity`` command line. It calls the same service functions as the web app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.progress import Progress, track

from safercity import migrations
from safercity.dispatch import cli as dispatch_cli
from safercity.evidence import cli as evidence_cli
from safercity.platform.audit import service as audit
from safercity.platform.audit.model import AuditEntry
from safercity.platform.cli import fail
from safercity.platform.clock import SystemClock
from safercity.platform.config import Settings
from safercity.platform.db import Database
from safercity.platform.errors import SaferCityError
from safercity.platform.identity import service as identity
from safercity.platform.identity.model import Role
from safercity.prevention import cli as prevention_cli
from safercity.prevention import events as prevention_events
from safercity.prevention import police_uk
from safercity.prevention import warnings as prevention_warnings
from safercity.safeguarding import cli as safeguarding_cli
from safercity.simulation.cli import simulate_command
from safercity.web.bench import app as bench_app
from safercity.web.bootstrap import build_context

app = typer.Typer(
    help="SaferCity: one platform for a city's public safety services.", no_args_is_help=True
)
db_app = typer.Typer(help="The database: migrations.", no_args_is_help=True)
users_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log of personal-data processing.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(evidence_cli.app, name="evidence")
app.add_typer(dispatch_cli.app, name="city")
app.add_typer(bench_app, name="bench")
app.add_typer(safeguarding_cli.app, name="safeguarding")
app.add_typer(prevention_cli.app, name="prevention")
app.command("simulate")(simulate_command)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration to the configured database."""
    settings = Settings()
    migrations.upgrade(settings.resolved_database_url)
    typer.echo("Database is up to date.")


@db_app.command("check")
def db_check() -> None:
    """Fail if the code's tables and the migrations disagree."""
    settings = Settings()
    migrations.upgrade(settings.resolved_database_url)
    migrations.check(settings.resolved_database_url)
    typer.echo("Tables and migrations agree.")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    upgrade: Annotated[bool, typer.Option(help="Apply migrations first.")] = True,
) -> None:
    """Serve the platform (web pages and API)."""
    from safercity.web.app import create_app

    settings = Settings()
    if upgrade:
        migrations.upgrade(settings.resolved_database_url)
    ctx = build_context(settings)
    typer.echo(f"SaferCity on http://{host}:{port} (database: {ctx.db.dialect})")
    uvicorn.run(create_app(ctx), host=host, port=port, log_level="warning", access_log=False)


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Option(help="Sign-in name.")],
    password: Annotated[str, typer.Option(help="At least 10 characters.")],
    role: Annotated[Role, typer.Option(help="What the person does.")],
    agency: Annotated[str, typer.Option(help="The agency's code, e.g. MPS.")],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    email: Annotated[str | None, typer.Option()] = None,
    phone: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Create a staff account."""
    settings = Settings()
    migrations.upgrade(settings.resolved_database_url)
    ctx = build_context(settings)
    try:
        user = identity.add_user(
            ctx.db,
            ctx.clock,
            username=username,
            password=password,
            role=role,
            agency_code=agency,
            display_name=name,
            email=email,
            phone=phone,
        )
    except SaferCityError as error:
        fail(error)
    typer.echo(f"Created {user.username} ({user.role.label}, {user.agency_name}).")


@audit_app.command("verify")
def audit_verify() -> None:
    """Re-check the hash chain; exit 1 naming the first bad entry if any was tampered with."""
    ctx = build_context()

    def with_bar(entries: Iterable[AuditEntry], total: int) -> Iterable[AuditEntry]:
        return track(entries, total=total, description="Checking the audit chain", transient=True)

    checked, broken = audit.verify(ctx.db, with_bar)
    if broken is not None:
        typer.secho(
            f"Audit log BROKEN at entry {broken.seq}: {broken.reason}.",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(code=1)
    typer.echo(f"Audit log intact: {checked} entries, chain verified.")


@app.command()
def demo(
    serve_after: Annotated[bool, typer.Option("--serve", help="Serve the platform after.")] = False,
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    """Load the London demo (agencies, staff, cases at every stage) and print the accounts."""
    from safercity.web.demo import load_demo

    settings = Settings()
    migrations.upgrade(settings.resolved_database_url)
    ctx = build_context(settings)
    accounts = load_demo(ctx)
    _load_demo_crime_events(ctx.db, settings)
    typer.echo("Demo accounts (username / password / role / agency):")
    for account in accounts:
        typer.echo(
            f"  {account.username:<14} {account.password:<20} {account.role:<22} {account.agency}"
        )
    if serve_after:
        serve(host=host, port=port, upgrade=False)


def _load_demo_crime_events(db: Database, settings: Settings) -> None:
    """Three years of the Met's published burglaries, for the forecasts and the open data."""
    clock = SystemClock()
    if not prevention_events.has_published_events(db):
        report = police_uk.ImportReport()
        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("Loading published crime data", total=165_000)
            prevention_events.import_files(
                db,
                clock,
                prevention_events.bundled_files(),
                report,
                progress=lambda n: bar.advance(task, n),
            )
        typer.echo(report.summary()[0])
    prevention_events.sync_platform_crimes(
        db, clock, settings.signing_key, on_new=prevention_warnings.warn_neighbours
    )


def main() -> None:
    app()


if __name__ == "__main__":
    main()


__all__ = ["app"]
