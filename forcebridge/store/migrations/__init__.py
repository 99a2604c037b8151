"""The store's schema history: Alembic migrations shipped inside the package, no alembic.ini.

`upgrade(url_or_engine)` is what the CLI and the tests call. To write a new migration after
changing a model, point Alembic at a database already at head:

    from alembic import command
    with engine.connect() as connection:
        command.revision(alembic_config(connection), "what changed", autogenerate=True)

then read what it wrote, clean it, and check it on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from forcebridge.settings import shown_url, without_password
from forcebridge.store.engine import make_engine
from forcebridge.store.errors import DatabaseUnavailable

_HERE = Path(__file__).parent


def alembic_config(connection: Connection) -> Config:
    """An Alembic configuration that migrates the database `connection` is open on."""
    config = Config()
    config.set_main_option("script_location", str(_HERE))
    config.attributes["connection"] = connection
    return config


def upgrade(target: Engine | str, revision: str = "head") -> None:
    """Bring the database (an engine, or a URL) up to `revision`, in one transaction where the
    database allows it (PostgreSQL; SQLite commits DDL as it goes)."""
    with _migrating(target) as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(target: Engine | str, revision: str = "base") -> None:
    """Take the database back to `revision`; "base" drops every table the store created."""
    with _migrating(target) as connection:
        command.downgrade(alembic_config(connection), revision)


@contextmanager
def _migrating(target: Engine | str) -> Iterator[Connection]:
    engine = make_engine(target) if isinstance(target, str) else target
    try:
        with _opened(engine) as connection, _sqlite_foreign_keys_off(connection):
            yield connection
            connection.commit()
    finally:
        if engine is not target:
            engine.dispose()


@contextmanager
def _opened(engine: Engine) -> Iterator[Connection]:
    """The first connection a process makes: a database that cannot be opened is said so, with
    the driver's reason, rather than as a traceback."""
    try:
        connection = engine.connect()
    except OperationalError as error:
        said = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        reason, where = without_password(said, engine.url), shown_url(engine.url)
        raise DatabaseUnavailable(f"cannot open the database {where}: {reason}") from None
    with connection:
        yield connection


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite alters a table by copying it; with foreign keys on, dropping the old copy would
    cascade into every table that refers to it."""
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        connection.rollback()
        connection.exec_driver_sql("PRAGMA foreign_keys = ON")
