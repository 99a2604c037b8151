from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, undefer_group

from forcebridge.salesforce.describe_cache import CachedDescribe, DescribeKey
from forcebridge.salesforce.status import CONNECTED, ConnectionStatus, Problem, State
from forcebridge.salesforce.tokens import TokenSet
from forcebridge.store.models import Connection, DescribeCacheEntry
from forcebridge.store.repositories.connections import create_connection
from forcebridge.store.repositories.orgs import create_org
from forcebridge.sync.store_ports import (
    StoreDescribeCache,
    StoreFailureCount,
    StoreStatusObserver,
    StoreTokenSink,
    stored_status,
)
from tests.store.samples import LOGIN, TOKENS

RENEWED = TokenSet(
    access_token="00D000000000001!renewed-access",
    instance_url="https://127.0.0.1:8443",
    id_url="https://127.0.0.1:8443/id/00D000000000001AAA/005000000000001AAA",
    issued_at=dt.datetime(2024, 11, 7, 9, tzinfo=dt.UTC),
    refresh_token="rotated-refresh",
)
LIMIT_REACHED = ConnectionStatus(
    State.NEEDS_ATTENTION,
    Problem.LIMIT_REACHED,
    "The org's daily API limit is reached: wait.",
    since=dt.datetime(2024, 11, 7, 10, tzinfo=dt.UTC),
)


def _connection(session: Session) -> Connection:
    connection = create_connection(session, create_org(session, "acme"), "main", LOGIN, TOKENS)
    session.commit()
    return connection


def _reloaded(engine: Engine, connection: Connection) -> Connection:
    with Session(engine) as fresh:
        found = fresh.get(Connection, connection.id, options=[undefer_group("sealed")])
        assert found is not None
        fresh.expunge(found)
        return found


def test_renewed_tokens_are_stored_sealed_at_once(session: Session, engine: Engine) -> None:
    connection = _connection(session)

    StoreTokenSink(engine, connection.id).tokens_renewed(RENEWED)

    stored = _reloaded(engine, connection)
    assert (stored.access_token, stored.refresh_token) == (
        "00D000000000001!renewed-access",
        "rotated-refresh",
    )
    with engine.connect() as raw:
        row = raw.execute(text("SELECT access_token, refresh_token FROM connections")).one()
    for column, secret in zip(row, ("renewed-access", "rotated-refresh"), strict=True):
        assert column.startswith("v1:")
        assert secret not in column


def test_a_status_change_is_stored_even_when_the_callers_work_is_rolled_back(
    session: Session, engine: Engine
) -> None:
    connection = _connection(session)
    session.get(Connection, connection.id)  # the caller is in the middle of something

    StoreStatusObserver(engine, connection.id).status_changed(LIMIT_REACHED)
    session.rollback()

    stored = _reloaded(engine, connection)
    assert (stored.status_problem, stored.status_reason) == (
        "limit_reached",
        "The org's daily API limit is reached: wait.",
    )
    assert stored.status_changed_at == LIMIT_REACHED.since
    assert stored_status(stored) == LIMIT_REACHED


def test_connected_again_clears_the_problem(session: Session, engine: Engine) -> None:
    connection = _connection(session)
    observer = StoreStatusObserver(engine, connection.id)

    observer.status_changed(LIMIT_REACHED)
    observer.status_changed(CONNECTED)

    stored = _reloaded(engine, connection)
    assert (stored.status_problem, stored.status_reason) == (None, None)
    assert stored_status(stored).state is State.CONNECTED


def test_temporary_failures_of_every_client_of_a_connection_add_up_until_one_goes_through(
    session: Session, engine: Engine
) -> None:
    """Two runs (each its own client, maybe its own process) failing at once each add their
    tries to the connection's one count; a request that goes through clears it, and one that
    knows the count is 0 writes nothing."""
    connection = _connection(session)
    first, second = (StoreFailureCount(engine, connection.id, 0) for _ in range(2))

    assert first.add(2) == 2
    assert second.add(2) == 4
    assert _reloaded(engine, connection).temporary_failures == 4
    second.clear()
    assert _reloaded(engine, connection).temporary_failures == 0
    StoreFailureCount(engine, connection.id, 0).add(1)
    first.clear()  # it knew of 2 failures: cleared
    assert _reloaded(engine, connection).temporary_failures == 0
    StoreFailureCount(engine, connection.id, 0).add(1)
    first.clear()  # it knows the count is 0 since it cleared it: no write
    assert _reloaded(engine, connection).temporary_failures == 1


def test_describes_are_cached_per_connection_version_and_object(
    session: Session, engine: Engine
) -> None:
    connection = _connection(session)
    cache = StoreDescribeCache(engine)
    key = DescribeKey(str(connection.id), "62.0", "Contact")
    fetched = dt.datetime(2024, 11, 7, 9, tzinfo=dt.UTC)
    entry = CachedDescribe({"name": "Contact", "fields": []}, fetched, fetched)

    assert cache.get(key) is None
    cache.put(key, entry)
    cache.put(key, entry.confirmed(fetched + dt.timedelta(hours=2)))

    assert cache.get(key) == CachedDescribe(
        {"name": "Contact", "fields": []}, fetched, fetched + dt.timedelta(hours=2)
    )
    assert cache.get(DescribeKey(str(connection.id), "61.0", "Contact")) is None
    assert cache.get(DescribeKey(str(connection.id), "62.0", "Lead")) is None
    with Session(engine) as fresh:
        assert fresh.scalar(select(func.count()).select_from(DescribeCacheEntry)) == 1
