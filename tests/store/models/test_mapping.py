from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forcebridge.store.models import Mapping, MappingRow, UpdateOption
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service


def test_rows_come_back_in_priority_order_with_their_update_option(session: Session) -> None:
    org = create_org(session, "acme")
    mapping = Mapping(org_id=org.id, object="Lead")
    mapping.rows = [
        MappingRow(position=2, source="company_phone", target="Phone"),
        MappingRow(
            position=1,
            source="direct_phone",
            target="Phone",
            update_option=UpdateOption.FILL_EMPTY,
        ),
    ]
    session.add(mapping)
    session.commit()
    session.expunge_all()

    stored = session.scalars(select(Mapping)).one()
    assert [(row.source, row.update_option) for row in stored.rows] == [
        ("direct_phone", UpdateOption.FILL_EMPTY),
        ("company_phone", UpdateOption.OVERWRITE),
    ]


def test_a_mapping_belongs_to_a_service_or_an_org_never_both(session: Session) -> None:
    org = create_org(session, "acme")
    service = create_service(session, org, "support")
    session.add(Mapping(org_id=org.id, service_id=service.id, object="Contact"))

    with pytest.raises(IntegrityError, match="one_owner"):
        session.flush()
