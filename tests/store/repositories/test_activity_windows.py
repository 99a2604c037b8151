from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forcebridge.store.models import Service
from forcebridge.store.repositories.activity_windows import (
    NewWindow,
    add_windows,
    count_held_windows,
    count_parked_windows,
    held_windows,
    save_windows,
    troubled_windows,
    windows_in_doubt,
    windows_of,
    windows_to_retry,
)
from forcebridge.store.repositories.contacts import Identity, add_identities, insert_contacts
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service

DAY = dt.date(2024, 3, 12)
NEXT = dt.date(2024, 3, 13)
SOURCES = ("salesforce:Contact", "salesforce:Lead")


@pytest.fixture
def service(session: Session) -> Service:
    service = create_service(session, create_org(session, "acme"), "support")
    session.commit()
    return service


@pytest.fixture
def contacts(session: Session, service: Service) -> list[int]:
    return insert_contacts(session, service.id, [{"first_name": "Ana"}, {"first_name": "Bo"}])


def new(contact_id: int, day: dt.date, part: int = 1) -> NewWindow:
    return NewWindow(contact_id, day, part, f"fb-1-{contact_id}-{day:%Y%m%d}-{part}")


def test_windows_are_recorded_with_their_keys_and_read_back_by_contact_and_day(
    session: Session, service: Service, contacts: list[int]
) -> None:
    ana, bo = contacts
    added = add_windows(session, service.id, [new(ana, DAY), new(ana, DAY, 2), new(bo, NEXT)])

    found = windows_of(session, service.id, [(ana, DAY), (bo, DAY)])

    assert sorted(found, key=lambda w: w.part) == added[:2]
    assert added[0].key == f"fb-1-{ana}-20240312-1"


def test_a_windows_key_is_recorded_once(
    session: Session, service: Service, contacts: list[int]
) -> None:
    add_windows(session, service.id, [new(contacts[0], DAY)])

    with pytest.raises(IntegrityError):
        add_windows(session, service.id, [new(contacts[0], DAY)])


def test_saved_state_reads_back_whole(
    session: Session, service: Service, contacts: list[int]
) -> None:
    (window,) = add_windows(session, service.id, [new(contacts[0], DAY)])
    written = replace(
        window,
        task_id="00T000000000001AAA",
        target_object="Contact",
        target_id="003000000000001AAA",
        content_hash="ab" * 32,
        message_count=3,
        last_message_id=42,
        written_at=dt.datetime(2024, 3, 12, 20, 0, tzinfo=dt.UTC),
    )

    save_windows(session, [written])

    assert windows_of(session, service.id, [(contacts[0], DAY)]) == [written]


def test_a_create_with_no_recorded_outcome_is_in_doubt(
    session: Session, service: Service, contacts: list[int]
) -> None:
    sent, unsent, written = add_windows(
        session, service.id, [new(contacts[0], DAY), new(contacts[0], NEXT), new(contacts[1], DAY)]
    )
    save_windows(
        session,
        [
            replace(sent, target_id="003000000000001AAA"),
            replace(written, target_id="003000000000002AAA", task_id="00T000000000001AAA"),
        ],
    )

    assert [w.id for w in windows_in_doubt(session, service.id)] == [sent.id]
    assert unsent.id not in {w.id for w in windows_in_doubt(session, service.id)}


def test_unwritten_and_failing_windows_are_retried_once_their_contact_is_linked(
    session: Session, service: Service, contacts: list[int]
) -> None:
    ana, bo = contacts
    _unwritten, failing, parked, done, unlinked = add_windows(
        session,
        service.id,
        [
            new(ana, DAY),
            new(ana, NEXT),
            new(ana, dt.date(2024, 3, 14)),
            new(ana, dt.date(2024, 3, 15)),
            new(bo, DAY),
        ],
    )
    save_windows(
        session,
        [
            replace(failing, content_hash="h", task_id="00T1", attempts=1),
            replace(parked, attempts=5, parked_reason="ENTITY_IS_DELETED: entity is deleted"),
            replace(done, content_hash="h", task_id="00T2"),
        ],
    )
    add_identities(session, service.id, [Identity(ana, "salesforce:Contact", "003A")])

    assert sorted(windows_to_retry(session, service.id, SOURCES)) == [(ana, DAY), (ana, NEXT)]
    assert windows_to_retry(session, service.id, ("salesforce:Lead",)) == []
    troubled = troubled_windows(session, service.id, SOURCES)
    assert {w.id for w in troubled} == {failing.id, parked.id}
    assert troubled[0].parked  # parked ones first
    assert unlinked.id not in {w.id for w in troubled}
    # Only Leads logged to: ana's failing window is held, not failing; a parked one stays.
    assert [w.id for w in troubled_windows(session, service.id, ("salesforce:Lead",))] == [
        parked.id
    ]
    # Counted by the database as they are listed, whatever the sources.
    for sources in (SOURCES, ("salesforce:Lead",)):
        held = held_windows(session, service.id, sources)
        assert count_held_windows(session, service.id, sources) == len(held) > 0
    assert count_parked_windows(session, service.id) == 1
