"""Building the database engine and sessions the rest of the product is handed.

SQLite (the embedded default) needs a few settings PostgreSQL has by default: foreign keys
enforced (or `ON DELETE CASCADE` does nothing), WAL so the admin pages read while a sync
writes, and a busy timeout so concurrent writers wait rather than fail. With WAL, commits
sync the log only at checkpoints (`synchronous = NORMAL`, SQLite's advice for WAL): a power
cut may take back the last pages a run committed, never corrupt the file, and the run's
watermark goes back with them, so the next run reads those pages again.

A page of a sync run changes index pages all over the contact tables (phones and emails are
random keys), so the log is copied back into the database (a checkpoint) every 64 MiB rather
than SQLite's default 4: a page rewritten by many commits in between is copied once. Measured
on a first pull of 100,000 contacts: 9 µs a record spent committing became 4.4, and the
checkpoint left for after the run costs 0.5 more. The log file is cut back to that size once
checkpointed. For the same reason each connection caches 8 MiB of pages, not SQLite's 2: the
indexes a page of lookups and writes goes through stay in memory (a tenth faster at 100,000
contacts), and the cache is bounded, so memory stays flat however large the store grows.

What SQLite says about a file it cannot use is said in the user's terms, with the file's path
and what to do, whichever statement met it (`sqlite_refusal`): a file that is not a database or
is damaged, and one it cannot write because this user cannot write to the file or its folder
(where SQLite keeps the `-wal` and `-shm` files).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, ExceptionContext, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from forcebridge.private_files import create_private_database
from forcebridge.settings import (
    DATABASE_FILE,
    SECRET_KEY_FILE,
    Settings,
    SettingsError,
    resolve_secret_key,
    shown_url,
)
from forcebridge.store.bulk import KeyArray
from forcebridge.store.crypto import KeyFile, Keyring, secret_problem
from forcebridge.store.errors import DatabaseUnavailable, InvalidValue
from forcebridge.store.types import attach_keyring

logger = logging.getLogger(__name__)

DRIVERS = {"sqlite": "pysqlite", "postgresql": "psycopg"}
"""The one driver forcebridge installs for each database it supports (SQLAlchemy's default when
the URL names none): another (psycopg2, asyncpg, pg8000, aiosqlite) is not installed, and
SQLAlchemy would fail loading it with a traceback."""
SQLITE_BUSY_TIMEOUT_SECONDS = 30
SQLITE_LOG_BYTES = 64 * 1024 * 1024
SQLITE_CHECKPOINT_PAGES = SQLITE_LOG_BYTES // 4096
"""Write-ahead log pages (SQLite's 4 KiB) between automatic checkpoints."""
SQLITE_CACHE_KIB = 8 * 1024
"""Each connection's page cache."""
SQLITE_DAMAGED = frozenset({11, 26})
"""SQLite's primary result codes for a damaged file (SQLITE_CORRUPT) and one that is not a
database at all (SQLITE_NOTADB)."""
SQLITE_UNWRITABLE = frozenset({8, 14})
"""SQLITE_READONLY, SQLITE_CANTOPEN: what SQLite answers when it cannot write the database or
make its `-wal` and `-shm` files beside it."""


def make_engine(database_url: str, keyring: Keyring | None = None) -> Engine:
    """An engine for `database_url`; `keyring` seals and opens its encrypted columns.

    Without a keyring the engine still works for everything but secrets (migrations need none).
    A failing statement's error (and so any log or traceback of it) shows the SQL but never
    its values (`hide_parameters`): they are the customers' messages and contact books.
    """
    url = make_url(database_url)
    if refusal := unsupported_database(database_url):
        raise InvalidValue(refusal)
    if url.get_backend_name() == "postgresql":
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
        event.listen(engine, "connect", _send_key_arrays_in_binary)
    else:
        if url.database and url.database != ":memory:":
            if Path(url.database).is_dir():
                raise InvalidValue(folder_refusal(url.database))
            try:
                create_private_database(Path(url.database))
            except OSError as error:
                raise DatabaseUnavailable(
                    f"cannot make the database {url.database}: {error.strerror}"
                ) from None
        engine = _sqlite_engine(url)
        event.listen(engine, "connect", _configure_sqlite)
    if keyring is not None:
        attach_keyring(engine, keyring)
    return engine


def unsupported_database(database_url: str) -> str | None:
    """Why forcebridge cannot use the database `database_url` names, with the URL to write
    instead where there is one (its password hidden), or None: a database other than SQLite or
    PostgreSQL, a dialect or driver spelt as SQLAlchemy does not read it (`postgres`, which it
    no longer reads; any in upper case, as it reads only lower case), or a driver other than
    the one forcebridge installs."""
    url = make_url(database_url)
    written, _, driver = url.drivername.partition("+")
    backend = _DATABASES.get(written.lower())
    if backend is None:
        return (
            f"database {shown_url(url)} is not supported: use "
            "sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST/DATABASE"
        )
    ours = DRIVERS[backend]
    if url.drivername in (backend, f"{backend}+{ours}"):
        return None
    scheme = "postgresql+psycopg" if backend == "postgresql" else "sqlite"
    instead = shown_url(scheme + database_url[database_url.index("://") :])
    faults = []
    if written != backend:
        faults.append(f"spells its dialect {written}, which SQLAlchemy reads only as {backend}")
    if driver and driver.lower() == ours != driver:
        faults.append(f"spells its driver {driver}, which SQLAlchemy reads only as {ours}")
    elif driver and driver != ours:
        faults.append(
            f"names the driver {driver}, which forcebridge does not use: its driver for "
            f"{_DRIVERS_IN_WORDS[backend]}"
        )
    return f"database {shown_url(url)} {' and '.join(faults)}, so write {instead}"


_DATABASES = {"sqlite": "sqlite", "postgresql": "postgresql", "postgres": "postgresql"}
"""The database each name SQLAlchemy has read stands for, in lower case: `postgres` is
PostgreSQL's old name, which SQLAlchemy 1.4 stopped reading."""

_DRIVERS_IN_WORDS = {
    "sqlite": "SQLite is Python's own sqlite3",
    "postgresql": "PostgreSQL is psycopg (version 3)",
}


def inspecting_engine(url: URL) -> Engine:
    """An engine on `url` that sets nothing up (no pragma, no pool): to look at a database
    before anything is written to it, not even SQLite's journal mode."""
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, poolclass=NullPool)
    return create_engine(url, poolclass=NullPool, hide_parameters=True)


def _sqlite_engine(url: URL, **options: Any) -> Engine:
    engine = create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}, hide_parameters=True, **options
    )
    event.listen(engine, "handle_error", _said_of_the_file)
    return engine


def shown_database(url: URL) -> str:
    """The database as a message names it: a SQLite file by its path, a server's database by
    its URL, without its password."""
    if url.get_backend_name() == "sqlite" and url.database:
        return url.database
    return shown_url(url)


def sqlite_refusal(
    path: str, code: int, said: str, *, folder_writable: bool, file_writable: bool
) -> str | None:
    """What to tell the user of SQLite's error `code` (`said`) on the database file `path`, or
    None when SQLite's own words are enough."""
    primary = code & 0xFF  # an extended code carries its primary code in its low byte
    if primary in SQLITE_DAMAGED:
        return (
            f"cannot open the database {path}: it is not a SQLite database, or is damaged "
            f"({said}); restore it from a backup"
        )
    if primary not in SQLITE_UNWRITABLE:
        return None
    folder = os.path.dirname(path) or "."
    if not folder_writable:
        return (
            f"cannot write to the database {path} ({said}): this user cannot write to its "
            f"folder {folder}, where SQLite keeps the database's -wal and -shm files; make the "
            "folder writable for this user, or move the database to a folder that is"
        )
    if not file_writable:
        return (
            f"cannot write to the database {path} ({said}): the file is read-only for this "
            "user; make it writable (chmod u+w), or run forcebridge as the user who owns it"
        )
    return None


def folder_refusal(path: str) -> str:
    """Why a SQLite URL naming the folder `path` is refused, with a file in it to name instead:
    treating the folder as the database would make it private (locking its other users out)
    and then fail to open it."""
    instead = Path(path) / DATABASE_FILE
    return (
        f"the database {path} is a folder, not a database file: name a file in it, e.g. "
        f"sqlite:///{instead}"
    )


def _said_of_the_file(context: ExceptionContext) -> DatabaseUnavailable | None:
    """SQLite's error about the database file, said as `sqlite_refusal` words it."""
    code = getattr(context.original_exception, "sqlite_errorcode", None)
    database = context.engine.url.database if context.engine is not None else None
    if code is None or not database or database == ":memory:":
        return None
    path = Path(database)
    refusal = sqlite_refusal(
        database,
        code,
        str(context.original_exception),
        folder_writable=_writable(path.parent),
        file_writable=_writable(path),
    )
    return DatabaseUnavailable(refusal) if refusal else None


def _writable(path: Path) -> bool:
    """Whether this user may write `path`; one that does not exist is not what stops SQLite."""
    return not path.exists() or os.access(path, os.W_OK)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute(f"PRAGMA wal_autocheckpoint = {SQLITE_CHECKPOINT_PAGES}")
        cursor.execute(f"PRAGMA journal_size_limit = {SQLITE_LOG_BYTES}")
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    finally:
        cursor.close()


def _send_key_arrays_in_binary(dbapi_connection: Any, _record: Any) -> None:
    """See `bulk.KeyArray`. psycopg is imported here, with the first PostgreSQL connection: an
    embedded SQLite store never loads it (9 MiB)."""
    from psycopg.types.array import ListBinaryDumper

    dbapi_connection.adapters.register_dumper(KeyArray, ListBinaryDumper)


def keyring_from_settings(settings: Settings) -> Keyring:
    """The configured secret key (generated on first use) and the retired ones; a key too
    short to be one is refused naming where it was given (never the key itself). A key read
    from the data folder's file comes with that file, and whether it was made just now, so a
    refusal of the keys can name it."""
    key_file = None
    if settings.secret_key is None:
        path = settings.data_dir / SECRET_KEY_FILE
        key_file = KeyFile(path, generated=not path.exists())
    current = resolve_secret_key(settings).get_secret_value()
    retired = [key.get_secret_value() for key in settings.retired_secret_keys]
    given = "FORCEBRIDGE_SECRET_KEY" if key_file is None else "the secret key file"
    named = [(given, current), *(("FORCEBRIDGE_RETIRED_SECRET_KEYS", key) for key in retired)]
    for where, key in named:
        problem = secret_problem(key.strip())
        if problem is not None:
            raise SettingsError(f"{where}: {problem}")
    return Keyring(current, retired, key_file=key_file)


def engine_from_settings(settings: Settings, keyring: Keyring | None = None) -> Engine:
    """The product's engine: its database, sealing secrets with `keyring` (else the configured
    keys); a database forcebridge does not support is refused naming the variable that gave it."""
    try:
        return make_engine(settings.database_url, keyring or keyring_from_settings(settings))
    except InvalidValue as error:
        raise SettingsError(f"FORCEBRIDGE_DATABASE_URL: {error}") from None


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (handy for CLI output)."""
    return sessionmaker(engine, expire_on_commit=False)
