"""Where each pull stream of a service stands, saved in the same transaction as the page it
follows, so the store never holds contacts newer than their watermark says (or older).

A settings change that has streams read everything again deletes their watermarks and moves
the service's pull settings version (`Service.pull_settings_version`), which a read noted as it
began: each of the read's writes first holds the version (`settings_moved`) and writes nothing
for a service whose version has moved, so the read cannot make again a watermark the change
deleted. Both take the service's row before its watermarks, so neither waits on the other in
turn (a deadlock on PostgreSQL).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from forcebridge.store.bulk import is_postgresql
from forcebridge.store.models import FullReadSeen, Service, Watermark


def get_watermark(session: Session, service: Service, stream: str) -> Watermark | None:
    return session.scalars(
        select(Watermark).where(Watermark.service_id == service.id, Watermark.stream == stream)
    ).one_or_none()


def save_watermark(
    session: Session,
    service: Service,
    stream: str,
    modstamp: datetime | None,
    ids_at_modstamp: Collection[str],
) -> Watermark:
    """Create or move the stream's watermark (ids kept sorted, so equal states compare equal)."""
    watermark = get_watermark(session, service, stream)
    if watermark is None:
        watermark = Watermark(service_id=service.id, stream=stream)
        session.add(watermark)
    watermark.modstamp = modstamp
    watermark.ids_at_modstamp = sorted(ids_at_modstamp)
    session.flush()
    return watermark


def reset_watermarks(session: Session, service: Service, streams: Collection[str] = ()) -> None:
    """Forget where `streams` (all of the service's when empty) stand: their next run reads
    everything again (a full read under way begins anew, what it had seen forgotten). The
    service's pull settings version moves first: a read under way writes nothing more for
    it (`settings_moved`)."""
    service.pull_settings_version = Service.pull_settings_version + 1
    session.flush()  # the service's row, then its watermarks'
    statement = delete(Watermark).where(Watermark.service_id == service.id)
    if streams:
        statement = statement.where(Watermark.stream.in_(sorted(streams)))
    session.execute(statement)
    forget_seen(session, service.id, streams)
    session.flush()


def forget_seen(session: Session, service_id: int, streams: Collection[str] = ()) -> None:
    """Forget what the full reads of `streams` (all of the service's when empty) have seen
    (`forcebridge.store.repositories.full_reads`)."""
    statement = delete(FullReadSeen).where(FullReadSeen.service_id == service_id)
    if streams:
        statement = statement.where(FullReadSeen.stream.in_(sorted(streams)))
    session.execute(statement)


def settings_moved(session: Session, noted: Mapping[int, int]) -> set[int]:
    """Of the services `noted` (by id, with the pull settings version their read noted), those
    whose version has moved since (or that were deleted). The others' versions hold until the
    caller's transaction ends: a change (`reset_watermarks`) waits for it to commit. On
    PostgreSQL their rows are locked for share, in id order; SQLite has one writer, whose lock
    is taken here, as its driver begins a transaction only at the first write."""
    if not noted:
        return set()
    if not is_postgresql(session):
        connection = session.connection()
        driver = connection.connection.dbapi_connection
        if isinstance(driver, sqlite3.Connection) and not driver.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    versions = dict(
        session.execute(
            select(Service.id, Service.pull_settings_version)
            .where(Service.id.in_(sorted(noted)))
            .order_by(Service.id)
            .with_for_update(read=True)
        ).all()
    )
    return {sid for sid, version in noted.items() if versions.get(sid) != version}
