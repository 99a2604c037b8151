"""A pull or reconciliation stopped (SIGTERM) while its Bulk API 2.0 query job is polled:
the job is aborted at once, as Salesforce documents (`PATCH jobs/query/{id}` `{"state":
"Aborted"}`), no call is started after the one in flight, and no results are downloaded.

The sandbox runs in this process, so the test holds its job in progress for a while, as a
large org's takes minutes, and records what the command asks of it."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from forcebridge.sandbox import bulk as sandbox_bulk
from forcebridge.sandbox.seed import seed
from forcebridge.sandbox.server import SandboxServer
from tests.cli.conftest import Cli, stopped_by
from tests.cli.pull_setup import connected_service

HELD = 6.0
"""How long the sandbox's job stays in progress: a command that waited for it to end (the
defect) would outlast it, and find it complete."""


class JobWatch:
    """What the command asked of the sandbox's query jobs, in order, with the stop among them."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.released = threading.Event()
        self.jobs: list[sandbox_bulk.QueryJob] = []
        self.first_poll = 0.0

    def polled(self) -> bool:
        """Ready to stop: the job was polled once, a third of a second ago, so the command
        waits for the next poll (0.75 s after the first). On the main thread a signal landing
        inside a call leaves that call uncounted, which the count below would not allow."""
        if "poll" not in self.events:
            return False
        self.first_poll = self.first_poll or time.monotonic()
        if time.monotonic() - self.first_poll < 0.35:
            return False
        self.events.append("stop")
        return True

    def after_stop(self) -> list[str]:
        return self.events[self.events.index("stop") + 1 :]


@pytest.fixture
def watch(monkeypatch: pytest.MonkeyPatch) -> Iterator[JobWatch]:
    watch = JobWatch()
    fetch_rest, info = sandbox_bulk.QueryJob.fetch_rest, sandbox_bulk.QueryJob.info
    finished_job = sandbox_bulk._finished_job

    def slow_fetch(job: sandbox_bulk.QueryJob, org: Any, locator: str | None) -> None:
        watch.jobs.append(job)
        watch.released.wait(HELD)
        fetch_rest(job, org, locator)

    def polled_info(job: sandbox_bulk.QueryJob, detailed: bool = False) -> dict[str, Any]:
        if detailed:  # `GET jobs/query/{id}`; the creation's answer is not detailed
            watch.events.append("poll")
        return info(job, detailed)

    def results(*args: Any, **kwargs: Any) -> sandbox_bulk.QueryJob:
        watch.events.append("results")
        return finished_job(*args, **kwargs)

    monkeypatch.setattr(sandbox_bulk.QueryJob, "fetch_rest", slow_fetch)
    monkeypatch.setattr(sandbox_bulk.QueryJob, "info", polled_info)
    monkeypatch.setattr(sandbox_bulk, "_finished_job", results)
    yield watch
    watch.released.set()


def _stopped_while_polled(
    sandbox: SandboxServer,
    cli: Cli,
    cli_env: dict[str, str],
    watch: JobWatch,
    args: list[str],
    run_of: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    before = sandbox.usage().used
    stopped = stopped_by(
        signal.SIGTERM, cli_env | {"FORCEBRIDGE_PULL_BULK_THRESHOLD": "500"}, args, watch.polled
    )
    assert stopped.returncode == 143, stopped.stderr
    [job] = watch.jobs
    assert job.state is sandbox_bulk.JobState.ABORTED
    assert watch.after_stop() == []  # no poll, no results: only the abort
    run = run_of()
    assert run["status"] == "failed" and "stopped (SIGTERM)" in run["error"]
    # The abort is counted with the run's other calls: the command made no call but the run's.
    assert run["api_calls"] == sandbox.usage().used - before
    return json.loads(stopped.stdout)


@pytest.fixture
def contacts(sandbox: SandboxServer) -> None:
    """More than a REST page of Contacts, so that the pull reads them through Bulk."""
    seed(sandbox.org, contacts=2_100, leads=0, accounts=10, seed=7)


def test_a_pull_stopped_while_its_bulk_job_is_polled_aborts_the_job(
    sandbox: SandboxServer, cli: Cli, cli_env: dict[str, str], watch: JobWatch, contacts: None
) -> None:
    service = connected_service(cli, sandbox, "--pull", "contacts")

    def run() -> dict[str, Any]:
        listed = json.loads(cli("runs", "list", "--org", "acme", "--json").stdout)["runs"]
        return dict(listed[0])

    args = ["pull", "--service", service, "--full", "--json"]
    printed = _stopped_while_polled(sandbox, cli, cli_env, watch, args, run)

    assert (printed["status"], printed["read"]) == ("failed", 0)


def test_a_reconciliation_stopped_while_its_bulk_job_is_polled_aborts_the_job(
    sandbox: SandboxServer, cli: Cli, cli_env: dict[str, str], watch: JobWatch
) -> None:
    """The reconciliation reads on the command's own thread, where the signal lands."""
    service = connected_service(cli, sandbox, "--pull", "contacts")

    def run() -> dict[str, Any]:
        listed = json.loads(cli("runs", "list", "--org", "acme", "--json").stdout)["runs"]
        return dict(listed[0])

    printed = _stopped_while_polled(
        sandbox, cli, cli_env, watch, ["reconcile", "--service", service, "--json"], run
    )

    assert "stopped (SIGTERM)" in printed["error"]
