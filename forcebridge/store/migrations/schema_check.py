"""Whether a database is one this forcebridge may migrate, decided before anything is written.

A schema version this forcebridge does not know, numbered after the last it knows, means a newer
forcebridge migrated the database and this one was rolled back to: migrating (or just using) it
would fail at some later step. A revision of another form, or a database holding tables but no
forcebridge schema version, is another program's (a URL or data
folder pointing at the wrong file): forcebridge would add its tables beside the other program's.

On PostgreSQL only the schema forcebridge works in counts: the first of the search path that
exists (`public` by default). Another program's tables in a schema of their own share the
database harmlessly, so a database may be shared by giving forcebridge a schema of its own;
tables in forcebridge's schema without its version table mean the URL names the wrong database.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect

from forcebridge.store.models import Base

VERSION_TABLE = "alembic_version"
"""Alembic's table of the revision a database is at."""
TABLES_NAMED = 5
"""How many of a database's tables a refusal names."""
OWN_SCHEMA = "CREATE SCHEMA forcebridge, and ?options=-csearch_path%3Dforcebridge in the URL"
"""How a PostgreSQL database shared with other programs gives forcebridge a schema of its own."""


@dataclass(frozen=True)
class FoundSchema:
    """What a database holds where forcebridge keeps its tables."""

    revisions: tuple[str, ...]
    """The schema versions its version table records: none in a new database."""
    tables: tuple[str, ...]
    """Its tables, the version table aside, sorted."""
    postgresql: bool = False
    schema: str | None = None
    """PostgreSQL's schema the tables are in; None where the search path names none that
    exists (and for SQLite, which has one)."""


def found_schema(connection: Connection) -> FoundSchema:
    """What the database `connection` is open on holds; it only reads."""
    inspector = inspect(connection)
    postgresql = connection.dialect.name == "postgresql"
    schema = inspector.default_schema_name if postgresql else None
    tables = inspector.get_table_names() if schema or not postgresql else []
    return FoundSchema(
        revisions=tuple(MigrationContext.configure(connection).get_current_heads()),
        tables=tuple(sorted(set(tables) - {VERSION_TABLE})),
        postgresql=postgresql,
        schema=schema,
    )


def schema_refusal(found: FoundSchema, known: Collection[str], head: str, where: str) -> str | None:
    """Why forcebridge, which knows the revisions `known` up to `head`, must not migrate the
    database `where` holding `found`, or None. A revision it does not know is a newer
    forcebridge's when it is numbered after `head` and forcebridge's tables are there, another
    program's otherwise. A version table holding several revisions was changed by hand
    (forcebridge keeps one, which alembic would fail to migrate from). Its own
    tables with no version are a first start still making them (SQLite commits each table as
    it is made) or one that was interrupted."""
    if found.postgresql and found.schema is None:
        return (
            f"the database {where} has no schema to keep forcebridge's tables in: no schema of "
            "its search path exists; create it (CREATE SCHEMA name), or correct the search "
            "path in the URL's options"
        )
    elsewhere = (
        "point FORCEBRIDGE_DATABASE_URL (or FORCEBRIDGE_DATA_DIR, for the default SQLite file) "
        "at forcebridge's own database, or at a new one"
    )
    if found.postgresql:
        elsewhere += (
            f"; to share this database, keep forcebridge's tables out of schema {found.schema} "
            f"({OWN_SCHEMA})"
        )
    unknown = [revision for revision in found.revisions if revision not in known]
    ours = set(found.tables) & set(Base.metadata.tables)
    if unknown and ours and all(_later(revision, head) for revision in unknown):
        return (
            f"the database {where} was migrated by a newer forcebridge (schema revision "
            f"{', '.join(unknown)}; this forcebridge knows revisions up to {head}): run that "
            "newer forcebridge, or restore the backup taken before it upgraded the database"
        )
    if unknown:
        return (
            f"the database {where} is another program's: its schema version "
            f"({VERSION_TABLE}) {', '.join(unknown)} is not one of forcebridge's (up to "
            f"{head}); {elsewhere}"
        )
    if len(found.revisions) > 1:
        return (
            f"the database {where} records several schema versions ({VERSION_TABLE}: "
            f"{', '.join(sorted(found.revisions))}) where forcebridge keeps one: the table was "
            "changed by hand or by another program; restore the database from a backup, or "
            "delete the rows other than the revision its tables are at"
        )
    if found.revisions or not found.tables:
        return None
    if set(found.tables) <= set(Base.metadata.tables):
        return (
            f"the database {where} holds forcebridge's tables but no schema version "
            f"({VERSION_TABLE}): another forcebridge is making them right now (try again in a "
            "moment), or the first start on this database was interrupted (start afresh on a "
            "new database, or on this one emptied)"
        )
    in_schema = f" in schema {found.schema}" if found.postgresql else ""
    return (
        f"the database {where} holds tables{in_schema} ({_listed(found.tables)}) but no "
        f"forcebridge schema version ({VERSION_TABLE}): it is another program's database, and "
        f"forcebridge added nothing to it; {elsewhere}"
    )


def _later(revision: str, head: str) -> bool:
    """Whether `revision` has the form of forcebridge's revisions (a number of as many digits
    as `head`, 0018 say) and comes after `head`: a newer forcebridge's. Any other revision
    forcebridge does not know is another program's."""
    return (
        revision.isascii()
        and revision.isdigit()
        and len(revision) == len(head) > 0
        and revision > head
    )


def _listed(tables: tuple[str, ...]) -> str:
    named = ", ".join(tables[:TABLES_NAMED])
    more = len(tables) - TABLES_NAMED
    return f"{named} and {more} more" if more > 0 else named
