from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from forcebridge.store.engine import make_engine
from forcebridge.store.repositories.leases import (
    EXPORT,
    OrgScope,
    holder_of,
    release_held_by,
    release_lease,
    renew_lease,
    take_lease,
)
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service

TTL = timedelta(minutes=5)
T0 = datetime(2024, 11, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def service_id(session: Session) -> int:
    service = create_service(session, create_org(session, "acme"), "support")
    session.commit()
    return service.id


def test_a_held_lease_refuses_others_until_it_expires(engine: Engine, service_id: int) -> None:
    assert take_lease(engine, service_id, "pull:Contact", "worker-a", TTL, now=T0)
    assert not take_lease(engine, service_id, "pull:Contact", "worker-b", TTL, now=T0 + TTL / 2)
    assert not take_lease(engine, service_id, "pull:Contact", "worker-a", TTL, now=T0 + TTL / 2)

    assert take_lease(engine, service_id, "pull:Contact", "worker-b", TTL, now=T0 + TTL)
    assert not renew_lease(engine, service_id, "pull:Contact", "worker-a", TTL, now=T0 + TTL)
    assert not release_lease(engine, service_id, "pull:Contact", "worker-a")


def test_renewing_pushes_the_expiry_back(engine: Engine, service_id: int) -> None:
    assert take_lease(engine, service_id, "activities", "worker-a", TTL, now=T0)
    assert renew_lease(engine, service_id, "activities", "worker-a", TTL, now=T0 + TTL * 0.9)

    assert not take_lease(engine, service_id, "activities", "worker-b", TTL, now=T0 + TTL * 1.5)


def test_a_released_lease_can_be_taken_at_once(engine: Engine, service_id: int) -> None:
    assert take_lease(engine, service_id, "activities", "worker-a", TTL, now=T0)
    assert release_lease(engine, service_id, "activities", "worker-a")

    assert take_lease(engine, service_id, "activities", "worker-b", TTL, now=T0)


def test_leases_of_different_streams_are_independent(engine: Engine, service_id: int) -> None:
    assert take_lease(engine, service_id, "pull:Contact", "worker-a", TTL, now=T0)
    assert take_lease(engine, service_id, "activities", "worker-b", TTL, now=T0)


@pytest.mark.parametrize("other", ["pull:Lead", "pull:custom", "reconcile", "pull"])
def test_the_streams_writing_a_contact_book_share_one_lease(
    engine: Engine, service_id: int, other: str
) -> None:
    """Two of them at once would each make a contact of the same new person."""
    assert take_lease(engine, service_id, "pull:Contact", "worker-a", TTL, now=T0)
    assert not take_lease(engine, service_id, other, "worker-b", TTL, now=T0)
    assert holder_of(engine, service_id, other) == "worker-a"


def test_an_orgs_exports_share_one_lease_of_the_org_apart_from_any_services_or_other_orgs(
    engine: Engine, session: Session, service_id: int
) -> None:
    """Two exports of one org at once, whatever their objects, would make their records twice;
    an export belongs to its org, not to a service."""
    acme, other = (
        OrgScope(create_org(session, "initech").id),
        OrgScope(create_org(session, "hooli").id),
    )
    session.commit()
    assert take_lease(engine, acme, "export:Lead", "worker-a", TTL, now=T0)

    assert not take_lease(engine, acme, "export:Contact", "worker-b", TTL, now=T0)
    assert holder_of(engine, acme, EXPORT) == "worker-a"
    assert take_lease(engine, other, EXPORT, "worker-b", TTL, now=T0)
    assert take_lease(engine, service_id, EXPORT, "worker-c", TTL, now=T0)
    assert renew_lease(engine, acme, EXPORT, "worker-a", TTL, now=T0 + TTL / 2)
    assert release_held_by(engine, "worker-a") == [(acme, EXPORT)]
    assert take_lease(engine, acme, "export:Contact", "worker-b", TTL, now=T0)


def _race(url: str, service_id: int, stream: str, now: datetime, contenders: int) -> list[bool]:
    """Let `contenders` workers, each with its own engine, take one lease at the same moment."""
    engines = [make_engine(url) for _ in range(contenders)]
    start = threading.Barrier(contenders)

    def contend(index: int) -> bool:
        start.wait()
        return take_lease(engines[index], service_id, stream, f"worker-{index}", TTL, now=now)

    try:
        with ThreadPoolExecutor(contenders) as pool:
            return list(pool.map(contend, range(contenders)))
    finally:
        for engine in engines:
            engine.dispose()


def test_of_workers_racing_for_a_new_or_expired_lease_exactly_one_wins(
    engine: Engine, migrated_url: str, service_id: int
) -> None:
    for round_ in range(5):
        stream = f"stream-{round_}"
        assert _race(migrated_url, service_id, stream, T0, contenders=4).count(True) == 1
        assert _race(migrated_url, service_id, stream, T0 + TTL, contenders=4).count(True) == 1
