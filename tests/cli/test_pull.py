from __future__ import annotations

import json

from forcebridge.sandbox.server import SandboxServer
from tests.cli.conftest import Cli, document
from tests.cli.pull_setup import connected_service

PULL_KEYS = [
    "run_id",
    "status",
    "read",
    "created",
    "updated",
    "unchanged",
    "skipped",
    "failed",
    "api_calls",
]


def test_pull_reports_the_run_with_exactly_its_keys(cli: Cli, sandbox: SandboxServer) -> None:
    service = connected_service(cli, sandbox, "--pull", "leads")
    sandbox.org.create(
        "Lead", {"LastName": "Lee", "Company": "Initech", "Email": "lee@initech.com"}
    )

    first = document(cli("pull", "--service", service, "--json"))
    dry = document(cli("pull", "--service", service, "--dry-run", "--json"))

    assert list(first) == PULL_KEYS
    assert (first["status"], first["failed"]) == ("succeeded", 0)
    assert first["created"] == first["read"] >= 1
    assert first["api_calls"] >= 1
    assert dry["created"] == 0 and dry["run_id"] != first["run_id"]


def test_a_service_without_a_connection_cannot_pull(cli: Cli) -> None:
    cli("org", "create", "acme")
    cli("service", "create", "acme/shop")

    result = cli("pull", "--service", "acme/shop", "--json")

    assert result.exit_code == 1
    assert "has no Salesforce connection" in result.stderr
    assert json.loads(result.stdout) == {
        "error": "service acme/shop has no Salesforce connection: connect its org first"
    }
