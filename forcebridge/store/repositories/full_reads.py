"""A pull stream's full read that unlinks, once complete, the linked records it did not see:
under way across runs (`Watermark.unlink_unseen`), what it has seen written page by page
(`FullReadSeen`), so a read stopped midway is finished by the next run."""

from __future__ import annotations

from collections.abc import Collection
from typing import cast

from sqlalchemy import Table, exists, select
from sqlalchemy.orm import Session

from forcebridge.store.bulk import insert_rows
from forcebridge.store.models import ContactIdentity, FullReadSeen, Service
from forcebridge.store.repositories.contacts import linked_ids_query
from forcebridge.store.repositories.watermarks import forget_seen, get_watermark, save_watermark

_SEEN = cast(Table, FullReadSeen.__table__)


def begin_full_read(session: Session, service: Service, stream: str, *, mark: bool) -> None:
    """A full read of `stream` begins for `service`: what an earlier one saw is forgotten and,
    with `mark` (a real run; a dry run leaves the watermark as it is), the watermark is put
    back to the start and says the read is under way, so that however the run stops, the next
    one reads on and unlinks at the end."""
    forget_seen(session, service.id, [stream])
    if mark:
        save_watermark(session, service, stream, None, ()).unlink_unseen = True
        session.flush()


def add_seen(session: Session, service_id: int, stream: str, external_ids: Collection[str]) -> None:
    """The records a page of the read found among the service's (in the page's transaction)."""
    rows = [(service_id, stream, external_id) for external_id in external_ids]
    insert_rows(session, _SEEN, ("service_id", "stream", "external_id"), rows)


def unseen_linked(
    session: Session, service_id: int, stream: str, source: str, connection_id: int | None
) -> list[str]:
    """The records of `source` linked in the service that the stream's full read has not seen:
    once it is complete, those that left the service's records."""
    seen = select(FullReadSeen.id).where(
        FullReadSeen.service_id == service_id,
        FullReadSeen.stream == stream,
        FullReadSeen.external_id == ContactIdentity.external_id,
    )
    query = linked_ids_query(service_id, source, connection_id).where(~exists(seen))
    return list(session.scalars(query))


def end_full_read(session: Session, service: Service, stream: str, *, mark: bool) -> None:
    """The full read is complete and what it did not see unlinked: nothing of it is kept; with
    `mark`, the watermark no longer says it is under way."""
    forget_seen(session, service.id, [stream])
    watermark = get_watermark(session, service, stream) if mark else None
    if watermark is not None:
        watermark.unlink_unseen = False
        session.flush()
