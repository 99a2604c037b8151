"""Fixtures of the jobs tests: the store's databases, a runtime on them, a connected service."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from forcebridge.jobs.runtime import Runtime
from forcebridge.settings import Settings
from forcebridge.store.crypto import Keyring
from forcebridge.store.engine import make_sessionmaker
from forcebridge.store.repositories.connections import create_connection
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service
from tests.store.conftest import (  # noqa: F401 - fixtures shared with the store's tests
    TEST_SECRET,
    backend,
    engine,
    keyring,
    migrated_databases,
    migrated_url,
    session,
)
from tests.store.samples import LOGIN, TOKENS


@pytest.fixture
def runtime(engine: Engine, keyring: Keyring, migrated_url: str, tmp_path: Path) -> Runtime:  # noqa: F811
    settings = Settings(data_dir=tmp_path, database_url=migrated_url, secret_key=TEST_SECRET)
    return Runtime(settings, engine, make_sessionmaker(engine), keyring)


@pytest.fixture
def service_id(session: Session) -> int:  # noqa: F811
    """A service of org "acme" on a Salesforce connection, pulling Contacts and Leads."""
    org = create_org(session, "acme")
    connection = create_connection(session, org, "main", LOGIN, TOKENS)
    service = create_service(session, org, "support", connection=connection)
    session.commit()
    return service.id
