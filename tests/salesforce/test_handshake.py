"""`handshake_problem`: one TLS handshake says whether a server is the one a CA file vouches
for, before anyone is sent there; and why not, in words, when it is not."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from forcebridge.salesforce.transport import HandshakeProblem, handshake_problem
from forcebridge.sandbox.server import SandboxServer
from forcebridge.sandbox.tls import ensure_server_certificates


def origin_of(server: SandboxServer) -> tuple[str, int]:
    host, port = server.base_url.removeprefix("https://").rsplit(":", 1)
    return host, int(port)


@pytest.fixture
def listening() -> Iterator[socket.socket]:
    """A port that takes connections and never says a word."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server


def test_the_sandbox_its_ca_file_signed_passes(sandbox: SandboxServer) -> None:
    assert handshake_problem(origin_of(sandbox), sandbox.ca_file, 5.0) is None


def test_a_server_whose_certificate_another_ca_signed_is_refused(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    other_ca = ensure_server_certificates(tmp_path).ca_file

    problem = handshake_problem(origin_of(sandbox), other_ca, 5.0)

    assert problem == HandshakeProblem(
        "its certificate is not one the CA file vouches for (self-signed certificate in"
        " certificate chain)",
        reached=True,
    )


def test_a_port_nobody_listens_on_is_not_reached(sandbox: SandboxServer) -> None:
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]

    problem = handshake_problem(("127.0.0.1", port), sandbox.ca_file, 5.0)

    assert problem == HandshakeProblem(
        f"cannot connect to 127.0.0.1:{port} (Connection refused)", reached=False
    )


def test_a_server_that_never_answers_is_given_up_on_after_the_timeout(
    sandbox: SandboxServer, listening: socket.socket
) -> None:
    port = listening.getsockname()[1]

    problem = handshake_problem(("127.0.0.1", port), sandbox.ca_file, 0.2)

    assert problem == HandshakeProblem(
        f"no answer from 127.0.0.1:{port} within 0.2 seconds", reached=False
    )


def test_a_server_that_does_not_speak_tls_is_not_reached(
    sandbox: SandboxServer, listening: socket.socket
) -> None:
    def answer_in_clear() -> None:
        connection, _ = listening.accept()
        with connection:
            connection.recv(4096)
            connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=answer_in_clear)
    thread.start()
    port = listening.getsockname()[1]

    problem = handshake_problem(("127.0.0.1", port), sandbox.ca_file, 5.0)
    thread.join()

    assert problem is not None and not problem.reached
    assert problem.reason.startswith(f"127.0.0.1:{port} does not answer in TLS (")
