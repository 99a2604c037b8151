"""`forcebridge serve`: the admin pages and the REST API, in one process, with uvicorn.

Uvicorn's own logging configuration is left out (`log_config=None`), so its access and error
lines go through the product's handler and its redaction filter: the OAuth callback's query
carries an authorization code, which must not reach a log in clear.
"""

from __future__ import annotations

import errno
import socket
from typing import Annotated

import typer
import uvicorn

from forcebridge.cli.output import errors, fail, reporting_errors, terminated_as_interrupted
from forcebridge.jobs.embedded import syncing_in_process
from forcebridge.jobs.runtime import Runtime, open_runtime
from forcebridge.sandbox.server import SandboxStartError, bind_socket
from forcebridge.settings import Settings
from forcebridge.web.app import create_app

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
KEEP_ALIVE_SECONDS = 75
"""Idle client connections stay open this long (uvicorn's default is 5 s): an API client that
reuses its connections would otherwise meet one closed under it, and a POST is not retried."""


def listening_socket(host: str, port: int) -> socket.socket:
    """The socket `serve` will answer on, bound before the banner announces it: a port in use
    (or an address not of this machine) is refused in one line, not after the banner by
    uvicorn's traceback-shaped error. Port 0 binds a free one, which the banner then shows."""
    try:
        return bind_socket(host, port)
    except SandboxStartError as error:
        in_use = getattr(error.__cause__, "errno", None) == errno.EADDRINUSE
        elsewhere = "stop what listens there, or give" if in_use else "give"
        fail(f"{error}: {elsewhere} another --port (0 picks a free one)")
    except OSError as error:  # getaddrinfo's: a name that resolves to nothing
        fail(f"cannot listen on {host}:{port}: {error.strerror}: give another --host")


def serve_web(runtime: Runtime, listening: socket.socket) -> None:
    """Serve on `listening` until interrupted, with the embedded scheduler running the syncs
    alongside on SQLite (the pages and the syncs share one process and one database); on
    PostgreSQL the syncs are left to `forcebridge worker` processes. Runs in progress finish
    before it returns.
    """
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(runtime),
            log_config=None,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
            proxy_headers=runtime.settings.trusted_proxies is not None,
            forwarded_allow_ips=runtime.settings.trusted_proxies or "",
        )
    )
    with syncing_in_process(runtime), terminated_as_interrupted(stops_cleanly=True):
        server.run(sockets=[listening])


def command(
    host: Annotated[
        str, typer.Option(help="Address to listen on.", envvar="FORCEBRIDGE_HOST")
    ] = DEFAULT_HOST,
    port: Annotated[
        int,
        typer.Option(
            min=0,
            max=65535,
            help="Port to listen on (0 picks a free one).",
            envvar="FORCEBRIDGE_PORT",
        ),
    ] = DEFAULT_PORT,
) -> None:
    """Run the admin web UI and the REST API (log in with an account from `admin create`)."""
    with reporting_errors():
        runtime = open_runtime(Settings(), log_level="INFO")
    with runtime, listening_socket(host, port) as listening:
        shown = f"[{host}]" if ":" in host else host
        errors.print(
            f"Admin pages on [bold]http://{shown}:{listening.getsockname()[1]}/[/bold]"
            " (Ctrl+C stops)"
        )
        serve_web(runtime, listening)
