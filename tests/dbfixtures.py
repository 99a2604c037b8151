"""Temporary databases for any test folder: a fresh SQLite file or a fresh PostgreSQL database.

PostgreSQL is reached through FORCEBRIDGE_TEST_POSTGRES_URL, an account allowed to create and
drop databases. When it cannot be reached, PostgreSQL tests are skipped with the reason, except
when the environment variable CI is set: CI must run them, so there they fail.

Migrating takes longer than copying, so `MigratedDatabases` migrates one template per backend
and hands each test a copy (a file copy, or PostgreSQL's CREATE DATABASE ... TEMPLATE).
"""

from __future__ import annotations

import functools
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import URL, Connection, create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from forcebridge.store.migrations import upgrade

DEFAULT_POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def backend_params() -> list[object]:
    """`params` for a fixture parametrized over both backends, PostgreSQL marked as such."""
    return ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def postgres_admin_url() -> URL:
    return make_url(os.environ.get("FORCEBRIDGE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_ADMIN_URL))


@functools.cache
def _postgres_unreachable_reason() -> str | None:
    url = postgres_admin_url()
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        shown = url.render_as_string(hide_password=True)
        return (
            f"PostgreSQL at {shown} is not reachable ({error.orig}); start it or set "
            "FORCEBRIDGE_TEST_POSTGRES_URL. THE POSTGRESQL TESTS DID NOT RUN."
        )
    finally:
        engine.dispose()
    return None


def require_postgres() -> None:
    """Skip the calling test when PostgreSQL is down; fail it instead under CI."""
    reason = _postgres_unreachable_reason()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@contextmanager
def _postgres_admin() -> Iterator[Connection]:
    engine = create_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


@contextmanager
def postgres_database(template: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database (empty, or a copy of `template`), dropped afterwards."""
    require_postgres()
    name = f"forcebridge_test_{secrets.token_hex(6)}"
    copy_of = f" TEMPLATE {template}" if template else ""
    with _postgres_admin() as admin:
        admin.exec_driver_sql(f"CREATE DATABASE {name}{copy_of}")
    try:
        yield postgres_admin_url().set(database=name).render_as_string(hide_password=False)
    finally:
        with _postgres_admin() as admin:
            admin.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def empty_database(backend: str, directory: Path) -> Iterator[str]:
    """The URL of a new, empty database of `backend` ("sqlite" files go in `directory`)."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / f'{secrets.token_hex(6)}.sqlite3'}"
    else:
        with postgres_database() as url:
            yield url


class MigratedDatabases:
    """Hands out databases already at the head revision, migrating once per backend."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._templates: dict[str, str] = {}
        self._drops = ExitStack()

    def _template(self, backend: str) -> str:
        if backend not in self._templates:
            if backend == "sqlite":
                url = f"sqlite:///{self._directory / 'template.sqlite3'}"
            else:
                url = self._drops.enter_context(postgres_database())
            upgrade(url)
            self._templates[backend] = url
        return self._templates[backend]

    @contextmanager
    def copy(self, backend: str) -> Iterator[str]:
        """The URL of a fresh database at head: a PostgreSQL copy is dropped afterwards, a SQLite
        copy stays in the session's temporary folder."""
        template = make_url(self._template(backend))
        if backend == "sqlite":
            assert template.database is not None
            path = self._directory / f"{secrets.token_hex(6)}.sqlite3"
            shutil.copyfile(template.database, path)
            yield f"sqlite:///{path}"
        else:
            with postgres_database(template=template.database) as url:
                yield url

    def close(self) -> None:
        """Drop the templates."""
        self._drops.close()
