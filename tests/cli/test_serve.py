"""`forcebridge serve` as an operator runs it: a real process, a real port, a real login."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
import pytest
from sqlalchemy import select

from forcebridge.store.crypto import Keyring
from forcebridge.store.engine import make_engine, make_sessionmaker
from forcebridge.store.models import Run
from forcebridge.store.repositories.admins import create_admin
from forcebridge.store.repositories.orgs import create_org
from tests.cli.conftest import Cli
from tests.cli.pull_setup import connected_service
from tests.conftest import SandboxFactory

PASSWORD = "correct horse battery staple"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, "forcebridge serve exited early"
        try:
            httpx.get(url, timeout=1)
        except httpx.TransportError:
            time.sleep(0.1)
        else:
            return
    raise AssertionError(f"forcebridge serve did not answer at {url}")


@contextmanager
def _serving(
    env: dict[str, str], port: int, stderr: IO[str] | int = subprocess.DEVNULL
) -> Iterator[str]:
    """`forcebridge serve --port port` answering at the URL this yields, until the block ends."""
    process = subprocess.Popen(
        [sys.executable, "-m", "forcebridge.cli.main", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/login", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def _add_admin(env: dict[str, str]) -> None:
    engine = make_engine(env["FORCEBRIDGE_DATABASE_URL"], Keyring(env["FORCEBRIDGE_SECRET_KEY"]))
    with make_sessionmaker(engine)() as session:
        create_admin(session, create_org(session, "acme"), "ann@acme.example.com", PASSWORD)
        session.commit()
    engine.dispose()


def test_serve_runs_the_admin_pages_and_keeps_codes_out_of_its_log(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    _add_admin(cli_env)
    port = _free_port()
    log = tmp_path / "serve.log"
    with (
        log.open("w") as stderr,
        _serving(cli_env, port, stderr) as base,
        httpx.Client(base_url=base) as browser,
    ):
        login_page = browser.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', login_page)
        assert token
        browser.post(
            "/login",
            data={
                "csrf_token": token.group(1),
                "org": "acme",
                "email": "ann@acme.example.com",
                "password": PASSWORD,
            },
        )
        page = browser.get("/connections")
        browser.get("/oauth/callback?code=a-secret-code&state=s")
        browser.get("/services/1", params={"soql": "SELECT Id FROM Contact WHERE Email = 'o@x.io'"})
        browser.get("/login", headers={"X-Forwarded-For": "203.0.113.9"})

    assert page.status_code == 200
    assert "ann@acme.example.com" in page.text
    output = log.read_text()
    assert f"Admin pages on http://127.0.0.1:{port}/" in output
    assert "GET /connections" in output
    assert "a-secret-code" not in output
    assert 'GET /services/1?soql=[REDACTED] HTTP/1.1"' in output  # what the admin typed
    assert "o%40x.io" not in output and "SELECT" not in output
    assert "203.0.113.9" not in output  # no proxy trusted: a client cannot choose its address


def test_behind_a_trusted_proxy_the_cookie_is_secure_when_the_client_came_over_https(
    cli_env: dict[str, str],
) -> None:
    """The proxy says so in `X-Forwarded-Proto`; no public URL is needed for it."""
    trusting = {**cli_env, "FORCEBRIDGE_TRUSTED_PROXIES": "127.0.0.1"}
    with _serving(trusting, _free_port()) as base:
        over_https = httpx.get(f"{base}/login", headers={"X-Forwarded-Proto": "https"})
        over_http = httpx.get(f"{base}/login", headers={"X-Forwarded-Proto": "http"})

    assert "; secure" in over_https.headers["set-cookie"].lower()
    assert "secure" not in over_http.headers["set-cookie"].lower()


def _run_statuses(env: dict[str, str]) -> list[str]:
    engine = make_engine(env["FORCEBRIDGE_DATABASE_URL"], Keyring(env["FORCEBRIDGE_SECRET_KEY"]))
    try:
        with make_sessionmaker(engine)() as session:
            runs = session.scalars(select(Run)).all()
            return [run.status.value for run in runs]
    finally:
        engine.dispose()


@pytest.mark.parametrize(("sent", "status"), [(signal.SIGTERM, 0), (signal.SIGINT, 130)])
def test_a_signal_stops_serve_once_the_runs_in_progress_have_finished(
    cli: Cli,
    cli_env: dict[str, str],
    make_sandbox: SandboxFactory,
    tmp_path: Path,
    sent: signal.Signals,
    status: int,
) -> None:
    """How Docker, systemd and Kubernetes stop a process (0), or a person with Ctrl+C, as the
    banner says (130, and no error said): a run must not be left `running`."""
    connected_service(cli, make_sandbox(latency_ms=700), "--pull", "contacts")
    log = tmp_path / "serve.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "forcebridge.cli.main", "serve", "--port", str(_free_port())],
            env=cli_env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and "running" not in _run_statuses(cli_env):
                assert process.poll() is None, log.read_text()
                time.sleep(0.05)
            process.send_signal(sent)
            assert process.wait(timeout=60) == status, log.read_text()
            assert "Error" not in log.read_text()
        finally:
            if process.poll() is None:
                process.kill()

    statuses = _run_statuses(cli_env)
    assert statuses and "running" not in statuses


@pytest.mark.parametrize(
    ("port", "said"),
    [("99999", "less than or equal to 65535"), ("-1", "greater than or equal to 0")],
)
def test_serve_refuses_a_port_out_of_range(cli: Cli, port: str, said: str) -> None:
    """Not taken modulo 65536 (99999 listened on 34463 under a banner saying 99999)."""
    result = cli("serve", "--port", port)

    assert result.exit_code == 2
    output = " ".join(result.output.replace("│", " ").split())
    assert "Invalid value for '--port'" in output
    assert said in output
    assert "Admin pages" not in result.output


def test_serve_refuses_a_port_in_use_before_announcing_it(cli: Cli) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = cli("serve", "--port", str(port))

    assert result.exit_code == 1
    assert "Admin pages" not in result.output
    assert result.output.strip() == (
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use: stop what listens"
        " there, or give another --port (0 picks a free one)"
    )
