from __future__ import annotations

import datetime as dt
import errno
import os
import stat
import traceback
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forcebridge.settings import Settings
from forcebridge.store.engine import (
    SQLITE_CACHE_KIB,
    SQLITE_CHECKPOINT_PAGES,
    SQLITE_LOG_BYTES,
    engine_from_settings,
    make_engine,
    make_sessionmaker,
    sqlite_refusal,
    unsupported_database,
)
from forcebridge.store.errors import InvalidValue
from forcebridge.store.migrations import upgrade
from forcebridge.store.models import (
    Connection,
    Contact,
    ContactIdentity,
    Direction,
    Org,
    Service,
)
from forcebridge.store.repositories.connections import create_connection, get_connection
from forcebridge.store.repositories.messages import NewMessage, add_messages
from forcebridge.store.repositories.orgs import create_org, get_org
from forcebridge.store.repositories.services import create_service
from tests.store.samples import LOGIN, TOKENS


def test_a_failing_statement_shows_its_sql_but_never_the_customers_values(
    session: Session,
) -> None:
    """What a failing statement raises ends up in the server's log: the message it was
    writing must not."""
    service = create_service(session, create_org(session, "acme"), "support")
    secret = "my door code is 4921"
    no_such_contact = NewMessage(
        987654, Direction.INBOUND, "sms", "Ana", secret, dt.datetime(2024, 3, 12, tzinfo=dt.UTC)
    )

    with pytest.raises(IntegrityError) as raised:
        add_messages(session, service.id, [no_such_contact])

    shown = "".join(traceback.format_exception(raised.value))
    assert "INSERT INTO messages" in shown
    assert secret not in shown and "Ana" not in shown


def test_deleting_an_org_removes_everything_it_owns(engine: Engine, session: Session) -> None:
    org = create_org(session, "acme")
    connection = create_connection(session, org, "main", LOGIN, TOKENS)
    service = create_service(session, org, "support", connection=connection)
    contact = Contact(service_id=service.id, first_name="Ada")
    contact.identities.append(
        ContactIdentity(service_id=service.id, source="salesforce:Contact", external_id="003A")
    )
    session.add(contact)
    session.commit()

    with engine.begin() as raw:
        raw.execute(Org.__table__.delete())

    for model in (Connection, Service, Contact, ContactIdentity):
        assert session.scalar(select(func.count()).select_from(model)) == 0


def test_the_embedded_default_keeps_data_and_key_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    engine = engine_from_settings(settings)
    upgrade(engine)
    with make_sessionmaker(engine)() as session:
        create_connection(session, create_org(session, "acme"), "main", LOGIN, TOKENS)
        session.commit()
    engine.dispose()

    assert {p.name for p in (tmp_path / "data").iterdir()} >= {"forcebridge.sqlite3", "secret.key"}
    reopened = engine_from_settings(settings)
    with make_sessionmaker(reopened)() as session:
        assert get_connection(session, get_org(session, "acme"), "main").refresh_token == (
            TOKENS.refresh_token
        )
    reopened.dispose()


def test_the_embedded_database_and_its_folder_are_readable_by_their_owner_only(
    tmp_path: Path,
) -> None:
    """The contact books and conversations are no other local user's to read."""
    engine = engine_from_settings(Settings(data_dir=tmp_path / "data"))
    upgrade(engine)
    engine.dispose()

    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "data").iterdir()}
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert {name: mode for name, mode in modes.items() if mode & 0o077} == {}
    assert "forcebridge.sqlite3" in modes


def test_a_sqlite_file_logs_ahead_checkpoints_every_64_mib_and_caches_8(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    with engine.connect() as connection:

        def pragma(name: str) -> object:
            return connection.exec_driver_sql(f"PRAGMA {name}").scalar()

        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("wal_autocheckpoint") == SQLITE_CHECKPOINT_PAGES
        assert pragma("page_size") * SQLITE_CHECKPOINT_PAGES == SQLITE_LOG_BYTES == 64 * 2**20
        assert pragma("journal_size_limit") == SQLITE_LOG_BYTES
        assert pragma("cache_size") == -SQLITE_CACHE_KIB == -8 * 1024
    engine.dispose()


def test_a_database_other_than_sqlite_or_postgresql_is_refused_without_its_password() -> None:
    with pytest.raises(InvalidValue, match=r"mysql://app:\*\*\*@db/fb is not supported") as caught:
        make_engine("mysql://app:hunter22@db/fb")
    assert "hunter22" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        (
            "postgresql+psycopg2://app:hunter22@db/fb",
            "database postgresql+psycopg2://app:***@db/fb names the driver psycopg2, which "
            "forcebridge does not use: its driver for PostgreSQL is psycopg (version 3), so "
            "write postgresql+psycopg://app:***@db/fb",
        ),
        (
            "postgresql+asyncpg://app@db:5433/fb?password=hunter22",
            "database postgresql+asyncpg://app@db:5433/fb?password=*** names the driver "
            "asyncpg, which forcebridge does not use: its driver for PostgreSQL is psycopg "
            "(version 3), so write postgresql+psycopg://app@db:5433/fb?password=***",
        ),
        (
            "postgres://app:hunter22@db/fb",
            "database postgres://app:***@db/fb spells its dialect postgres, which SQLAlchemy "
            "reads only as postgresql, so write postgresql+psycopg://app:***@db/fb",
        ),
        (  # the driver is ours: only the dialect is misspelt
            "postgres+psycopg://bob:hunter22@db/fb",
            "database postgres+psycopg://bob:***@db/fb spells its dialect postgres, which "
            "SQLAlchemy reads only as postgresql, so write postgresql+psycopg://bob:***@db/fb",
        ),
        (  # SQLAlchemy reads a scheme in lower case only
            "POSTGRES://bob:hunter22@db/fb",
            "database POSTGRES://bob:***@db/fb spells its dialect POSTGRES, which SQLAlchemy "
            "reads only as postgresql, so write postgresql+psycopg://bob:***@db/fb",
        ),
        (
            "PostgreSQL+PSYCOPG://bob:hunter22@db/fb",
            "database PostgreSQL+PSYCOPG://bob:***@db/fb spells its dialect PostgreSQL, which "
            "SQLAlchemy reads only as postgresql and spells its driver PSYCOPG, which SQLAlchemy "
            "reads only as psycopg, so write postgresql+psycopg://bob:***@db/fb",
        ),
        (
            "postgres+asyncpg://app@db/fb",
            "database postgres+asyncpg://app@db/fb spells its dialect postgres, which SQLAlchemy "
            "reads only as postgresql and names the driver asyncpg, which forcebridge does not "
            "use: its driver for PostgreSQL is psycopg (version 3), so write "
            "postgresql+psycopg://app@db/fb",
        ),
        (
            "SQLite:////srv/fb.db",
            "database SQLite:////srv/fb.db spells its dialect SQLite, which SQLAlchemy reads only "
            "as sqlite, so write sqlite:////srv/fb.db",
        ),
        (
            "sqlite+aiosqlite:////srv/fb.db",
            "database sqlite+aiosqlite:////srv/fb.db names the driver aiosqlite, which "
            "forcebridge does not use: its driver for SQLite is Python's own sqlite3, so write "
            "sqlite:////srv/fb.db",
        ),
    ],
)
def test_a_database_driver_not_installed_is_refused_with_the_url_to_write(
    url: str, refusal: str
) -> None:
    """SQLAlchemy would fail importing the driver, a traceback naming a module."""
    with pytest.raises(InvalidValue) as caught:
        make_engine(url)

    assert str(caught.value) == refusal


@pytest.mark.parametrize(
    "url",
    ["sqlite:///{}", "sqlite+pysqlite:///{}", "postgresql://u@db/fb", "postgresql+psycopg://db/fb"],
)
def test_the_drivers_forcebridge_installs_are_used_named_or_not(url: str) -> None:
    assert unsupported_database(url.format("/srv/fb.db")) is None


def test_a_url_naming_a_folder_is_refused_and_the_folder_left_as_it_was(tmp_path: Path) -> None:
    """A typo like sqlite:////srv/shared must not lock the folder's other users out."""
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)

    with pytest.raises(InvalidValue) as caught:
        make_engine(f"sqlite:///{folder}")

    assert str(caught.value) == (
        f"the database {folder} is a folder, not a database file: name a file in it, e.g. "
        f"sqlite:///{folder}/forcebridge.sqlite3"
    )
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert list(folder.iterdir()) == []


def test_every_folder_made_for_a_database_is_private_and_one_there_already_untouched(
    tmp_path: Path,
) -> None:
    os.chmod(tmp_path, 0o755)
    made = tmp_path / "no" / "such"

    make_engine(f"sqlite:///{made / 'x.db'}").dispose()

    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755
    assert {stat.S_IMODE(f.stat().st_mode) for f in (made, made.parent)} == {0o700}


def _restored(tmp_path: Path) -> Path:
    """A database file copied in from a backup with the umask's mode 0644."""
    database = tmp_path / "restored.sqlite3"
    upgrade(f"sqlite:///{database}")
    os.chmod(database, 0o644)
    return database


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_database_file_of_another_user_is_left_as_it_is_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = _restored(tmp_path)
    os.chown(database, 65534, 65534)

    make_engine(f"sqlite:///{database}").dispose()

    assert stat.S_IMODE(database.stat().st_mode) == 0o644
    assert f"the database file {database} is open to other users (mode 644)" in caplog.text
    assert "(it belongs to another user): run chmod 600" in caplog.text


def test_a_refused_chmod_is_said_in_a_warning_and_the_database_still_opens(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file system that keeps modes of its own (a mounted share) refuses chmod."""
    database = _restored(tmp_path)

    def refuse(path: object, mode: int) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "chmod", refuse)
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM orgs").scalar() == 0
    engine.dispose()

    assert "could not be made private (Operation not permitted)" in caplog.text
    assert f"run chmod 600 {database}" in caplog.text


def test_a_database_file_this_user_cannot_write_is_said_so_with_what_to_do() -> None:
    said = sqlite_refusal(
        "data/forcebridge.sqlite3",
        8,  # SQLITE_READONLY
        "attempt to write a readonly database",
        folder_writable=True,
        file_writable=False,
    )

    assert said == (
        "cannot write to the database data/forcebridge.sqlite3 (attempt to write a readonly "
        "database): the file is read-only for this user; make it writable (chmod u+w), or run "
        "forcebridge as the user who owns it"
    )


def test_sqlite_is_left_to_say_what_has_nothing_to_do_with_the_file() -> None:
    for code in (5, 14):  # SQLITE_BUSY; SQLITE_CANTOPEN where file and folder are writable
        said = sqlite_refusal("db.sqlite3", code, "...", folder_writable=True, file_writable=True)
        assert said is None
