from __future__ import annotations

from sqlalchemy.orm import Session

from forcebridge.store.repositories.contact_merges import merge_contacts
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
