"""`service status` on PostgreSQL says when due streams wait for a `forcebridge worker` that no
process runs; on SQLite (`serve` runs them) it says nothing of workers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from forcebridge.jobs.distributed import ensure_procrastinate_schema
from forcebridge.jobs.runtime import open_runtime
from forcebridge.jobs.workers import NO_WORKER
from forcebridge.sandbox.server import SandboxServer
from tests.cli.conftest import Cli, document, settings_of
from tests.cli.pull_setup import connected_service


@pytest.fixture
def cli_env(cli_env_on_each_backend: dict[str, str]) -> dict[str, str]:
    return cli_env_on_each_backend


def _worker_beat(cli_env: dict[str, str], ago: timedelta) -> None:
    with open_runtime(settings_of(cli_env)) as runtime:
        ensure_procrastinate_schema(runtime.engine)
        with runtime.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - :ago)"),
                {"ago": ago},
            )


def test_status_says_no_worker_runs_the_due_streams_on_postgresql_only(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    service = connected_service(cli, sandbox)
    postgres = cli_env["FORCEBRIDGE_DATABASE_URL"].startswith("postgresql")

    status = document(cli("service", "status", service, "--json"))
    shown = cli("service", "status", service)

    assert {s["status"] for s in status["streams"]} == {"OK"}
    if postgres:
        assert status["workers"]["alive"] == 0
        assert status["workers"]["warning"] == NO_WORKER
        assert status["workers"]["checked_at"]
        assert "No worker is running" in shown.stdout
    else:
        assert "workers" not in status
        assert "worker" not in shown.stdout


@pytest.mark.postgres
@pytest.mark.parametrize("cli_env_on_each_backend", ["postgres"], indirect=True)
def test_a_worker_that_beat_lately_runs_them_and_status_warns_of_nothing(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    service = connected_service(cli, sandbox)
    _worker_beat(cli_env, timedelta(seconds=2))

    status = document(cli("service", "status", service, "--json"))
    shown = cli("service", "status", service)

    assert status["workers"]["alive"] == 1
    assert status["workers"]["warning"] is None
    assert "No worker is running" not in shown.stdout
