"""Fixtures shared by every test layer.

The database is chosen by SAFERCITY_TEST_DB: ``sqlite`` (a temporary file) or ``postgresql``
(the server on 127.0.0.1:5432, database ``test``). With CI=true an unreachable PostgreSQL fails
the run instead of skipping it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from safercity import migrations
from safercity.migrations.tables import metadata
from safercity.platform.clock import FixedClock
from safercity.platform.config import Settings
from safercity.platform.db import Database
from safercity.platform.http import AppContext
from safercity.platform.identity import service as identity_service
from safercity.web.app import create_app
from safercity.web.bootstrap import build_context

POSTGRES_URL = os.environ.get(
    "SAFERCITY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# A Monday morning in London, clear of bank holidays.
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SIGNING_KEY = "test-signing-key-not-secret-0123456789abcdef"


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2id with the smallest cost: the production parameters take 0.4 s a hash here, and
    seeding eight accounts per test would spend most of the suite's time hashing. The code path
    (Argon2id hash, verify, re-hash check) is the same."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            identity_service,
            "_hasher",
            PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
        )
        yield


def _backend() -> str:
    return os.environ.get("SAFERCITY_TEST_DB", "sqlite")


def _postgres_reachable() -> bool:
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    finally:
        engine.dispose()
    return True


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if _backend() == "postgresql":
        if not _postgres_reachable():
            if os.environ.get("CI") == "true":
                pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL} and CI=true.")
            pytest.skip("PostgreSQL is not reachable; set CI=true to make this an error.")
        engine = create_engine(POSTGRES_URL)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        url = POSTGRES_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    migrations.upgrade(url)
    yield url


@pytest.fixture(scope="session")
def session_db(database_url: str) -> Iterator[Database]:
    db = Database.from_url(database_url)
    yield db
    db.dispose()


def _empty_all_tables(db: Database) -> None:
    # The browser tests' live server keeps background loops (outbox, simulation worker) reading
    # the database; PostgreSQL may pick the TRUNCATE as a deadlock's victim: try again.
    for attempt in range(5):
        try:
            _truncate(db)
            return
        except OperationalError as error:
            if "deadlock" not in str(error).lower() or attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))


def _truncate(db: Database) -> None:
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    with db.transaction() as conn:
        if db.dialect == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))  # noqa: S608 - our own table names
        conn.execute(
            text("INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 0, :h)"), {"h": "0" * 64}
        )


@pytest.fixture
def db(session_db: Database) -> Database:
    _empty_all_tables(session_db)
    return session_db


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path, database_url=database_url, secret_key=SIGNING_KEY)


@pytest.fixture
def ctx(settings: Settings, db: Database, clock: FixedClock) -> AppContext:
    context = build_context(settings, clock)
    context.db.dispose()
    context.db = db
    return context


@pytest.fixture
def app(ctx: AppContext) -> FastAPI:
    return create_app(ctx, deliver_outbox=False)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client
