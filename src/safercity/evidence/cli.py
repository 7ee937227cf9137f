"""Evidence commands (being written)."""

import typer

app = typer.Typer(help="Evidence files and their chain of custody.", no_args_is_help=True)
