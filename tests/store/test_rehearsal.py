from __future__ import annotations

import sqlite3

import psycopg
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forcebridge.store.engine import make_sessionmaker
from forcebridge.store.models import Contact, ContactIdentity, Org
from forcebridge.store.rehearsal import rehearsal
from forcebridge.store.repositories.contacts import (
    Identity,
    add_identities,
    contacts_by_email,
    contacts_by_phone,
    insert_contacts,
    linked_contacts,
    update_contacts,
)
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service

SOURCE = "salesforce:Contact"


def stored(session: Session, service_id: int, name: str, email: str, phone: str) -> int:
    [contact] = insert_contacts(
        session,
        service_id,
        [{"first_name": name, "email_normalized": email, "phone_e164": phone}],
    )
    add_identities(session, service_id, [Identity(contact, SOURCE, f"003{contact}")])
    return contact


def names(session: Session) -> list[str | None]:
    return list(session.scalars(select(Contact.first_name).order_by(Contact.id)))


def test_a_rehearsal_sees_the_service_book_and_keeps_its_writes_to_itself(
    engine: Engine, session: Session
) -> None:
    org = create_org(session, "acme")
    support, sales = create_service(session, org, "support"), create_service(session, org, "sales")
    session.commit()
    ana = stored(session, support.id, "Ana", "ana@example.com", "+12015550100")
    stored(session, sales.id, "Bo", "bo@example.com", "+12015550101")
    session.commit()

    with rehearsal(engine, support.id) as rehearsing:
        assert [c.id for c in contacts_by_email(rehearsing, support.id, {"ana@example.com"})] == [
            ana
        ]
        assert contacts_by_phone(rehearsing, sales.id, {"+12015550101"}) == []  # not copied
        [new] = insert_contacts(rehearsing, support.id, [{"first_name": "Cy"}])
        add_identities(rehearsing, support.id, [Identity(new, SOURCE, "003new")])
        update_contacts(rehearsing, {ana: {"first_name": "Anna", "phone_e164": "+12015550100"}})
        rehearsing.add(Org(name="kept"))  # not a copied table: written for real
        rehearsing.commit()
        assert new > ana
        assert names(rehearsing) == ["Anna", "Cy"]
        assert linked_contacts(rehearsing, support.id, SOURCE, {"003new"}) == {"003new": new}
        with make_sessionmaker(engine)() as outside:
            assert names(outside) == ["Ana", "Bo"]

    with make_sessionmaker(engine)() as after:
        assert names(after) == ["Ana", "Bo"]
        assert after.scalar(select(func.count()).select_from(ContactIdentity)) == 2
        assert after.scalar(select(Org.id).where(Org.name == "kept")) is not None


def test_the_real_book_is_written_again_once_a_rehearsal_is_over(
    engine: Engine, session: Session
) -> None:
    """The copies go with the rehearsal: the pooled connection that held them writes the real
    tables for whoever uses it next."""
    service = create_service(session, create_org(session, "acme"), "support")
    session.commit()
    with rehearsal(engine, service.id) as rehearsing:
        insert_contacts(rehearsing, service.id, [{"first_name": "Rehearsed"}])
        rehearsing.commit()
    for _ in range(3):  # whichever pooled connection is handed out
        with make_sessionmaker(engine)() as later:
            insert_contacts(later, service.id, [{"first_name": "Real"}])
            later.commit()

    with make_sessionmaker(engine)() as reader:
        assert names(reader) == ["Real", "Real", "Real"]


def test_a_rehearsal_keeps_the_unique_key_of_identities(engine: Engine, session: Session) -> None:
    service = create_service(session, create_org(session, "acme"), "support")
    session.commit()
    contact = stored(session, service.id, "Ana", "ana@example.com", "+12015550100")
    session.commit()

    duplicate = Identity(contact, SOURCE, f"003{contact}")
    with (
        rehearsal(engine, service.id) as rehearsing,
        pytest.raises((IntegrityError, sqlite3.IntegrityError, psycopg.IntegrityError)),
    ):
        add_identities(rehearsing, service.id, [duplicate])


def test_a_rehearsal_writes_its_copy_on_a_connection_that_prepared_the_real_tables_writes(
    engine: Engine, session: Session
) -> None:
    """psycopg prepares a statement run five times, and PostgreSQL keeps its prepared plan on
    the table it named then: a pooled connection that had written the real contacts (with a
    temporary schema from an earlier rehearsal) wrote a dry run's changes there."""
    service = create_service(session, create_org(session, "acme"), "support")
    session.commit()
    ana = stored(session, service.id, "Ana", "ana@example.com", "+12015550100")
    session.commit()
    with rehearsal(engine, service.id):
        pass
    for _ in range(6):  # on the one pooled connection
        update_contacts(session, {ana: {"first_name": "Ana"}})
        session.commit()

    with rehearsal(engine, service.id) as rehearsing:
        update_contacts(rehearsing, {ana: {"first_name": "Rehearsed"}})
        rehearsing.commit()
        assert names(rehearsing) == ["Rehearsed"]

    assert names(session) == ["Ana"]
