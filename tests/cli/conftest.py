"""Running the real `forcebridge` command on a temporary database, as a person or script would.

`cli(*args)` invokes the command in-process with `FORCEBRIDGE_*` pointing at a fresh SQLite
database (a copy of one already migrated) and data folder; `cli_env` is the same environment
for a subprocess. `document(result)` parses the one JSON document a `--json` run printed.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from forcebridge.cli.main import app
from forcebridge.sandbox.server import SandboxServer
from forcebridge.settings import Settings
from tests.dbfixtures import MigratedDatabases, backend_params
from tests.store.conftest import migrated_databases  # noqa: F401 - a shared fixture

TEST_SECRET_KEY = "cli-test-secret-key-long-enough-for-the-keyring"

Cli = Callable[..., Result]


@pytest.fixture(autouse=True)
def root_logger() -> Iterator[None]:
    """Each run points logging at its own captured stderr; put the root logger back after."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@contextmanager
def _environment(
    databases: MigratedDatabases, backend: str, tmp_path: Path
) -> Iterator[dict[str, str]]:
    with databases.copy(backend) as url:
        yield {
            "FORCEBRIDGE_DATA_DIR": str(tmp_path / "data"),
            "FORCEBRIDGE_DATABASE_URL": url,
            "FORCEBRIDGE_SECRET_KEY": TEST_SECRET_KEY,
        }


@pytest.fixture
def cli_env(tmp_path: Path, migrated_databases: MigratedDatabases) -> Iterator[dict[str, str]]:  # noqa: F811
    with _environment(migrated_databases, "sqlite", tmp_path) as env:
        yield env


@pytest.fixture(params=backend_params())
def cli_env_on_each_backend(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    migrated_databases: MigratedDatabases,  # noqa: F811
) -> Iterator[dict[str, str]]:
    """`cli_env` on SQLite and on PostgreSQL, for a module whose own `cli_env` returns it."""
    with _environment(migrated_databases, request.param, tmp_path) as env:
        yield env


@pytest.fixture
def cli(cli_env: dict[str, str]) -> Cli:
    runner = CliRunner()

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        result = runner.invoke(app, list(args), input=input, env=cli_env | (env or {}))
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    return run


def document(result: Result) -> Any:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def password_grant_args(server: SandboxServer, *, name: str | None = None) -> list[str]:
    """`forcebridge connect` arguments that log in to `server` with the password grant."""
    args = [
        "connect",
        "--org",
        "acme",
        "--password-grant",
        "--login-url",
        server.base_url,
        "--client-id",
        server.config.client_id,
        "--client-secret",
        server.config.client_secret,
        "--username",
        server.config.username,
        "--password",
        server.config.password,
        "--ca-file",
        str(server.ca_file),
    ]
    return [*args, "--name", name] if name else args


def settings_of(cli_env: dict[str, str]) -> Settings:
    """The settings the commands run with, for a test that looks into their store."""
    return Settings(
        data_dir=cli_env["FORCEBRIDGE_DATA_DIR"],
        database_url=cli_env["FORCEBRIDGE_DATABASE_URL"],
        secret_key=cli_env["FORCEBRIDGE_SECRET_KEY"],
    )


@dataclass(frozen=True)
class Stopped:
    """A command run in a process of its own, stopped by a signal."""

    returncode: int
    stdout: str
    stderr: str


def stopped_by(
    signum: int, cli_env: dict[str, str], args: list[str], ready: Callable[[], bool]
) -> Stopped:
    """`forcebridge ARGS` in a process of its own, sent `signum` once `ready()` (within a
    minute), as Ctrl+C or a service manager stops it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "forcebridge.cli.main", *args],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not ready():
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.02)
        stdout, stderr = _signalled(process, signum)
    finally:
        if process.poll() is None:
            process.kill()
    return Stopped(process.returncode, stdout, stderr)


def _signalled(process: subprocess.Popen[str], signum: int) -> tuple[str, str]:
    """The process's output once `signum` has stopped it. Python drops an exception a signal
    handler raises inside a finalizer ("Exception ignored in ..."), as it would drop a Ctrl+C
    there: the signal is sent again, as a person presses Ctrl+C again, if the process is still
    going a few seconds later (its own cleanup takes well under that)."""
    for _ in range(3):
        process.send_signal(signum)
        try:
            return process.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            continue
    return process.communicate(timeout=60)
