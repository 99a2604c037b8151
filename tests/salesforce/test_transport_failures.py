"""A failed connection said in requests' own words, as a run or a connection keeps its reason."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
import requests

from forcebridge.salesforce.redaction import MASK
from forcebridge.salesforce.transport import failure_from_exception, http_session

SOQL = "SELECT Id FROM Contact WHERE Email = 'o@example.com' AND Account.Name = 'Acme'"


@pytest.fixture
def plain_http() -> Iterator[int]:
    """A port that answers in plain HTTP: an https request to it fails in its TLS handshake,
    an error requests says with the whole URL it was sending."""
    server = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            with client:
                client.recv(4096)
                client.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

    threading.Thread(target=answer, daemon=True).start()
    with server:
        yield server.getsockname()[1]


def test_a_failure_in_requests_words_keeps_no_query_value(plain_http: int) -> None:
    """The SOQL of a query names the values it matches (e-mails, company names): the reason
    keeps the path and what went wrong, not them."""
    url = f"https://127.0.0.1:{plain_http}/services/data/v62.0/query/"
    with pytest.raises(requests.RequestException) as caught:
        http_session().get(url, params={"q": SOQL})

    said = failure_from_exception(caught.value).message

    assert f"/services/data/v62.0/query/?q={MASK} " in said
    assert "WRONG_VERSION_NUMBER" in said  # what went wrong is kept
    for value in ("o%40example.com", "Acme", "SELECT"):
        assert value not in said


def test_a_tls_handshake_that_fails_sent_nothing(plain_http: int) -> None:
    """The request is written only once the handshake is done: Salesforce never received it,
    so it is not counted, and a create may go again."""
    url = f"https://127.0.0.1:{plain_http}/services/data/v62.0/sobjects/Contact/"
    with pytest.raises(requests.RequestException) as caught:
        http_session().post(url, json={"LastName": "Lovelace"})

    failure = failure_from_exception(caught.value)

    assert "WRONG_VERSION_NUMBER" in failure.message
    assert not failure.maybe_processed and not failure.reached_salesforce
