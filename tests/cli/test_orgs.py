from __future__ import annotations

import json

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
