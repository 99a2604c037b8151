"""The activity log end to end: the store (SQLite and PostgreSQL) and the sandbox over HTTPS."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from simple_salesforce import Salesforce
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from forcebridge.salesforce.client import SalesforceClient
from forcebridge.sandbox.ids import make_id
from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.crypto import Keyring
from forcebridge.store.engine import make_engine, make_sessionmaker
from forcebridge.store.models import (
    ActivityTarget,
    ActivityWindow,
    Direction,
    Message,
    Run,
    RunLogEntry,
    RunStatus,
    Service,
)
from forcebridge.store.repositories.activity_windows import troubled_windows
from forcebridge.store.repositories.contacts import remove_identities
from forcebridge.sync.activities import PushOptions, push_activities
from forcebridge.sync.service_days import move_service
from forcebridge.sync.transcript import DESCRIPTION_LIMIT
from tests.dbfixtures import MigratedDatabases
from tests.salesforce.conftest import client_for
from tests.sync.activity_world import (
    DAY,
    MORNING,
    Crash,
    CrashesAfterWriting,
    add_key_field,
    key_field_schema,
    link,
    make_service,
    person,
    required_field_schema,
    sandbox_contact,
    sandbox_lead,
    say,
    tasks_of,
)

HOUR = dt.timedelta(hours=1)
BOTH = ("salesforce:Contact", "salesforce:Lead")
"""What a service logging to both records' Tasks writes under."""


@pytest.fixture
def client(sandbox: SandboxServer) -> SalesforceClient:
    return client_for(sandbox).client


@pytest.fixture
def service(session: Session) -> Service:
    return make_service(session)


def _log(session: Session, run_id: int) -> list[RunLogEntry]:
    return list(
        session.scalars(
            select(RunLogEntry).where(RunLogEntry.run_id == run_id).order_by(RunLogEntry.id)
        )
    )


def _codes(session: Session, run_id: int) -> list[str | None]:
    return [entry.code for entry in _log(session, run_id)]


def test_the_first_push_writes_one_completed_task_per_contact_and_day(
    session: Session, service: Service, client: SalesforceClient, sf: Salesforce
) -> None:
    jane = sandbox_contact(sf, "Doe")
    contact = person(session, service, links={"Contact": jane})
    say(session, service, contact, MORNING, "Is the shop open today?")
    say(
        session,
        service,
        contact,
        MORNING + dt.timedelta(minutes=3),
        "Yes, until 6pm.",
        direction=Direction.OUTBOUND,
        author="Sam",
    )

    report = push_activities(session, service, client)

    assert (report.status, report.windows, report.created, report.failed) == (
        RunStatus.SUCCEEDED,
        1,
        1,
        0,
    )
    (task,) = tasks_of(sf, jane)
    assert (task["ActivityDate"], task["Status"], task["Subject"]) == (
        "2024-03-12",
        "Completed",
        "forcebridge Conversation",
    )
    description = task["Description"]
    assert description.index("10:00 EDT · inbound · sms · Jane Doe\nIs the shop open today?") < (
        description.index("10:03 EDT · outbound · sms · Sam\nYes, until 6pm.")
    )
    assert report.api_calls == 2  # the Task describe and one collection create


def test_messages_later_that_day_update_the_same_task(
    session: Session, service: Service, client: SalesforceClient, sf: Salesforce
) -> None:
    jane = sandbox_contact(sf, "Later")
    contact = person(session, service, links={"Contact": jane})
    say(session, service, contact, MORNING, "first")
    push_activities(session, service, client)

    say(session, service, contact, MORNING + 5 * HOUR, "second")
    report = push_activities(session, service, client)

    assert (report.created, report.updated) == (0, 1)
    (task,) = tasks_of(sf, jane)
    assert "first" in task["Description"] and "second" in task["Description"]


def test_the_next_local_day_starts_a_new_task(
    session: Session, service: Service, client: SalesforceClient, sf: Salesforce
) -> None:
    jane = sandbox_contact(sf, "Nextday")
    contact = person(session, service, links={"Contact": jane})
    say(session, service, contact, MORNING, "Tuesday")
    push_activities(session, service, client)

    # 03:30 UTC on the 13th is still the 12th in New York; 04:30 UTC is the 13th.
    say(session, service, contact, dt.datetime(2024, 3, 13, 3, 30, tzinfo=dt.UTC), "late night")
    say(session, service, contact, dt.datetime(2024, 3, 13, 4, 30, tzinfo=dt.UTC), "Wednesday")
    report = push_activities(session, service, client)

    assert (report.created, report.updated) == (1, 1)
    tuesday, wednesday = tasks_of(sf, jane)
    assert tuesday["ActivityDate"] == "2024-03-12" and "late night" in tuesday["Description"]
    assert wednesday["ActivityDate"] == "2024-03-13" and "Wednesday" in wednesday["Description"]


def test_a_zone_change_starts_at_midnight_and_never_moves_a_message_to_another_day(
    session: Session, client: SalesforceClient, sf: Salesforce
) -> None:
    service = make_service(session, timezone="Europe/Paris")
    jane = sandbox_contact(sf, "Traveller")
    contact = person(session, service, links={"Contact": jane})
    say(session, service, contact, MORNING, "Tuesday in Paris")  # 15:00 CET
    push_activities(session, service, client, now=MORNING + HOUR)

    move_service(service, "America/New_York", MORNING + 2 * HOUR)
    session.commit()
    # Paris's midnight (23:00 UTC) ends Tuesday; Wednesday lasts until New York's next
    # midnight that starts a later date: 04:00 UTC on Thursday the 14th.
    paris_midnight = dt.datetime(2024, 3, 12, 23, 0, tzinfo=dt.UTC)
    say(session, service, contact, paris_midnight - HOUR, "late Tuesday in Paris")
    say(session, service, contact, paris_midnight + HOUR, "Tuesday evening in New York")
    say(session, service, contact, paris_midnight + 28 * HOUR, "Wednesday night in New York")
    say(session, service, contact, paris_midnight + 30 * HOUR, "Thursday in New York")
    report = push_activities(session, service, client, now=paris_midnight + 31 * HOUR)

    assert (report.created, report.updated) == (2, 1)
    tuesday, wednesday, thursday = tasks_of(sf, jane)
    assert tuesday["ActivityDate"] == "2024-03-12"
    assert "15:00 CET · inbound" in tuesday["Description"]
    assert "23:00 CET · inbound · sms · Jane Doe\nlate Tuesday in Paris" in tuesday["Description"]
    assert wednesday["ActivityDate"] == "2024-03-13"
    assert "20:00 EDT · inbound · sms · Jane Doe\nTuesday evening" in wednesday["Description"]
    assert "23:00 EDT · inbound · sms · Jane Doe\nWednesday night" in wednesday["Description"]
    assert thursday["ActivityDate"] == "2024-03-14" and "01:00 EDT" in thursday["Description"]


def test_a_day_longer_than_a_description_continues_in_part_two_with_nothing_cut(
    session: Session, service: Service, client: SalesforceClient, sf: Salesforce
) -> None:
    jane = sandbox_contact(sf, "Talkative")
    contact = person(session, service, links={"Contact": jane})
    bodies = [f"message {i} " + "blah " * 2_000 for i in range(4)]  # ~10,000 characters each
    for minute, body in enumerate(bodies):
        say(session, service, contact, MORNING + dt.timedelta(minutes=minute), body)

    report = push_activities(session, service, client)

    assert report.created == 2
    first, second = tasks_of(sf, jane)
    assert (first["Subject"], second["Subject"]) == (
        "forcebridge Conversation",
        "forcebridge Conversation (part 2)",
    )
    assert all(len(t["Description"]) <= DESCRIPTION_LIMIT for t in (first, second))
    assert "(continued in part 2)" in first["Description"]
    written = first["Description"] + second["Description"]
    assert all(body.strip() in written for body in bodies)


def test_a_crash_after_salesforce_accepted_the_write_leaves_no_duplicate(
    session: Session,
    engine: Engine,
    service: Service,
    client: SalesforceClient,
    sf: Salesforce,
) -> None:
    jane = sandbox_contact(sf, "Crash")
    contact = person(session, service, links={"Contact": jane})
    say(session, service, contact, MORNING, "hello")
    with pytest.raises(Crash):
        push_activities(session, service, CrashesAfterWriting(client))  # type: ignore[arg-type]
    session.close()
    assert len(tasks_of(sf, jane)) == 1

    with make_sessionmaker(engine)() as restarted:
        again = restarted.get(Service, service.id)
        assert again is not None
        say(restarted, again, contact, MORNING + HOUR, "anyone there?")
        report = push_activities(restarted, again, client)
        codes = _codes(restarted, report.run_id)
        assert "recovered" in codes
        assert "reopened" not in codes  # its messages were unsent, not late

    assert (report.created, report.updated) == (0, 1)
    (task,) = tasks_of(sf, jane)
    assert "anyone there?" in task["Description"]


def test_with_a_key_field_on_task_a_crashed_write_is_upserted_not_duplicated(
    session: Session,
    engine: Engine,
    make_sandbox: Callable[..., SandboxServer],
    salesforce_for: Callable[..., Salesforce],
    tmp_path: Path,
) -> None:
    server = make_sandbox(schema_dir=key_field_schema(tmp_path / "schema"))
    sf = salesforce_for(server)
    client = client_for(server).client
    service = make_service(session)
    jane = sandbox_contact(sf, "Keyed")
    contact = person(session, service, links={"Contact": jane})
    say(session, service, contact, MORNING, "hello")
    with pytest.raises(Crash):
        push_activities(session, service, CrashesAfterWriting(client))  # type: ignore[arg-type]
    session.close()

    with make_sessionmaker(engine)() as restarted:
        again = restarted.get(Service, service.id)
        assert again is not None
        report = push_activities(restarted, again, client)

    assert (report.created, report.updated) == (0, 1)
    (task,) = sf.query_all("SELECT Id, Forcebridge_Key__c FROM Task")["records"]
    assert task["Forcebridge_Key__c"] == f"fb-{service.task_key_scope}-{contact}-20240312-1"


def test_a_task_key_field_deleted_after_it_was_described_costs_one_run_and_no_attempt(
    session: Session,
    service: Service,
    client: SalesforceClient,
    sf: Salesforce,
    sandbox: SandboxServer,
) -> None:
    key = add_key_field(sandbox)
    jane = sandbox_contact(sf, "Unkeyed")
    contact = person(session, service, links={"Contact": jane})
    say(session, service, contact, MORNING, "hello")
    push_activities(session, service, client)  # upserted by the key; Task's describe cached
    sandbox.org.custom_fields.delete(key)
    say(session, service, contact, MORNING + HOUR, "still there?")
    say(session, service, contact, MORNING + dt.timedelta(days=1), "next day")

    stopped = push_activities(session, service, client, PushOptions(max_attempts=1))
    written = push_activities(session, service, client, PushOptions(max_attempts=1))

    assert stopped.status is RunStatus.FAILED and "Forcebridge_Key__c" in (stopped.error or "")
    assert (written.status, written.created, written.updated) == (RunStatus.SUCCEEDED, 1, 1)
    assert troubled_windows(session, service.id, BOTH) == []
    assert "next day" in "".join(t["Description"] for t in tasks_of(sf, jane))


def test_two_installations_logging_to_one_org_keep_each_their_own_tasks(
    backend: str,
    migrated_databases: MigratedDatabases,
    keyring: Keyring,
    make_sandbox: Callable[..., SandboxServer],
    salesforce_for: Callable[..., Salesforce],
) -> None:
    """A staging and a production database number their services and contacts alike: their
    keys differ all the same, so one's upsert by key never takes the other's Task."""
    server = make_sandbox()
    add_key_field(server)
    sf = salesforce_for(server)
    people = [sandbox_contact(sf, "Staging"), sandbox_contact(sf, "Production")]
    for who in people:
        with migrated_databases.copy(backend) as url:
            engine = make_engine(url, keyring)
            with make_sessionmaker(engine)() as session:
                service = make_service(session)
                contact = person(session, service, links={"Contact": who})
                say(session, service, contact, MORNING, f"hello, {who}")
                push_activities(session, service, client_for(server).client)
            engine.dispose()

    for who in people:
        [task] = tasks_of(sf, who)
        assert f"hello, {who}" in task["Description"]


def test_a_service_made_before_key_scopes_keeps_the_keys_its_tasks_carry(
    session: Session,
    make_sandbox: Callable[..., SandboxServer],
    salesforce_for: Callable[..., Salesforce],
) -> None:
    server = make_sandbox()
    add_key_field(server)
    sf = salesforce_for(server)
    service = make_service(session, task_key_scope=None)
    jane = sandbox_contact(sf, "Older")
    contact = person(session, service, links={"Contact": jane})
    say(session, service, contact, MORNING, "hello")

    push_activities(session, service, client_for(server).client)

    [task] = sf.query_all(f"SELECT Forcebridge_Key__c FROM Task WHERE WhoId = '{jane}'")["records"]
    assert task["Forcebridge_Key__c"].startswith(f"fb-{service.id}-{contact}-")


def test_a_key_field_added_after_a_crashed_write_does_not_duplicate_its_task(
    session: Session,
    engine: Engine,
    make_sandbox: Callable[..., SandboxServer],
    salesforce_for: Callable[..., Salesforce],
) -> None:
    server = make_sandbox()
    sf = salesforce_for(server)
    service = make_service(session)
    jane = sandbox_contact(sf, "Keyed-Late")
    contact = person(session, service, links={"Contact": jane})
    say(session, service, contact, MORNING, "hello")
    with pytest.raises(Crash):
        push_activities(session, service, CrashesAfterWriting(client_for(server).client))  # type: ignore[arg-type]
    session.close()
    add_key_field(server)

    with make_sessionmaker(engine)() as restarted:
        again = restarted.get(Service, service.id)
        assert again is not None
        report = push_activities(restarted, again, client_for(server).client)

    assert (report.created, report.updated) == (0, 1)
    assert len(tasks_of(sf, jane)) == 1


def test_a_failed_write_is_logged_retried_and_parked_after_the_attempts_allowed(
    session: Session, service: Service, client: SalesforceClient, sf: Salesforce
) -> None:
    gone = sandbox_contact(sf, "Gone")
    contact = person(session, service, links={"Contact": gone})
    say(session, service, contact, MORNING, "hello?")
    sf.Contact.delete(gone)
    options = PushOptions(max_attempts=2)

    first = push_activities(session, service, client, options)
    second = push_activities(session, service, client, options)
    third = push_activities(session, service, client, options)

    assert (first.status, first.failed, second.failed) == (RunStatus.PARTIAL, 1, 1)
    assert "ENTITY_IS_DELETED" in _codes(session, first.run_id)
    assert "parked" in _codes(session, second.run_id)
    assert (third.failed, third.api_calls) == (0, 0)  # parked: not sent again
    (parked,) = troubled_windows(session, service.id, BOTH)
    assert parked.parked_reason is not None and "ENTITY_IS_DELETED" in parked.parked_reason


@pytest.mark.parametrize("purged", [False, True], ids=["in the recycle bin", "purged"])
def test_a_task_deleted_in_salesforce_is_written_again_with_the_whole_day(
    session: Session, service: Service, client: SalesforceClient, sf: Salesforce, purged: bool
) -> None:
    """Someone deleted the day's Task by hand; the day's later messages must still reach
    Salesforce, so the window forgets the Task and the same push writes it anew. A Task
    Salesforce no longer knows at all (purged from the recycle bin: here, an Id it never
    gave) is refused as a bad reference (`INVALID_CROSS_REFERENCE_KEY`), not as deleted: the
    push looks it up rather than park the day."""
    jane = sandbox_contact(sf, "Deleted-Task")
    contact = person(session, service, links={"Contact": jane})
    say(session, service, contact, MORNING, "first")
    push_activities(session, service, client)
    (task,) = tasks_of(sf, jane)
    sf.Task.delete(task["Id"])
    if purged:
        window = session.scalars(select(ActivityWindow)).one()
        window.salesforce_task_id = make_id("00T", 999_999)
        session.commit()
    say(session, service, contact, MORNING + HOUR, "second")

    rehearsed = push_activities(session, service, client, PushOptions(dry_run=True))
    rewritten = push_activities(session, service, client)
    after = push_activities(session, service, client)

    assert (rehearsed.created, rehearsed.updated) == (1, 0)  # the dry run foresees it
    assert (rewritten.status, rewritten.windows, rewritten.created) == (RunStatus.SUCCEEDED, 1, 1)
    assert (rewritten.failed, after.created, after.updated, after.unchanged) == (0, 0, 0, 1)
    (again,) = tasks_of(sf, jane)
    assert "first" in again["Description"] and "second" in again["Description"]
    assert troubled_windows(session, service.id, BOTH) == []


def test_a_deleted_part_of_a_long_day_is_written_again_when_the_day_grows(
    session: Session, service: Service, client: SalesforceClient, sf: Salesforce
) -> None:
    """Only the day's last part changes as it grows: an earlier part deleted by hand is not
    updated, so no refusal tells of it; the push must look for it, or its messages are lost."""
    jane = sandbox_contact(sf, "Long-Deleted")
    contact = person(session, service, links={"Contact": jane})
    bodies = [f"message {i} " + "blah " * 2_000 for i in range(4)]
    for minute, body in enumerate(bodies):
        say(session, service, contact, MORNING + dt.timedelta(minutes=minute), body)
    push_activities(session, service, client)
    first, _ = tasks_of(sf, jane)
    sf.Task.delete(first["Id"])
    say(session, service, contact, MORNING + HOUR, "one more thing")

    rehearsed = push_activities(session, service, client, PushOptions(dry_run=True))
    rewritten = push_activities(session, service, client)

    assert (rehearsed.created, rehearsed.updated) == (1, 1)
    assert (rewritten.status, rewritten.created, rewritten.updated) == (RunStatus.SUCCEEDED, 1, 1)
    written = "".join(t["Description"] for t in tasks_of(sf, jane))
    assert all(body.strip() in written for body in bodies) and "one more thing" in written


@pytest.mark.parametrize("more", [True, False])
def test_a_window_parked_writing_to_a_deleted_contact_is_written_once_it_is_linked_anew(
    session: Session, service: Service, client: SalesforceClient, sf: Salesforce, more: bool
) -> None:
    """Parked after its Contact was deleted; the pull links the contact to another Contact.
    The day is written there at the next push, whether or not it grew meanwhile."""
    gone = sandbox_contact(sf, "Merged")
    contact = person(session, service, links={"Contact": gone})
    say(session, service, contact, MORNING, "hello?")
    sf.Contact.delete(gone)
    push_activities(session, service, client, PushOptions(max_attempts=1))
    assert troubled_windows(session, service.id, BOTH)[0].parked

    remove_identities(session, service.id, "salesforce:Contact", [gone])  # as the pull does
    survivor = sandbox_contact(sf, "Survivor")
    link(session, service, contact, {"Contact": survivor})
    if more:
        say(session, service, contact, MORNING + HOUR, "still there?")
    report = push_activities(session, service, client, PushOptions(max_attempts=1))

    assert (report.created, report.failed) == (1, 0)
    assert troubled_windows(session, service.id, BOTH) == []
    (task,) = tasks_of(sf, survivor)
    assert "hello?" in task["Description"]
    assert ("still there?" in task["Description"]) is more


def test_a_row_lock_that_outlasts_the_retries_fails_the_window_for_the_next_run(
    session: Session, make_sandbox: Callable[..., SandboxServer]
) -> None:
    server = make_sandbox(lock_rate=1.0)
    locked = server.org.create("Contact", {"LastName": "Locked"})  # the org itself: no faults
    service = make_service(session)
    contact = person(session, service, links={"Contact": locked})
    say(session, service, contact, MORNING, "hello")

    report = push_activities(session, service, client_for(server, max_attempts=2).client)

    assert (report.status, report.failed) == (RunStatus.PARTIAL, 1)
    assert "UNABLE_TO_LOCK_ROW" in _codes(session, report.run_id)
    (failing,) = troubled_windows(session, service.id, BOTH)
    assert (failing.attempts, failing.parked_reason, failing.task_id) == (1, None, None)


@pytest.mark.parametrize(
    ("allowed", "expected"),
    [
        (ActivityTarget.BOTH, "Contact"),
        (ActivityTarget.CONTACTS, "Contact"),
        (ActivityTarget.LEADS, "Lead"),
    ],
)
def test_a_contact_linked_to_both_logs_to_the_record_the_service_allows(
    session: Session,
    client: SalesforceClient,
    sf: Salesforce,
    allowed: ActivityTarget,
    expected: str,
) -> None:
    service = make_service(session, activities_to=allowed)
    records = {"Contact": sandbox_contact(sf, "Both"), "Lead": sandbox_lead(sf, "Both")}
    contact = person(session, service, links=records)
    say(session, service, contact, MORNING, "hi")

    push_activities(session, service, client)

    assert len(tasks_of(sf, records[expected])) == 1
    other = "Lead" if expected == "Contact" else "Contact"
    assert tasks_of(sf, records[other]) == []


def test_messages_of_a_contact_without_an_allowed_link_are_held_then_written(
    session: Session, client: SalesforceClient, sf: Salesforce
) -> None:
    service = make_service(session, activities_to=ActivityTarget.CONTACTS)
    contact = person(session, service, links={"Lead": sandbox_lead(sf, "Held")})
    say(session, service, contact, MORNING, "hello from a lead")

    held = push_activities(session, service, client)

    assert (held.status, held.windows, held.created) == (RunStatus.SUCCEEDED, 1, 0)
    assert "held" in _codes(session, held.run_id)

    jane = sandbox_contact(sf, "Linked")
    link(session, service, contact, {"Contact": jane})
    written = push_activities(session, service, client, now=dt.datetime.now(dt.UTC) + HOUR)

    assert written.created == 1
    (task,) = tasks_of(sf, jane)
    assert "hello from a lead" in task["Description"]


def test_a_converted_leads_contact_logs_to_the_new_contact_from_then_on(
    session: Session,
    service: Service,
    client: SalesforceClient,
    sf: Salesforce,
    api_for: Callable[[SandboxServer], object],
    sandbox: SandboxServer,
) -> None:
    lead = sandbox_lead(sf, "Converted")
    contact = person(session, service, links={"Lead": lead})
    say(session, service, contact, MORNING, "before converting")
    push_activities(session, service, client)

    converted = api_for(sandbox).post(f"{sandbox.base_url}/sandbox/leads/{lead}/convert")  # type: ignore[attr-defined]
    new_contact = converted.json()["contactId"]
    link(session, service, contact, {"Contact": new_contact})  # the pull hands the identity over
    say(session, service, contact, MORNING + HOUR, "after converting")
    report = push_activities(session, service, client)

    assert report.updated == 1
    (task,) = tasks_of(sf, new_contact)
    assert "after converting" in task["Description"]


def test_a_dry_run_decides_but_writes_nothing(
    session: Session, service: Service, client: SalesforceClient, sf: Salesforce
) -> None:
    jane = sandbox_contact(sf, "Dry")
    contact = person(session, service, links={"Contact": jane})
    say(session, service, contact, MORNING, "hello")

    report = push_activities(session, service, client, PushOptions(dry_run=True))

    assert (report.windows, report.created, report.dry_run) == (1, 1, True)
    assert tasks_of(sf, jane) == []
    assert session.scalars(select(ActivityWindow)).all() == []
    assert session.get(Run, report.run_id) is not None
    assert push_activities(session, service, client).created == 1


def test_a_new_subject_rewrites_the_tasks_without_calling_their_messages_late(
    session: Session, service: Service, client: SalesforceClient, sf: Salesforce
) -> None:
    jane = sandbox_contact(sf, "Renamed")
    contact = person(session, service, links={"Contact": jane})
    say(session, service, contact, MORNING, "hello")
    push_activities(session, service, client)
    service.task_subject_template = "Chat with {name}"
    session.commit()

    report = push_activities(session, service, client)

    assert report.updated == 1
    assert "reopened" not in _codes(session, report.run_id)
    (task,) = tasks_of(sf, jane)
    assert task["Subject"].startswith("Chat with")


def test_a_late_message_reopens_its_days_task(
    session: Session, service: Service, client: SalesforceClient, sf: Salesforce
) -> None:
    jane = sandbox_contact(sf, "Reopen")
    contact = person(session, service, links={"Contact": jane})
    say(session, service, contact, MORNING, "in time")
    push_activities(session, service, client)

    say(session, service, contact, MORNING - HOUR, "sent earlier, delivered weeks late")
    report = push_activities(session, service, client)

    assert report.updated == 1
    assert "reopened" in _codes(session, report.run_id)
    (task,) = tasks_of(sf, jane)
    description = task["Description"]
    assert description.index("delivered weeks late") < description.index("in time")
    assert task["ActivityDate"] == DAY.isoformat()


def test_a_task_salesforce_refuses_fails_its_window_with_salesforces_reason(
    session: Session,
    make_sandbox: Callable[..., SandboxServer],
    tmp_path: Path,
) -> None:
    server = make_sandbox(schema_dir=required_field_schema(tmp_path / "schema"))
    service = make_service(session)
    contact = person(
        session, service, links={"Contact": server.org.create("Contact", {"LastName": "Strict"})}
    )
    say(session, service, contact, MORNING, "hello")

    report = push_activities(session, service, client_for(server).client)

    assert (report.status, report.failed) == (RunStatus.PARTIAL, 1)
    (entry,) = [e for e in _log(session, report.run_id) if e.code == "REQUIRED_FIELD_MISSING"]
    assert "Region__c" in entry.message
    assert entry.record_ref == f"fb-{service.task_key_scope}-{contact}-20240312-1"


def test_more_windows_than_one_call_holds_cost_one_call_per_200(
    session: Session, service: Service, client: SalesforceClient, sandbox: SandboxServer
) -> None:
    for n in range(201):
        record = sandbox.org.create("Contact", {"LastName": f"Many {n}"})
        contact = person(session, service, links={"Contact": record})
        say(session, service, contact, MORNING, f"hello {n}")

    report = push_activities(session, service, client)

    assert (report.windows, report.created) == (201, 201)
    assert report.api_calls == 1 + 2  # the Task describe; 200 Tasks, then 1


def test_what_is_odd_about_new_messages_is_logged_and_they_are_still_written(
    session: Session, service: Service, client: SalesforceClient, sf: Salesforce
) -> None:
    jane = sandbox_contact(sf, "Odd")
    contact = person(session, service, links={"Contact": jane})
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    say(session, service, contact, MORNING, "bell\x07 rings")
    say(session, service, contact, MORNING + HOUR, "   ")
    say(session, service, contact, tomorrow, "from the future")

    report = push_activities(session, service, client)

    assert set(_codes(session, report.run_id)) >= {
        "control_characters",
        "empty_body",
        "dated_in_future",
    }
    assert report.created == 2
    today, future = tasks_of(sf, jane)
    assert "bell rings" in today["Description"] and "(empty message)" in today["Description"]
    assert "from the future" in future["Description"]


def test_the_subject_follows_the_services_template(
    session: Session, client: SalesforceClient, sf: Salesforce
) -> None:
    service = make_service(session, task_subject_template="SMS with {name}")
    jane = sandbox_contact(sf, "Subject")
    contact = person(
        session, service, first_name="Jane", last_name="Subject", links={"Contact": jane}
    )
    say(session, service, contact, MORNING, "hello")

    push_activities(session, service, client)

    (task,) = tasks_of(sf, jane)
    assert task["Subject"] == "SMS with Jane Subject"


def test_a_push_stopped_mid_way_shows_the_calls_it_spent(
    session: Session, service: Service, client: SalesforceClient, sf: Salesforce
) -> None:
    """Each call's outcomes are committed with the calls spent so far: a push stopped (or
    whose process died) after writing Tasks still shows what it cost."""
    contact = person(session, service, links={"Contact": sandbox_contact(sf, "Busy")})
    for day in range(250):  # a call's 200 windows, and more
        say(session, service, contact, MORNING - dt.timedelta(days=day), f"day {day}")

    def interrupt(done: int, total: int) -> None:
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        push_activities(session, service, client, progress=interrupt)

    (run,) = session.scalars(select(Run).where(Run.service_id == service.id)).all()
    assert (run.status, run.created) == (RunStatus.FAILED, 200)
    assert run.api_calls >= 1  # the call that wrote them, not nothing


def test_what_is_odd_about_a_message_is_logged_once_not_by_each_push_that_reads_it_again(
    session: Session, service: Service, client: SalesforceClient, sf: Salesforce
) -> None:
    """A push reads the messages of the cursor's last two minutes again: one that finds their
    windows as it left them says nothing more about them."""
    contact = person(session, service, links={"Contact": sandbox_contact(sf, "Once")})
    held = person(session, service, last_name="Unlinked")
    now = dt.datetime.now(dt.UTC)
    say(session, service, contact, MORNING, "bell\x07 rings")
    say(session, service, contact, now + dt.timedelta(days=3), "from a wrong clock")
    say(session, service, held, MORNING, "nobody to log it to")

    first = push_activities(session, service, client, now=now)
    again = push_activities(session, service, client, now=now + dt.timedelta(minutes=1))

    odd = {"control_characters", "dated_in_future", "held"}
    assert odd <= set(_codes(session, first.run_id))
    assert (again.created, again.updated, again.unchanged, again.reread) == (0, 0, 2, 2)
    assert odd.isdisjoint(_codes(session, again.run_id))


def _odd(session: Session, run_id: int) -> list[tuple[str | None, str, str | None]]:
    """What the run logged about odd messages: code, text, and the window part named."""
    return [
        (e.code, e.message, e.record_ref)
        for e in _log(session, run_id)
        if e.code in ("control_characters", "empty_body", "split_message", "dated_in_future")
    ]


def test_an_odd_message_is_logged_once_though_later_pushes_rewrite_its_day(
    session: Session, service: Service, client: SalesforceClient, sf: Salesforce
) -> None:
    """Each push within two minutes reads the first messages again, and the day grows: only
    the message new to the log is logged, by the run that first writes it."""
    contact = person(session, service, links={"Contact": sandbox_contact(sf, "Terse")})
    now = dt.datetime.now(dt.UTC)
    ahead = dt.datetime.combine((now + dt.timedelta(days=3)).date(), dt.time(15), dt.UTC)
    say(session, service, contact, MORNING, "")
    say(session, service, contact, MORNING + HOUR, "bell\x07 rings")
    say(session, service, contact, ahead, "from a wrong clock")
    first = push_activities(session, service, client, now=now)
    say(session, service, contact, MORNING + 2 * HOUR, "one more")
    say(session, service, contact, ahead + HOUR, "")
    second = push_activities(session, service, client, now=now + dt.timedelta(minutes=1))

    ids = sorted(
        session.scalars(select(Message.id).where(Message.contact_id == contact)).all()
    )  # fmt: skip
    today, future = (f"{service.task_key_scope}-{contact}-{d:%Y%m%d}-1" for d in (DAY, ahead))
    assert (first.created, second.updated) == (2, 2)
    assert [(code, text.split(":")[0], ref) for code, text, ref in _odd(session, first.run_id)] == [
        ("empty_body", f"message {ids[0]}", f"fb-{today}"),
        ("control_characters", f"message {ids[1]}", f"fb-{today}"),
        ("dated_in_future", f"message {ids[2]}", f"fb-{future}"),
    ]
    assert [(code, text.split(":")[0]) for code, text, _ in _odd(session, second.run_id)] == [
        ("empty_body", f"message {ids[4]}"),
        ("dated_in_future", f"message {ids[4]}"),
    ]


def test_a_split_message_is_logged_once_under_the_parts_it_is_split_across(
    session: Session, service: Service, client: SalesforceClient, sf: Salesforce
) -> None:
    """A day whose first part is full, then a 40,000-character message (parts 2 and 3); later
    pushes within two minutes grow the day, then rewrite every part (a new subject)."""
    contact = person(session, service, links={"Contact": sandbox_contact(sf, "Verbose")})
    now = dt.datetime.now(dt.UTC)
    for minute in range(31):
        say(session, service, contact, MORNING + dt.timedelta(minutes=minute), "x" * 1_000)
    say(session, service, contact, MORNING + HOUR, "y" * 40_000)
    first = push_activities(session, service, client, now=now)
    say(session, service, contact, MORNING + 2 * HOUR, "short")
    grown = push_activities(session, service, client, now=now + dt.timedelta(minutes=1))
    service.task_subject_template = "Chat with {name}"
    session.commit()
    rewritten = push_activities(session, service, client, now=now + dt.timedelta(minutes=1))

    key = f"fb-{service.task_key_scope}-{contact}-{DAY:%Y%m%d}"
    long_id = session.scalars(
        select(Message.id).where(Message.contact_id == contact, Message.body.startswith("y"))
    ).one()
    assert first.created == 3
    assert _odd(session, first.run_id) == [
        (
            "split_message",
            f"message {long_id}: message too long for one Task: written across parts 2 and 3",
            f"{key}-2",
        )
    ]
    assert (grown.updated, grown.unchanged, grown.reread) == (1, 2, 0)  # part 3 only
    assert rewritten.updated == 3
    assert _odd(session, grown.run_id) == _odd(session, rewritten.run_id) == []


def test_messages_held_while_the_service_logged_elsewhere_are_written_once_it_logs_back(
    session: Session, service: Service, client: SalesforceClient, sf: Salesforce
) -> None:
    """A day whose Task was written, then held (the service moved to Leads, and the contact
    has a Contact only), has its held messages written when the same Contact is allowed
    again, though no message arrives that day any more."""
    jane = sandbox_contact(sf, "Back")
    contact = person(session, service, links={"Contact": jane})
    say(session, service, contact, MORNING, "written")
    later = dt.datetime.now(dt.UTC) + HOUR  # past the cursor's overlap: read once
    push_activities(session, service, client, now=later)
    service.activities_to = ActivityTarget.LEADS
    session.commit()
    say(session, service, contact, MORNING + HOUR, "held while logging to Leads")
    held = push_activities(session, service, client, now=later + HOUR)
    service.activities_to = ActivityTarget.CONTACTS
    session.commit()

    back = push_activities(session, service, client, now=later + 2 * HOUR)

    assert (held.updated, back.updated) == (0, 1)
    (task,) = tasks_of(sf, jane)
    assert "held while logging to Leads" in task["Description"]
