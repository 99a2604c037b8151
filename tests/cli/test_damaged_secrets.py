"""A sealed credential damaged in the database (altered, cut short) fails its own connection,
named, in the report of every other: on SQLite and on PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from forcebridge.sandbox.server import SandboxServer
from tests.cli.conftest import Cli, document, password_grant_args


@pytest.fixture
def cli_env(cli_env_on_each_backend: dict[str, str]) -> dict[str, str]:
    return cli_env_on_each_backend


def test_a_check_reports_a_connection_whose_sealed_secret_was_damaged_and_checks_the_others(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    """One altered value in the database makes its connection unusable, not the whole report."""
    cli("org", "create", "acme")
    for name in ("main", "web2"):
        assert cli(*password_grant_args(sandbox, name=name)).exit_code == 0
    cli("org", "create", "empty")
    engine = create_engine(cli_env["FORCEBRIDGE_DATABASE_URL"])
    with engine.begin() as connection:
        connection.execute(
            text(
                "update connections set client_secret = "
                "substr(client_secret, 1, length(client_secret) - 6) || 'AAAAA=' "
                "where name = 'web2'"
            )
        )
    engine.dispose()

    before = document(cli("connections", "status", "--json"))  # reads no secret
    checked = cli("connections", "status", "--check", "--json")
    stored = document(cli("connections", "status", "--json"))

    assert checked.exit_code == 1, checked.stdout
    assert "Not connected: acme/web2 (authentication_lost)\n" in checked.stderr
    acme, empty = json.loads(checked.stdout)["orgs"]
    main, web2 = acme["connections"]
    assert (main["name"], main["status"], main["api_usage"] is not None) == (
        "main",
        "Connected",
        True,
    )
    assert (web2["status"], web2["problem"]) == ("Needs Attention", "authentication_lost")
    assert web2["reason"].startswith(
        "The connection acme/web2 cannot be used: its client_secret cannot be opened (a secret "
        "sealed with key "
    )
    assert web2["reason"].endswith(
        "fails its integrity check: the stored value was altered or truncated). Reconnect it "
        "(forcebridge connect --org acme --name web2), or restore the database from a backup."
    )
    assert (acme["status"], acme["problem"]) == ("Needs Attention", "authentication_lost")
    assert empty["org"] == "empty"
    assert [c["status"] for c in before["orgs"][0]["connections"]] == ["Connected", "Connected"]
    assert stored["orgs"][0]["connections"][1]["reason"] == web2["reason"]
