"""A Salesforce that stops answering (a process stalled with `kill -STOP`): the kernel still
takes TCP connections, but no TLS handshake and no answer ever comes. A connection that never
completed sent nothing: it is said as such, with the seconds it was given, costs no call, and
counts toward the connection's `unstable` like a refused one."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from forcebridge.salesforce.client import ClientSettings, SalesforceClient
from forcebridge.salesforce.errors import TransientError
from forcebridge.salesforce.retry import Retrier, RetryPolicy
from forcebridge.salesforce.status import InMemoryStatusLog, Problem
from forcebridge.salesforce.tokens import TokenSet
from forcebridge.salesforce.transport import failure_from_exception, http_session
from forcebridge.salesforce.usage import EndpointKind
from forcebridge.sandbox.tls import ensure_server_certificates

CONNECT, READ = 0.2, 0.5
NOT_CONNECTING = (
    "; Salesforce, or the network to it, does not complete connections (down, or overloaded):"
    " the next run tries again; check Salesforce's status, and the network (a firewall, a"
    " proxy), if it goes on"
)


@pytest.fixture
def stalled() -> Iterator[str]:
    """host:port of a server that takes TCP connections (the kernel's backlog) and never
    accepts one, so no TLS handshake ends."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield f"127.0.0.1:{server.getsockname()[1]}"


@pytest.fixture
def stalls_mid_call(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """host:port and CA file of a server that completes one TLS connection, reads the request
    sent on it and never answers, then accepts no other: a server stalled mid-call."""
    certificates = ensure_server_certificates(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificates.cert_file, certificates.key_file)
    held: list[socket.socket] = []

    with socket.create_server(("127.0.0.1", 0)) as server:

        def serve_once() -> None:
            raw, _ = server.accept()
            tls = context.wrap_socket(raw, server_side=True)
            held.append(tls)
            tls.recv(65536)

        threading.Thread(target=serve_once, daemon=True).start()
        yield f"127.0.0.1:{server.getsockname()[1]}", certificates.ca_file
        for connection in held:
            connection.close()


def client_of(
    where: str, ca_file: Path | None = None, **options: object
) -> tuple[SalesforceClient, list[float]]:
    """A client of an org at `where`, whose retries do not sleep (their waits are kept)."""
    waits: list[float] = []
    tokens = TokenSet(
        access_token="00Dxx!token",
        instance_url=f"https://{where}",
        id_url=f"https://{where}/id/00D000000000001EAA/005000000000001AAA",
        issued_at=dt.datetime.now(dt.UTC),
    )
    settings = ClientSettings(connection_id="stalled", ca_file=ca_file, timeout=(CONNECT, READ))
    retrier = Retrier(RetryPolicy(), sleep=waits.append, draw=lambda: 0.0)
    return SalesforceClient(tokens, settings, retrier=retrier, **options), waits  # type: ignore[arg-type]


def queries(client: SalesforceClient) -> int:
    return client.usage.snapshot().calls.get(EndpointKind.QUERY, 0)


def test_a_handshake_that_never_ends_is_a_connection_not_made_within_the_connect_timeout(
    stalled: str,
) -> None:
    """urllib3 says "Read timed out" with the read timeout's figure: it was the connect
    timeout that ran out, and the request was never sent."""
    started = time.monotonic()
    with pytest.raises(requests.ConnectTimeout) as caught:
        http_session(timeout=(CONNECT, 30)).get(f"https://{stalled}/services/data/v62.0/limits/")
    waited = time.monotonic() - started

    failure = failure_from_exception(caught.value)

    assert waited < 5
    assert (
        failure.message == f"could not complete the TLS handshake with {stalled} within 0.2 seconds"
    )
    assert failure.connect_timed_out and failure.timeout is None
    assert not failure.reached_salesforce


def test_a_stalled_salesforce_is_tried_as_an_unreachable_one_costs_no_call_and_is_unstable(
    stalled: str,
) -> None:
    """Each try gave up after the connect timeout, not the read timeout; the advice is not to
    wait longer for answers. Nothing reached Salesforce, so no call is counted, and the four
    tries make the connection unstable at once, as a refused connection does."""
    log = InMemoryStatusLog()
    client, waits = client_of(stalled, status_observer=log)

    with pytest.raises(TransientError) as caught:
        client.count("SELECT COUNT() FROM Contact")

    assert str(caught.value) == (
        "Salesforce did not answer successfully after trying 4 times: could not complete the"
        f" TLS handshake with {stalled} within 0.2 seconds each time" + NOT_CONNECTING
    )
    assert "FORCEBRIDGE_SALESFORCE_TIMEOUT" not in str(caught.value)
    assert (caught.value.attempts, len(waits), queries(client)) == (4, 3, 0)
    assert [s.problem for s in log.changes] == [Problem.UNSTABLE]


def test_a_create_whose_connection_never_completed_is_tried_again_as_it_was_never_sent(
    stalled: str,
) -> None:
    client, _ = client_of(stalled)

    with pytest.raises(TransientError) as caught:
        client.create("Contact", {"LastName": "Stalled"})

    assert caught.value.attempts == 4
    assert "not sent again" not in str(caught.value)
    assert client.usage.snapshot().api_calls == 0


def test_a_server_stalled_mid_call_is_said_try_by_try_and_only_the_sent_request_counted(
    stalls_mid_call: tuple[str, Path],
) -> None:
    """The first try was sent and got no answer (Salesforce may have run it: counted); the
    retries, on new connections, got no handshake (never sent: not counted)."""
    where, ca_file = stalls_mid_call
    client, _ = client_of(where, ca_file)

    with pytest.raises(TransientError) as caught:
        client.count("SELECT COUNT() FROM Contact")

    assert str(caught.value) == (
        "Salesforce did not answer successfully after trying 4 times: try 1: no answer from"
        f" {where} within 0.5 seconds; tries 2-4: could not complete the TLS handshake with"
        f" {where} within 0.2 seconds" + NOT_CONNECTING
    )
    assert queries(client) == 1
