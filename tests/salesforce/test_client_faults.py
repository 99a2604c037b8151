"""The client when the org misbehaves: retries, renewed sessions, limits, and the status they leave.

Each test starts a sandbox with the fault it needs; the client's retries record their waits
instead of sleeping, so the number of calls and retries can be asserted exactly.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from forcebridge.salesforce.client import SalesforceClient
from forcebridge.salesforce.errors import (
    ApiDisabled,
    AuthenticationLost,
    LimitExceeded,
    TransientError,
    UntrustedCertificate,
)
from forcebridge.salesforce.retry import Retrier, RetryPolicy
from forcebridge.salesforce.status import (
    CONNECTED,
    InMemoryFailureCount,
    InMemoryStatusLog,
    Problem,
)
from forcebridge.salesforce.tokens import InMemoryTokenSink, TokenSet
from forcebridge.salesforce.transport import timeouts
from forcebridge.salesforce.usage import EndpointKind
from forcebridge.sandbox.limits import FaultSettings
from forcebridge.sandbox.server import SandboxServer
from forcebridge.sandbox.tls import ensure_server_certificates
from tests.salesforce.conftest import REDIRECT_URI, Connected, oauth_for, walk_web_flow

COUNT_CONTACTS = "SELECT COUNT() FROM Contact"
MakeSandbox = Callable[..., SandboxServer]


def web_flow_tokens(server: SandboxServer) -> TokenSet:
    oauth = oauth_for(server)
    request = oauth.authorization_request(REDIRECT_URI)
    return oauth.exchange_code(request, walk_web_flow(server, request.url))


def calls(connected: Connected, kind: EndpointKind) -> int:
    return connected.client.usage.snapshot().calls.get(kind, 0)


def test_a_503_is_retried_until_the_attempts_run_out(
    make_sandbox: MakeSandbox, connect: Callable[..., Connected]
) -> None:
    server = make_sandbox(fail_rate=1.0)
    connected = connect(server, max_attempts=4)
    with pytest.raises(TransientError) as caught:
        connected.client.count(COUNT_CONTACTS)
    assert caught.value.attempts == 4
    assert caught.value.error_code == "SERVER_UNAVAILABLE"
    assert calls(connected, EndpointKind.QUERY) == 4
    assert len(connected.waits.seconds) == 3
    assert server.usage().used == 0


def test_occasional_503s_cost_one_extra_call_per_retry(
    make_sandbox: MakeSandbox, connect: Callable[..., Connected]
) -> None:
    server = make_sandbox(fail_rate=0.5)
    connected = connect(server, max_attempts=40)
    counts = [connected.client.count(COUNT_CONTACTS) for _ in range(20)]
    assert counts == [0] * 20
    retries = len(connected.waits.seconds)
    assert retries > 0
    assert server.usage().by_kind["query"] == 20
    assert calls(connected, EndpointKind.QUERY) == 20 + retries


def test_locked_rows_are_written_again_and_each_record_exactly_once(
    make_sandbox: MakeSandbox, connect: Callable[..., Connected]
) -> None:
    server = make_sandbox(lock_rate=0.5)
    connected = connect(server, max_attempts=40)
    records = [{"LastName": f"Locked {i:02d}"} for i in range(30)]
    results = connected.client.collection_create("Contact", records)
    assert all(r.success for r in results)
    assert len({r.id for r in results}) == 30
    composite = calls(connected, EndpointKind.COMPOSITE)
    assert composite == 1 + len(connected.waits.seconds) > 1
    assert server.usage().by_kind["composite"] == composite
    names = sorted(
        r["LastName"] for r in connected.client.query_all_records("SELECT LastName FROM Contact")
    )
    assert names == [f"Locked {i:02d}" for i in range(30)]


def test_rows_that_stay_locked_come_back_as_record_errors(
    make_sandbox: MakeSandbox, connect: Callable[..., Connected]
) -> None:
    server = make_sandbox(lock_rate=1.0)
    connected = connect(server, max_attempts=3)
    results = connected.client.collection_create("Contact", [{"LastName": "A"}, {"LastName": "B"}])
    assert [e.status_code for r in results for e in r.errors] == ["UNABLE_TO_LOCK_ROW"] * 2
    assert calls(connected, EndpointKind.COMPOSITE) == 3
    with pytest.raises(TransientError) as caught:
        connected.client.create("Contact", {"LastName": "C"})
    assert caught.value.error_code == "UNABLE_TO_LOCK_ROW"
    assert calls(connected, EndpointKind.SOBJECT) == 3


def test_records_saved_before_an_outage_stopped_their_locked_neighbours_keep_their_ids(
    make_sandbox: MakeSandbox, connect: Callable[..., Connected]
) -> None:
    server = make_sandbox(lock_rate=0.5)

    def outage_begins(delay: float) -> None:
        server.set_faults(FaultSettings(fail_rate=1.0))

    retrier = Retrier(RetryPolicy(max_attempts=3), sleep=outage_begins, draw=lambda: 0.5)
    connected = connect(server, retrier=retrier)
    records = [{"LastName": f"Saved {i:02d}"} for i in range(40)]

    results = connected.client.collection_create("Contact", records)

    server.set_faults(FaultSettings())
    saved = connected.client.query_all_records("SELECT Id, LastName FROM Contact")
    written = {r.id for r in results if r.success}
    assert 0 < len(written) < 40
    assert written == {r["Id"] for r in saved}
    locked = [e.status_code for r in results if not r.success for e in r.errors]
    assert locked == ["UNABLE_TO_LOCK_ROW"] * (40 - len(written))


def test_three_failed_calls_in_a_row_need_attention(
    make_sandbox: MakeSandbox, connect: Callable[..., Connected]
) -> None:
    server = make_sandbox(fail_rate=1.0)
    log = InMemoryStatusLog()
    client = connect(server, max_attempts=1, status_observer=log).client
    for _ in range(3):
        with pytest.raises(TransientError):
            client.count(COUNT_CONTACTS)
    assert client.status.problem is Problem.UNSTABLE
    assert [s.problem for s in log.changes] == [Problem.UNSTABLE]


def test_runs_that_each_time_out_twice_add_up_to_an_unstable_connection(
    make_sandbox: MakeSandbox, connect: Callable[..., Connected]
) -> None:
    """A Salesforce that stops answering fails each run after two timed-out tries, and each
    run has a client of its own: the connection's count, which they share, sees the requests
    failing in a row; the next request that goes through clears it."""
    server = make_sandbox(latency_ms=1_000)
    count = InMemoryFailureCount()
    log = InMemoryStatusLog()

    def run() -> SalesforceClient:
        status = log.changes[-1] if log.changes else CONNECTED
        client = connect(server, timeout=timeouts(0.2), failure_count=count, status=status,
                         status_observer=log).client  # fmt: skip
        with contextlib.suppress(TransientError):
            client.count(COUNT_CONTACTS)
        return client

    first = run()
    assert (first.status.problem, count.count, log.changes) == (None, 2, [])
    second = run()
    assert (second.status.problem, count.count) == (Problem.UNSTABLE, 4)
    server.set_faults(FaultSettings())
    assert (run().status, count.count) == (CONNECTED, 0)
    assert [s.problem for s in log.changes] == [Problem.UNSTABLE, None]


def test_an_unreachable_salesforce_is_named_plainly_costs_no_calls_and_needs_attention(
    make_sandbox: MakeSandbox, connect: Callable[..., Connected]
) -> None:
    server = make_sandbox()
    log = InMemoryStatusLog()
    connected = connect(server, max_attempts=3, status_observer=log)
    server.stop()
    host = server.base_url.removeprefix("https://")

    with pytest.raises(TransientError) as caught:
        connected.client.count(COUNT_CONTACTS)

    assert str(caught.value).endswith(f"cannot connect to {host}: Connection refused")
    assert "queryAll" not in str(caught.value) and "SELECT" not in str(caught.value)
    assert calls(connected, EndpointKind.QUERY) == 0  # nothing reached Salesforce
    assert connected.client.status.problem is Problem.UNSTABLE
    assert [s.problem for s in log.changes] == [Problem.UNSTABLE]


def test_a_server_certificate_the_connection_does_not_trust_is_named_plainly_and_not_retried(
    make_sandbox: MakeSandbox, connect: Callable[..., Connected], tmp_path: Path
) -> None:
    """The org's CA changed since the connection was made: no retry cures that, and the query
    (which may be long) is no part of what to do about it. The connection needs attention at
    once, saying what to do, not after three calls as for a passing failure."""
    server = make_sandbox()
    other_ca = ensure_server_certificates(tmp_path / "another-sandbox").ca_file
    log = InMemoryStatusLog()
    connected = connect(server, max_attempts=4, ca_file=other_ca, status_observer=log)
    host = server.base_url.removeprefix("https://")

    with pytest.raises(UntrustedCertificate) as caught:
        connected.client.count(COUNT_CONTACTS)

    assert not isinstance(caught.value, TransientError)  # nothing tells a caller to try again
    assert connected.waits.seconds == []
    said = (
        f"the server's certificate at {host} is not trusted: not signed by the CA file the"
        f" connection uses ({other_ca}) (self-signed certificate in certificate chain);"
        " reconnect with the right CA file (--ca-file; FORCEBRIDGE_SANDBOX_CA_FILE for the"
        " admin pages), or fix the server's certificate"
    )
    assert str(caught.value) == said
    assert calls(connected, EndpointKind.QUERY) == 0
    status = connected.client.status
    assert [s.problem for s in log.changes] == [Problem.UNTRUSTED_CERTIFICATE]
    assert status.message == (
        f"No call to Salesforce goes through, and retrying will not help: {said}. Once that is"
        " fixed, check the connection (forcebridge connections status --check, or Check now)"
        " to sync again at once."
    )


def test_a_slow_salesforce_is_named_plainly_with_how_long_and_how_often_it_was_tried(
    make_sandbox: MakeSandbox, connect: Callable[..., Connected]
) -> None:
    """A read that gets no answer in time goes once more, not three times more: each try waits
    the whole timeout. The message is the client's own, not requests' pool and URL."""
    server = make_sandbox(latency_ms=1_000)
    connected = connect(server, timeout=timeouts(0.2))
    host = server.base_url.removeprefix("https://")

    with pytest.raises(TransientError) as caught:
        connected.client.count(COUNT_CONTACTS)

    assert caught.value.attempts == 2
    assert str(caught.value) == (
        f"Salesforce did not answer successfully after trying 2 times: no answer from {host} "
        "within 0.2 seconds each time; Salesforce, or the network to it, is slow: the next run "
        "tries again, or give it longer with FORCEBRIDGE_SALESFORCE_TIMEOUT (seconds)"
    )
    assert calls(connected, EndpointKind.QUERY) == 2  # each may have reached Salesforce
    assert len(connected.waits.seconds) == 1


def test_a_create_unanswered_in_time_is_not_sent_again_as_salesforce_may_have_made_it(
    make_sandbox: MakeSandbox, connect: Callable[..., Connected]
) -> None:
    server = make_sandbox(latency_ms=600)
    connected = connect(server, timeout=timeouts(0.2))

    with pytest.raises(TransientError) as caught:
        connected.client.create("Contact", {"LastName": "Slow"})

    assert caught.value.attempts == 1
    assert "within 0.2 seconds; not sent again, as Salesforce may have carried it out" in str(
        caught.value
    )
    assert (calls(connected, EndpointKind.SOBJECT), connected.waits.seconds) == (1, [])


def test_the_daily_limit_stops_calls_and_says_so(
    make_sandbox: MakeSandbox, connect: Callable[..., Connected]
) -> None:
    server = make_sandbox(api_limit=3)
    log = InMemoryStatusLog()
    client = connect(server, status_observer=log).client
    for _ in range(3):
        client.count(COUNT_CONTACTS)
    with pytest.raises(LimitExceeded, match="daily API request limit"):
        client.count(COUNT_CONTACTS)
    assert client.usage.snapshot().calls[EndpointKind.QUERY] == 4
    assert client.status.problem is Problem.LIMIT_REACHED
    assert "3 of 3 daily API calls used" in client.status.message
    assert log.changes == [client.status]


def test_an_org_without_api_access(
    make_sandbox: MakeSandbox, connect: Callable[..., Connected]
) -> None:
    server = make_sandbox(api_disabled=True)
    client = connect(server).client
    with pytest.raises(ApiDisabled) as caught:
        client.describe_global()
    assert caught.value.error_code == "API_DISABLED_FOR_ORG"
    assert client.usage.snapshot().calls[EndpointKind.DESCRIBE] == 1
    assert client.status.problem is Problem.API_DISABLED
    assert "edition" in client.status.message


def test_an_expired_session_is_refreshed_once_and_the_call_replayed(
    make_sandbox: MakeSandbox, connect: Callable[..., Connected]
) -> None:
    server = make_sandbox(session_lifetime=0.5)
    tokens = web_flow_tokens(server)
    sink = InMemoryTokenSink()
    connected = connect(server, tokens=tokens, token_sink=sink)
    assert connected.client.count(COUNT_CONTACTS) == 0
    time.sleep(0.6)
    assert connected.client.count(COUNT_CONTACTS) == 0
    assert calls(connected, EndpointKind.QUERY) == 3
    assert calls(connected, EndpointKind.OAUTH) == 1
    assert server.usage().by_kind["query"] == 2
    [renewed] = sink.renewed
    assert renewed.access_token != tokens.access_token
    assert renewed.refresh_token == tokens.refresh_token
    assert connected.client.tokens == renewed
    assert connected.client.status == CONNECTED


def test_a_session_from_the_password_grant_is_renewed_by_it(
    make_sandbox: MakeSandbox, connect: Callable[..., Connected]
) -> None:
    server = make_sandbox(session_lifetime=0.5)
    sink = InMemoryTokenSink()
    connected = connect(server, token_sink=sink)
    time.sleep(0.6)
    assert connected.client.limits()["DailyApiRequests"]["Max"] == server.config.api_limit
    assert calls(connected, EndpointKind.LIMITS) == 2
    assert len(sink.renewed) == 1


def test_a_revoked_connection_is_authentication_lost(
    make_sandbox: MakeSandbox, connect: Callable[..., Connected]
) -> None:
    server = make_sandbox()
    tokens = web_flow_tokens(server)
    sink = InMemoryTokenSink()
    log = InMemoryStatusLog()
    connected = connect(server, tokens=tokens, token_sink=sink, status_observer=log)
    connected.oauth.revoke(tokens.refresh_token or "")
    with pytest.raises(AuthenticationLost, match="reconnect") as caught:
        connected.client.count(COUNT_CONTACTS)
    assert caught.value.error_code == "invalid_grant"
    assert calls(connected, EndpointKind.QUERY) == 1
    assert sink.renewed == []
    assert connected.client.status.problem is Problem.AUTHENTICATION_LOST
    assert [s.problem for s in log.changes] == [Problem.AUTHENTICATION_LOST]


def test_without_a_way_to_renew_an_expired_session_is_lost_at_once(
    make_sandbox: MakeSandbox, connect: Callable[..., Connected]
) -> None:
    server = make_sandbox(session_lifetime=0.5)
    connected = connect(server, oauth=None)
    time.sleep(0.6)
    with pytest.raises(AuthenticationLost) as caught:
        connected.client.count(COUNT_CONTACTS)
    assert caught.value.error_code == "INVALID_SESSION_ID"
    assert calls(connected, EndpointKind.OAUTH) == 1


def test_no_token_appears_in_the_logs_of_retries_and_renewals(
    make_sandbox: MakeSandbox, connect: Callable[..., Connected], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server = make_sandbox(session_lifetime=0.5, fail_rate=0.3)
    tokens = web_flow_tokens(server)
    sink = InMemoryTokenSink()
    connected = connect(server, tokens=tokens, token_sink=sink, max_attempts=40)
    connected.client.count(COUNT_CONTACTS)
    time.sleep(0.6)
    connected.client.count(COUNT_CONTACTS)
    assert sink.renewed
    assert "renewed the Salesforce session" in caplog.text
    for secret in (tokens.access_token, tokens.refresh_token, sink.renewed[0].access_token):
        assert secret and secret not in caplog.text
