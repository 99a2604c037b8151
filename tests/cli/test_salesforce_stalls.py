"""`forcebridge pull` against a Salesforce that stops answering: each run fails after a few
tries, and the runs add up on the connection's status as the requests failing in a row do."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from forcebridge.salesforce import transport
from forcebridge.sandbox.limits import FaultSettings
from tests.cli.conftest import Cli, document, password_grant_args
from tests.cli.pull_setup import connected_service
from tests.conftest import SandboxFactory

SLOW = {"FORCEBRIDGE_SALESFORCE_TIMEOUT": "0.3"}


def connection_of(cli: Cli) -> dict[str, object]:
    [acme] = document(cli("connections", "status", "--json"))["orgs"]
    [main] = acme["connections"]
    return dict(main)


def test_pulls_that_each_time_out_twice_leave_the_connection_unstable(
    cli: Cli, make_sandbox: SandboxFactory
) -> None:
    """Each pull stops after two tries of its first call, unanswered within the timeout; the
    second pull's are the third and fourth requests in a row to fail: unstable."""
    server = make_sandbox()
    service = connected_service(cli, server, "--pull", "contacts")
    server.set_faults(FaultSettings(latency_ms=1_500))

    first = cli("pull", "--service", service, "--json", env=SLOW)
    after_one = connection_of(cli)
    second = cli("pull", "--service", service, "--json", env=SLOW)
    after_two = connection_of(cli)

    assert (first.exit_code, second.exit_code) == (1, 1)
    assert "after trying 2 times: no answer from" in json.loads(first.stdout)["error"]
    assert json.loads(first.stdout)["api_calls"] == 2  # each try may have reached Salesforce
    assert (after_one["status"], after_one["problem"]) == ("Connected", None)
    assert (after_two["status"], after_two["problem"]) == ("Needs Attention", "unstable")
    server.set_faults(FaultSettings())
    assert document(cli("pull", "--service", service, "--json"))["status"] == "succeeded"
    assert connection_of(cli)["status"] == "Connected"


def test_exports_that_each_time_out_twice_leave_the_connection_unstable(
    cli: Cli, make_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    """An export's client counts its timed-out tries on the connection as a pull's does."""
    server = make_sandbox()
    cli("org", "create", "acme")
    assert cli(*password_grant_args(server)).exit_code == 0
    cli("export", "allow", "--org", "acme", "Lead")
    prospects = tmp_path / "prospects.csv"
    prospects.write_text(
        "first_name,last_name,email,company_name\nAda,Lovelace,ada@acme.com,Acme\n"
    )
    server.set_faults(FaultSettings(latency_ms=1_500))

    def export() -> str:
        exported = cli("export", "--org", "acme", "--object", "Lead", str(prospects), "--json",
                       env=SLOW)  # fmt: skip
        assert exported.exit_code == 1
        return str(connection_of(cli)["problem"])

    assert [export(), export()] == ["None", "unstable"]


def test_a_pull_against_a_stalled_salesforce_says_the_connection_was_not_made_and_costs_nothing(
    cli: Cli, make_sandbox: SandboxFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sandbox stalled (here, stopped and its port taken by a socket that never accepts:
    the kernel takes connections, no TLS handshake ends). Every try gave up after the connect
    timeout (10 seconds; here 0.2), whatever FORCEBRIDGE_SALESFORCE_TIMEOUT says, and the
    error says that, not the read timeout; the first pull's four tries make it unstable."""
    server = make_sandbox()
    service = connected_service(cli, server, "--pull", "contacts")
    monkeypatch.setattr(transport, "CONNECT_TIMEOUT", 0.2)
    where = server.base_url.removeprefix("https://")
    host, port = where.rsplit(":", 1)
    server.stop()
    with socket.create_server((host, int(port))):
        pulled = cli("pull", "--service", service, "--json", env={
            "FORCEBRIDGE_SALESFORCE_TIMEOUT": "30"})  # fmt: skip
        status = connection_of(cli)

    said = json.loads(pulled.stdout)
    assert pulled.exit_code == 1
    assert said["error"].startswith(
        "pull:Contact: Salesforce did not answer successfully after trying 4 times: could not"
        f" complete the TLS handshake with {where} within 0.2 seconds each time; Salesforce, or"
        " the network to it, does not complete connections"
    )
    assert (
        "30 seconds" not in said["error"] and "FORCEBRIDGE_SALESFORCE_TIMEOUT" not in said["error"]
    )
    assert said["api_calls"] == 0  # nothing was sent
    assert (status["status"], status["problem"]) == ("Needs Attention", "unstable")
