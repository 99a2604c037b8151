"""Shared fixtures: a real sandbox over HTTPS on a free port, and real clients pointed at it.

- `sandbox`: one sandbox per test module (its own temporary data folder); a module can set
  `SANDBOX_SETTINGS = {...}` (SandboxConfig fields) to start it differently.
- `make_sandbox(**config)`: a fresh sandbox with settings of its own (limits, faults, session
  lifetime, and `clock=` for the org's clock), stopped when the test ends.
- `sf`: simple-salesforce on the module's sandbox; `salesforce_for(sandbox)` for any other.
- `https_for(sandbox)`: a `requests.Session` that trusts the sandbox CA, for raw HTTP;
  `api_for(sandbox)`: the same, logged in as the admin user.

TLS and JWT keys are made once per test session and copied into each data folder, so starting
a sandbox costs milliseconds.

Hypothesis runs without its per-example deadline: the first example of a property test pays
for one-time work (building the SOQL parser, opening a database) that says nothing about the
code under test, and on a loaded CI machine that alone passes the default 200 ms.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import settings
from simple_salesforce import Salesforce

from forcebridge.sandbox.clients import simple_salesforce, trusting_session
from forcebridge.sandbox.config import DEFAULT_CLIENT_ID, SandboxConfig
from forcebridge.sandbox.server import SandboxServer
from forcebridge.sandbox.tls import ensure_jwt_certificate, ensure_server_certificates

settings.register_profile("forcebridge", deadline=None)
settings.load_profile("forcebridge")

SandboxFactory = Callable[..., SandboxServer]


@pytest.fixture(scope="session")
def sandbox_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sandbox-keys")
    ensure_server_certificates(folder)
    ensure_jwt_certificate(folder, DEFAULT_CLIENT_ID)
    return folder


def _start(
    data_dir: Path, keys: Path, clock: Callable[[], dt.datetime] | None = None, **settings: Any
) -> SandboxServer:
    data_dir.mkdir(parents=True, exist_ok=True)
    for pem in keys.glob("*.pem"):
        shutil.copy2(pem, data_dir / pem.name)
    config = SandboxConfig(data_dir=data_dir, port=0, **settings)
    return SandboxServer(config, clock=clock).start()


@pytest.fixture(scope="module")
def sandbox(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sandbox_keys: Path
) -> Iterator[SandboxServer]:
    settings = getattr(request.module, "SANDBOX_SETTINGS", {})
    server = _start(tmp_path_factory.mktemp("sandbox"), sandbox_keys, **settings)
    yield server
    server.stop()


@pytest.fixture
def make_sandbox(
    tmp_path_factory: pytest.TempPathFactory, sandbox_keys: Path
) -> Iterator[SandboxFactory]:
    started: list[SandboxServer] = []

    def make(**settings: Any) -> SandboxServer:
        server = _start(tmp_path_factory.mktemp("sandbox"), sandbox_keys, **settings)
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def https_for() -> Callable[[SandboxServer], requests.Session]:
    return lambda server: trusting_session(server.ca_file)


@pytest.fixture(scope="session")
def api_for() -> Callable[[SandboxServer], requests.Session]:
    def logged_in(server: SandboxServer) -> requests.Session:
        session = trusting_session(server.ca_file)
        session.headers["Authorization"] = f"Bearer {server.access_token()}"
        return session

    return logged_in


@pytest.fixture(scope="session")
def salesforce_for() -> Callable[..., Salesforce]:
    return simple_salesforce


@pytest.fixture(scope="module")
def sf(sandbox: SandboxServer, salesforce_for: Callable[..., Salesforce]) -> Salesforce:
    return salesforce_for(sandbox)
