"""A record unlinked (deleted in Salesforce, or out of the service's records) that comes back is
its contact again, conversations and all, though it has no phone or email to match it by:
against the sandbox, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forcebridge.sandbox.fieldtypes import format_datetime
from forcebridge.store.models import Direction, FormerLink, Message, PullObjects, Service
from forcebridge.store.repositories.contacts import list_contacts
from forcebridge.store.repositories.messages import NewMessage, add_messages
from forcebridge.store.repositories.runs import get_run
from forcebridge.store.repositories.watermarks import reset_watermarks
from forcebridge.sync.reconcile import reconcile
from tests.conftest import SandboxFactory
from tests.sandbox.clocks import Clock
from tests.sync.pull_world import PullWorld

CONTACT = "salesforce:Contact"


@pytest.fixture
def world(session: Session, make_sandbox: SandboxFactory) -> PullWorld:
    clock = Clock()
    return PullWorld(session, make_sandbox(clock=clock), clock)


def undelete(world: PullWorld, record_id: str) -> None:
    """Salesforce's undelete, a SOAP and Apex call the sandbox does not serve: the Contact out
    of the recycle bin, its `SystemModstamp` moved, as an undelete moves it."""
    stamp = format_datetime(world.clock())
    with world.sandbox.org.storage.write() as connection:
        connection.execute(
            'UPDATE "Contact" SET "IsDeleted" = 0, "SystemModstamp" = ? WHERE "Id" = ?',
            (stamp, record_id),
        )


def contacts(session: Session, service: Service) -> dict[str, tuple[int, list[str], bool]]:
    """Each contact by last name: its id, its Salesforce Contacts, whether marked."""
    session.expire_all()
    return {
        str(c.last_name): (
            c.id,
            sorted(i.external_id for i in c.identities),
            c.deleted_in_source,
        )
        for c in list_contacts(session, service)
    }


def with_conversation(session: Session, service: Service, contact_id: int) -> None:
    sent = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    message = NewMessage(contact_id, Direction.INBOUND, "sms", "Ana", "Hello", sent)
    add_messages(session, service.id, [message])
    session.commit()


def conversation_of(session: Session, contact_id: int) -> list[str]:
    return list(session.scalars(select(Message.body).where(Message.contact_id == contact_id)))


def log_of(session: Session, run_id: int) -> list[tuple[str | None, str | None, str]]:
    return [(e.code, e.salesforce_id, e.message) for e in get_run(session, run_id).log_entries]


def test_a_contact_deleted_then_undeleted_comes_back_to_its_contact_with_its_conversations(
    world: PullWorld, session: Session
) -> None:
    service = world.service(pull_objects=PullObjects.CONTACTS)
    ana = world.create("Contact", LastName="Ames")  # neither phone nor email
    world.later()
    world.pull(service)
    [(contact_id, _, _)] = contacts(session, service).values()
    with_conversation(session, service, contact_id)
    world.sandbox.org.delete("Contact", ana)
    world.later()
    world.pull(service)
    assert contacts(session, service) == {"Ames": (contact_id, [], True)}
    undelete(world, ana)
    world.later()

    result = world.pull(service)

    assert (result.read, result.created, result.updated) == (1, 0, 1)
    assert contacts(session, service) == {"Ames": (contact_id, [ana], False)}
    assert conversation_of(session, contact_id) == ["Hello"]
    [(code, record, message)] = log_of(session, result.run_id)
    assert (code, record) == ("relinked", ana)
    assert f"linked again to contact #{contact_id}" in message
    assert session.scalar(select(func.count()).select_from(FormerLink)) == 0  # linked again
    assert world.pull(service, full=True).unchanged == 1


def test_contacts_a_narrowed_rule_left_out_come_back_to_theirs_when_it_is_widened(
    world: PullWorld, session: Session
) -> None:
    """What a tester saw: narrowing a routing rule, then widening it again, made a second
    contact of every person without a phone or email, the first staying marked."""
    service = world.service(pull_objects=PullObjects.CONTACTS, routing_condition="Title != 'X'")
    for name, title in (("Boss", "CEO"), ("Clerk", "Clerk"), ("Temp", "Temp")):
        world.create("Contact", LastName=name, Title=title)
    world.later()
    world.pull(service)
    before = contacts(session, service)

    for rule in ("Title = 'CEO'", "Title != 'X'"):
        service.routing_condition = rule
        reset_watermarks(session, service, ["pull:Contact"])
        session.commit()
        world.later()
        result = world.pull(service)

    assert (result.created, result.updated, result.unchanged) == (0, 2, 1)
    assert contacts(session, service) == before
    assert [code for code, _, _ in log_of(session, result.run_id)] == ["relinked", "relinked"]


def test_a_contact_the_reconciliation_found_out_of_the_rule_is_its_contact_again_once_back(
    world: PullWorld, session: Session
) -> None:
    """A service reading alone has its rule in the query: a record that changes out of it is
    not read again, and the reconciliation unlinks it; changed back, it is read again."""
    service = world.service(pull_objects=PullObjects.CONTACTS, routing_condition="Title = 'Clerk'")
    clerk = world.create("Contact", LastName="Clerk", Title="Clerk")
    world.later()
    world.pull(service)
    [(contact_id, _, _)] = contacts(session, service).values()
    world.update("Contact", clerk, Title="Boss")
    world.later()
    assert reconcile(session, world.client, service, clock=world.clock).updated == 1
    world.update("Contact", clerk, Title="Clerk")
    world.later()

    result = world.pull(service)

    assert (result.created, result.updated) == (0, 1)
    assert contacts(session, service) == {"Clerk": (contact_id, [clerk], False)}


def test_a_dry_run_foresees_the_link_again_and_remembers_nothing_itself(
    world: PullWorld, session: Session
) -> None:
    """It decides in its rehearsal, the former links copied there: what the real run will do,
    nothing written to the real book."""
    service = world.service(pull_objects=PullObjects.CONTACTS)
    ana = world.create("Contact", LastName="Ames")
    world.later()
    world.pull(service)
    world.sandbox.org.delete("Contact", ana)
    world.later()
    world.pull(service, dry_run=True)
    assert session.scalar(select(func.count()).select_from(FormerLink)) == 0
    world.pull(service)
    undelete(world, ana)
    world.later()

    rehearsed = world.pull(service, dry_run=True)

    assert (rehearsed.created, rehearsed.updated) == (0, 1)
    [(contact_id, identities, marked)] = contacts(session, service).values()
    assert (identities, marked) == ([], True)
    assert (world.pull(service).created, contacts(session, service)["Ames"]) == (
        0,
        (contact_id, [ana], False),
    )
