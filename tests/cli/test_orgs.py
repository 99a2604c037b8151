from __future__ import annotations

import json
import sqlite3

import pytest

from tests.cli.conftest import Cli, document

ORG_KEYS = {"name", "status", "problem", "reason", "connections", "services", "created_at"}


def test_a_new_org_needs_a_connection(cli: Cli) -> None:
    created = document(cli("org", "create", "acme", "--json"))

    assert set(created) == ORG_KEYS
    assert (created["name"], created["status"], created["problem"]) == (
        "acme",
        "Needs Attention",
        "not_connected",
    )
    assert "connect one" in created["reason"]


def test_orgs_are_listed_by_name(cli: Cli) -> None:
    cli("org", "create", "zeta")
    cli("org", "create", "acme")

    listed = document(cli("org", "list", "--json"))

    assert [org["name"] for org in listed["orgs"]] == ["acme", "zeta"]
    assert all(set(org) == ORG_KEYS for org in listed["orgs"])
    assert "acme" in cli("org", "list").stdout


def test_an_org_name_taken_or_malformed_is_refused_on_stderr(cli: Cli) -> None:
    cli("org", "create", "acme")

    again = cli("org", "create", "acme", "--json")
    slashed = cli("org", "create", "a/b")

    assert again.exit_code == 1
    assert "org 'acme' already exists" in again.stderr
    assert json.loads(again.stdout) == {"error": "org 'acme' already exists"}
    assert slashed.exit_code == 1
    assert "must not contain '/'" in slashed.stderr


def test_a_locked_database_is_reported_as_one_json_error_not_a_traceback(
    cli: Cli, cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("forcebridge.store.engine.SQLITE_BUSY_TIMEOUT_SECONDS", 0.1)
    cli("org", "list")  # migrated before the lock
    holder = sqlite3.connect(cli_env["FORCEBRIDGE_DATABASE_URL"].removeprefix("sqlite:///"))
    try:
        holder.execute("BEGIN EXCLUSIVE")
        refused = cli("org", "create", "acme", "--json")
    finally:
        holder.close()

    assert refused.exit_code == 1
    assert "database is locked" in json.loads(refused.stdout)["error"]
