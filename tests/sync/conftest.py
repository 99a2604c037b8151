"""Fixtures of the sync tests: the store's databases (SQLite and PostgreSQL) and a sandbox."""

from tests.store.conftest import (  # noqa: F401 - fixtures shared with the store's tests
    backend,
    engine,
    keyring,
    migrated_databases,
    migrated_url,
    session,
)
