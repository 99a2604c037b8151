"""Exports of one org in processes of their own, on both backends: of two at once the second is
refused and every record is made once; one killed outright (`kill -9`) does not read `running`
for ever, shows the calls it spent, and blocks no later export."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from forcebridge.jobs.runtime import open_runtime
from forcebridge.sandbox.limits import FaultSettings
from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.repositories.leases import EXPORT, REHEARSAL, OrgScope, take_lease
from forcebridge.store.repositories.orgs import get_org
from forcebridge.store.repositories.runs import DRY_RUN_LOST, EXPORT_LOST, start_run
from tests.cli.conftest import Cli, document, settings_of, stopped_by
from tests.cli.test_export import connected
from tests.conftest import SandboxFactory

HEADER = "first_name,last_name,email,company_name,company_website"


@pytest.fixture
def cli_env(cli_env_on_each_backend: dict[str, str]) -> dict[str, str]:
    return cli_env_on_each_backend


def prospects(tmp_path: Path, people: int, companies: int) -> str:
    path = tmp_path / "prospects.csv"
    rows = [
        f"P,Person{i},p{i}@co{i % companies}.com,Co{i % companies},co{i % companies}.com"
        for i in range(people)
    ]
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return str(path)


def count(server: SandboxServer, sobject: str) -> int:
    return int(server.org.query(f"SELECT COUNT() FROM {sobject}")["totalSize"])


def export(cli_env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    """`forcebridge export --org acme ARGS --json` started in a process of its own."""
    return subprocess.Popen(
        [sys.executable, "-m", "forcebridge.cli.main", "export", "--org", "acme", *args, "--json"],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def runs(cli: Cli) -> list[dict[str, object]]:
    return list(document(cli("runs", "list", "--org", "acme", "--json"))["runs"])


def test_of_two_exports_of_an_org_at_once_the_second_is_refused_and_each_record_made_once(
    cli: Cli, cli_env: dict[str, str], make_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    """An overlapping cron job, or two operators: the second would make every Lead again."""
    server = make_sandbox()
    connected(cli, server)
    cli("export", "allow", "--org", "acme", "Lead")
    path = prospects(tmp_path, 60, 20)
    # the first long enough (several calls of 1.5 s) to overlap the second's start on a busy machine
    server.set_faults(FaultSettings(latency_ms=1500))
    first = export(cli_env, "--object", "Lead", path)
    deadline = time.monotonic() + 60
    while not runs(cli):
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.05)
    [going] = runs(cli)

    second = cli("export", "--org", "acme", "--object", "Lead", path, "--json")
    out, err = first.communicate(timeout=120)

    assert second.exit_code == 1
    error = json.loads(second.stdout)["error"]
    assert json.loads(second.stdout) == {"error": error}
    assert f"an export of org 'acme' is running (run {going['run_id']};" in error
    assert first.returncode == 0, err
    assert json.loads(out)["created"] == 60
    assert count(server, "Lead") == 60
    assert [(run["run_id"], run["status"]) for run in runs(cli)] == [(going["run_id"], "succeeded")]


def test_an_export_killed_outright_is_failed_by_the_next_command_with_the_calls_it_spent(
    cli: Cli, cli_env: dict[str, str], make_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    """Killed while its first write (the Accounts) is in flight: the lookups were spent, and
    the next export neither waits for it nor makes an Account or a Contact twice."""
    server = make_sandbox()
    connected(cli, server)
    cli("export", "allow", "--org", "acme", "Contact", "Account")
    path = prospects(tmp_path, 200, 50)
    server.set_faults(FaultSettings(latency_ms=300))
    args = ["export", "--org", "acme", "--object", "Contact", path, "--json"]
    killed = stopped_by(signal.SIGKILL, cli_env, args, lambda: count(server, "Account") >= 50)
    server.set_faults(FaultSettings())

    [run] = runs(cli)
    again = cli(*args)

    assert killed.returncode == -signal.SIGKILL
    assert (run["status"], run["error"]) == ("failed", EXPORT_LOST)
    assert isinstance(run["api_calls"], int) and run["api_calls"] >= 5  # 2 describes, 3 lookups
    assert again.exit_code == 0, again.stdout
    assert (count(server, "Account"), count(server, "Contact")) == (50, 200)


@pytest.mark.parametrize(
    ("lease", "dry_run", "reason"), [(EXPORT, False, EXPORT_LOST), (REHEARSAL, True, DRY_RUN_LOST)]
)
def test_an_export_whose_process_died_reads_failed_in_the_next_look_at_the_runs(
    cli: Cli,
    cli_env: dict[str, str],
    make_sandbox: SandboxFactory,
    lease: str,
    dry_run: bool,
    reason: str,
) -> None:
    connected(cli, make_sandbox())
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          check=True, capture_output=True, text=True)  # fmt: skip
    dead = f"{socket.gethostname()}:{int(gone.stdout)}:1"
    with open_runtime(settings_of(cli_env)) as runtime, runtime.sessions() as session:
        org = get_org(session, "acme")
        killed = start_run(session, org, "export:Lead", dry_run=dry_run)
        session.commit()
        assert take_lease(runtime.engine, OrgScope(org.id), lease, dead, timedelta(minutes=2))

    [run] = runs(cli)

    assert (run["run_id"], run["status"], run["error"]) == (killed.id, "failed", reason)
