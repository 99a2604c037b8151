from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

from forcebridge.store.models import Service
from forcebridge.store.repositories.contacts import (
    Identity,
    add_identities,
    contacts_by_email,
    contacts_by_id,
    contacts_by_phone,
    identities_by_contact,
    insert_contacts,
    linked_contacts,
    linked_external_ids,
    list_contacts,
    planned_for_their_keys,
    refresh_statistics,
    remove_identities,
    update_contacts,
)
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service

SOURCE = "salesforce:Contact"
ON_POSTGRESQL = pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres)]
)
"""For what only PostgreSQL's planner is told."""


@pytest.fixture
def service(session: Session) -> Service:
    service = create_service(session, create_org(session, "acme"), "support")
    session.commit()
    return service


def person(n: int, **values: Any) -> dict[str, Any]:
    return {
        "first_name": f"Ana{n}",
        "email": f"ana{n}@example.com",
        "email_normalized": f"ana{n}@example.com",
        "phone": f"(201) 555-{n:04d}",
        "phone_e164": f"+1201555{n:04d}",
        **values,
    }


def test_contacts_are_inserted_in_order_and_found_by_every_key(
    session: Session, service: Service
) -> None:
    ids = insert_contacts(
        session,
        service.id,
        [person(1), person(2, mobile_e164="+12015559999", custom={"tier": "gold"})],
    )
    add_identities(session, service.id, [Identity(ids[0], SOURCE, "003A", None)])
    session.commit()

    assert linked_contacts(session, service.id, SOURCE, {"003A", "003Z"}) == {"003A": ids[0]}
    assert [c.id for c in contacts_by_phone(session, service.id, {"+12015559999"})] == [ids[1]]
    assert [c.id for c in contacts_by_email(session, service.id, {"ana1@example.com"})] == [ids[0]]
    second = contacts_by_id(session, [ids[1]])[ids[1]]
    assert second.phones == {"+12015550002", "+12015559999"}
    assert second.values["custom"] == {"tier": "gold"}
    assert second.values["deleted_in_source"] is False
    assert identities_by_contact(session, ids) == {ids[0]: [Identity(ids[0], SOURCE, "003A")]}


def test_a_page_of_lookups_costs_one_query_per_key_however_many_records(
    session: Session, service: Service
) -> None:
    page = range(2_500)  # more than a page, and than any driver takes as placeholders
    insert_contacts(session, service.id, [person(n) for n in page])
    session.commit()
    statements: list[str] = []
    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    phones = {f"+1201555{n:04d}" for n in page}
    emails = {f"ana{n}@example.com" for n in page}
    assert len(contacts_by_phone(session, service.id, phones)) == len(page)
    assert len(contacts_by_email(session, service.id, emails)) == len(page)
    assert linked_contacts(session, service.id, SOURCE, {f"003{n}" for n in page}) == {}
    assert len(statements) == 3


def test_lookups_can_leave_out_contacts_already_linked_to_a_record_of_the_source(
    session: Session, service: Service
) -> None:
    shared = {"phone_e164": "+12015550000", "email_normalized": "desk@example.com"}
    linked, from_a_lead, free = insert_contacts(
        session, service.id, [person(n, **shared) for n in range(3)]
    )
    add_identities(
        session,
        service.id,
        [Identity(linked, SOURCE, "003A"), Identity(from_a_lead, "salesforce:Lead", "00QA")],
    )
    session.commit()

    for lookup, key in (
        (contacts_by_phone, "+12015550000"),
        (contacts_by_email, "desk@example.com"),
    ):
        everyone = lookup(session, service.id, {key})
        matchable = lookup(session, service.id, {key}, unlinked_from=SOURCE)
        assert sorted(c.id for c in everyone) == [linked, from_a_lead, free]
        assert sorted(c.id for c in matchable) == [from_a_lead, free]


def test_a_contact_found_by_its_phone_and_its_mobile_is_found_once(
    session: Session, service: Service
) -> None:
    [both] = insert_contacts(session, service.id, [person(1, mobile_e164="+12015559999")])
    session.commit()

    found = contacts_by_phone(session, service.id, {"+12015550001", "+12015559999"})
    assert [c.id for c in found] == [both]


def test_new_contacts_get_ids_in_the_order_of_their_rows(
    session: Session, service: Service
) -> None:
    ids = insert_contacts(session, service.id, [person(n) for n in range(250)])
    session.commit()

    by_id = contacts_by_id(session, ids)
    assert [by_id[i].values["first_name"] for i in ids] == [f"Ana{n}" for n in range(250)]


def test_updates_replace_every_value_and_unlinking_keeps_the_contact(
    session: Session, service: Service
) -> None:
    [contact_id] = insert_contacts(session, service.id, [person(1)])
    add_identities(
        session,
        service.id,
        [Identity(contact_id, SOURCE, "003A"), Identity(contact_id, "csv:crm", "row-7")],
    )
    update_contacts(session, {contact_id: {**person(1), "title": "CEO", "deleted_in_source": True}})
    remove_identities(session, service.id, SOURCE, {"003A"})
    session.commit()
    session.expunge_all()

    [contact] = list_contacts(session, service)
    assert (contact.title, contact.deleted_in_source) == ("CEO", True)
    assert [(i.source, i.external_id) for i in contact.identities] == [("csv:crm", "row-7")]
    assert list(linked_external_ids(session, service.id, "csv:crm")) == ["row-7"]


def test_contacts_of_another_service_are_never_found(session: Session, service: Service) -> None:
    other = create_service(session, service.org, "sales")
    [theirs] = insert_contacts(session, other.id, [person(1)])
    add_identities(session, other.id, [Identity(theirs, SOURCE, "003A")])
    session.commit()

    assert contacts_by_phone(session, service.id, {"+12015550001"}) == []
    assert contacts_by_email(session, service.id, {"ana1@example.com"}) == []
    assert linked_contacts(session, service.id, SOURCE, {"003A"}) == {}


@ON_POSTGRESQL
def test_lookups_are_planned_with_their_settings_and_what_follows_with_the_defaults(
    session: Session, service: Service
) -> None:
    names = ("plan_cache_mode", "random_page_cost", "max_parallel_workers_per_gather")

    def settings() -> list[str]:
        return [str(session.scalar(text(f"SHOW {name}"))) for name in names]

    before = settings()
    with planned_for_their_keys(session):
        assert settings() == ["force_custom_plan", "1.1", "0"]
        assert contacts_by_phone(session, service.id, {"+12015550001"}) == []
    assert settings() == before


@ON_POSTGRESQL
def test_refreshing_statistics_counts_the_contacts_written_so_far(
    session: Session, service: Service
) -> None:
    insert_contacts(session, service.id, [person(n) for n in range(700)])
    session.commit()
    counted = text("SELECT reltuples FROM pg_class WHERE relname = 'contacts'")
    assert session.scalar(counted) < 700
    names = ("default_statistics_target", "lock_timeout")
    before = [session.scalar(text(f"SHOW {name}")) for name in names]

    refresh_statistics(session)

    assert [session.scalar(text(f"SHOW {name}")) for name in names] == before
    session.commit()
    assert session.scalar(counted) == 700


@ON_POSTGRESQL
def test_refreshing_statistics_gives_way_to_a_session_holding_the_tables(
    session: Session, service: Service, engine: Engine
) -> None:
    insert_contacts(session, service.id, [person(n) for n in range(10)])
    session.commit()
    with engine.connect() as vacuuming:  # as an anti-wraparound vacuum would hold them
        vacuuming.execute(text("LOCK TABLE contacts IN SHARE UPDATE EXCLUSIVE MODE"))

        refresh_statistics(session)

        assert [c.id for c in contacts_by_phone(session, service.id, {"+12015550001"})]
        vacuuming.rollback()
    session.commit()


def test_lookups_and_unlinks_given_no_keys_cost_no_statement(
    session: Session, service: Service
) -> None:
    statements: list[str] = []
    event.listen(
        session.get_bind(), "before_cursor_execute", lambda *args: statements.append(args[2])
    )
    assert contacts_by_phone(session, service.id, set()) == []
    assert contacts_by_email(session, service.id, set()) == []
    assert contacts_by_id(session, set()) == {}
    assert identities_by_contact(session, set()) == {}
    assert linked_contacts(session, service.id, SOURCE, set()) == {}
    remove_identities(session, service.id, SOURCE, set())
    assert statements == []
