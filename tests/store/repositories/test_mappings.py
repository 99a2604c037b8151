from __future__ import annotations

from sqlalchemy.orm import Session

from forcebridge.store.models import UpdateOption
from forcebridge.store.repositories.mappings import (
    get_mapping,
    get_org_mapping,
    list_mappings,
    save_mapping,
    save_org_mapping,
)
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service

OVERWRITE, FILL_EMPTY = UpdateOption.OVERWRITE, UpdateOption.FILL_EMPTY


def test_a_saved_mapping_reads_back_in_priority_order_and_saving_again_replaces_it(
    session: Session,
) -> None:
    service = create_service(session, create_org(session, "acme"), "support")
    assert get_mapping(session, service, "Contact") is None
    save_mapping(
        session,
        service,
        "Contact",
        [("MobilePhone", "phone", OVERWRITE), ("Phone", "phone", FILL_EMPTY)],
    )
    session.commit()
    session.expunge_all()
    stored = get_mapping(session, service, "Contact")
    assert stored is not None
    assert [(r.position, r.source, r.target, r.update_option) for r in stored.rows] == [
        (1, "MobilePhone", "phone", OVERWRITE),
        (2, "Phone", "phone", FILL_EMPTY),
    ]

    save_mapping(session, service, "Contact", [("Email", "email", OVERWRITE)])
    save_mapping(session, service, "Lead", [("Company", "company", OVERWRITE)])
    session.commit()
    session.expunge_all()
    assert [(m.object, [r.source for r in m.rows]) for m in list_mappings(session, service)] == [
        ("Contact", ["Email"]),
        ("Lead", ["Company"]),
    ]


def test_an_orgs_export_mapping_is_kept_apart_from_its_services_mappings(
    session: Session,
) -> None:
    org = create_org(session, "acme")
    service = create_service(session, org, "support")
    save_mapping(session, service, "Contact", [("Email", "email", OVERWRITE)])
    assert get_org_mapping(session, org, "Contact") is None

    save_org_mapping(
        session,
        org,
        "Contact",
        [("direct_phone", "Phone", OVERWRITE), ("company_phone", "Phone", FILL_EMPTY)],
    )
    save_org_mapping(session, org, "Contact", [("email", "Email", FILL_EMPTY)])
    session.commit()
    session.expunge_all()

    stored = get_org_mapping(session, org, "Contact")
    assert stored is not None
    assert [(r.position, r.source, r.target, r.update_option) for r in stored.rows] == [
        (1, "email", "Email", FILL_EMPTY)
    ]
    service_mapping = get_mapping(session, service, "Contact")
    assert service_mapping is not None and [r.source for r in service_mapping.rows] == ["Email"]


def test_a_mapping_read_again_shows_rows_another_session_saved_since(session: Session) -> None:
    """A run in a session that read the mapping before (the session keeps what it loaded)
    reads the rows an admin saved meanwhile, not those it holds."""
    service = create_service(session, create_org(session, "acme"), "support")
    save_mapping(session, service, "Contact", [("Email", "email", OVERWRITE)])
    session.commit()
    held = get_mapping(session, service, "Contact")
    assert held is not None and [r.source for r in held.rows] == ["Email"]

    with Session(session.get_bind(), expire_on_commit=False) as admin:
        save_mapping(admin, service, "Contact", [("MailingCity", "city", OVERWRITE)])
        admin.commit()
    session.commit()

    again = get_mapping(session, service, "Contact")
    assert again is not None and [r.source for r in again.rows] == ["MailingCity"]
