from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from forcebridge.store.errors import AlreadyExists
from forcebridge.store.models import Contact, ContactIdentity
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service
from forcebridge.store.repositories.uniqueness import add_unique


def _contact_linked_to(session: Session, service_id: int, salesforce_id: str) -> Contact:
    contact = Contact(service_id=service_id)
    contact.identities.append(
        ContactIdentity(
            service_id=service_id, source="salesforce:Contact", external_id=salesforce_id
        )
    )
    return add_unique(session, contact, "identity", f"salesforce:Contact {salesforce_id}")


def test_one_salesforce_record_is_one_contact_per_service(session: Session) -> None:
    org = create_org(session, "acme")
    support, sales = create_service(session, org, "support"), create_service(session, org, "sales")
    _contact_linked_to(session, support.id, "003A")
    _contact_linked_to(session, sales.id, "003A")

    with pytest.raises(AlreadyExists, match="identity 'salesforce:Contact 003A' already exists"):
        _contact_linked_to(session, support.id, "003A")
