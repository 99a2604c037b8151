"""Where each pull stream of a service stands, saved in the same transaction as the page it
follows, so the store never holds contacts newer than their watermark says (or older)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

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
    everything again (a full read under way begins anew, what it had seen forgotten)."""
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
