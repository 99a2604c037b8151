"""The OpenAPI description held against the server's real answers: each operation lists the
statuses it answers, each answer has the shape documented for it (key by key), with the
headers documented, and every schema speaks JSON Schema, as the tools that read it do."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.models.base import MAX_ID
from forcebridge.store.repositories.connections import get_connection, record_api_usage
from forcebridge.store.repositories.contacts import Identity, add_identities
from forcebridge.store.repositories.export_preferences import allow_objects
from forcebridge.store.repositories.leases import EXPORT as EXPORT_LEASE
from forcebridge.store.repositories.leases import OrgScope, take_lease
from forcebridge.store.repositories.orgs import get_org
from forcebridge.store.repositories.services import create_service, get_service
from forcebridge.store.types import utcnow
from forcebridge.sync.service_days import move_service
from forcebridge.web.api_services import RUN_NOW
from tests.web.conftest import AdminPages, Api
from tests.web.json_schema import problems, resolve, schemas_in, unknown_keywords
from tests.web.test_api import add_connection
from tests.web.test_api_services import add_contacts, message
from tests.web.test_runs import record_run

SHOP = "/api/v1/services/shop"
UTF16 = '{"messages": []}'.encode("utf-16")
EXPORT = {
    "object": "Lead",
    "connection": "sandbox",
    "prospects": [
        {"last_name": "Lovelace", "email": "ada@acme.example.com", "company_name": "Acme"},
        {"last_name": "Bob", "email": "bob@"},
    ],
}
"""Prospects to export through acme's sandbox connection, the second failing."""


@dataclass(frozen=True)
class Call:
    """A request, and the operation whose description answers for it: its own, or, for a
    method the path does not take, the one the path does take."""

    operation: str
    """`GET /api/v1/runs`, as the description lists it."""
    status: int
    method: str = ""
    url: str = ""
    caller: str = "token"
    """`token`, `session` (an admin's cookie, no form token) or `stranger` (neither)."""
    options: dict[str, Any] = field(default_factory=dict)

    def request(self) -> tuple[str, str]:
        method, path = self.operation.split(" ", 1)
        return self.method or method, self.url or path


CALLS = [
    Call("GET /api/v1/connections", 200),
    Call("GET /api/v1/connections", 401, caller="stranger"),
    Call("GET /api/v1/connections", 405, method="DELETE"),
    Call("GET /api/v1/services", 200),
    Call("GET /api/v1/services", 401, caller="stranger"),
    Call("GET /api/v1/services", 405, method="POST"),
    Call("GET /api/v1/services/{service}/contacts", 200, url=f"{SHOP}/contacts"),
    Call("GET /api/v1/services/{service}/contacts", 401, url=f"{SHOP}/contacts", caller="stranger"),
    Call("GET /api/v1/services/{service}/contacts", 404, url="/api/v1/services/shoppe/contacts"),
    Call("GET /api/v1/services/{service}/contacts", 405, method="POST", url=f"{SHOP}/contacts"),
    Call("GET /api/v1/services/{service}/contacts", 422, url=f"{SHOP}/contacts?limit=0"),
    *(
        Call(
            "POST /api/v1/services/{service}/messages",
            status,
            url=url or f"{SHOP}/messages",
            caller=caller,
            options=options or {"json": {"messages": [message(email="ada@example.com"), {}]}},
        )
        for status, url, caller, options in [
            (200, "", "token", {}),
            (401, "", "stranger", {}),
            (403, "", "session", {}),
            (404, "/api/v1/services/shoppe/messages", "token", {}),
            (413, "", "token", {"content": (b"x" * 2**20 for _ in range(17))}),
            (415, "", "token", {"content": b"{}", "headers": {"Content-Type": "text/plain"}}),
            (422, "", "token", {"json": {"messages": "none"}}),
            (422, "", "token", {"content": UTF16, "headers": {"Content-Type": "application/json"}}),
        ]
    ),
    Call("POST /api/v1/services/{service}/messages", 405, method="GET", url=f"{SHOP}/messages"),
    *(
        Call("POST /api/v1/services/{service}/streams/{stream}/run-now", status, url=url, caller=c)
        for status, url, c in [
            (202, f"{SHOP}/streams/pull/run-now", "token"),
            (202, f"{SHOP}/streams/activities/run-now", "token"),
            (401, f"{SHOP}/streams/pull/run-now", "stranger"),
            (403, f"{SHOP}/streams/pull/run-now", "session"),
            (404, f"{SHOP}/streams/export/run-now", "token"),
            (409, "/api/v1/services/bare/streams/pull/run-now", "token"),
        ]
    ),
    Call(
        "POST /api/v1/services/{service}/streams/{stream}/run-now",
        405,
        method="GET",
        url=f"{SHOP}/streams/pull/run-now",
    ),
    Call("GET /api/v1/runs", 200),
    Call("GET /api/v1/runs", 401, caller="stranger"),
    Call("GET /api/v1/runs", 404, url="/api/v1/runs?before=999999"),
    Call("GET /api/v1/runs", 405, method="DELETE"),
    Call("GET /api/v1/runs", 422, url="/api/v1/runs?limit=0"),
    Call("GET /api/v1/runs/{run_id}", 200, url="/api/v1/runs/1"),
    Call("GET /api/v1/runs/{run_id}", 401, url="/api/v1/runs/1", caller="stranger"),
    *(
        Call("GET /api/v1/runs/{run_id}", 404, url=f"/api/v1/runs/{run_id}")
        for run_id in ("2", "abc", "0", "01", str(MAX_ID + 1))
    ),
    Call("GET /api/v1/runs/{run_id}", 405, method="DELETE", url="/api/v1/runs/1"),
    *(  # after the runs': their dry runs are runs too
        Call("POST /api/v1/exports", status, url="/api/v1/exports", caller=caller, options=options)
        for status, caller, options in [
            (200, "token", {"json": EXPORT | {"dry_run": True}}),
            (200, "token", {"json": EXPORT | {"object": "Contact", "dry_run": True}}),
            (401, "stranger", {"json": EXPORT}),
            (403, "session", {"json": EXPORT}),
            (409, "token", {"json": EXPORT}),  # `stocked` holds the lease of a real export
            (413, "token", {"content": (b"x" * 2**20 for _ in range(17))}),
            (415, "token", {"content": b"{}", "headers": {"Content-Type": "text/plain"}}),
            (422, "token", {"json": EXPORT | {"object": "Account"}}),
        ]
    ),
    Call("POST /api/v1/exports", 405, method="GET"),
]
"""A request for each status each operation answers (but 500, a fault of the server's)."""


@pytest.fixture
def stocked(api: Api, sandbox: SandboxServer) -> Api:
    """acme with a connection (its API usage reported), `shop` on it with a contact and a
    pending zone change, `bare` with no connection, and a run with its log; and a connection
    to the sandbox, which it may export Leads and Contacts to, while another export holds the
    org's lease (a dry run does not wait for it)."""
    pages = api.pages
    add_connection(pages, "production", limit_reached=True)
    pages.connect_to("acme", sandbox)
    (contact_id,) = add_contacts(pages, "shop", 1)
    with pages.runtime.sessions() as session:
        org = get_org(session, "acme")
        shop = get_service(session, "acme/shop")
        shop.connection = get_connection(session, org, "production")
        record_api_usage(session, shop.connection, 1200, 100_000)
        move_service(shop, "Asia/Tokyo", utcnow())
        add_identities(session, shop.id, [Identity(contact_id, "salesforce:Contact", "003x")])
        create_service(session, org, "bare")
        allow_objects(session, org, ["Lead", "Contact", "Account"])
        session.commit()
        lease = OrgScope(org.id), EXPORT_LEASE, "worker at elsewhere:1:1", timedelta(minutes=2)
    assert take_lease(pages.runtime.engine, *lease)
    record_run(pages, "acme", "pull:Contact")
    return api


def _answers(api: Api, calls: list[Call]) -> Iterator[tuple[Call, Any]]:
    stranger = TestClient(api.pages.client.app)
    api.pages.log_in("acme", "ann@acme.example.com")
    for call in calls:
        method, url = call.request()
        options = dict(call.options)
        headers = options.pop("headers", {})
        if call.caller == "token":
            headers = {**api.headers, **headers}
        client = stranger if call.caller == "stranger" else api.pages.client
        yield call, client.request(method, url, headers=headers, **options)


def test_every_answer_is_documented_for_its_operation_with_its_status_shape_and_headers(
    stocked: Api,
) -> None:
    described = stocked.pages.client.get("/api/v1/openapi.json").json()
    found: list[str] = []
    answered: dict[str, set[str]] = {}

    for call, answer in _answers(stocked, CALLS):
        method, path = call.operation.split(" ", 1)
        responses = described["paths"][path][method.lower()]["responses"]
        said = f"{call.request()} {answer.status_code}"
        answered.setdefault(call.operation, set()).add(str(answer.status_code))
        if answer.status_code != call.status:
            found.append(f"{said}: expected {call.status}: {answer.text[:200]}")
        documented = responses.get(str(answer.status_code))
        if documented is None:
            found.append(f"{said}: status not documented (only {sorted(responses)})")
            continue
        schema = resolve(described, documented["content"]["application/json"]["schema"])
        body = answer.json()
        found += [f"{said}: {problem}" for problem in problems(described, schema, body)]
        if set(schema.get("properties", {})) != set(body):
            found.append(f"{said}: keys {sorted(body)} documented as {schema.get('properties')}")
        found += [
            f"{said}: no {name} header"
            for name in documented.get("headers", {})
            if name not in answer.headers
        ]
    for operation, statuses in answered.items():
        method, path = operation.split(" ", 1)
        listed = set(described["paths"][path][method.lower()]["responses"]) - {"500"}
        if listed != statuses:
            found.append(f"{operation}: documents {sorted(listed)}, answers {sorted(statuses)}")

    assert found == []
    assert set(answered) == {
        f"{method.upper()} {path}"
        for path, operations in described["paths"].items()
        for method in operations
    }


def test_every_schema_speaks_json_schema(pages: AdminPages) -> None:
    """`ge`, `le` (pydantic's names for `minimum`, `maximum`) and the like are ignored by the
    tools that read the description."""
    described = pages.client.get("/api/v1/openapi.json").json()

    unknown = {
        where: sorted(unknown_keywords(schema))
        for where, schema in schemas_in(described)
        if unknown_keywords(schema)
    }

    assert unknown == {}


def test_run_now_and_a_run_are_described_as_the_server_answers(pages: AdminPages) -> None:
    described = pages.client.get("/api/v1/openapi.json").json()
    run_now = described["paths"]["/api/v1/services/{service}/streams/{stream}/run-now"]["post"]
    run = described["paths"]["/api/v1/runs/{run_id}"]["get"]
    (stream,) = [p for p in run_now["parameters"] if p["name"] == "stream"]
    (run_id,) = run["parameters"]

    assert stream["schema"]["enum"] == list(RUN_NOW) == ["pull", "activities"]
    assert (run_id["schema"]["minimum"], run_id["schema"]["maximum"]) == (1, MAX_ID)
    assert "422" not in run["responses"]  # an id no run can have is not found, as said
    assert "not found (404)" in run_id["description"]
    assert (
        "unless a run from the command line succeeds before then"
        in (run_now["responses"]["202"]["description"])
    )
