"""A full read under way, kept across runs: what it has seen, and the linked records it has not."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from forcebridge.store.models import Service
from forcebridge.store.repositories.contacts import Identity, add_identities, insert_contacts
from forcebridge.store.repositories.full_reads import (
    add_seen,
    begin_full_read,
    end_full_read,
    unseen_linked,
)
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service
from forcebridge.store.repositories.watermarks import (
    get_watermark,
    reset_watermarks,
    save_watermark,
)

STREAM, SOURCE = "pull:Contact", "salesforce:Contact"
T0 = datetime(2024, 11, 7, 9, 0, tzinfo=UTC)


def linked(session: Session, *external_ids: str) -> Service:
    """A service whose contacts are linked to these Contacts, its stream read up to T0."""
    service = create_service(session, create_org(session, "acme"), "support")
    contacts = insert_contacts(session, service.id, [{} for _ in external_ids])
    add_identities(
        session,
        service.id,
        [Identity(c, SOURCE, sid) for c, sid in zip(contacts, external_ids, strict=True)],
    )
    save_watermark(session, service, STREAM, T0, ["003A"])
    session.commit()
    return service


def unseen(session: Session, service: Service) -> list[str]:
    return sorted(unseen_linked(session, service.id, STREAM, SOURCE, None))


def under_way(session: Session, service: Service) -> tuple[datetime | None, bool] | None:
    session.expire_all()
    watermark = get_watermark(session, service, STREAM)
    return None if watermark is None else (watermark.modstamp, watermark.unlink_unseen)


def test_a_full_read_begins_from_the_start_and_ends_having_found_what_it_saw(
    session: Session,
) -> None:
    service = linked(session, "003A", "003B", "003C")

    begin_full_read(session, service, STREAM, mark=True)
    session.commit()
    assert under_way(session, service) == (None, True)
    add_seen(session, service.id, STREAM, ["003A", "003Z"])
    add_seen(session, service.id, STREAM, ["003A"])  # read again, changed meanwhile
    session.commit()
    assert unseen(session, service) == ["003B", "003C"]

    end_full_read(session, service, STREAM, mark=True)
    session.commit()
    assert under_way(session, service) == (None, False)
    assert unseen(session, service) == ["003A", "003B", "003C"]


def test_a_full_read_begun_again_or_reset_forgets_what_the_last_one_saw(
    session: Session,
) -> None:
    service = linked(session, "003A", "003B")
    begin_full_read(session, service, STREAM, mark=True)
    add_seen(session, service.id, STREAM, ["003A"])
    session.commit()

    begin_full_read(session, service, STREAM, mark=False)  # a dry run's: the watermark stays
    assert unseen(session, service) == ["003A", "003B"]
    assert under_way(session, service) == (None, True)
    add_seen(session, service.id, STREAM, ["003B"])
    reset_watermarks(session, service, [STREAM])  # the query changed again
    session.commit()
    assert unseen(session, service) == ["003A", "003B"]
    assert under_way(session, service) is None
