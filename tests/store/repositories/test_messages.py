from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from forcebridge.store.errors import InvalidValue
from forcebridge.store.models import Direction, Service
from forcebridge.store.repositories.contacts import insert_contacts
from forcebridge.store.repositories.messages import (
    NewMessage,
    add_messages,
    known_contact_ids,
    messages_between,
    messages_recorded_since,
)
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service

T0 = dt.datetime(2024, 3, 12, 14, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def service(session: Session) -> Service:
    service = create_service(session, create_org(session, "acme"), "support")
    session.commit()
    return service


@pytest.fixture
def contacts(session: Session, service: Service) -> list[int]:
    return insert_contacts(session, service.id, [{"first_name": "Ana"}, {"first_name": "Bo"}])


def said(contact_id: int, minutes: int, body: str, external_id: str | None = None) -> NewMessage:
    return NewMessage(
        contact_id, Direction.INBOUND, "sms", "Ana", body, T0 + minutes * MINUTE, external_id
    )


def test_a_message_known_by_its_external_id_is_stored_once(
    session: Session, service: Service, contacts: list[int]
) -> None:
    ana = contacts[0]
    batch = [said(ana, 0, "hi", "m1"), said(ana, 1, "there", "m2")]

    assert add_messages(session, service.id, batch) == 2
    assert add_messages(session, service.id, [*batch, said(ana, 2, "new", "m3")]) == 1
    assert [m.body for m in messages_between(session, service.id, [ana], T0, T0 + 9 * MINUTE)] == [
        "hi",
        "there",
        "new",
    ]


def test_messages_sent_at_the_same_moment_keep_the_order_they_were_given_in(
    session: Session, service: Service, contacts: list[int]
) -> None:
    """A file of minutes (`10:00`) holds many messages of one moment: the transcript tells
    them in the file's order, whatever order their ids lock in."""
    ana = contacts[0]
    bodies = ["zulu", "alpha", "mike", "bravo", "yankee"]
    batch = [said(ana, 0, body, f"{9 - n}-{body}") for n, body in enumerate(bodies)]

    add_messages(session, service.id, batch)

    found = messages_between(session, service.id, [ana], T0, T0 + MINUTE)
    assert [m.body for m in found] == bodies


def test_messages_between_reads_only_those_contacts_and_that_range_in_sending_order(
    session: Session, service: Service, contacts: list[int]
) -> None:
    ana, bo = contacts
    add_messages(
        session,
        service.id,
        [
            said(ana, 5, "ana late"),
            said(bo, 1, "bo"),
            said(ana, 0, "ana early"),
            said(ana, 60, "x"),
        ],
    )

    found = messages_between(session, service.id, [ana], T0, T0 + 60 * MINUTE)

    assert [m.body for m in found] == ["ana early", "ana late"]
    assert found[0].sent_at == T0 and found[0].direction is Direction.INBOUND


def test_new_messages_are_found_by_when_they_were_recorded(
    session: Session, service: Service, contacts: list[int]
) -> None:
    add_messages(session, service.id, [said(contacts[0], 0, "first")])
    (first,) = messages_recorded_since(session, service.id, None)
    add_messages(session, service.id, [said(contacts[1], -90, "second, sent earlier")])

    later = messages_recorded_since(session, service.id, first.recorded_at)

    assert [m.contact_id for m in later] == contacts
    assert all(m.recorded_at >= first.recorded_at for m in later)


def test_a_nul_character_is_refused_naming_the_message(
    session: Session, service: Service, contacts: list[int]
) -> None:
    with pytest.raises(InvalidValue, match=r"m9.*NUL"):
        add_messages(session, service.id, [said(contacts[0], 0, "a\x00b", "m9")])


def test_only_the_services_own_contacts_are_known(
    session: Session, service: Service, contacts: list[int]
) -> None:
    other = create_service(session, service.org, "sales")
    (stranger,) = insert_contacts(session, other.id, [{"first_name": "Cy"}])

    assert known_contact_ids(session, service.id, [*contacts, stranger, 999]) == set(contacts)
