"""A connection whose CA file no longer matches its server's certificate (the sandbox made new
certificates, say): the first call that meets it flags the connection and its streams with
what to do, the streams wait like those of a lost login, and a check that goes through once
it is fixed lets them run again."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from forcebridge.sandbox.server import SandboxServer
from forcebridge.sandbox.tls import ensure_server_certificates
from forcebridge.store.types import utcnow
from tests.cli.conftest import Cli, document, password_grant_args


def streams_of(cli: Cli) -> dict[str, dict[str, object]]:
    status = document(cli("service", "status", "acme/shop", "--json"))
    return {stream["stream"]: stream for stream in status["streams"]}


def test_a_ca_file_that_does_not_match_needs_attention_at_the_first_call_until_fixed(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    ca_file = tmp_path / "ca.pem"
    shutil.copyfile(sandbox.ca_file, ca_file)
    args = password_grant_args(sandbox, name="main")
    args[args.index("--ca-file") + 1] = str(ca_file)
    cli("org", "create", "acme")
    assert cli(*args).exit_code == 0
    assert cli("service", "create", "acme/shop").exit_code == 0
    assert cli("service", "configure", "acme/shop", "--pull", "contacts").exit_code == 0
    shutil.copyfile(ensure_server_certificates(tmp_path / "another").ca_file, ca_file)
    host = sandbox.base_url.removeprefix("https://")

    checked = cli("connections", "status", "--check", "--json")
    [main] = json.loads(checked.stdout)["orgs"][0]["connections"]
    listed = document(cli("connections", "list", "--json"))["connections"]
    pulled = cli("pull", "--service", "acme/shop")
    flagged = streams_of(cli)["pull:Contact"]
    shutil.copyfile(sandbox.ca_file, ca_file)  # the admin puts the right CA back
    rechecked = cli("connections", "status", "--check", "--json")
    lifted = streams_of(cli)["pull:Contact"]

    assert checked.exit_code == 1
    assert "Not connected: acme/main (untrusted_certificate)" in checked.stderr
    assert (main["status"], main["problem"]) == ("Needs Attention", "untrusted_certificate")
    assert main["reason"] == (
        "No call to Salesforce goes through, and retrying will not help: the server's"
        f" certificate at {host} is not trusted: not signed by the CA file the connection uses"
        f" ({ca_file}) (self-signed certificate in certificate chain); reconnect with the right"
        " CA file (--ca-file; FORCEBRIDGE_SANDBOX_CA_FILE for the admin pages), or fix the"
        " server's certificate. Once that is fixed, check the connection (forcebridge"
        " connections status --check, or Check now) to sync again at once."
    )
    assert [(c["problem"], c["reason"]) for c in listed] == [(main["problem"], main["reason"])]
    assert pulled.exit_code == 1
    assert (flagged["status"], flagged["problem"], flagged["failures"]) == (
        "Needs Attention",
        "untrusted_certificate",
        1,
    )
    held_back = datetime.fromisoformat(str(flagged["next_run_at"])) - utcnow()
    assert held_back > timedelta(minutes=55)  # as for a lost login, not a minute as if passing
    assert rechecked.exit_code == 0
    assert json.loads(rechecked.stdout)["orgs"][0]["status"] == "Connected"
    assert (lifted["status"], lifted["problem"]) == ("OK", None)
    assert str(lifted["next_run_at"]) <= utcnow().isoformat()


def connect_with_ca_copy(cli: Cli, sandbox: SandboxServer, org: str, ca_file: Path) -> None:
    """Connect `org` (with a service, acme/shop's twin) to `sandbox`, trusting a copy of its
    CA, which the test then spoils."""
    shutil.copyfile(sandbox.ca_file, ca_file)
    args = password_grant_args(sandbox, name="main")
    args[args.index("--org") + 1] = org
    args[args.index("--ca-file") + 1] = str(ca_file)
    cli("org", "create", org)
    assert cli(*args).exit_code == 0
    assert cli("service", "create", f"{org}/shop").exit_code == 0
    assert cli("service", "configure", f"{org}/shop", "--pull", "contacts").exit_code == 0


def test_a_deleted_ca_file_flags_its_connection_while_the_others_are_checked(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """The file is read by the calls, not when the client is made: the check of every org goes
    on past it, and a pull records its failed run, instead of one refusal for everything."""
    healthy_ca, gone_ca = tmp_path / "healthy.pem", tmp_path / "gone" / "ca.pem"
    gone_ca.parent.mkdir()
    connect_with_ca_copy(cli, sandbox, "acme", healthy_ca)
    connect_with_ca_copy(cli, sandbox, "beta", gone_ca)
    gone_ca.unlink()

    checked = cli("connections", "status", "--check", "--json")
    orgs = {org["org"]: org for org in json.loads(checked.stdout)["orgs"]}
    pulled = cli("pull", "--service", "beta/shop", "--json")
    (run,) = document(cli("runs", "list", "--service", "beta/shop", "--json"))["runs"]

    assert checked.exit_code == 1
    assert "Not connected: beta/main (untrusted_certificate)" in checked.stderr
    assert orgs["acme"]["status"] == "Connected"
    [broken] = orgs["beta"]["connections"]
    assert (broken["status"], broken["problem"]) == ("Needs Attention", "untrusted_certificate")
    assert broken["reason"] == (
        "No call to Salesforce goes through, and retrying will not help: the CA file the"
        f" connection uses ({gone_ca}) does not exist, so no server's certificate can be"
        " checked; reconnect with the right CA file (--ca-file; FORCEBRIDGE_SANDBOX_CA_FILE for"
        " the admin pages). Once that is fixed, check the connection (forcebridge connections"
        " status --check, or Check now) to sync again at once."
    )
    assert pulled.exit_code == 1
    assert json.loads(pulled.stdout)["status"] == "failed"
    assert run["status"] == "failed"
    assert f"({gone_ca}) does not exist" in str(run["error"])


def test_a_ca_file_without_a_certificate_is_not_retried(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    ca_file = tmp_path / "ca.pem"
    connect_with_ca_copy(cli, sandbox, "acme", ca_file)
    ca_file.write_text("not a pem\n")

    checked = cli("connections", "status", "--check", "--json")
    [main] = json.loads(checked.stdout)["orgs"][0]["connections"]

    assert checked.exit_code == 1
    assert "retry" not in checked.stderr
    assert (main["status"], main["problem"]) == ("Needs Attention", "untrusted_certificate")
    assert f"the CA file the connection uses ({ca_file}) holds no certificate" in main["reason"]
    assert "reconnect with the right CA file (--ca-file" in main["reason"]
