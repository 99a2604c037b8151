"""Telling a request that never left this machine from one Salesforce may have received.

A request is written only once its connection is complete: TCP connected and the TLS
handshake done. urllib3 reports a handshake that did not end within the connect timeout as a
*read* timeout (it waited on the socket, so "Read timed out"), and one that failed (cut short,
a server that does not speak TLS) like an error met while reading an answer. Either way
nothing was sent: Salesforce never received the request, did not count it, and cannot have
carried it out. The connection class here marks those failures, so the transport says them as a
connection that could not be made, the client counts no call, and even a create may go again.
"""

from __future__ import annotations

from urllib3 import PoolManager, connectionpool
from urllib3.connection import HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError
from urllib3.exceptions import SSLError as TlsError


class HandshakeTimeout(ConnectTimeoutError):
    """The server accepted the TCP connection but did not complete the TLS handshake within
    the connect timeout (a server stalled, or overloaded): requests raises `ConnectTimeout`."""


class HandshakeFailed(TlsError):
    """The TLS handshake failed (cut short, reset, a server that does not speak TLS, a
    certificate refused): `args[0]` is the error met, as urllib3 wraps its own TLS errors.
    requests raises it as `SSLError`."""


class _Connection(HTTPSConnection):
    """urllib3's HTTPS connection, its handshake's failures marked as such. The TCP part marks
    its own: urllib3 raises `ConnectTimeoutError` or `NewConnectionError` for it."""

    def connect(self) -> None:
        try:
            super().connect()
        except TimeoutError as timed_out:
            raise HandshakeTimeout(
                f"TLS handshake with {self.host} timed out. (connect timeout={self.timeout})"
            ) from timed_out
        except OSError as failed:  # ssl's errors, a reset: a TLS error whatever its class
            raise HandshakeFailed(failed) from failed


class HTTPSConnectionPool(connectionpool.HTTPSConnectionPool):
    """urllib3's pool of HTTPS connections, opening marking ones; named as urllib3's, since
    requests' words for a failure name the pool ("HTTPSConnectionPool(host=...): ...")."""

    ConnectionCls = _Connection


def mark_handshakes(manager: PoolManager) -> None:
    """Have `manager` (a requests adapter's, or its proxy manager's) open HTTPS connections
    whose handshake failures are marked. One with pools of its own (SOCKS) is left as it is."""
    if manager.pool_classes_by_scheme.get("https") is connectionpool.HTTPSConnectionPool:
        pools = {**manager.pool_classes_by_scheme, "https": HTTPSConnectionPool}
        manager.pool_classes_by_scheme = pools
