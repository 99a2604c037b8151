"""Running the sandbox: in a background thread for tests, the demo and benchmarks, or in the
foreground for `forcebridge sandbox serve`.

The listening socket is bound before uvicorn starts, so port 0 picks a free port with no race
and `base_url` is right as soon as `start()` returns.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import uvicorn
from fastapi import FastAPI

from forcebridge.sandbox.app import create_app, sandbox_state
from forcebridge.sandbox.auth import Grant
from forcebridge.sandbox.config import SandboxConfig, url_host
from forcebridge.sandbox.http_api import SandboxState
from forcebridge.sandbox.limits import FaultSettings, UsageSnapshot
from forcebridge.sandbox.oauth import DEFAULT_SCOPE
from forcebridge.sandbox.org import Org
from forcebridge.sandbox.tls import (
    ensure_server_certificates,
    jwt_certificate_files,
    server_certificate_files,
)

START_TIMEOUT = 15.0
KEEP_ALIVE_SECONDS = 120
"""How long an idle client connection stays open. Clients keep connections for reuse
(requests, jsforce); with uvicorn's default of 5 s, a request sent on a connection the server
was closing at that moment failed with "Remote end closed connection", and requests does not
send a POST again. Salesforce keeps idle connections open far longer than a few seconds."""


class SandboxStartError(RuntimeError):
    """The server did not come up; the message says why when uvicorn told us."""


def bind_socket(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        raise SandboxStartError(f"cannot listen on {host}:{port}: {error.strerror}") from error
    sock.listen(128)
    return sock


class SandboxServer:
    """A sandbox on its own thread. `with SandboxServer(config) as sandbox: ...`"""

    def __init__(
        self,
        config: SandboxConfig,
        *,
        log_level: str = "warning",
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        """`clock` is the org's (record timestamps), for tests that need time to pass."""
        self.config = config
        self._log_level = log_level
        self._clock = clock
        self._app: FastAPI | None = None
        self._org: Org | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._port = config.port

    # --- what clients need ------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"https://{url_host(self.config.host)}:{self._port}"

    @property
    def ca_file(self) -> Path:
        return server_certificate_files(self.config.data_dir).ca_file

    @property
    def jwt_key_file(self) -> Path:
        return jwt_certificate_files(self.config.data_dir).key_file

    @property
    def org(self) -> Org:
        if self._org is None:
            raise SandboxStartError("the sandbox is not running: call start() first")
        return self._org

    def access_token(self) -> str:
        """A fresh API session for the admin user, as a login would give."""
        state = self._state()
        grant = Grant(self.org.admin_user_id, self.config.client_id, DEFAULT_SCOPE)
        return state.auth.open_session(grant)

    def usage(self) -> UsageSnapshot:
        return self._state().usage.snapshot()

    def reset_usage(self) -> None:
        self._state().usage.reset()

    # --- lifecycle --------------------------------------------------------------------------

    def prepare(self) -> None:
        """Certificates, org, app and the listening socket: all but serving."""
        if self._server is not None:
            return
        certificates = ensure_server_certificates(self.config.data_dir)
        self._org = Org(self.config.data_dir, self.config.schema_dir, clock=self._clock)
        self._app = create_app(self.config, self._org)
        self._socket = bind_socket(self.config.host, self.config.port)
        self._port = self._socket.getsockname()[1]
        self._server = uvicorn.Server(
            uvicorn.Config(
                self._app,
                ssl_certfile=str(certificates.cert_file),
                ssl_keyfile=str(certificates.key_file),
                log_level=self._log_level,
                log_config=None,
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=2,
                timeout_keep_alive=KEEP_ALIVE_SECONDS,
            )
        )

    def start(self) -> SandboxServer:
        self.prepare()
        assert self._server is not None and self._socket is not None
        server, sock = self._server, self._socket
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="sandbox", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise SandboxStartError(f"the sandbox did not start on {self.base_url}")
            time.sleep(0.01)
        return self

    def run_foreground(self) -> None:
        """Serve on the calling thread until interrupted (Ctrl-C)."""
        self.prepare()
        assert self._server is not None and self._socket is not None
        try:
            self._server.run(sockets=[self._socket])
        finally:
            self._release()

    def stop(self) -> None:
        """Stop at once: clients' idle keep-alive TLS connections are not waited for."""
        if self._server is not None:
            self._server.should_exit = self._server.force_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._release()

    def _release(self) -> None:
        if self._app is not None:
            sandbox_state(self._app).close()
        if self._org is not None:
            self._org.close()
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def set_faults(self, settings: FaultSettings) -> None:
        """Inject other faults from now on (a test's outage starting mid-way)."""
        self._state().faults.settings = settings

    def _state(self) -> SandboxState:
        if self._app is None:
            raise SandboxStartError("the sandbox is not running: call start() first")
        return sandbox_state(self._app)


def serve(config: SandboxConfig, on_ready: Callable[[SandboxServer], None]) -> None:
    """Serve in the foreground; `on_ready` runs once the address and credentials are known."""
    server = SandboxServer(config, log_level="info")
    server.prepare()
    on_ready(server)
    server.run_foreground()
