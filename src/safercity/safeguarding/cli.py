"""``safercity safeguarding``: set up a city's hub (partners, agreements) and keep retention."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from safercity.platform.cli import fail
from safercity.platform.config import Settings
from safercity.platform.db import Database
from safercity.platform.errors import SaferCityError
from safercity.safeguarding import service
from safercity.safeguarding.agreements import PartnerKind

app = typer.Typer(help="The multi-agency safeguarding hub.", no_args_is_help=True)


def _database() -> Database:
    """The configured database (brought up to date by `safercity db upgrade` or `serve`)."""
    return Database.from_url(Settings().resolved_database_url)


@app.command("partner")
def partner(
    agency: Annotated[str, typer.Argument(help="The agency's code, e.g. MPS.")],
    kind: Annotated[PartnerKind, typer.Argument(help="Its kind in the sharing agreements.")],
) -> None:
    """Make an agency a partner of the hub (its kind is what agreements name)."""
    try:
        added = service.register_partner(_database(), agency, kind)
    except SaferCityError as error:
        fail(error)
    typer.echo(f"{added.name} ({added.code}) is a hub partner of kind {added.kind}.")


@app.command("agreements")
def agreements(
    path: Annotated[
        Path | None, typer.Argument(help="A JSON list of agreements; London's when left out.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print them as JSON.")] = False,
) -> None:
    """Check a file of information-sharing agreements and list what each shares."""
    try:
        loaded = service.hub_agreements(path)
    except SaferCityError as error:
        fail(error)
    if as_json:
        typer.echo(json.dumps([service.agreement_summary(a) for a in loaded], indent=1))
        return
    for agreement in loaded:
        until = agreement.valid_until.isoformat() if agreement.valid_until else "open-ended"
        shares = ", ".join(
            s.category.value + (f" ({', '.join(sorted(s.fields))})" if s.fields else "")
            for s in agreement.shares
        )
        typer.echo(
            f"{agreement.id}: {agreement.provider} -> {agreement.recipient_agency}, "
            f"{agreement.valid_from.isoformat()} to {until}: {shares}"
        )
    typer.echo(f"{len(loaded)} agreements, all valid.")
