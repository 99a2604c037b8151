"""The product's runners, driven by the embedded engine against a real sandbox org."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from forcebridge.jobs.embedded import EmbeddedEngine
from forcebridge.jobs.execute import Execution, Outcome
from forcebridge.jobs.runners import product_registry
from forcebridge.jobs.runtime import Runtime
from forcebridge.jobs.schedules import retry_streams_now, service_schedules
from forcebridge.sandbox.limits import FaultSettings
from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.models import Connection, PullObjects, RunStatus, Service, UpdateOption
from forcebridge.store.repositories.contacts import list_contacts
from forcebridge.store.repositories.mappings import save_mapping
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service
from forcebridge.store.types import utcnow
from forcebridge.sync.connections import connect_with_password
from tests.jobs.recording import recorded_runs


def _connected_service(session: Session, sandbox: SandboxServer) -> int:
    create_org(session, "shop")
    session.commit()
    connection = connect_with_password(
        session,
        "shop",
        "sandbox",
        login_url=sandbox.base_url,
        client_id=sandbox.config.client_id,
        client_secret=sandbox.config.client_secret,
        username=sandbox.config.username,
        password=sandbox.config.password,
        ca_file=sandbox.ca_file,
    )
    service = create_service(session, connection.org, "front-desk", connection=connection)
    service.pull_objects = PullObjects.CONTACTS
    session.commit()
    return service.id


def _sharing_service(session: Session, first: Service) -> Service:
    """A second service pulling Contacts through `first`'s connection: they share a read."""
    second = create_service(session, first.org, "back-office", connection=first.connection)
    second.pull_objects = PullObjects.CONTACTS
    session.commit()
    return second


def _run_due_once(runtime: Runtime) -> list[Execution]:
    """What the embedded engine runs at one tick."""
    engine = EmbeddedEngine(runtime, product_registry())
    try:
        return engine.run_due_once()
    finally:
        engine.stop()


def test_the_embedded_engine_pulls_contacts_and_pushes_activities_on_schedule(
    runtime: Runtime, session: Session, sandbox: SandboxServer
) -> None:
    service_id = _connected_service(session, sandbox)
    sandbox.org.create("Contact", {"LastName": "Okafor", "Email": "ada.okafor@example.com"})
    executions = _run_due_once(runtime)

    assert {(e.stream, e.outcome) for e in executions} == {
        ("pull:Contact", Outcome.SUCCEEDED),
        ("activities", Outcome.SUCCEEDED),
    }
    assert {(r.stream, r.status) for r in recorded_runs(runtime)} == {
        ("pull:Contact", RunStatus.SUCCEEDED),
        ("activities", RunStatus.SUCCEEDED),
    }
    session.expire_all()
    service = session.get_one(Service, service_id)
    assert "ada.okafor@example.com" in {c.email for c in list_contacts(session, service)}
    with runtime.engine.connect() as connection:
        assert service_schedules(connection, service_id)["pull:Contact"].consecutive_failures == 0


def test_a_person_who_is_a_lead_and_a_contact_is_one_contact_when_the_scheduler_pulls_both(
    runtime: Runtime, session: Session, sandbox: SandboxServer
) -> None:
    """The two pulls of a new service are due together; run at once, each would make the
    person a contact of its own."""
    service_id = _connected_service(session, sandbox)
    session.get_one(Service, service_id).pull_objects = PullObjects.BOTH
    session.commit()
    email = f"ada.{uuid.uuid4().hex[:8]}@example.com"  # the sandbox is shared between tests
    person = {"LastName": "Okafor", "Email": email}
    sandbox.org.create("Contact", person)
    sandbox.org.create("Lead", {**person, "Company": "Okafor Ltd"})
    engine = EmbeddedEngine(runtime, product_registry())
    try:
        first = engine.run_due_once()
        second = engine.run_due_once()
    finally:
        engine.stop()

    pulls = [e.stream for e in first + second if e.stream.startswith("pull")]
    assert sorted(pulls) == ["pull:Contact", "pull:Lead"]
    session.expire_all()
    okafors = [
        c for c in list_contacts(session, session.get_one(Service, service_id))
        if c.email == email
    ]  # fmt: skip
    assert len(okafors) == 1
    assert {i.source for i in okafors[0].identities} == {"salesforce:Contact", "salesforce:Lead"}


def test_the_daily_reconciliation_runs_once_due(
    runtime: Runtime, session: Session, sandbox: SandboxServer
) -> None:
    service_id = _connected_service(session, sandbox)
    engine = EmbeddedEngine(runtime, product_registry())
    try:
        first = engine.run_due_once()
        with runtime.engine.begin() as connection:
            retry_streams_now(connection, service_id, utcnow(), ["reconcile"])
        second = engine.run_due_once()
    finally:
        engine.stop()

    assert "reconcile" not in {e.stream for e in first}
    assert {(e.stream, e.outcome) for e in second} == {("reconcile", Outcome.SUCCEEDED)}
    assert ("reconcile", RunStatus.SUCCEEDED) in {
        (r.stream, r.status) for r in recorded_runs(runtime)
    }


def test_a_connection_whose_authorization_is_lost_flags_its_streams(
    runtime: Runtime, session: Session, sandbox: SandboxServer
) -> None:
    service_id = _connected_service(session, sandbox)
    connection = session.get_one(Connection, 1)
    connection.access_token = "00D000000000001!revoked"
    connection.password = "not-the-password"
    session.commit()
    executions = _run_due_once(runtime)

    assert {e.outcome for e in executions} == {Outcome.FAILED}
    with runtime.engine.connect() as db:
        schedules = service_schedules(db, service_id)
    schedules.pop("reconcile")  # not due yet, so not run
    assert {s.needs_attention for s in schedules.values()} == {"authentication_lost"}
    assert all("reconnect" in (s.last_error or "") for s in schedules.values())


def test_scheduled_runs_that_each_time_out_add_up_to_an_unstable_connection(
    runtime: Runtime,
    session: Session,
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Salesforce that stops answering: the pull's and the push's clients each give up after
    two timed-out tries, never three; the connection, which every run's client counts on,
    shows it all the same, and the streams retry (a temporary failure)."""
    service_id = _connected_service(session, sandbox)
    sandbox.set_faults(FaultSettings(latency_ms=1_500))
    monkeypatch.setenv("FORCEBRIDGE_SALESFORCE_TIMEOUT", "0.3")

    executions = _run_due_once(runtime)

    assert {(e.stream, e.outcome) for e in executions} == {
        ("pull:Contact", Outcome.FAILED),
        ("activities", Outcome.FAILED),
    }
    connection = session.get_one(Connection, 1)
    session.refresh(connection)
    assert (connection.status_problem, connection.temporary_failures) == ("unstable", 4)
    with runtime.engine.connect() as db:
        schedules = service_schedules(db, service_id)
    assert {schedules[s].needs_attention for s in ("pull:Contact", "activities")} == {None}
    assert all("after trying 2 times" in (schedules[s].last_error or "") for s in schedules
               if s != "reconcile")  # fmt: skip


def test_services_sharing_a_connection_are_pulled_by_one_run_and_their_schedules_move_with_it(
    runtime: Runtime, session: Session, sandbox: SandboxServer
) -> None:
    first_id = _connected_service(session, sandbox)
    first = session.get_one(Service, first_id)
    second = _sharing_service(session, first)
    sandbox.org.create("Contact", {"LastName": "Okafor", "Email": "ada.okafor@example.com"})
    engine = EmbeddedEngine(runtime, product_registry())
    try:
        executions = engine.run_due_once()
        again = engine.run_due_once()
    finally:
        engine.stop()

    pulls = [(e.service_id, e.outcome) for e in executions if e.stream == "pull:Contact"]
    assert pulls == [(first_id, Outcome.SUCCEEDED)]
    session.expire_all()
    for service in (first, second):
        assert "ada.okafor@example.com" in {c.email for c in list_contacts(session, service)}
    with runtime.engine.connect() as connection:
        moved = service_schedules(connection, second.id)["pull:Contact"].next_run_at
    assert moved > utcnow()
    assert "pull:Contact" not in {e.stream for e in again}


def test_services_pulling_both_objects_pay_one_read_an_object_whatever_their_order(
    runtime: Runtime, session: Session, sandbox: SandboxServer
) -> None:
    """Each service's pull:Contact and pull:Lead come due together: a tick that ran one
    service's Leads beside the other's Contacts had each read leave the other service out,
    so every service paid for every object."""
    first = session.get_one(Service, _connected_service(session, sandbox))
    second = _sharing_service(session, first)
    first.pull_objects = second.pull_objects = PullObjects.BOTH
    session.commit()
    engine = EmbeddedEngine(runtime, product_registry())
    try:
        for _ in range(3):
            engine.run_due_once()
    finally:
        engine.stop()

    pulls = [r for r in recorded_runs(runtime) if r.stream.startswith("pull:")]
    paid = sorted(r.stream for r in pulls if r.api_calls)
    assert paid == ["pull:Contact", "pull:Lead"]  # one read of each object, for both services
    assert {(r.service_id, r.stream) for r in pulls} == {
        (service.id, stream) for service in (first, second) for stream in paid
    }


def test_services_sharing_a_failing_read_back_off_with_it_instead_of_each_leading_the_next(
    runtime: Runtime, session: Session, sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The authorization is lost: one failed read, and every service it served waits, rather
    than the next one leading another failed read at the next tick; the log says why for
    each of them."""
    first_id = _connected_service(session, sandbox)
    first = session.get_one(Service, first_id)
    second = _sharing_service(session, first)
    engine = EmbeddedEngine(runtime, product_registry())
    try:
        engine.run_due_once()  # the describes are cached: the next read is shared at once
        connection = session.get_one(Connection, 1)
        connection.access_token = "00D000000000001!revoked"
        connection.password = "not-the-password"
        session.commit()
        with runtime.engine.begin() as db:
            for service_id in (first_id, second.id):
                retry_streams_now(db, service_id, utcnow(), ["pull:Contact"])
        with caplog.at_level(logging.WARNING, logger="forcebridge.jobs"):
            failed = engine.run_due_once()
        again = engine.run_due_once()
    finally:
        engine.stop()

    with runtime.engine.connect() as db:
        stream = service_schedules(db, second.id)["pull:Contact"]
    warned = [r.getMessage() for r in caplog.records]
    for service_id in (first_id, second.id):
        prefix = f"stream pull:Contact of service {service_id} failed: "
        assert any(m.startswith(prefix) and "authoriz" in m for m in warned), warned
    assert [e.outcome for e in failed if e.stream == "pull:Contact"] == [Outcome.FAILED]
    assert (stream.needs_attention, stream.consecutive_failures) == ("authentication_lost", 1)
    assert "pull:Contact" not in {e.stream for e in again}


def _map_a_deleted_field(session: Session, service: Service) -> None:
    save_mapping(session, service, "Contact", [("Region__c", "city", UpdateOption.OVERWRITE)])


def _break_the_custom_query(session: Session, service: Service) -> None:
    service.pull_objects = PullObjects.CUSTOM
    service.pull_soql = "SELECT Id, LastName FROM Contact WHERE"


def _query_a_deleted_field(session: Session, service: Service) -> None:
    service.pull_objects = PullObjects.CUSTOM
    service.pull_soql = "SELECT Id, LastName FROM Contact WHERE Region__c = 'West'"
    save_mapping(session, service, "Contact", [("LastName", "last_name", UpdateOption.OVERWRITE)])


@pytest.mark.parametrize(
    ("misconfigure", "stream", "problem", "reason"),
    [
        (_map_a_deleted_field, "pull:Contact", "mapping_invalid", "Region__c"),
        (_break_the_custom_query, "pull:custom", "query_invalid", "does not parse"),
        (_query_a_deleted_field, "pull:custom", "query_invalid", "Region__c"),
    ],
)
def test_a_stream_that_cannot_run_as_configured_needs_attention_not_retries(
    runtime: Runtime,
    session: Session,
    sandbox: SandboxServer,
    misconfigure: Callable[[Session, Service], None],
    stream: str,
    problem: str,
    reason: str,
) -> None:
    """Waiting cannot bring a deleted field back or mend a query: the stream is flagged for a
    person, with what to fix named, instead of being retried every few minutes."""
    service_id = _connected_service(session, sandbox)
    misconfigure(session, session.get_one(Service, service_id))
    session.commit()
    executions = _run_due_once(runtime)

    assert (stream, Outcome.FAILED) in {(e.stream, e.outcome) for e in executions}
    with runtime.engine.connect() as db:
        pulled = service_schedules(db, service_id)[stream]
    assert pulled.needs_attention == problem  # what to fix: the mapping, or the query
    assert pulled.last_error is not None and reason in pulled.last_error
