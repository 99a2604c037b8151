"""`forcebridge worker` as an operator runs it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.cli.conftest import Cli
from tests.dbfixtures import postgres_database


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with postgres_database() as url:
        yield url


def test_the_worker_refuses_sqlite_naming_the_file_and_says_what_to_do(
    cli: Cli, cli_env: dict[str, str], tmp_path: Path
) -> None:
    named = cli("worker")
    unset = cli("worker", env={"FORCEBRIDGE_DATABASE_URL": ""})  # empty counts as unset

    database = cli_env["FORCEBRIDGE_DATABASE_URL"].removeprefix("sqlite:///")
    assert named.exit_code == unset.exit_code == 1
    assert named.stderr.startswith(
        f"Error: FORCEBRIDGE_DATABASE_URL names the SQLite file {database}; workers need "
        "PostgreSQL: set FORCEBRIDGE_DATABASE_URL to postgresql+psycopg://"
    )
    assert unset.stderr.startswith(
        "Error: FORCEBRIDGE_DATABASE_URL is not set, so the database is the SQLite file "
        f"{tmp_path / 'data' / 'forcebridge.sqlite3'}; workers need PostgreSQL"
    )
    assert "forcebridge serve" in named.stderr


def test_the_worker_refuses_a_postgresql_driver_not_installed_naming_the_one_to_use(
    cli: Cli,
) -> None:
    """Not "needs PostgreSQL, but ... is a postgresql+psycopg2 database"."""
    result = cli("worker", env={"FORCEBRIDGE_DATABASE_URL": "postgresql+psycopg2://u@db/fb"})

    assert result.exit_code == 1
    assert " ".join(result.stderr.split()) == (
        "Error: FORCEBRIDGE_DATABASE_URL: database postgresql+psycopg2://u@db/fb names the "
        "driver psycopg2, which forcebridge does not use: its driver for PostgreSQL is psycopg "
        "(version 3), so write postgresql+psycopg://u@db/fb"
    )


@pytest.mark.postgres
def test_applying_the_queue_schema_is_idempotent(cli: Cli, postgres_url: str) -> None:
    env = {"FORCEBRIDGE_DATABASE_URL": postgres_url}

    first = cli("worker", "--apply-schema", env=env)
    second = cli("worker", "--apply-schema", env=env)

    assert (first.exit_code, second.exit_code) == (0, 0)
    assert "created" in first.stderr
    assert "present" in second.stderr


def _registered_workers(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(text("SELECT count(*) FROM procrastinate_workers")).scalar_one()
            )
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize(("sent", "status"), [(signal.SIGTERM, 0), (signal.SIGINT, 130)])
def test_a_worker_registers_and_stops_cleanly_on_a_signal_with_serve_s_exit_status(
    cli_env: dict[str, str], postgres_url: str, tmp_path: Path, sent: signal.Signals, status: int
) -> None:
    """0 after SIGTERM (a supervisor's stop), 130 after Ctrl+C, as `serve` exits."""
    env = cli_env | {"FORCEBRIDGE_DATABASE_URL": postgres_url}
    log = tmp_path / "worker.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "forcebridge.cli.main", "worker", "--concurrency", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            deadline = time.monotonic() + 60  # a loaded CI machine starts Python slowly
            while time.monotonic() < deadline and "Worker running" not in log.read_text():
                assert process.poll() is None, log.read_text()
                time.sleep(0.1)
            while time.monotonic() < deadline and _registered_workers(postgres_url) == 0:
                time.sleep(0.1)
            assert _registered_workers(postgres_url) == 1

            process.send_signal(sent)
            assert process.wait(timeout=60) == status, log.read_text()
        finally:
            if process.poll() is None:
                process.kill()
    assert _registered_workers(postgres_url) == 0
    assert "INFO procrastinate.worker" in log.read_text()  # a worker logs at INFO by default
