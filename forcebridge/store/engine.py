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
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from forcebridge.settings import Settings, SettingsError, resolve_secret_key, shown_url
from forcebridge.store.bulk import KeyArray
from forcebridge.store.crypto import Keyring, secret_problem
from forcebridge.store.errors import DatabaseUnavailable, InvalidValue
from forcebridge.store.types import attach_keyring

logger = logging.getLogger(__name__)

SUPPORTED_BACKENDS = ("sqlite", "postgresql")
SQLITE_BUSY_TIMEOUT_SECONDS = 30
SQLITE_LOG_BYTES = 64 * 1024 * 1024
SQLITE_CHECKPOINT_PAGES = SQLITE_LOG_BYTES // 4096
"""Write-ahead log pages (SQLite's 4 KiB) between automatic checkpoints."""
SQLITE_CACHE_KIB = 8 * 1024
"""Each connection's page cache."""


def make_engine(database_url: str, keyring: Keyring | None = None) -> Engine:
    """An engine for `database_url`; `keyring` seals and opens its encrypted columns.

    Without a keyring the engine still works for everything but secrets (migrations need none).
    A failing statement's error (and so any log or traceback of it) shows the SQL but never
    its values (`hide_parameters`): they are the customers' messages and contact books.
    """
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise InvalidValue(
            f"database {shown_url(url)} is not supported: use "
            "sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST/DATABASE"
        )
    if backend == "postgresql":
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
        event.listen(engine, "connect", _send_key_arrays_in_binary)
    else:
        if url.database and url.database != ":memory:":
            try:
                _create_private(Path(url.database))
            except OSError as error:
                raise DatabaseUnavailable(
                    f"cannot make the database {url.database}: {error.strerror}"
                ) from None
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}, hide_parameters=True
        )
        event.listen(engine, "connect", _configure_sqlite)
    if keyring is not None:
        attach_keyring(engine, keyring)
    return engine


def _create_private(path: Path) -> None:
    """The database file (and a folder made for it) readable by its owner only: it holds the
    contact books and conversations. SQLite gives its `-wal` and `-shm` files the mode of the
    database file. A file that already exists (restored from a backup, say) is made private
    too, with its companions; the folder it is in is left as its owner made it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        for file in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm"))):
            _make_private(file)


def _make_private(path: Path) -> None:
    """Take away other users' access to `path`, if it exists and is this user's; warn (and go
    on) where that cannot be done, since refusing would not make the file any more private."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return
    mode = stat.S_IMODE(status.st_mode)
    if not mode & 0o077:
        return
    if status.st_uid != os.geteuid():
        problem = "it belongs to another user"
    else:
        try:
            os.chmod(path, mode & 0o700)
            return
        except OSError as error:
            problem = error.strerror or str(error)
    logger.warning(
        "the database file %s is open to other users (mode %o) and could not be made "
        "private (%s): run chmod 600 %s as its owner",
        path,
        mode,
        problem,
        path,
    )


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
    short to be one is refused naming where it was given (never the key itself)."""
    current = resolve_secret_key(settings).get_secret_value()
    retired = [key.get_secret_value() for key in settings.retired_secret_keys]
    given = "FORCEBRIDGE_SECRET_KEY" if settings.secret_key is not None else "the secret key file"
    named = [(given, current), *(("FORCEBRIDGE_RETIRED_SECRET_KEYS", key) for key in retired)]
    for where, key in named:
        problem = secret_problem(key.strip())
        if problem is not None:
            raise SettingsError(f"{where}: {problem}")
    return Keyring(current, retired)


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
