"""Alembic environment: one connection, batch mode on SQLite so ALTERs work there too."""

from __future__ import annotations

from alembic import context

from safercity.migrations.tables import metadata
from safercity.platform.db import make_engine

database_url: str = context.config.attributes["database_url"]
engine = make_engine(database_url)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
