"""The `sync_schedules` rows: kept in step with service settings, claimed when due, updated
with each run's outcome.

Functions take a SQLAlchemy `Connection` and leave the transaction to the caller, so the
distributed dispatcher can claim rows and defer their jobs in one transaction. Claiming is
optimistic: each candidate row is moved forward by an UPDATE that only matches while the row
still holds the `next_run_at` the dispatcher read, which both SQLite and PostgreSQL apply
atomically, so of two dispatchers exactly one claims a row.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Exists, and_, exists, func, or_, select, update
from sqlalchemy.orm import Session

from forcebridge.jobs.errors import ScheduleMissing
from forcebridge.jobs.policy import (
    PlannedStream,
    ScheduleState,
    ServiceSettings,
    Stream,
    after_disconnect,
    after_new_login,
    claimed,
    claimed_at,
    planned_streams,
    rescheduled,
    retry_now,
)
from forcebridge.salesforce.status import Problem
from forcebridge.store.insert_or_skip import insert_or_skip
from forcebridge.store.models import Connection as StoredConnection
from forcebridge.store.models import ConnectionStatus as ConnectionState
from forcebridge.store.models import Lease, Service, SyncSchedule
from forcebridge.store.repositories.leases import lease_name, lease_name_of


@dataclass(frozen=True)
class Claim:
    """A due stream a dispatcher took: run it, or let its claim lapse."""

    service_id: int
    stream: str
    token: datetime
    """The `next_run_at` the claim wrote; a run whose row no longer holds it is stale."""


def _state(row: Any) -> ScheduleState:
    return ScheduleState(
        next_run_at=row.next_run_at,
        interval=timedelta(minutes=row.interval_minutes),
        enabled=row.enabled,
        consecutive_failures=row.consecutive_failures,
        backoff_until=row.backoff_until,
        last_error=row.last_error,
        needs_attention=row.needs_attention,
    )


def _columns(state: ScheduleState) -> dict[str, Any]:
    return {
        "next_run_at": state.next_run_at,
        "interval_minutes": state.interval // timedelta(minutes=1),
        "enabled": state.enabled,
        "consecutive_failures": state.consecutive_failures,
        "backoff_until": state.backoff_until,
        "last_error": state.last_error,
        "needs_attention": state.needs_attention,
    }


def _service_settings(row: Any) -> ServiceSettings:
    return ServiceSettings(
        service_id=row.id,
        connected=row.connection_id is not None,
        pull_objects=row.pull_objects,
        pull_interval_minutes=row.pull_interval_minutes,
        activities_interval_minutes=row.activities_interval_minutes,
    )


def reconcile_schedules(
    connection: Connection, now: datetime, service_ids: Collection[int] | None = None
) -> None:
    """Create, update or disable schedule rows so they match the services' settings (all
    services, or those listed). Safe to run concurrently: a row another process created first
    is left to it."""
    services = select(
        Service.id,
        Service.connection_id,
        Service.pull_objects,
        Service.pull_interval_minutes,
        Service.activities_interval_minutes,
    )
    schedules = select(SyncSchedule)
    if service_ids is not None:
        services = services.where(Service.id.in_(service_ids))
        schedules = schedules.where(SyncSchedule.service_id.in_(service_ids))
    existing = {(row.service_id, row.stream): row for row in connection.execute(schedules)}
    for service in connection.execute(services):
        for plan in planned_streams(_service_settings(service)):
            stream, interval = plan.stream.value, plan.interval
            row = existing.pop((service.id, stream), None)
            if row is None:
                _insert_schedule(connection, service.id, plan, now)
            elif not row.enabled or timedelta(minutes=row.interval_minutes) != interval:
                _write(connection, row.id, rescheduled(_state(row), interval, now))
    unplanned = [row.id for row in existing.values() if row.enabled]
    if unplanned:
        connection.execute(
            update(SyncSchedule).where(SyncSchedule.id.in_(unplanned)).values(enabled=False)
        )


def _insert_schedule(
    connection: Connection, service_id: int, plan: PlannedStream, now: datetime
) -> None:
    """A new stream runs at the next tick, or once its plan's first wait is over."""
    state = ScheduleState(next_run_at=now + plan.first_run_after, interval=plan.interval)
    connection.execute(
        insert_or_skip(
            connection.dialect, SyncSchedule, SyncSchedule.service_id, SyncSchedule.stream
        ).values(
            service_id=service_id,
            stream=plan.stream.value,
            created_at=now,
            updated_at=now,
            **_columns(state),
        )
    )


def _write(connection: Connection, schedule_id: int, state: ScheduleState) -> None:
    connection.execute(
        update(SyncSchedule).where(SyncSchedule.id == schedule_id).values(**_columns(state))
    )


def _running(now: datetime) -> Exists:
    """Whether a run holds the schedule row's lease (for a contact-book stream, the one all
    of the service's contact-book streams share)."""
    return exists().where(
        Lease.service_id == SyncSchedule.service_id,
        Lease.stream == lease_name_of(SyncSchedule.stream),
        Lease.holder.is_not(None),
        Lease.expires_at > now,
    )


def _due(now: datetime) -> ColumnElement[bool]:
    """`policy.is_due` in SQL, and not while a run holds the stream's lease."""
    return and_(
        SyncSchedule.enabled.is_(True),
        SyncSchedule.next_run_at <= now,
        or_(SyncSchedule.backoff_until.is_(None), SyncSchedule.backoff_until <= now),
        ~_running(now),
    )


def count_due(connection: Connection, now: datetime) -> int:
    """How many streams, of every service, are due and not running at `now`."""
    return connection.execute(
        select(func.count()).select_from(SyncSchedule).where(_due(now))
    ).scalar_one()


SHARED_READS = frozenset({Stream.PULL_CONTACT.value, Stream.PULL_LEAD.value})
"""Streams every service on a connection reads together: one run reads the object once for all
of them (the sync engine's group) and their schedules move with it, so a batch claims one
service per connection and stream, and the others stay due until that run has covered them."""


def claim_due(connection: Connection, now: datetime, limit: int) -> list[Claim]:
    """Claim up to `limit` due streams, longest overdue first, by moving each row's
    `next_run_at` to `policy.claimed(now)`. Rows another dispatcher claimed meanwhile are
    skipped, so a claim may return fewer than were due."""
    candidates = connection.execute(
        select(
            SyncSchedule.id,
            SyncSchedule.service_id,
            SyncSchedule.stream,
            SyncSchedule.next_run_at,
            Service.connection_id,
        )
        .join(Service, Service.id == SyncSchedule.service_id)
        .where(_due(now))
        .order_by(SyncSchedule.next_run_at, SyncSchedule.id)
        .limit(limit)
        # PostgreSQL: concurrent dispatchers take different rows instead of contending for the
        # same ones. SQLite has no row locks (and one writer); the conditional UPDATE suffices.
        .with_for_update(skip_locked=True, of=SyncSchedule)
    ).all()
    token = claimed(now)
    claims = []
    members: dict[tuple[int, str], set[int]] = {}
    for candidate in candidates:
        if candidate.stream in SHARED_READS and candidate.connection_id is not None:
            group = (candidate.connection_id, candidate.stream)
            members.setdefault(group, set()).add(candidate.service_id)
    groups: set[tuple[int, str]] = set()
    leased: set[tuple[int, str]] = set()
    for candidate in candidates:
        lease = (candidate.service_id, lease_name(candidate.stream))
        if lease in leased:
            continue  # one lease, one run: the other stream runs at a later tick
        group = (candidate.connection_id, candidate.stream)
        if group in members:
            if group in groups:
                continue  # the group's claimed run reads for it; see SHARED_READS
            groups.add(group)
            # The group's run takes the lease of every due member it reads for: another
            # stream of one of them, claimed now, would hold it and keep it out of the read.
            leased |= {(member, lease[1]) for member in members[group]}
        leased.add(lease)
        taken = connection.execute(
            update(SyncSchedule)
            .where(
                SyncSchedule.id == candidate.id,
                SyncSchedule.next_run_at == candidate.next_run_at,
                _due(now),
            )
            .values(next_run_at=token)
        )
        if taken.rowcount == 1:
            claims.append(Claim(candidate.service_id, candidate.stream, token))
    return claims


def _row(connection: Connection, service_id: int, stream: str) -> Any:
    row = connection.execute(
        select(SyncSchedule).where(
            SyncSchedule.service_id == service_id, SyncSchedule.stream == stream
        )
    ).one_or_none()
    if row is None:
        raise ScheduleMissing(service_id, stream)
    return row


def load_state(connection: Connection, service_id: int, stream: str) -> ScheduleState:
    return _state(_row(connection, service_id, stream))


def save_state(connection: Connection, service_id: int, stream: str, state: ScheduleState) -> None:
    _write(connection, _row(connection, service_id, stream).id, state)


def is_current(connection: Connection, claim: Claim) -> bool:
    """Whether the claim still stands: nothing ran the stream or claimed it again since."""
    return _scheduled_at(connection, claim) == claim.token


def is_owed(connection: Connection, claim: Claim) -> bool:
    """Whether the claim's run is still owed: the claim stands, or was given back
    (`release_claim`) and not claimed again since. A twin job of the same claim (procrastinate
    can run a job twice) gives it back when it finds the lease held by the job that runs it;
    that job must still run."""
    return _scheduled_at(connection, claim) in (claim.token, claimed_at(claim.token))


def _scheduled_at(connection: Connection, claim: Claim) -> datetime | None:
    row = connection.execute(
        select(SyncSchedule.next_run_at, SyncSchedule.enabled).where(
            SyncSchedule.service_id == claim.service_id, SyncSchedule.stream == claim.stream
        )
    ).one_or_none()
    return row.next_run_at if row is not None and row.enabled else None


def release_claim(connection: Connection, claim: Claim) -> None:
    """Give a claim whose run could not start (the lease was held) back: the row is due again
    from the claim's moment, and claimed once the lease is free, rather than when the claim
    lapses."""
    connection.execute(
        update(SyncSchedule)
        .where(
            SyncSchedule.service_id == claim.service_id,
            SyncSchedule.stream == claim.stream,
            SyncSchedule.next_run_at == claim.token,
        )
        .values(next_run_at=claimed_at(claim.token))
    )


def is_abandoned(connection: Connection, claim: Claim, now: datetime) -> bool:
    """Whether the claim still stands but no run holds the lease: its run was lost."""
    running = connection.execute(
        select(_running(now)).where(
            SyncSchedule.service_id == claim.service_id, SyncSchedule.stream == claim.stream
        )
    ).scalar()
    return is_current(connection, claim) and not running


def retry_streams_now(
    connection: Connection, service_id: int, now: datetime, streams: Iterable[str] | None = None
) -> None:
    """Run the service's failing streams (or those named) at the next tick, backoff or not:
    what the admin pages call once the problem a stream waited on is fixed. A healthy stream
    keeps its time (a daily reconciliation is not brought forward by a fix elsewhere)."""
    query = select(SyncSchedule).where(SyncSchedule.service_id == service_id)
    if streams is not None:
        query = query.where(SyncSchedule.stream.in_(list(streams)))
    for row in connection.execute(query).all():
        state = _state(row)
        if streams is None and not (state.consecutive_failures or state.needs_attention):
            continue
        _write(connection, row.id, retry_now(state, now))


def after_disconnecting(session: Session, disconnected: StoredConnection, now: datetime) -> None:
    """A connection was disconnected: its services' enabled streams are flagged with its
    status reason, in the session's transaction."""
    service_ids = [service.id for service in disconnected.services]
    reason = disconnected.status_reason or "the connection was disconnected"
    connection = session.connection()
    reconcile_schedules(connection, now, service_ids)
    rows = connection.execute(
        select(SyncSchedule).where(
            SyncSchedule.service_id.in_(service_ids), SyncSchedule.enabled.is_(True)
        )
    )
    for row in rows.all():
        _write(connection, row.id, after_disconnect(_state(row), reason))


def after_connecting(connection: Connection, service_ids: Collection[int], now: datetime) -> None:
    """A connection logged in (anew): its services' streams are scheduled, and those flagged
    for its login run at the next tick instead of waiting for a person to press Retry now."""
    reconcile_schedules(connection, now, service_ids)
    rows = connection.execute(select(SyncSchedule).where(SyncSchedule.service_id.in_(service_ids)))
    for row in rows.all():
        state = _state(row)
        moved = after_new_login(state, now)
        if moved != state:
            _write(connection, row.id, moved)


def after_checking(session: Session, checked: StoredConnection, now: datetime) -> None:
    """A connection an admin had checked (`refresh_status`), in the session's transaction: a
    call that went through answers its login's flags as a new login does (`after_connecting`),
    so streams flagged `api_disabled` run again once the admin enabled the API and checked."""
    if checked.status is ConnectionState.CONNECTED:
        after_connecting(session.connection(), [s.id for s in checked.services], now)


def connection_problem(connection: Connection, service_id: int) -> str | None:
    """What the service's Salesforce connection stands flagged with, as its latest calls found
    it (`not_connected` for a service without one); None while it is Connected, or for a
    service deleted since."""
    row = connection.execute(
        select(Service.connection_id, StoredConnection.status_problem)
        .outerjoin(StoredConnection, StoredConnection.id == Service.connection_id)
        .where(Service.id == service_id)
    ).one_or_none()
    if row is None:
        return None
    return Problem.NOT_CONNECTED.value if row.connection_id is None else row.status_problem


def service_schedules(connection: Connection, service_id: int) -> dict[str, ScheduleState]:
    """The service's streams and where each stands, for the admin pages and the CLI."""
    rows = connection.execute(
        select(SyncSchedule)
        .where(SyncSchedule.service_id == service_id)
        .order_by(SyncSchedule.stream)
    )
    return {row.stream: _state(row) for row in rows}
