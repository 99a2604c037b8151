"""The client's reads and writes against a real sandbox over HTTPS, counted on both sides."""

from __future__ import annotations

import datetime as dt
import json
import ssl
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from forcebridge.salesforce.client import ClientSettings, SalesforceClient
from forcebridge.salesforce.describe_cache import InMemoryDescribeCache
from forcebridge.salesforce.errors import BadRequest, NotFound
from forcebridge.salesforce.status import CONNECTED, ConnectionStatus, Problem, State
from forcebridge.salesforce.tokens import TokenSet
from forcebridge.salesforce.usage import EndpointKind
from forcebridge.sandbox.server import SandboxServer
from forcebridge.soql.builder import eq, select
from forcebridge.soql.render import to_soql
from tests.salesforce.conftest import Connected, client_for


@pytest.fixture(scope="module")
def contacts(sandbox: SandboxServer) -> list[str]:
    """450 Contacts named Paging 000..449, for the read tests."""
    client = client_for(sandbox).client
    records = [{"LastName": f"Paging {i:03d}", "Department": "Paging"} for i in range(450)]
    return [r.id or "" for r in client.collection_create("Contact", records)]


PAGING = "SELECT Id, LastName FROM Contact WHERE Department = 'Paging' ORDER BY LastName"


def sandbox_calls(server: SandboxServer, kind: EndpointKind) -> int:
    return server.usage().by_kind.get(kind.value, 0)


def test_450_records_are_written_in_3_calls_with_a_result_each(
    sandbox: SandboxServer, connect: Callable[..., Connected]
) -> None:
    client = connect(sandbox).client
    before = sandbox_calls(sandbox, EndpointKind.COMPOSITE)
    records = [{"LastName": f"Chunk {i:03d}", "Department": "Chunking"} for i in range(450)]
    results = client.collection_create("Contact", records)
    assert len(results) == 450
    assert all(r.success and r.created and r.id and r.id.startswith("003") for r in results)
    assert len({r.id for r in results}) == 450
    assert client.usage.snapshot().calls[EndpointKind.COMPOSITE] == 3
    assert sandbox_calls(sandbox, EndpointKind.COMPOSITE) - before == 3
    first = client.get("Contact", results[0].id or "", ["LastName"])
    assert first["LastName"] == "Chunk 000"


def test_query_pages_are_fetched_only_as_they_are_consumed(
    sandbox: SandboxServer, connect: Callable[..., Connected], contacts: list[str]
) -> None:
    client = connect(sandbox).client
    pages = client.query_pages(PAGING, batch_size=200)
    assert client.usage.snapshot().calls == {EndpointKind.OAUTH: 1}
    first = next(pages)
    assert (len(first.records), first.total_size) == (200, 450)
    assert client.usage.snapshot().calls.get(EndpointKind.QUERY_MORE) is None
    rest = list(pages)
    assert [len(p.records) for p in rest] == [200, 50]
    calls = client.usage.snapshot().calls
    assert (calls[EndpointKind.QUERY], calls[EndpointKind.QUERY_MORE]) == (1, 2)
    names = [r["LastName"] for p in [first, *rest] for r in p.records]
    assert names == [f"Paging {i:03d}" for i in range(450)]
    assert all(type(r) is dict for r in first.records)


def test_query_all_records_streams_every_record(
    sandbox: SandboxServer, connect: Callable[..., Connected], contacts: list[str]
) -> None:
    client = connect(sandbox).client
    ids = [r["Id"] for r in client.query_all_records(PAGING)]
    assert sorted(ids) == sorted(contacts)
    assert client.count("SELECT COUNT() FROM Contact WHERE Department = 'Paging'") == 450


def test_single_record_round_trip_keeps_numbers_exact(
    sandbox: SandboxServer, connect: Callable[..., Connected]
) -> None:
    client = connect(sandbox).client
    amount = Decimal("12345678901234.57")
    deal = {
        "Name": "Exact",
        "StageName": "Prospecting",
        "CloseDate": "2024-12-31",
        "Amount": amount,
    }
    deal_id = client.create("Opportunity", deal)
    read = client.get("Opportunity", deal_id, ["Amount"])["Amount"]
    assert (type(read), read) == (Decimal, amount)
    account_id = client.create("Account", {"Name": "Exact Co"})
    client.update("Account", account_id, {"Name": "Exact Ltd"})
    assert client.get("Account", account_id)["Name"] == "Exact Ltd"
    client.delete("Account", account_id)
    with pytest.raises(NotFound):
        client.get("Account", account_id)
    assert client.status == CONNECTED


def test_collection_results_stay_in_input_order_with_salesforce_errors(
    sandbox: SandboxServer, connect: Callable[..., Connected]
) -> None:
    client = connect(sandbox).client
    records = [{"LastName": "Good One"}, {"FirstName": "No Last Name"}, {"LastName": "Good Two"}]
    results = client.collection_create("Contact", records)
    assert [r.success for r in results] == [True, False, True]
    [error] = results[1].errors
    assert error.status_code == "REQUIRED_FIELD_MISSING"
    assert error.fields == ("LastName",)
    rolled_back = client.collection_create("Contact", records, all_or_none=True)
    assert not any(r.success for r in rolled_back)


def test_collection_update_delete_and_retrieve(
    sandbox: SandboxServer, connect: Callable[..., Connected]
) -> None:
    client = connect(sandbox).client
    ids = [
        r.id or ""
        for r in client.collection_create(
            "Lead", [{"LastName": f"Lead {i}", "Company": "Acme"} for i in range(3)]
        )
    ]
    updated = client.collection_update("Lead", [{"Id": i, "Company": "Acme Ltd"} for i in ids])
    assert all(r.success and not r.created for r in updated)
    assert [r.success for r in client.collection_delete(ids[:1])] == [True]
    found = client.retrieve_many("Lead", ids, ["Company"])
    assert found[0] is None
    assert [f and f["Company"] for f in found[1:]] == ["Acme Ltd", "Acme Ltd"]
    deleted = list(
        client.query_all_records(
            to_soql(select("Id", "IsDeleted").from_("Lead").where(eq("Id", ids[0])).build()),
            include_deleted=True,
        )
    )
    assert [r["IsDeleted"] for r in deleted] == [True]


def test_replication_reads_carry_their_window_to_salesforce(
    sandbox: SandboxServer, connect: Callable[..., Connected]
) -> None:
    """Salesforce only reports whole minutes up to now; the window it says it covered shows the
    timezone-aware dates arrived intact (the `+00:00` offset included)."""
    client = connect(sandbox).client
    end = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) - dt.timedelta(minutes=1)
    start = end - dt.timedelta(minutes=30)
    covered = end.strftime("%Y-%m-%dT%H:%M:00.000+0000")
    updated = client.get_updated("Contact", start, end)
    assert updated == {"ids": [], "latestDateCovered": covered}
    deleted = client.get_deleted("Contact", start, end)
    assert (deleted["deletedRecords"], deleted["latestDateCovered"]) == ([], covered)
    assert client.usage.snapshot().calls[EndpointKind.SOBJECT] == 2


def test_limits_and_the_allowance_header(
    sandbox: SandboxServer, connect: Callable[..., Connected]
) -> None:
    client = connect(sandbox).client
    limits = client.limits()
    assert limits["DailyApiRequests"]["Max"] == sandbox.config.api_limit
    usage = client.usage.api_usage
    assert usage is not None
    assert usage.max == sandbox.config.api_limit
    assert usage.used == sandbox.usage().used


def test_a_wrong_query_names_salesforce_code_and_leaves_the_connection_connected(
    sandbox: SandboxServer, connect: Callable[..., Connected]
) -> None:
    client = connect(sandbox).client
    with pytest.raises(BadRequest) as caught:
        list(client.query_pages("SELECT Id, Emial FROM Contact"))
    assert caught.value.error_code == "INVALID_FIELD"
    with pytest.raises(BadRequest) as malformed:
        client.count("SELECT FROM Contact")
    assert malformed.value.error_code == "MALFORMED_QUERY"
    assert client.status == CONNECTED
    assert client.usage.snapshot().calls[EndpointKind.QUERY] == 2


def test_names_that_cannot_be_salesforce_are_refused_without_a_call(
    sandbox: SandboxServer, connect: Callable[..., Connected]
) -> None:
    client = connect(sandbox).client
    with pytest.raises(BadRequest, match="API name"):
        client.create("Contact/../../limits", {})
    with pytest.raises(BadRequest, match="record Id"):
        client.get("Contact", "003?fields=Secret")
    with pytest.raises(BadRequest, match="API name"):
        client.describe("Contact Name")
    assert client.usage.snapshot().calls == {EndpointKind.OAUTH: 1}


def test_object_names_never_reach_simple_salesforce_attributes(
    sandbox: SandboxServer, connect: Callable[..., Connected]
) -> None:
    """`session` is an attribute of simple-salesforce's client, and must still mean an object."""
    client = connect(sandbox).client
    with pytest.raises(NotFound):
        client.describe("session")


def test_a_second_describe_costs_no_call(
    sandbox: SandboxServer, connect: Callable[..., Connected]
) -> None:
    cache = InMemoryDescribeCache()
    client = connect(sandbox, describe_cache=cache).client
    before = sandbox_calls(sandbox, EndpointKind.DESCRIBE)
    first = client.describe("Contact")
    assert first["name"] == "Contact"
    assert client.describe("Contact") == first
    assert client.describe_global() == client.describe_global()
    assert sandbox_calls(sandbox, EndpointKind.DESCRIBE) - before == 2
    other_process = connect(sandbox, describe_cache=cache).client
    assert other_process.describe("Contact") == first
    assert EndpointKind.DESCRIBE not in other_process.usage.snapshot().calls


def test_describe_is_revalidated_on_request_and_when_stale(
    sandbox: SandboxServer, connect: Callable[..., Connected]
) -> None:
    now = [dt.datetime(2024, 11, 7, 9, 0, tzinfo=dt.UTC)]
    client = connect(sandbox, clock=lambda: now[0]).client
    payload = client.describe("Lead")
    assert client.describe("Lead", refresh=True) == payload
    now[0] += dt.timedelta(minutes=59)
    client.describe("Lead")
    assert client.usage.snapshot().calls[EndpointKind.DESCRIBE] == 2
    now[0] += dt.timedelta(hours=2)
    assert client.describe("Lead") == payload
    assert client.usage.snapshot().calls[EndpointKind.DESCRIBE] == 3


class DescribeOnlyWhenChanged(BaseHTTPRequestHandler):
    """Answers a describe as Salesforce does when asked `If-Modified-Since`: 304, no body."""

    conditions: list[str | None]

    def do_GET(self) -> None:
        self.conditions.append(self.headers.get("If-Modified-Since"))
        if self.headers.get("If-Modified-Since"):
            self.send_response(304)
            self.end_headers()
            return
        body = json.dumps({"name": "Contact", "fields": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def not_modified_server(sandbox_keys: Path) -> Iterator[tuple[str, list[str | None]]]:
    """A real HTTPS server on a free port, with the sandbox's certificate, that answers 304."""
    conditions: list[str | None] = []
    handler = type("Handler", (DescribeOnlyWhenChanged,), {"conditions": conditions})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(sandbox_keys / "server.pem", sandbox_keys / "server-key.pem")
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}", conditions
    server.shutdown()
    server.server_close()


def test_an_unchanged_describe_costs_a_304_and_keeps_the_cached_copy(
    not_modified_server: tuple[str, list[str | None]], sandbox_keys: Path
) -> None:
    url, conditions = not_modified_server
    now = [dt.datetime(2024, 11, 7, 9, 0, 5, tzinfo=dt.UTC)]
    tokens = TokenSet(
        access_token="00D000000000001!AQ.test",
        instance_url=url,
        id_url=f"{url}/id/00D000000000001AAA/005000000000001AAA",
        issued_at=now[0],
    )
    settings = ClientSettings("c304", ca_file=sandbox_keys / "ca.pem")
    client = SalesforceClient(tokens, settings, clock=lambda: now[0])
    payload = client.describe("Contact")
    now[0] += dt.timedelta(hours=2)
    assert client.describe("Contact") == payload
    now[0] += dt.timedelta(minutes=30)
    assert client.describe("Contact") == payload
    # Asked from ten minutes before the fetch: this machine's clock may be ahead of Salesforce's.
    assert conditions == [None, "Thu, 07 Nov 2024 08:50:05 GMT"]
    assert client.usage.snapshot().calls[EndpointKind.DESCRIBE] == 2


def test_describe_is_cached_per_api_version(
    sandbox: SandboxServer, connect: Callable[..., Connected]
) -> None:
    cache = InMemoryDescribeCache()
    connect(sandbox, describe_cache=cache).client.describe("Account")
    older = connect(sandbox, describe_cache=cache, api_version="58.0").client
    older.describe("Account")
    assert older.usage.snapshot().calls[EndpointKind.DESCRIBE] == 1


def test_bulk_query_streams_rows_page_by_page(
    sandbox: SandboxServer, connect: Callable[..., Connected], contacts: list[str]
) -> None:
    client = connect(sandbox, bulk_page_size=200).client
    rows = client.bulk_query("SELECT Id, LastName, Email FROM Contact WHERE Department = 'Paging'")
    first = next(rows)
    assert set(first) == {"Id", "LastName", "Email"}
    assert first["Email"] == ""
    assert sorted([first["Id"], *(r["Id"] for r in rows)]) == sorted(contacts)
    calls = client.usage.snapshot().calls[EndpointKind.BULK]
    assert calls >= 4  # create the job, then 3 result pages of at most 200 rows


def test_bulk_query_all_includes_deleted_records(
    sandbox: SandboxServer, connect: Callable[..., Connected]
) -> None:
    client = connect(sandbox).client
    record_id = client.create("Contact", {"LastName": "Bulk Deleted", "Department": "BulkAll"})
    client.delete("Contact", record_id)
    soql = "SELECT Id, IsDeleted FROM Contact WHERE Department = 'BulkAll'"
    assert list(client.bulk_query(soql)) == []
    assert list(client.bulk_query(soql, include_deleted=True)) == [
        {"Id": record_id, "IsDeleted": "true"}
    ]


def test_a_failed_bulk_query_is_a_bad_request(
    sandbox: SandboxServer, connect: Callable[..., Connected]
) -> None:
    client = connect(sandbox).client
    with pytest.raises(BadRequest) as caught:
        list(client.bulk_query("SELECT Emial FROM Contact"))
    assert caught.value.error_code == "INVALID_FIELD"


def test_a_client_reports_only_the_status_its_own_calls_have_shown(
    sandbox: SandboxServer,
) -> None:
    stored = ConnectionStatus(State.NEEDS_ATTENTION, Problem.AUTHENTICATION_LOST, "log in again")
    client = client_for(sandbox, status=stored).client

    before = client.observed_status
    client.describe("Contact")

    assert before is None and client.observed_status == client.status
    assert client.status.state is State.CONNECTED
