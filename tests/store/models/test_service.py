from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forcebridge.store.models import PullObjects
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service


def test_a_custom_pull_is_stored_with_its_query(session: Session) -> None:
    service = create_service(session, create_org(session, "acme"), "support")
    service.pull_objects = PullObjects.CUSTOM
    service.pull_soql = "SELECT Id, Phone FROM Patient__c"
    session.commit()


@pytest.mark.parametrize(
    ("pull_objects", "soql"),
    [(PullObjects.CUSTOM, None), (PullObjects.CONTACTS, "SELECT Id FROM Contact")],
)
def test_the_database_refuses_a_query_that_does_not_match_the_choice(
    session: Session, pull_objects: PullObjects, soql: str | None
) -> None:
    service = create_service(session, create_org(session, "acme"), "support")
    service.pull_objects, service.pull_soql = pull_objects, soql

    with pytest.raises(IntegrityError, match="custom_pull_has_soql"):
        session.flush()


def test_the_database_refuses_a_pull_interval_under_a_minute(session: Session) -> None:
    service = create_service(session, create_org(session, "acme"), "support")
    service.pull_interval_minutes = 0

    with pytest.raises(IntegrityError, match="pull_interval_positive"):
        session.flush()
