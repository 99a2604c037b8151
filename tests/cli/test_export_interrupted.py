"""`forcebridge export` stopped by Ctrl+C or SIGTERM: the run ends failed (never `running`), a
script given `--json` still reads one document, and exporting the file again finishes the job
without making any record twice."""

from __future__ import annotations

import json
import signal
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from forcebridge.cli.export import AGAIN
from forcebridge.salesforce.client import SalesforceClient
from forcebridge.salesforce.sobject_collections import RecordResult
from forcebridge.sandbox.server import SandboxServer
from forcebridge.sync.documents import EXPORT_COUNTS
from tests.cli.conftest import Cli, document, stopped_by
from tests.cli.test_export import connected
from tests.conftest import SandboxFactory

PEOPLE = 1_000


def no_emails(tmp_path: Path) -> str:
    """People without an email: only the Ids an export keeps tell the next one they exist."""
    path = tmp_path / "noemail.csv"
    rows = [f"P,Person{i},Co{i}" for i in range(PEOPLE)]
    path.write_text("\n".join(["first_name,last_name,company_name", *rows]) + "\n")
    return str(path)


def ready_to_export(cli: Cli, server: SandboxServer, tmp_path: Path) -> str:
    """acme connected to `server`, allowed to export Leads; the file of people to export."""
    connected(cli, server)
    cli("export", "allow", "--org", "acme", "Lead")
    return no_emails(tmp_path)


def leads(server: SandboxServer) -> int:
    return int(server.org.query("SELECT COUNT() FROM Lead")["totalSize"])


def assert_stopped_then_finished(
    cli: Cli, server: SandboxServer, path: str, stopped: str, why: str
) -> None:
    """The export stopped by a signal (`why`, as the run records it) printed one document
    naming its run and worded as every command words that signal; exporting again finishes."""
    [run] = document(cli("runs", "list", "--org", "acme", "--json"))["runs"]
    assert run["status"] == "failed"
    assert run["error"] == f"{why}; what it had committed is kept"
    assert json.loads(stopped) == {
        "run_id": run["run_id"],
        "status": "failed",
        **{key: run[key] for key in EXPORT_COUNTS},
        "error": f"{why}; what it had committed is kept: {AGAIN}",
    }
    made = leads(server)
    assert 200 <= made < PEOPLE

    again = document(cli("export", "--org", "acme", "--object", "Lead", path, "--json"))

    assert (again["created"], again["unchanged"]) == (PEOPLE - made, made)
    assert leads(server) == PEOPLE


def test_ctrl_c_fails_the_run_and_a_script_still_gets_one_json_document(
    cli: Cli, make_sandbox: SandboxFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = make_sandbox()
    path = ready_to_export(cli, server, tmp_path)
    create = SalesforceClient.collection_create

    def interrupted_in_flight(
        client: SalesforceClient, sobject: str, records: Sequence[Any], **options: Any
    ) -> list[RecordResult]:
        made = create(client, sobject, records, **options)
        signal.raise_signal(signal.SIGINT)  # Ctrl+C while the answer is on its way back
        return made

    monkeypatch.setattr(SalesforceClient, "collection_create", interrupted_in_flight)
    stopped = cli("export", "--org", "acme", "--object", "Lead", path, "--json")
    monkeypatch.undo()

    assert stopped.exit_code == 130  # the shell's 128 + SIGINT
    assert leads(server) == 200, "the call in flight was answered, and kept"
    assert_stopped_then_finished(cli, server, path, stopped.stdout, "interrupted (Ctrl+C)")


def test_sigterm_stops_an_export_as_ctrl_c_does(
    cli: Cli, cli_env: dict[str, str], make_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    """How Docker, systemd and Kubernetes stop a process, in the middle of the writing."""
    server = make_sandbox(latency_ms=300)
    path = ready_to_export(cli, server, tmp_path)
    export = ["export", "--org", "acme", "--object", "Lead", path, "--json"]
    stopped = stopped_by(signal.SIGTERM, cli_env, export, lambda: leads(server) >= 200)

    assert stopped.returncode == 143, stopped.stderr  # 128 + SIGTERM
    assert_stopped_then_finished(cli, server, path, stopped.stdout, "stopped (SIGTERM)")


def test_ctrl_c_before_the_run_started_prints_the_error_alone(
    cli: Cli, make_sandbox: SandboxFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped while the describes were read: there is no run to name."""
    server = make_sandbox()
    path = ready_to_export(cli, server, tmp_path)

    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("forcebridge.sync.export.export_targets", interrupted)
    stopped = cli("export", "--org", "acme", "--object", "Lead", path, "--json")

    assert stopped.exit_code == 130
    assert json.loads(stopped.stdout) == {
        "error": f"interrupted (Ctrl+C); what it had committed is kept: {AGAIN}"
    }
    assert document(cli("runs", "list", "--org", "acme", "--json"))["runs"] == []
