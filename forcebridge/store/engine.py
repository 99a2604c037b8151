"""Building the database engine and sessions the rest of the product is handed.

SQLite (the embedded default) needs a few settings PostgreSQL has by default: foreign keys
enforced (or `ON DELETE CASCADE` does nothing), WAL so the admin pages read while a sync
writes, and a busy timeout so concurrent writers wait rather than fail. With WAL, commits
sync the log only at checkpoints (`synchronous = NORMAL`, SQLite's advice for WAL): a power
cut may take back the last pages a run committed, never corrupt the file, and the run's
watermark goes back with them, so the next run reads those pages again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from forcebridge.settings import Settings, resolve_secret_key
from forcebridge.store.crypto import Keyring
from forcebridge.store.errors import InvalidValue
from forcebridge.store.types import attach_keyring

SUPPORTED_BACKENDS = ("sqlite", "postgresql")
SQLITE_BUSY_TIMEOUT_SECONDS = 30


def make_engine(database_url: str, keyring: Keyring | None = None) -> Engine:
    """An engine for `database_url`; `keyring` seals and opens its encrypted columns.

    Without a keyring the engine still works for everything but secrets (migrations need none).
    """
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise InvalidValue(
            f"database {url.render_as_string(hide_password=True)} is not supported: use "
            "sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST/DATABASE"
        )
    if backend == "postgresql":
        engine = create_engine(url, pool_pre_ping=True)
    else:
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
        event.listen(engine, "connect", _configure_sqlite)
    if keyring is not None:
        attach_keyring(engine, keyring)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def keyring_from_settings(settings: Settings) -> Keyring:
    """The configured secret key (generated on first use) and the retired ones."""
    return Keyring(
        resolve_secret_key(settings).get_secret_value(),
        (key.get_secret_value() for key in settings.retired_secret_keys),
    )


def engine_from_settings(settings: Settings) -> Engine:
    """The product's engine: its database, sealing secrets with the configured keys."""
    return make_engine(settings.database_url, keyring_from_settings(settings))


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (handy for CLI output)."""
    return sessionmaker(engine, expire_on_commit=False)
