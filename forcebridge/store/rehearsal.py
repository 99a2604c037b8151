"""A dry run's own copy of a service's contact book, so that it decides as the real run would.

A pull decides each page against what the pages before it left in the store: a person who is
both a Lead and a Contact is created from the Lead, and the Contact read after it is linked to
that contact. A dry run that wrote nothing would decide every page against the store as it was
and report two contacts created where the real run creates one. So a dry run writes, as the
real run does, but into temporary tables named like the real ones and holding a copy of the
service's rows: SQLite and PostgreSQL both find a temporary table before a permanent one of the
same name, so the engine's own code runs unchanged. The copy lives on one database connection
kept for the rehearsal and is dropped with it; the run's record and its log go to the real
tables. Memory stays flat (the copy is the database's, on disk as it grows); what it costs is
copying the service's contacts once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

import psycopg
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Index,
    MetaData,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Session

from forcebridge.store.models import (
    ActivityWindow,
    Contact,
    ContactIdentity,
    ContactMerge,
    FormerLink,
    FullReadSeen,
    Message,
    PendingReread,
)
from forcebridge.store.repositories.contacts import refresh_statistics

_COPIED = (
    cast(Table, Contact.__table__),
    cast(Table, ContactIdentity.__table__),
    cast(Table, FormerLink.__table__),
    cast(Table, FullReadSeen.__table__),
)
"""What a pull writes, in the order they are copied: the contacts, their links and former links
(a record that comes back is matched to its contact as in the real run), and what a full read
under way has seen (the dry run of a run that finishes it unlinks what the run would)."""
_SHADOWED = (
    cast(Table, Message.__table__),
    cast(Table, ActivityWindow.__table__),
    cast(Table, PendingReread.__table__),
    cast(Table, ContactMerge.__table__),
)
"""What a pull writes only now and then (conversations moved by a merge, the merge itself,
records to read again): hidden behind empty copies, as a rehearsal has nothing to show there,
and must not reach the real rows."""


@contextmanager
def rehearsal(engine: Engine, service_id: int) -> Iterator[Session]:
    """A session in which `service_id`'s contacts and identities are a private copy: what it
    writes to them is seen by nothing else and gone afterwards; every other table is the real
    one, and what it commits there stays."""
    connection = engine.connect()
    try:
        with _unprepared(connection):
            with connection.begin():
                _copy_book(connection, service_id)
            with Session(bind=connection, expire_on_commit=False) as session:
                refresh_statistics(session)  # autovacuum never counts temporary tables
                session.commit()
                yield session
    finally:
        _drop_copies(connection)
        connection.close()


@contextmanager
def _unprepared(connection: Connection) -> Iterator[None]:
    """No statement prepared on `connection` used or prepared meanwhile. psycopg prepares a
    statement once it has run five times, and PostgreSQL keeps a prepared statement on the table
    it named then: a pooled connection that had written the real contacts so wrote a dry run's
    changes to them, not to the copy that hides them."""
    driver = connection.connection.driver_connection
    if not isinstance(driver, psycopg.Connection):
        yield
        return
    threshold = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = threshold


def _copy_book(connection: Connection, service_id: int) -> None:
    postgresql = connection.dialect.name == "postgresql"
    originals = {table.name: _permanent_name(connection, table) for table in _COPIED}
    metadata = MetaData()
    for table in (*_COPIED, *_SHADOWED):
        _temporary_twin(table, metadata)
    metadata.create_all(connection, checkfirst=False)
    temporary = _temporary_schema(connection)
    for table in _COPIED:
        names = ", ".join(column.name for column in table.columns)
        connection.execute(
            text(
                f"INSERT INTO {temporary}.{table.name} ({names})"
                f" SELECT {names} FROM {originals[table.name]} WHERE service_id = :service"
            ),
            {"service": service_id},
        )
        if postgresql:
            # The copy's own sequence hands out ids above the copied ones.
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{temporary}.{table.name}', 'id'),"
                    f" coalesce(max(id), 0) + 1, false) FROM {temporary}.{table.name}"
                )
            )


def _temporary_schema(connection: Connection) -> str:
    """Where the database keeps a connection's temporary tables."""
    return "pg_temp" if connection.dialect.name == "postgresql" else "temp"


def _permanent_name(connection: Connection, table: Table) -> str:
    """`table`'s schema-qualified name, read before a temporary twin hides it."""
    if connection.dialect.name != "postgresql":
        return f"main.{table.name}"
    schema = connection.scalar(
        text(
            "SELECT quote_ident(n.nspname) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(:name)"
        ),
        {"name": table.name},
    )
    return f"{schema}.{table.name}"


def _temporary_twin(table: Table, metadata: MetaData) -> Table:
    """`table`'s columns, keys and indexes as a temporary table, without its foreign keys (a
    temporary table cannot point at permanent ones; the copy is checked where it came from)."""
    twin = Table(
        table.name,
        metadata,
        *(
            Column(column.name, column.type, primary_key=column.primary_key)
            for column in table.columns
        ),
        prefixes=["TEMPORARY"],
    )
    for index in table.indexes:
        columns = [twin.c[column.name] for column in index.columns]
        Index(index.name, *columns, unique=index.unique, **index.dialect_kwargs)
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            twin.append_constraint(UniqueConstraint(*(c.name for c in constraint.columns)))
    return twin


def _drop_copies(connection: Connection) -> None:
    """Drop the copies, so that the connection goes back to the pool showing the real tables;
    when that fails, the connection is closed instead, and the copies go with it."""
    temporary = _temporary_schema(connection)
    try:
        connection.rollback()
        with connection.begin():
            for table in reversed((*_COPIED, *_SHADOWED)):
                connection.execute(text(f"DROP TABLE IF EXISTS {temporary}.{table.name}"))
    except Exception:
        connection.invalidate()
