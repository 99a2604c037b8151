"""The store's schema history: Alembic migrations shipped inside the package, no alembic.ini.

`upgrade(url_or_engine)` is what the CLI and the tests call. It first looks at the database
through a connection that sets nothing up (`engine.inspecting_engine`), and refuses one this
forcebridge must not migrate (`schema_check`) before anything is written to it. Processes
starting together (workers of a new deployment, a command beside `serve`) migrate one at a
time: the others then find the schema at head.

To write a new migration after changing a model, point Alembic at a database already at head:

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
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import OperationalError

from forcebridge.settings import without_password
from forcebridge.store.engine import inspecting_engine, make_engine, shown_database
from forcebridge.store.errors import DatabaseUnavailable
from forcebridge.store.migrations.schema_check import found_schema, schema_refusal

_HERE = Path(__file__).parent
MIGRATION_LOCK = 0x666F7263_73746F72
"""The PostgreSQL advisory lock one process at a time migrates under (`_one_at_a_time`)."""


def alembic_config(connection: Connection) -> Config:
    """An Alembic configuration that migrates the database `connection` is open on."""
    config = _scripts_config()
    config.attributes["connection"] = connection
    return config


def _scripts_config() -> Config:
    """The configuration that finds the migrations shipped in the package."""
    config = Config()
    config.set_main_option("script_location", str(_HERE))
    return config


def upgrade(target: Engine | str, revision: str = "head") -> None:
    """Bring the database (an engine, or a URL) up to `revision`, in one transaction where the
    database allows it (PostgreSQL; SQLite commits DDL as it goes)."""
    with _migrating(target, unless_at=revision) as connection:
        if connection is not None:
            command.upgrade(alembic_config(connection), revision)


def downgrade(target: Engine | str, revision: str = "base") -> None:
    """Take the database back to `revision`; "base" drops every table the store created."""
    with _migrating(target) as connection:
        assert connection is not None  # a downgrade is never skipped
        command.downgrade(alembic_config(connection), revision)


@contextmanager
def _migrating(target: Engine | str, unless_at: str | None = None) -> Iterator[Connection | None]:
    """A connection to migrate the database on, its turn taken (`_one_at_a_time`); None when
    the database is already at `unless_at` ("head" or a revision), as it is at nearly every
    start: then no lock is waited for, behind another process's writes."""
    engine = make_engine(target) if isinstance(target, str) else target
    try:
        found, head = _refuse_unknown_schema(engine)
        if unless_at is not None and found == ((head if unless_at == "head" else unless_at),):
            yield None
            return
        with _opened(engine) as connection, _sqlite_foreign_keys_off(connection):
            _one_at_a_time(connection)
            yield connection
            connection.commit()
    finally:
        if engine is not target:
            engine.dispose()


def _one_at_a_time(connection: Connection) -> None:
    """Have the processes migrating the database together take turns, each holding it to its
    commit: two CREATE TABLEs of one name at once fail, where the second, waiting, reads the
    first's revision once it has committed and finds nothing left to do."""
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK)))
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock, waited for


def _refuse_unknown_schema(engine: Engine) -> tuple[tuple[str, ...], str]:
    """Refuse the database `engine` is on when `schema_refusal` says so, having looked at it
    through an engine that writes nothing, not even SQLite's journal mode; else the revisions
    it records, and the head revision."""
    looking = inspecting_engine(engine.url)
    try:
        with _opened(looking) as connection:
            found = found_schema(connection)
    finally:
        looking.dispose()
    scripts = ScriptDirectory.from_config(_scripts_config())
    known = {script.revision for script in scripts.walk_revisions()}
    head = scripts.get_current_head() or ""
    refusal = schema_refusal(found, known, head, shown_database(engine.url))
    if refusal is not None:
        raise DatabaseUnavailable(refusal)
    return found.revisions, head


@contextmanager
def _opened(engine: Engine) -> Iterator[Connection]:
    """The first connection a process makes: a database that cannot be opened is said so, with
    the driver's reason, rather than as a traceback."""
    try:
        connection = engine.connect()
    except OperationalError as error:
        said = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        reason = without_password(said, engine.url)
        where = shown_database(engine.url)
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
