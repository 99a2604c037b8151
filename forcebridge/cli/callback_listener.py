"""The localhost page Salesforce redirects the browser to at the end of a command-line login.

As `sf org login web` does: listen on a fixed local port (the connected app must list
`http://localhost:PORT/OauthRedirect` as a callback URL), take the first request to the callback
path whose `state` is the login's own, and hand its query parameters to the connection
service. A request with another `state` (a stale tab, or a forged link) is answered as ignored
and the wait goes on: it must neither end the login nor be told it was received.
"""

from __future__ import annotations

import html
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import TracebackType
from typing import Self
from urllib.parse import parse_qsl, urlsplit

from forcebridge.sync.connection_errors import ConnectError

CALLBACK_PATH = "/OauthRedirect"
DEFAULT_PORT = 1717
_POLL_SECONDS = 0.5

_RECEIVED = "forcebridge received the Salesforce login. You can close this window and go back \
to the terminal."
_REFUSED = "Salesforce did not grant access ({reason}). Go back to the terminal."
_IGNORED = "This is not the login forcebridge is waiting for (its state does not match), so it \
was ignored. Use the link the terminal printed last."


class CallbackTimeout(ConnectError):
    """Nobody finished the login in the browser in time."""


class _Server(HTTPServer):
    params: dict[str, str] | None = None
    state: str | None = None


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != CALLBACK_PATH or self.server.params is not None:
            self.send_error(404)
            return
        params = dict(parse_qsl(parts.query))
        if params.get("state") != self.server.state:
            self._page(400, _IGNORED)
            return
        self.server.params = params
        if "error" in params:
            reason = params.get("error_description") or params["error"]
            self._page(200, _REFUSED.format(reason=reason))
        else:
            self._page(200, _RECEIVED)

    def _page(self, status: int, text: str) -> None:
        page = (
            '<!doctype html><meta charset="utf-8"><title>forcebridge</title>'
            f"<p>{html.escape(text)}</p>"
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the request line carries the authorization code."""


class CallbackListener:
    """`with CallbackListener(port) as listener:` send the browser away, then `listener.wait()`.

    Port 0 picks a free port (useful against the forcebridge sandbox, which accepts any
    redirect URI; Salesforce needs the port registered with the connected app).
    """

    def __init__(self, port: int = DEFAULT_PORT) -> None:
        try:
            self._server = _Server(("127.0.0.1", port), _Handler)
        except OSError as error:
            raise ConnectError(
                f"cannot listen for the login callback on port {port} ({error.strerror}): is"
                " another login waiting? Choose another with --callback-port"
            ) from error
        self._server.timeout = _POLL_SECONDS

    @property
    def redirect_uri(self) -> str:
        return f"http://localhost:{self._server.server_port}{CALLBACK_PATH}"

    def wait(self, timeout: float, state: str) -> dict[str, str]:
        """The query parameters of the callback carrying `state`, once the browser comes back."""
        self._server.state = state
        deadline = time.monotonic() + timeout
        while self._server.params is None:
            if time.monotonic() > deadline:
                raise CallbackTimeout(
                    f"no login came back within {timeout:.0f} seconds: run the command again"
                )
            self._server.handle_request()
        return self._server.params

    def close(self) -> None:
        self._server.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
