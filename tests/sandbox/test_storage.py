from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from pathlib import Path

from forcebridge.sandbox.decimals import NUMBER_ORDER
from forcebridge.sandbox.org import Org
from forcebridge.sandbox.storage import DB_FILE
from tests.sandbox.clocks import Clock


def _columns(db: Path, table: str) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        return {row[1]: row[2] for row in conn.execute(f'PRAGMA table_info("{table}")')}


def _indexes(db: Path, table: str) -> list[tuple[str, ...]]:
    with sqlite3.connect(db) as conn:
        names = [row[1] for row in conn.execute(f'PRAGMA index_list("{table}")')]
        return [tuple(r[2] for r in conn.execute(f'PRAGMA index_info("{name}")')) for name in names]


def test_each_object_is_a_table_with_a_column_per_stored_field(org: Org) -> None:
    columns = _columns(org.storage.path, "Contact")
    assert columns["_seq"] == "INTEGER"
    assert columns["LastName"] == "TEXT" and columns["IsDeleted"] == "INTEGER"
    assert columns["MailingCity"] == "TEXT" and columns["MailingLatitude"] == "TEXT"
    assert "MailingAddress" not in columns
    assert set(_columns(org.storage.path, "Task")) >= {"WhoId", "WhatId", "TaskSubtype"}


def test_text_compares_case_insensitively_and_ids_do_not(org: Org) -> None:
    with sqlite3.connect(org.storage.path) as conn:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'Contact'").fetchone()[0]
    assert '"Email" TEXT COLLATE NOCASE' in sql
    assert '"AccountId" TEXT COLLATE BINARY' in sql


def test_numbers_are_their_digits_compared_by_value(org: Org) -> None:
    with sqlite3.connect(org.storage.path) as conn:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'Contact'").fetchone()[0]
    assert f'"MailingLatitude" TEXT COLLATE {NUMBER_ORDER}' in sql


def test_a_folder_that_stored_numbers_as_floats_has_them_made_exact_on_open(
    tmp_path: Path, clock: Clock
) -> None:
    before = Org(tmp_path, clock=clock)
    account_id = before.create("Account", {"Name": "Float Era"})
    before.close()
    with sqlite3.connect(tmp_path / DB_FILE) as conn:  # as a sandbox of floats left it
        conn.execute('ALTER TABLE "Account" DROP COLUMN "AnnualRevenue"')
        conn.execute('ALTER TABLE "Account" ADD COLUMN "AnnualRevenue" REAL COLLATE BINARY')
        conn.execute('UPDATE "Account" SET "AnnualRevenue" = 1234567.25')

    after = Org(tmp_path, clock=clock)
    after.update("Account", account_id, {"Name": "Decimal Era"})

    assert _columns(tmp_path / DB_FILE, "Account")["AnnualRevenue"] == "TEXT"
    [record] = after.query("SELECT Name, AnnualRevenue FROM Account WHERE AnnualRevenue > 9")[
        "records"
    ]
    assert (record["Name"], record["AnnualRevenue"]) == ("Decimal Era", Decimal("1234567.25"))
    after.close()


def test_tables_are_indexed_for_paging_joins_and_lookups(org: Org) -> None:
    indexes = _indexes(org.storage.path, "Contact")
    for wanted in [
        ("SystemModstamp", "Id"),
        ("IsDeleted", "SystemModstamp", "Id"),
        ("LastModifiedDate",),
        ("CreatedDate",),
        ("AccountId",),
        ("OwnerId",),
        ("Email",),
        ("LastName",),
        ("Id",),
    ]:
        assert wanted in indexes, wanted


def test_the_database_uses_write_ahead_logging(org: Org) -> None:
    mode = org.storage.connection().execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_a_reopened_org_keeps_its_records_and_its_ids(tmp_path: Path, clock: Clock) -> None:
    first = Org(tmp_path, clock=clock)
    contact_id = first.create("Contact", {"LastName": "Kept"})
    first.close()
    second = Org(tmp_path, clock=clock)
    assert (second.org_id, second.admin_user_id) == (first.org_id, first.admin_user_id)
    assert second.retrieve("Contact", contact_id)["LastName"] == "Kept"
    assert second.create("Contact", {"LastName": "Next"}) > contact_id
    second.close()


def test_fields_added_by_a_schema_folder_become_columns_on_open(
    tmp_path: Path, clock: Clock
) -> None:
    data = tmp_path / "data"
    before = Org(data, clock=clock)
    contact_id = before.create("Contact", {"LastName": "Early"})
    before.close()
    extra = tmp_path / "schema"
    extra.mkdir()
    field = {"name": "Tier__c", "type": "string", "label": "Tier", "length": 10, "custom": True}
    (extra / "Contact.json").write_text(json.dumps({"name": "Contact", "fields": [field]}))
    after = Org(data, extra, clock=clock)
    assert "Tier__c" in _columns(data / DB_FILE, "Contact")
    after.update("Contact", contact_id, {"Tier__c": "gold"})
    assert after.retrieve("Contact", contact_id, ["LastName", "Tier__c"])["Tier__c"] == "gold"
    after.close()


def test_ids_come_from_a_per_prefix_sequence(org: Org) -> None:
    with org.storage.write() as conn:
        first = org.storage.new_ids(conn, "003", 3)
        second = org.storage.new_ids(conn, "003", 2)
    assert len(set(first + second)) == 5
    assert first + second == sorted(first + second)


def test_a_failed_write_inside_another_leaves_nothing_and_the_outer_one_commits(
    org: Org,
) -> None:
    with org.storage.write():
        kept = org.create("Contact", {"LastName": "Outer"})
        try:
            with org.storage.write():
                org.create("Contact", {"LastName": "Inner"})
                raise RuntimeError("the inner write fails after writing")
        except RuntimeError:
            pass

    names = [r["LastName"] for r in org.query("SELECT LastName FROM Contact")["records"]]
    assert names == ["Outer"]
    assert org.retrieve("Contact", kept)["LastName"] == "Outer"
