"""The pages and the REST API that show runs and streams fail a run whose worker, a process
of this machine, was killed (`kill -9`), as `runs list` does: not "running" for ever."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import sys

from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.repositories.leases import take_lease
from forcebridge.store.repositories.runs import start_run
from forcebridge.store.repositories.services import get_service
from tests.web.conftest import AdminPages, AdminPagesFactory, Api
from tests.web.test_services import acme_support, post_settings, service

TTL = dt.timedelta(minutes=5)


def killed_run(pages: AdminPages) -> int:
    """A run of acme/support's pull:Contact left `running`, its lease held, by a process of
    this machine that has died; the run's id."""
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          check=True, capture_output=True, text=True)  # fmt: skip
    dead = f"{socket.gethostname()}:{int(gone.stdout)}:1"
    with pages.runtime.sessions() as session:
        found = get_service(session, "acme/support")
        killed = start_run(session, found.org, "pull:Contact", service=found)
        session.commit()
        assert take_lease(pages.runtime.engine, found.id, "pull:Contact", dead, TTL)
        return killed.id


def test_a_killed_workers_run_reads_failed_on_the_pages(
    admin_pages_factory: AdminPagesFactory, sandbox: SandboxServer, backend: str
) -> None:
    pages = acme_support(admin_pages_factory(backend=backend), sandbox)
    support = service(pages)
    post_settings(pages, support.id)  # schedules the streams
    run_id = killed_run(pages)

    listed = pages.client.get("/runs")
    shown = pages.client.get(f"/runs/{run_id}")
    streams = pages.client.get(f"/services/{support.id}")

    row = listed.text.split(f'data-run-id="{run_id}"')[1].split("</tr>")[0]
    assert "failed" in row and "running" not in row
    assert "stopped before the run finished" in shown.text
    assert '<td class="stream-status">Retrying</td>' in streams.text


def test_a_killed_workers_run_reads_failed_in_the_api(
    admin_pages_factory: AdminPagesFactory, sandbox: SandboxServer, backend: str
) -> None:
    pages = acme_support(admin_pages_factory(backend=backend), sandbox)
    post_settings(pages, service(pages).id)  # schedules the streams
    run_id = killed_run(pages)
    api = Api(pages)

    run = api.get(f"/runs/{run_id}").json()
    (support,) = api.get("/services").json()["services"]

    assert run["status"] == "failed"
    assert "stopped before the run finished" in run["error"]
    assert {s["stream"]: s["status"] for s in support["streams"]}["pull:Contact"] == "Retrying"
