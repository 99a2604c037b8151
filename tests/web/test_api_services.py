"""The REST API of services, as the product uses it with its token: services and their
streams, the contact book page by page, messages recorded, a stream run at the next tick, and
the runs that follow."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from simple_salesforce import Salesforce

from forcebridge.jobs.embedded import EmbeddedEngine
from forcebridge.jobs.execute import Execution
from forcebridge.jobs.runners import product_registry
from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.models import Connection, PullObjects
from forcebridge.store.repositories.contacts import insert_contacts
from forcebridge.store.repositories.orgs import get_org
from forcebridge.store.repositories.services import create_service, get_service
from forcebridge.store.types import utcnow
from forcebridge.sync.documents import service_document
from forcebridge.sync.service_days import move_service
from tests.web.conftest import AdminPages, AdminPagesFactory, Api
from tests.web.test_activity_windows import unwritten
from tests.web.test_runs import record_run
from tests.web.test_services import acme_support


def add_contacts(pages: AdminPages, service: str, count: int) -> list[int]:
    with pages.runtime.sessions() as session:
        found = get_service(session, f"acme/{service}")
        rows = [
            {
                "last_name": f"Doe {n}",
                "email": f"doe{n}@example.com",
                "email_normalized": f"doe{n}@example.com",
            }
            for n in range(count)
        ]
        ids = insert_contacts(session, found.id, rows)
        session.commit()
        return ids


def message(**fields: Any) -> dict[str, Any]:
    sent = (utcnow() - dt.timedelta(minutes=30)).isoformat()
    return {
        "direction": "inbound",
        "channel": "sms",
        "body": "Open today?",
        "sent_at": sent,
        **fields,
    }


@pytest.mark.parametrize("limit", [None, 1, 3, 7])
@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_paging_walks_the_whole_contact_book_once_in_id_order(
    admin_pages_factory: AdminPagesFactory, backend: str, limit: int | None
) -> None:
    pages = admin_pages_factory(backend=backend)
    pages.add_admin("acme", "ann@acme.example.com")
    pages.add_service("acme", "shop")
    pages.add_service("acme", "other")
    ids = add_contacts(pages, "shop", 7)
    add_contacts(pages, "other", 2)
    api = Api(pages)

    seen: list[int] = []
    pages_read = 0
    after: int | None = 0
    while after is not None:
        params = {"after": after} | ({"limit": limit} if limit else {})
        answer = api.get("/services/shop/contacts", **params)
        assert answer.status_code == 200
        page = answer.json()
        seen += [contact["id"] for contact in page["contacts"]]
        after = page["next_after"]
        pages_read += 1

    assert seen == sorted(ids)
    assert pages_read == {None: 1, 1: 7, 3: 3, 7: 1}[limit]


def test_a_contact_reads_as_contacts_list_prints_it(api: Api) -> None:
    (contact_id,) = add_contacts(api.pages, "shop", 1)

    (contact,) = api.get("/services/shop/contacts").json()["contacts"]

    assert contact["id"] == contact_id
    assert (contact["last_name"], contact["email"]) == ("Doe 0", "doe0@example.com")
    assert (contact["identities"], contact["custom"], contact["deleted_in_source"]) == (
        [],
        {},
        False,
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=5001", "limit"),
        ("limit=0", "limit"),
        ("after=x", "after"),
        (f"after={2**31}", "after"),
    ],
)
def test_a_page_out_of_bounds_is_refused_naming_the_field(api: Api, query: str, field: str) -> None:
    answer = api.pages.client.get(f"/api/v1/services/shop/contacts?{query}", headers=api.headers)

    assert answer.status_code == 422
    assert answer.json()["error"] == "invalid_request"
    assert f"{field}:" in answer.json()["message"]


def test_an_unknown_service_is_not_found_by_its_name(api: Api) -> None:
    answer = api.get("/services/shoppe/contacts")

    assert answer.status_code == 404
    assert answer.json() == {
        "error": "not_found",
        "message": "No service 'shoppe' in your organisation.",
    }


@pytest.mark.parametrize(
    "path",
    [
        "/runs?service=acme/shop",
        "/runs/99999999999",
        "/runs/0",
        "/runs/abc",
        "/services/shop%00/contacts",
    ],
)
def test_a_name_or_id_no_service_or_run_can_have_is_not_found(api: Api, path: str) -> None:
    answer = api.pages.client.get(f"/api/v1{path}", headers=api.headers)

    assert (answer.status_code, answer.json()["error"]) == (404, "not_found")


def test_a_body_larger_than_the_cap_is_refused_before_it_is_read(api: Api) -> None:
    huge = [message(email="doe@example.com", body="x" * 4_000) for _ in range(4_500)]

    answer = api.post("/services/shop/messages", {"messages": huge})

    assert (answer.status_code, answer.json()["error"]) == (413, "too_large")


def test_a_body_sent_in_chunks_past_the_cap_is_refused_as_too_large(api: Api) -> None:
    """No length announced: the cap is counted as the body comes."""
    chunks = (b"x" * 2**20 for _ in range(17))
    headers = {**api.headers, "Content-Type": "application/json"}

    answer = api.pages.client.post(
        "/api/v1/services/shop/messages", content=chunks, headers=headers
    )

    assert (answer.status_code, answer.json()["error"]) == (413, "too_large")


def test_a_body_no_json_reader_takes_is_an_invalid_request_not_a_parse_error(api: Api) -> None:
    nested = b"[" * 100_000 + b"]" * 100_000
    headers = {**api.headers, "Content-Type": "application/json"}

    answer = api.pages.client.post(
        "/api/v1/services/shop/messages", content=nested, headers=headers
    )

    assert (answer.status_code, answer.json()["error"]) == (422, "invalid_request")
    assert "body" in answer.json()["message"]


def test_a_missing_or_refused_token_says_how_to_authenticate(api: Api) -> None:
    answer = api.pages.client.get("/api/v1/services", headers={"Authorization": "Bearer nope"})

    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_messages_are_recorded_once_and_a_bad_one_named_by_position_and_field(api: Api) -> None:
    (contact_id,) = add_contacts(api.pages, "shop", 1)
    body = {
        "messages": [
            message(contact_id=contact_id, external_id="m-1"),
            message(email="DOE0@example.com", body="Yes, until 6pm.", direction="outbound"),
            message(contact_id=contact_id, direction="sideways"),
        ]
    }

    first = api.post("/services/shop/messages", body)
    again = api.post("/services/shop/messages", body)

    assert first.status_code == 200
    report = first.json()
    assert (report["service"], report["read"], report["imported"]) == ("acme/shop", 3, 2)
    assert report["rejected"] == 1
    (error,) = report["errors"]
    assert (error["line"], error["field"]) == (3, "direction")
    assert (again.json()["imported"], again.json()["duplicates"]) == (0, 2)


def test_a_misspelt_key_of_a_message_is_named_with_the_field_it_may_be_a_misspelling_of(
    api: Api,
) -> None:
    (contact_id,) = add_contacts(api.pages, "shop", 1)
    posted = message(contact_id=contact_id)
    posted["sentat"] = posted.pop("sent_at")

    answer = api.post("/services/shop/messages", {"messages": [posted]})

    assert answer.status_code == 200
    assert {"line": 1, "field": "sentat"}.items() <= answer.json()["errors"][0].items()
    assert answer.json()["errors"][0]["message"].startswith(
        "unknown field (did you mean 'sent_at'?): the fields are contact_id, "
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "messages"),
        ({"messages": "hello"}, "messages"),
        ({"messages": ["hello"]}, "messages.1"),
        ({"messages": [], "service": "shop"}, "service"),
        ([], "body"),
    ],
)
def test_a_body_that_is_no_list_of_messages_is_refused_naming_the_field(
    api: Api, body: Any, field: str
) -> None:
    answer = api.post("/services/shop/messages", body)

    assert answer.status_code == 422
    assert answer.json()["error"] == "invalid_request"
    assert f"{field}:" in answer.json()["message"]


def test_a_body_that_is_not_json_is_refused(api: Api) -> None:
    answer = api.pages.client.post(
        "/api/v1/services/shop/messages",
        content=b"phone,body\n",
        headers={**api.headers, "Content-Type": "application/json"},
    )

    assert answer.status_code == 422
    assert answer.json()["error"] == "invalid_request"
    assert "body: JSON decode error" in answer.json()["message"]


def test_runs_read_as_runs_list_and_show_print_them(api: Api) -> None:
    first = record_run(api.pages, "acme", "pull:Contact")
    second = record_run(api.pages, "acme", "export")

    listed = api.get("/runs").json()
    limited = api.get("/runs", limit=1).json()
    older = api.get("/runs", limit=1, before=limited["next_before"]).json()
    shown = api.get(f"/runs/{first}").json()

    assert [run["run_id"] for run in listed["runs"]] == [second, first]
    assert listed["next_before"] is None
    assert [run["run_id"] for run in limited["runs"]] == [second]
    assert limited["next_before"] == second
    assert ([run["run_id"] for run in older["runs"]], older["next_before"]) == ([first], None)
    assert api.get("/runs", before=999999).status_code == 404
    assert (shown["stream"], shown["status"], shown["read"], shown["api_calls"]) == (
        "pull:Contact",
        "partial",
        40,
        7,
    )
    (entry,) = shown["log"]
    assert (entry["field"], entry["code"]) == ("Email", "invalid_email")
    assert api.get("/runs/999999").status_code == 404
    assert api.get("/runs/abc").status_code == 404


def test_run_now_on_a_service_without_a_connection_says_why(api: Api) -> None:
    answer = api.post("/services/shop/streams/activities/run-now")
    unknown = api.post("/services/shop/streams/export/run-now")

    assert answer.status_code == 409
    assert answer.json()["error"] == "stream_off"
    assert "no Salesforce connection" in answer.json()["message"]
    assert unknown.status_code == 404
    assert "'export'" in unknown.json()["message"]
    described = api.pages.client.get("/api/v1/openapi.json", headers=api.headers).json()
    run_now = described["paths"]["/api/v1/services/{service}/streams/{stream}/run-now"]["post"]
    assert "409" in run_now["responses"]  # documented as it is answered


def _tick(pages: AdminPages) -> list[Execution]:
    """What the embedded scheduler runs at its next tick."""
    engine = EmbeddedEngine(pages.runtime, product_registry())
    try:
        return engine.run_due_once()
    finally:
        engine.stop()


def test_messages_posted_are_logged_to_salesforce_at_the_tick_after_run_now(
    pages: AdminPages, sandbox: SandboxServer, sf: Salesforce
) -> None:
    connection_id = pages.connect_to("acme", sandbox)
    with pages.runtime.sessions() as session:
        shop = create_service(
            session,
            get_org(session, "acme"),
            "shop",
            connection=session.get(Connection, connection_id),
        )
        shop.pull_objects = PullObjects.CONTACTS
        session.commit()
    email = f"ada.{uuid.uuid4().hex[:8]}@example.com"  # the sandbox is shared between tests
    salesforce_id = sandbox.org.create("Contact", {"LastName": "Okafor", "Email": email})
    api = Api(pages)
    _tick(pages)  # the first pull, and a push with nothing to write

    posted = api.post("/services/shop/messages", {"messages": [message(email=email)]})
    asked = api.post("/services/shop/streams/activities/run-now")
    ran = _tick(pages)
    runs = api.get("/runs", service="shop").json()["runs"]
    (service,) = api.get("/services").json()["services"]

    assert posted.json()["imported"] == 1
    assert asked.status_code == 202
    (stream,) = asked.json()["streams"]
    assert (stream["stream"], stream["status"]) == ("activities", "OK")
    assert dt.datetime.fromisoformat(stream["next_run_at"]) <= utcnow()
    assert [execution.stream for execution in ran] == ["activities"]
    assert (runs[0]["stream"], runs[0]["status"], runs[0]["created"]) == (
        "activities",
        "succeeded",
        1,
    )
    tasks = sf.query(f"SELECT Subject, Description FROM Task WHERE WhoId = '{salesforce_id}'")
    assert tasks["totalSize"] == 1
    assert "Open today?" in tasks["records"][0]["Description"]
    assert (service["name"], service["connection"], service["pull"]) == (
        "shop",
        "sandbox",
        "contacts",
    )
    assert {s["stream"]: s["status"] for s in service["streams"]} == {
        "activities": "OK",
        "pull:Contact": "OK",
        "reconcile": "OK",
    }


def test_run_now_pull_schedules_each_pull_stream_of_the_service(
    pages: AdminPages, sandbox: SandboxServer
) -> None:
    connection_id = pages.connect_to("acme", sandbox)
    with pages.runtime.sessions() as session:
        create_service(
            session,
            get_org(session, "acme"),
            "shop",
            connection=session.get(Connection, connection_id),
        )
        session.commit()
    api = Api(pages)
    _tick(pages)
    _tick(pages)  # the service's two pulls run one after the other

    asked = api.post("/services/shop/streams/pull/run-now")
    ran = _tick(pages)

    assert asked.status_code == 202
    assert [s["stream"] for s in asked.json()["streams"]] == ["pull:Contact", "pull:Lead"]
    assert {execution.stream for execution in ran} <= {"pull:Contact", "pull:Lead"}
    assert ran and "activities" not in {execution.stream for execution in ran}


def test_a_services_zone_and_its_pending_change_read_as_the_command_line_prints_them(
    api: Api, pages: AdminPages
) -> None:
    now = utcnow()
    with pages.runtime.sessions() as session:
        move_service(get_service(session, "acme/shop"), "Asia/Tokyo", now)
        session.commit()
        expected = service_document(get_service(session, "acme/shop"))

    (shown,) = api.get("/services").json()["services"]

    assert (shown["timezone"], shown["timezone_change"]) == (
        expected["timezone"],
        expected["timezone_change"],
    )
    assert shown["timezone_change"]["from"] == "UTC"
    assert shown["timezone_change"]["to"] == "Asia/Tokyo"
    assert dt.datetime.fromisoformat(shown["timezone_change"]["takes_effect_at"]) > now


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_each_service_counts_its_parked_and_held_activity_windows_as_service_status_does(
    admin_pages_factory: AdminPagesFactory, sandbox: SandboxServer, sf: Salesforce, backend: str
) -> None:
    """Null for a service without a connection, which has pushed nothing."""
    pages = acme_support(admin_pages_factory(backend=backend), sandbox)
    pages.add_service("acme", "bare")
    unwritten(pages, sf, parked=1, held=2)

    services = Api(pages).get("/services").json()["services"]

    assert {s["name"]: s["activity_windows"] for s in services} == {
        "bare": None,
        "support": {"parked": 1, "held": 2},
    }
