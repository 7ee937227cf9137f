"""What every ``safercity`` command does with a SaferCityError: say it plainly and exit 2."""

from __future__ import annotations

from typing import NoReturn

import typer

from safercity.platform.errors import SaferCityError


def fail(error: SaferCityError) -> NoReturn:
    """Print the error and each field it names (unless the detail already says it), exit 2."""
    typer.secho(f"Error: {error.detail}", fg=typer.colors.RED, err=True)
    for field in error.field_errors:
        if field.message in error.detail:
            continue
        typer.secho(f"  {field.field}: {field.message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=2)
