"""Leases: at most one holder runs a (service, stream) at a time, and a dead holder's lease expires.

Each call is its own committed transaction on the engine, so its outcome is visible to every
other worker at once. Taking is a single conditional UPDATE (or an INSERT that yields on a
conflict), which both SQLite and PostgreSQL execute atomically: of two takers, exactly one
changes the row. Times come from the caller's clock (`now`), so expiry is testable.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, update
from sqlalchemy.dialects import postgresql, sqlite

from forcebridge.store.models import Lease
from forcebridge.store.types import utcnow

# The first taker creates the row; INSERT ... ON CONFLICT DO NOTHING lets a racing second
# taker learn it lost (no row returned) instead of failing.
_INSERTS: dict[str, Callable[[type[Lease]], postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


def take_lease(
    engine: Engine,
    service_id: int,
    stream: str,
    holder: str,
    ttl: timedelta,
    *,
    now: datetime | None = None,
) -> bool:
    """Whether `holder` now holds the lease until `now + ttl`; False while another holds it."""
    now = now or utcnow()
    held = {"holder": holder, "expires_at": now + ttl}
    with engine.begin() as connection:
        freed = connection.execute(
            update(Lease)
            .where(
                Lease.service_id == service_id,
                Lease.stream == stream,
                or_(Lease.holder.is_(None), Lease.expires_at <= now),
            )
            .values(held)
        )
        if freed.rowcount == 1:
            return True
        insert_first = _INSERTS[engine.dialect.name]
        inserted = connection.execute(
            insert_first(Lease)
            .values(service_id=service_id, stream=stream, **held)
            .on_conflict_do_nothing(index_elements=[Lease.service_id, Lease.stream])
            .returning(Lease.id)
        )
        return inserted.first() is not None


def renew_lease(
    engine: Engine,
    service_id: int,
    stream: str,
    holder: str,
    ttl: timedelta,
    *,
    now: datetime | None = None,
) -> bool:
    """Extend the lease to `now + ttl`; False when `holder` no longer holds it (stop working)."""
    now = now or utcnow()
    with engine.begin() as connection:
        renewed = connection.execute(
            update(Lease)
            .where(Lease.service_id == service_id, Lease.stream == stream, Lease.holder == holder)
            .values(expires_at=now + ttl)
        )
        return renewed.rowcount == 1


def release_lease(engine: Engine, service_id: int, stream: str, holder: str) -> bool:
    """Give the lease up so the next run need not wait for it to expire; False if not held."""
    with engine.begin() as connection:
        released = connection.execute(
            update(Lease)
            .where(Lease.service_id == service_id, Lease.stream == stream, Lease.holder == holder)
            .values(holder=None, expires_at=None)
        )
        return released.rowcount == 1
