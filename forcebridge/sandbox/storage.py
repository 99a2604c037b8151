"""The org's SQLite file: one table per object, one column per stored field.

Layout (in `DATA_DIR/sandbox.sqlite3`, WAL mode):

- a table per object, named as the object (`"Contact"`), with `_seq INTEGER PRIMARY KEY` (the
  row's position, which query cursors remember) and a column per stored field, named as the
  field; an object that shows other objects' records (`ObjectSpec.view`) is a view instead.
  Compound fields (addresses) are not stored; their parts are. Booleans are 0/1, dates
  `YYYY-MM-DD`, datetimes UTC text in Salesforce's format, text `COLLATE NOCASE`, numbers
  the text of their exact digits, compared by value (`decimals`): rows are written and read
  with numbers as `Decimal`s.
- `_meta(key, value)`: the org's own facts (its id, its admin user's id, its time zone).
- `_sequence(prefix, next)`: the counter behind each key prefix's record ids.

Writers take one process-wide lock and an IMMEDIATE transaction, so a write never meets
SQLITE_BUSY; readers use their own thread's connection and never wait for writers.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

from forcebridge.private_files import create_private_database
from forcebridge.sandbox import decimals
from forcebridge.sandbox.fieldtypes import (
    DATE_PART,
    FOLD_CASE,
    SORT_TEXT,
    Kind,
    compare_text,
    fold_case,
    stored_date_part,
)
from forcebridge.sandbox.ids import make_id
from forcebridge.sandbox.schema import FieldSpec, ObjectSpec, Schema

DB_FILE = "sandbox.sqlite3"
SEQ = "_seq"
_NAME_FIELDS = frozenset({"Name", "FirstName", "LastName", "Company", "Username", "Subject"})


def quote(identifier: str) -> str:
    """A schema name as an SQL identifier (names are checked against `[A-Za-z][A-Za-z0-9_]*`)."""
    return f'"{identifier}"'


def collation(f: FieldSpec) -> str:
    """How the field's column compares: NOCASE for text, as Salesforce compares it, unless
    the field is case-sensitive."""
    return "BINARY" if f.case_sensitive else f.field_type.collation


def column_definition(f: FieldSpec) -> str:
    sql_type = f.field_type.sql_type
    constraint = " NOT NULL UNIQUE" if f.name == "Id" else ""
    return f"{quote(f.name)} {sql_type}{constraint} COLLATE {collation(f)}"


def indexed_columns(obj: ObjectSpec) -> list[tuple[str, ...]]:
    """What each table is indexed on: the columns queries filter, join and page by."""
    names = {f.name for f in obj.stored_fields}
    wanted: list[tuple[str, ...]] = []
    if {"SystemModstamp", "Id"} <= names:
        wanted.append(("SystemModstamp", "Id"))
        if "IsDeleted" in names:
            # Live records in modstamp order, read from the index alone: the pull query.
            wanted.append(("IsDeleted", "SystemModstamp", "Id"))
    wanted.extend((n,) for n in ("LastModifiedDate", "CreatedDate") if n in names)
    for f in obj.stored_fields:
        if f.name == "Id":
            continue
        if (
            f.type in ("reference", "email")
            or f.name in _NAME_FIELDS
            or f.external_id
            or f.unique
            or f.id_lookup
        ):
            wanted.append((f.name,))
    return list(dict.fromkeys(wanted))


T = TypeVar("T")


class _Undone(Exception):
    """Raised inside `Storage.all_or_none`'s write to undo it, carrying what the work returned."""

    def __init__(self, result: object) -> None:
        super().__init__("undone")
        self.result = result


class Storage:
    """Connections, schema upkeep, transactions and id allocation for one data folder."""

    def __init__(self, data_dir: Path, schema: Schema) -> None:
        self.path = data_dir / DB_FILE
        create_private_database(self.path)
        self.schema = schema
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._write_lock = threading.RLock()
        with self.write() as conn:
            self._create(conn)

    # --- connections and transactions ----------------------------------------------------

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (autocommit; writes go through `write`)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute("PRAGMA cache_size=-65536")
            conn.execute("PRAGMA temp_store=MEMORY")
            conn.create_function(FOLD_CASE, 1, fold_case, deterministic=True)
            conn.create_function(DATE_PART, 3, stored_date_part, deterministic=True)
            conn.create_collation(SORT_TEXT, compare_text)
            conn.create_collation(decimals.NUMBER_ORDER, decimals.compare_numbers)
            for name, aggregate in decimals.AGGREGATES.items():
                # typeshed has an aggregate's result be an int; SQLite takes text as well.
                conn.create_aggregate(name, 1, aggregate)  # type: ignore[arg-type]
            self._local.conn = conn
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed when the block ends, rolled back if it raises.

        Re-entrant: a write inside a write joins the outer transaction as a savepoint, so a
        write that fails leaves nothing behind even when the outer one carries on (an
        all-or-none collection inside an all-or-none composite request, say).
        """
        with self._write_lock:
            conn = self.connection()
            if conn.in_transaction:
                with self.savepoint(conn):
                    yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def all_or_none(
        self, work: Callable[[sqlite3.Connection], T], keep: Callable[[T], bool]
    ) -> tuple[T, bool]:
        """`work` in one write, kept only when `keep` says so of what it returned (all of it
        succeeded, say), else undone: what it returned, and whether it was kept."""
        try:
            with self.write() as conn:
                result = work(conn)
                if not keep(result):
                    raise _Undone(result)
        except _Undone as undone:
            return cast(T, undone.result), False
        return result, True

    @contextmanager
    def savepoint(self, conn: sqlite3.Connection) -> Iterator[None]:
        """A nested unit inside a write: undone alone if it raises."""
        conn.execute("SAVEPOINT record")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK TO record")
            conn.execute("RELEASE record")
            raise
        conn.execute("RELEASE record")

    def close(self) -> None:
        with self._connections_lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    # --- schema upkeep -------------------------------------------------------------------

    def _create(self, conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE IF NOT EXISTS _meta (key TEXT PRIMARY KEY, value TEXT)")
        conn.execute("CREATE TABLE IF NOT EXISTS _sequence (prefix TEXT PRIMARY KEY, next INTEGER)")
        self.ensure_tables(conn, self.schema.objects)

    def use_schema(self, conn: sqlite3.Connection, schema: Schema) -> None:
        """Store `schema` from now on: tables and columns it adds are created (nothing to do
        for the schema already in use, as at start-up without custom fields)."""
        if schema is self.schema:
            return
        self.schema = schema
        self.ensure_tables(conn, schema.objects)

    def ensure_tables(self, conn: sqlite3.Connection, objects: Iterable[ObjectSpec]) -> None:
        """A table for each object but a view, with a column for each stored field and its
        indexes."""
        for obj in objects:
            if obj.view:
                continue
            table = quote(obj.name)
            columns = [f"{quote(SEQ)} INTEGER PRIMARY KEY"]
            columns += [column_definition(f) for f in obj.stored_fields]
            conn.execute(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(columns)})")
            existing = {
                row[1].lower(): row[2].upper()
                for row in conn.execute(f"PRAGMA table_info({table})")
            }
            for f in obj.stored_fields:
                if existing.get(f.name.lower()) == "REAL" and f.kind is Kind.NUMBER:
                    self._exact_numbers(conn, obj, f)
                elif f.name.lower() not in existing:
                    self._add_column(conn, obj, f)
            for columns_ in indexed_columns(obj):
                index = quote(f"ix_{obj.name}_{'_'.join(columns_)}")
                cols = ", ".join(quote(c) for c in columns_)
                conn.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} ({cols})")

    def _add_column(self, conn: sqlite3.Connection, obj: ObjectSpec, f: FieldSpec) -> None:
        definition = column_definition(f).replace(" NOT NULL UNIQUE", "")
        conn.execute(f"ALTER TABLE {quote(obj.name)} ADD COLUMN {definition}")

    def _exact_numbers(self, conn: sqlite3.Connection, obj: ObjectSpec, f: FieldSpec) -> None:
        """A number column of a folder written when numbers were binary floats (REAL) made
        one of exact digits, each value as the float held it."""
        aside = f"{f.name}__real"
        self.rename_column(conn, obj, f.name, aside)
        self._add_column(conn, obj, f)
        table, seq = quote(obj.name), quote(SEQ)
        floats = conn.execute(
            f"SELECT {seq}, {quote(aside)} FROM {table} WHERE {quote(aside)} IS NOT NULL"
        ).fetchall()
        conn.executemany(
            f"UPDATE {table} SET {quote(f.name)} = ? WHERE {seq} = ?",
            [(decimals.stored(decimals.read(value)), position) for position, value in floats],
        )
        self.drop_column(conn, obj, aside)

    def ensure_views(self, conn: sqlite3.Connection, selects: dict[str, str]) -> None:
        """Each view named, as the SELECT given (made again, so it follows its tables)."""
        for name, select in selects.items():
            conn.execute(f"DROP VIEW IF EXISTS {quote(name)}")
            conn.execute(f"CREATE VIEW {quote(name)} AS {select}")

    def drop_column(self, conn: sqlite3.Connection, obj: ObjectSpec, name: str) -> None:
        """Remove a field's column, and the index on it (SQLite drops no indexed column)."""
        conn.execute(f"DROP INDEX IF EXISTS {quote(f'ix_{obj.name}_{name}')}")
        conn.execute(f"ALTER TABLE {quote(obj.name)} DROP COLUMN {quote(name)}")

    def rename_column(self, conn: sqlite3.Connection, obj: ObjectSpec, old: str, new: str) -> None:
        conn.execute(f"DROP INDEX IF EXISTS {quote(f'ix_{obj.name}_{old}')}")
        conn.execute(f"ALTER TABLE {quote(obj.name)} RENAME COLUMN {quote(old)} TO {quote(new)}")

    # --- org facts and ids ---------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.connection().execute("SELECT value FROM _meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, conn: sqlite3.Connection, key: str, value: str) -> None:
        conn.execute(
            "INSERT INTO _meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def new_ids(self, conn: sqlite3.Connection, key_prefix: str, count: int = 1) -> list[str]:
        """`count` fresh record ids for `key_prefix`; call inside a write."""
        conn.execute(
            "INSERT INTO _sequence (prefix, next) VALUES (?, 1) ON CONFLICT(prefix) DO NOTHING",
            (key_prefix,),
        )
        (stop,) = conn.execute(
            "UPDATE _sequence SET next = next + ? WHERE prefix = ? RETURNING next",
            (count, key_prefix),
        ).fetchone()
        return [make_id(key_prefix, n) for n in range(stop - count, stop)]

    # --- rows ------------------------------------------------------------------------------

    def insert(self, conn: sqlite3.Connection, obj: ObjectSpec, row: dict[str, Any]) -> None:
        columns = ", ".join(quote(c) for c in row)
        marks = ", ".join("?" * len(row))
        conn.execute(
            f"INSERT INTO {quote(obj.name)} ({columns}) VALUES ({marks})",
            tuple(map(decimals.stored, row.values())),
        )

    def insert_many(
        self,
        conn: sqlite3.Connection,
        obj: ObjectSpec,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
    ) -> None:
        """Bulk insert with no validation: for seeding, where the values are known good."""
        names = ", ".join(quote(c) for c in columns)
        marks = ", ".join("?" * len(columns))
        conn.executemany(
            f"INSERT INTO {quote(obj.name)} ({names}) VALUES ({marks})",
            (tuple(map(decimals.stored, row)) for row in rows),
        )

    def update(
        self, conn: sqlite3.Connection, obj: ObjectSpec, record_id: str, changes: dict[str, Any]
    ) -> None:
        assignments = ", ".join(f"{quote(c)} = ?" for c in changes)
        conn.execute(
            f"UPDATE {quote(obj.name)} SET {assignments} WHERE {quote('Id')} = ?",
            (*map(decimals.stored, changes.values()), record_id),
        )

    def fetch(
        self, conn: sqlite3.Connection, obj: ObjectSpec, record_id: str
    ) -> dict[str, Any] | None:
        """Every stored column of one record, by column name."""
        names = [f.name for f in obj.stored_fields]
        row = conn.execute(
            f"SELECT {', '.join(quote(n) for n in names)} FROM {quote(obj.name)} "
            f"WHERE {quote('Id')} = ?",
            (record_id,),
        ).fetchone()
        if row is None:
            return None
        return {
            f.name: decimals.read(value) if f.kind is Kind.NUMBER else value
            for f, value in zip(obj.stored_fields, row, strict=True)
        }

    def find(
        self,
        conn: sqlite3.Connection,
        obj: ObjectSpec,
        field: FieldSpec,
        value: Any,
        *,
        include_deleted: bool = False,
    ) -> list[str]:
        """Ids of the records whose `field` equals `value` (case-insensitively for text)."""
        live = "" if include_deleted or obj.field("IsDeleted") is None else " AND IsDeleted = 0"
        cursor = conn.execute(
            f"SELECT {quote('Id')} FROM {quote(obj.name)} WHERE {quote(field.name)} = ?{live} "
            f"ORDER BY {quote(SEQ)}",
            (decimals.stored(value),),
        )
        return [row[0] for row in cursor]

    def exists(self, conn: sqlite3.Connection, obj: ObjectSpec, record_id: str) -> bool | None:
        """True if live, False if deleted, None if there is no such record."""
        deleted = "IsDeleted" if obj.field("IsDeleted") is not None else "0"
        row = conn.execute(
            f"SELECT {deleted} FROM {quote(obj.name)} WHERE {quote('Id')} = ?", (record_id,)
        ).fetchone()
        return None if row is None else not row[0]
