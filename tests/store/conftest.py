"""The store's fixtures: every database test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from forcebridge.store.crypto import Keyring
from forcebridge.store.engine import make_engine, make_sessionmaker
from tests.dbfixtures import MigratedDatabases, backend_params, empty_database

TEST_SECRET = "test-secret-key-that-is-long-enough-for-the-keyring"


@pytest.fixture(params=backend_params())
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database."""
    with empty_database(backend, tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def migrated_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedDatabases]:
    databases = MigratedDatabases(tmp_path_factory.mktemp("databases"))
    yield databases
    databases.close()


@pytest.fixture
def keyring() -> Keyring:
    return Keyring(TEST_SECRET)


@pytest.fixture
def migrated_url(backend: str, migrated_databases: MigratedDatabases) -> Iterator[str]:
    """A fresh database at the head revision."""
    with migrated_databases.copy(backend) as url:
        yield url


@pytest.fixture
def engine(migrated_url: str, keyring: Keyring) -> Iterator[Engine]:
    engine = make_engine(migrated_url, keyring)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with make_sessionmaker(engine)() as session:
        yield session
