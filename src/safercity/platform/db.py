"""The database: one engine, one metadata, one transaction per use case.

SQLite (the embedded default) runs in WAL mode with foreign keys on and a busy timeout, and
every transaction starts with ``BEGIN IMMEDIATE`` so two writers queue instead of failing on a
lock upgrade. PostgreSQL is used as it is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

from safercity.platform.errors import InvalidInput

# Key in ``Connection.info`` of {name: callable(connection)} run just before commit.
BEFORE_COMMIT = "safercity.before_commit"


HookT = TypeVar("HookT", bound=Callable[[Connection], None])


def before_commit(connection: Connection, name: str, make_hook: Callable[[], HookT]) -> HookT:
    """This transaction's hook called ``name`` (made on first use), run last before commit.

    The hook may carry state (entries to write); it is dropped with the transaction on
    rollback, so nothing carries over to the next use of the pooled connection.
    """
    hooks: dict[str, Callable[[Connection], None]] = connection.info.setdefault(BEFORE_COMMIT, {})
    if name not in hooks:
        hooks[name] = make_hook()
    hook: HookT = hooks[name]  # type: ignore[assignment]
    return hook


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """Stores instants in UTC and always gives back timezone-aware datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database: attach a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so BEGIN IMMEDIATE below is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        # FULL: a commit is on disk before we acknowledge it, even across a power cut
        # (NORMAL in WAL mode may lose the last commits then); measured at no cost here.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, poolclass=NullPool if database == ":memory:" else None)
        _configure_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)


def _refuse_nul(
    conn: Connection,
    cursor: object,
    statement: str,
    parameters: Any,
    context: object,
    executemany: bool,
) -> None:
    """Text with a NUL character cannot be stored in PostgreSQL; refuse it the same way on
    every database, as bad input rather than a server error."""
    for row in parameters if executemany else [parameters]:
        values = row.values() if isinstance(row, dict) else row
        if any(isinstance(v, str) and "\x00" in v for v in values or ()):
            raise InvalidInput(
                "Some text you sent contains a NUL character (\\x00), which cannot be stored. "
                "Remove it and send it again."
            )


class Database:
    """The unit of work: ``with db.transaction() as conn`` commits, or rolls back on error."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        if not event.contains(engine, "before_cursor_execute", _refuse_nul):
            event.listen(engine, "before_cursor_execute", _refuse_nul)
        # SQLite allows one writer at a time. Queueing writers of this process on a lock is
        # fair and immediate; leaving it to SQLite's busy handler makes them sleep and retry,
        # which at 50 concurrent requests multiplied tail latency tenfold.
        self._write_lock = threading.RLock() if engine.dialect.name == "sqlite" else None

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(make_engine(url))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        lock = self._write_lock or nullcontext()
        with lock, self.engine.begin() as connection:
            try:
                yield connection
                # Work that must be last before commit (the audit append, which serialises
                # writers: the shorter it holds its lock, the more requests go through).
                for hook in connection.info.pop(BEFORE_COMMIT, {}).values():
                    hook(connection)
            finally:
                connection.info.pop(BEFORE_COMMIT, None)

    def is_reachable(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except Exception:
            return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()
