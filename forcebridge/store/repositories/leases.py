"""Leases: at most one holder runs a (service, stream) at a time, and a dead holder's lease expires.

The streams that write a service's contact book from Salesforce (its pulls and their daily
reconciliation) share one lease, `CONTACT_BOOK` (`lease_name`): two of them at once would each
look up the same person before the other wrote them, and make two contacts of one person (a
Lead and a Contact with the same email, pulled at the same moment).

A lease is a service's (named by the service's id), or an org's own (`OrgScope`): an export
belongs to its org, and its exports share one lease, `EXPORT`.

Each call is its own committed transaction on the engine, so its outcome is visible to every
other worker at once. Taking is a single conditional UPDATE (or an INSERT that yields on a
conflict), which both SQLite and PostgreSQL execute atomically: of two takers, exactly one
changes the row. Times come from the caller's clock (`now`), so expiry is testable.
"""

from __future__ import annotations

import os
import re
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine, case, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute

from forcebridge.store.insert_or_skip import insert_or_skip
from forcebridge.store.models import Lease
from forcebridge.store.types import utcnow

_HOLDER = re.compile(r"(?P<host>[^:\s]+):(?P<pid>\d+):\d+$")
"""The end of every holder's name: the machine, process and thread (`holder_id`)."""


CONTACT_BOOK = "contact_book"
"""The lease of every stream that writes a service's contact book from Salesforce."""


REHEARSAL = "rehearsal"
"""The lease a dry run of a service's pull, or of an org's export, holds: it writes nothing but
its run, which a process that died would otherwise leave `running` for ever (a dry run takes no
stream's lease)."""

EXPORT = "export"
"""The lease of an org's exports (`export:Lead`, `export:Contact`), one at a time: two at once
would each look up the same prospects before the other made their records, and make every Lead,
Contact and Account twice."""

_BOOK_PREFIX, _BOOK_CHECK = "pull", "reconcile"
"""The streams under `CONTACT_BOOK`: every pull (and a run's label "pull", for both objects),
and the reconciliation."""

_EXPORT_PREFIX = f"{EXPORT}:"
"""The streams under `EXPORT`."""


@dataclass(frozen=True)
class OrgScope:
    """An org's own lease, where most are a service's."""

    org_id: int


LeaseScope = int | OrgScope
"""Whose lease: a service's (its id) or an org's."""


def lease_name(stream: str) -> str:
    """The lease a stream runs under."""
    if stream.startswith(_BOOK_PREFIX) or stream == _BOOK_CHECK:
        return CONTACT_BOOK
    return EXPORT if stream.startswith(_EXPORT_PREFIX) else stream


def lease_name_of(stream: ColumnElement[str] | InstrumentedAttribute[str]) -> ColumnElement[str]:
    """`lease_name` in SQL, for a column of stream names."""
    book = or_(stream.startswith(_BOOK_PREFIX), stream == _BOOK_CHECK)
    return case((book, CONTACT_BOOK), (stream.startswith(_EXPORT_PREFIX), EXPORT), else_=stream)


def _owner(scope: LeaseScope) -> tuple[InstrumentedAttribute[int | None], int]:
    """The column naming the lease's owner, and the owner's id."""
    if isinstance(scope, OrgScope):
        return Lease.org_id, scope.org_id
    return Lease.service_id, scope


def _of(scope: LeaseScope, stream: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """The conditions picking the lease `stream` of `scope` runs under."""
    column, owner = _owner(scope)
    return column == owner, Lease.stream == lease_name(stream)


def _scope(service_id: int | None, org_id: int | None) -> LeaseScope:
    """Whose a lease row is: its service's, else its org's (a row has one owner, `one_owner`)."""
    if service_id is not None:
        return service_id
    assert org_id is not None
    return OrgScope(org_id)


def holder_id() -> str:
    """Who holds a lease: the machine, process and thread, which an operator finds in the logs
    and a restarted process uses to tell a dead holder on its own machine."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _is_dead_here(holder: str) -> bool:
    """Whether `holder` names a process of this machine that no longer runs. A process number
    taken again by another process reads as alive: its lease is then left to expire."""
    named = _HOLDER.search(holder)
    if named is None or named["host"] != socket.gethostname():
        return False
    try:
        os.kill(int(named["pid"]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def dead_holders_here(engine: Engine) -> list[str]:
    """The holders of leases still held whose process, on this machine, has died."""
    with engine.connect() as connection:
        holders = connection.execute(
            select(Lease.holder).where(Lease.holder.is_not(None)).distinct()
        ).scalars()
        return [holder for holder in holders if holder is not None and _is_dead_here(holder)]


def take_lease(
    engine: Engine,
    scope: LeaseScope,
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
            .where(*_of(scope, stream), or_(Lease.holder.is_(None), Lease.expires_at <= now))
            .values(held)
        )
        if freed.rowcount == 1:
            return True
        # The first taker creates the row; a racing second one learns it lost (no row).
        column, owner = _owner(scope)
        inserted = connection.execute(
            insert_or_skip(engine.dialect, Lease, column, Lease.stream)
            .values({column.key: owner, "stream": lease_name(stream), **held})
            .returning(Lease.id)
        )
        return inserted.first() is not None


def renew_lease(
    engine: Engine,
    scope: LeaseScope,
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
            .where(*_of(scope, stream), Lease.holder == holder)
            .values(expires_at=now + ttl)
        )
        return renewed.rowcount == 1


def release_lease(engine: Engine, scope: LeaseScope, stream: str, holder: str) -> bool:
    """Give the lease up so the next run need not wait for it to expire; False if not held."""
    with engine.begin() as connection:
        released = connection.execute(
            update(Lease)
            .where(*_of(scope, stream), Lease.holder == holder)
            .values(holder=None, expires_at=None)
        )
        return released.rowcount == 1


def is_held(engine: Engine, scope: LeaseScope, stream: str, now: datetime | None = None) -> bool:
    """Whether a run holds the lease now (taken and not expired)."""
    now = now or utcnow()
    with engine.connect() as connection:
        held = connection.execute(
            select(Lease.id).where(
                *_of(scope, stream), Lease.holder.is_not(None), Lease.expires_at > now
            )
        )
        return held.first() is not None


def holder_of(engine: Engine, scope: LeaseScope, stream: str) -> str | None:
    """Who holds (or last held) the lease: a run takes its other leases under its own lease's
    name, so that whoever frees a dead run's leases frees them all."""
    with engine.connect() as connection:
        return connection.execute(select(Lease.holder).where(*_of(scope, stream))).scalar()


def release_held_by(engine: Engine, holder_prefix: str) -> list[tuple[LeaseScope, str]]:
    """Free every lease whose holder's name starts with `holder_prefix`, a holder known to be
    dead, so its streams need not wait for the leases to expire; the (scope, lease) freed."""
    with engine.begin() as connection:
        freed = connection.execute(
            update(Lease)
            .where(Lease.holder.startswith(holder_prefix, autoescape=True))
            .values(holder=None, expires_at=None)
            .returning(Lease.service_id, Lease.org_id, Lease.stream)
        )
        return [(_scope(row.service_id, row.org_id), row.stream) for row in freed]
