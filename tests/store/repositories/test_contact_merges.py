from __future__ import annotations

from sqlalchemy.orm import Session

from forcebridge.store.repositories.contact_merges import kept_contacts, merge_contacts
from forcebridge.store.repositories.contacts import insert_contacts, list_contacts
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service


def test_the_id_of_a_contact_merged_away_is_never_given_to_another(session: Session) -> None:
    """The product may still hold the id (its messages, a REST API client): it must not come
    to name someone else, even when it was the highest."""
    service = create_service(session, create_org(session, "acme"), "support")
    older, newer = insert_contacts(
        session, service.id, [{"last_name": "Ames"}, {"last_name": "Ames"}]
    )
    merge_contacts(session, [(newer, older)])
    session.commit()

    [made] = insert_contacts(session, service.id, [{"last_name": "Brook"}])
    session.commit()

    assert made > newer
    assert [c.id for c in list_contacts(session, service)] == [older, made]


def test_a_merged_id_names_the_contact_that_stands_even_after_a_second_merge(
    session: Session,
) -> None:
    acme = create_org(session, "acme")
    service, other = create_service(session, acme, "support"), create_service(session, acme, "b")
    first, second, third = insert_contacts(session, service.id, [{}, {}, {}])
    merge_contacts(session, [(third, second)])
    merge_contacts(session, [(second, first)])
    session.commit()

    assert kept_contacts(session, service.id, [first, second, third]) == {
        second: first,
        third: first,
    }
    assert kept_contacts(session, other.id, [second, third]) == {}  # another service's ids
