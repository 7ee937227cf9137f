"""The migrations build exactly the tables the code declares (alembic check), on each database."""

from __future__ import annotations

from safercity import migrations


def test_models_and_migrations_agree(database_url: str) -> None:
    migrations.check(database_url)
