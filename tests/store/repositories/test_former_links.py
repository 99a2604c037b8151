"""The links a pull removed, remembered so that a record that comes back finds its contact."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from forcebridge.store.models import FormerLink, Service
from forcebridge.store.repositories.contact_merges import merge_contacts
from forcebridge.store.repositories.contacts import Identity, add_identities, insert_contacts
from forcebridge.store.repositories.former_links import (
    forget_former_links,
    former_links,
    links_and_any_former,
    remember_former_links,
)
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service

SOURCE = "salesforce:Contact"


def a_service(session: Session, name: str = "support") -> Service:
    service = create_service(session, create_org(session, f"org-{name}"), name)
    session.commit()
    return service


def test_a_page_reads_its_links_with_whether_the_service_has_former_ones(
    session: Session,
) -> None:
    service, other = a_service(session), a_service(session, "other")
    ito, kim, lee = insert_contacts(session, service.id, [{}, {}, {}])
    add_identities(session, service.id, [Identity(ito, SOURCE, "003A")])
    session.commit()
    ids = ["003A", "003B", "003C", "003D"]
    assert links_and_any_former(session, service.id, SOURCE, ids) == ({"003A": ito}, False)

    remember_former_links(session, service.id, SOURCE, {"003B": kim, "003A": lee})
    remember_former_links(session, other.id, "salesforce:Lead", {"003C": kim})
    session.commit()

    assert links_and_any_former(session, service.id, SOURCE, ids) == ({"003A": ito}, True)
    assert links_and_any_former(session, service.id, SOURCE, ["003Z"]) == ({}, True)
    assert links_and_any_former(session, service.id, "salesforce:Lead", ids) == ({}, False)
    assert links_and_any_former(session, other.id, SOURCE, ids) == ({}, False)
    assert former_links(session, service.id, SOURCE, ids) == {"003A": lee, "003B": kim}
    assert former_links(session, other.id, SOURCE, ids) == {}


def test_a_record_unlinked_again_replaces_the_contact_it_left_before(session: Session) -> None:
    service = a_service(session)
    first, second = insert_contacts(session, service.id, [{}, {}])
    remember_former_links(session, service.id, SOURCE, {"003A": first, "003B": first})
    remember_former_links(session, service.id, SOURCE, {"003A": second})
    forget_former_links(session, service.id, SOURCE, ["003B"])
    session.commit()

    assert former_links(session, service.id, SOURCE, ["003A", "003B"]) == {"003A": second}


def test_a_merge_moves_the_former_links_of_the_contact_merged_to_the_one_kept(
    session: Session,
) -> None:
    service = a_service(session)
    kept, merged = insert_contacts(session, service.id, [{}, {}])
    remember_former_links(session, service.id, SOURCE, {"003A": merged})
    session.commit()

    merge_contacts(session, [(merged, kept)])
    session.commit()

    assert former_links(session, service.id, SOURCE, ["003A"]) == {"003A": kept}
    assert session.scalars(select(FormerLink.contact_id)).all() == [kept]
