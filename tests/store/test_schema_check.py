from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from forcebridge.store.errors import DatabaseUnavailable
from forcebridge.store.migrations import upgrade
from forcebridge.store.migrations.schema_check import FoundSchema, schema_refusal

KNOWN = ("0001", "0002")


def test_a_store_whose_first_start_did_not_finish_is_refused_as_such(database_url: str) -> None:
    """SQLite commits each table as it is made: a first start interrupted (or still running, in
    another process) leaves forcebridge's tables and no version."""
    upgrade(database_url)
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM alembic_version"))
    engine.dispose()

    with pytest.raises(
        DatabaseUnavailable, match="holds forcebridge's tables but no schema version"
    ):
        upgrade(database_url)


def test_a_revision_forcebridge_never_had_beside_no_forcebridge_table_is_another_programs() -> None:
    found = FoundSchema(revisions=("ae1027a6acf",), tables=("invoices",))

    refusal = schema_refusal(found, KNOWN, "0002", "shop.sqlite3")

    assert refusal is not None
    assert refusal.startswith(
        "the database shop.sqlite3 is another program's: its schema version (alembic_version) "
        "ae1027a6acf is not one of forcebridge's (up to 0002)"
    )


@pytest.mark.parametrize(
    "found",
    [
        FoundSchema(revisions=(), tables=()),
        FoundSchema(revisions=("0001",), tables=("orgs", "services")),
        FoundSchema(revisions=(), tables=(), postgresql=True, schema="public"),
    ],
    ids=["new", "behind", "new-postgresql"],
)
def test_a_new_database_or_one_at_a_known_revision_is_migrated(found: FoundSchema) -> None:
    assert schema_refusal(found, KNOWN, "0002", "db") is None


def test_a_version_table_with_several_rows_is_refused_as_changed_by_hand(database_url: str) -> None:
    """Alembic would stop with a traceback; forcebridge keeps one row."""
    upgrade(database_url)
    engine = create_engine(database_url)
    with engine.begin() as connection:
        head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        connection.execute(text("INSERT INTO alembic_version VALUES ('0001')"))
    engine.dispose()

    with pytest.raises(DatabaseUnavailable) as caught:
        upgrade(database_url)

    assert (
        f"records several schema versions (alembic_version: 0001, {head}) where forcebridge "
        in (str(caught.value))
    )
    assert str(caught.value).endswith(
        "restore the database from a backup, or delete the rows other than the revision its "
        "tables are at"
    )


@pytest.mark.parametrize(
    ("revision", "whose"),
    [
        ("0003", "was migrated by a newer forcebridge (schema revision 0003;"),
        ("garbage", "is another program's: its schema version (alembic_version) garbage"),
        ("00003", "is another program's"),
        ("0000", "is another program's"),
    ],
)
def test_only_a_revision_numbered_after_the_last_known_is_a_newer_forcebridges(
    revision: str, whose: str
) -> None:
    found = FoundSchema(revisions=(revision,), tables=("orgs", "services"))

    assert whose in (schema_refusal(found, KNOWN, "0002", "db") or "")
