"""Records a pull stream is to read again by Id at its next run (see `PendingReread`)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from forcebridge.store.insert_or_skip import insert_or_skip
from forcebridge.store.models import PendingReread
from forcebridge.store.types import utcnow


def add_rereads(session: Session, service_id: int, records: Collection[tuple[str, str]]) -> None:
    """Have the records, `(source, external id)`, read again; one already waiting is not
    added twice."""
    if not records:
        return
    now = utcnow()
    session.execute(
        insert_or_skip(
            session.get_bind().dialect,
            PendingReread,
            PendingReread.service_id,
            PendingReread.source,
            PendingReread.external_id,
        ),
        [
            {"service_id": service_id, "source": source, "external_id": sid, "created_at": now}
            for source, sid in sorted(records)
        ],
    )


def pending_rereads(session: Session, service_id: int, source: str) -> list[str]:
    return list(
        session.scalars(
            select(PendingReread.external_id)
            .where(PendingReread.service_id == service_id, PendingReread.source == source)
            .order_by(PendingReread.id)
        )
    )


def clear_rereads(
    session: Session, service_id: int, source: str, external_ids: Collection[str]
) -> None:
    """The records were read again."""
    session.execute(
        delete(PendingReread).where(
            PendingReread.service_id == service_id,
            PendingReread.source == source,
            PendingReread.external_id.in_(external_ids),
        )
    )
