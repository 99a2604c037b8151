"""Messages a service exchanged with its contacts: recorded once, read by window.

A message carrying an `external_id` already recorded for the service is skipped, so recording
the same messages again (a re-imported file, a retried API call) stores each of them once.
Messages are never changed or deleted here; the activity log reads them back a window at a
time, and finds what is new by `recorded_at`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forcebridge.store.errors import InvalidValue
from forcebridge.store.insert_or_skip import insert_or_skip
from forcebridge.store.models import Contact, Direction, Message
from forcebridge.store.repositories.chunks import sorted_chunks
from forcebridge.store.types import utcnow

_CHUNK = 1000
"""Ids per IN list: well under every driver's limit on bound parameters."""


@dataclass(frozen=True)
class NewMessage:
    contact_id: int
    direction: Direction
    channel: str
    author: str | None
    body: str
    sent_at: datetime
    external_id: str | None = None
    """The product's id for the message; recording one with a known id again does nothing."""


@dataclass(frozen=True)
class MessageStamp:
    """What finding new messages needs: which window, and when it was recorded."""

    id: int
    contact_id: int
    sent_at: datetime
    recorded_at: datetime


@dataclass(frozen=True)
class StoredMessage:
    id: int
    contact_id: int
    direction: Direction
    channel: str
    author: str | None
    body: str
    sent_at: datetime


def add_messages(session: Session, service_id: int, messages: Sequence[NewMessage]) -> int:
    """Record `messages` for the service; how many were new (the others were known by their
    external id). A body holding a NUL character is refused: no database keeps one."""
    for message in messages:
        if "\x00" in message.body:
            raise InvalidValue(
                f"message {message.external_id or message.sent_at.isoformat()} of contact "
                f"{message.contact_id} has a NUL character in its body: remove it"
            )
    if not messages:
        return 0
    rows = [
        {
            "service_id": service_id,
            "contact_id": m.contact_id,
            "direction": m.direction,
            "channel": m.channel,
            "author": m.author,
            "body": m.body,
            "sent_at": m.sent_at,
            "external_id": m.external_id,
            "recorded_at": utcnow(),
        }
        for m in messages
    ]
    # A message already recorded is skipped, not an error.
    statement = insert_or_skip(
        session.get_bind().dialect, Message, Message.service_id, Message.external_id
    ).returning(Message.id)
    return len(list(session.scalars(statement, _in_lock_order(session, rows))))


def _in_lock_order(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`rows` in the order every writer inserts in: by external id. On PostgreSQL a writer
    inserting an id another transaction is inserting waits for that one to end, so two imports
    of overlapping batches in different orders (a timed-out request sent again) would each
    wait for the other, a deadlock; in one order, one waits and the other goes on. The ids are
    drawn first and given in the order of `rows`, since a transcript tells messages sent at
    the same moment in id order. SQLite lets one writer in at a time: rows go in as given."""
    if session.get_bind().dialect.name != "postgresql":
        return rows
    sequence = func.pg_get_serial_sequence(Message.__tablename__, Message.id.name)
    ids = session.scalars(
        select(func.nextval(sequence)).select_from(func.generate_series(1, len(rows)))
    )
    numbered = [{**row, "id": id_} for row, id_ in zip(rows, sorted(ids), strict=True)]
    return sorted(numbered, key=lambda row: row["external_id"] or "")


def messages_recorded_since(
    session: Session, service_id: int, since: datetime | None
) -> list[MessageStamp]:
    """The service's messages recorded at or after `since` (all when None), oldest first."""
    query = select(Message.id, Message.contact_id, Message.sent_at, Message.recorded_at).where(
        Message.service_id == service_id
    )
    if since is not None:
        query = query.where(Message.recorded_at >= since)
    rows = session.execute(query.order_by(Message.recorded_at, Message.id))
    return [MessageStamp(*row) for row in rows]


_SAID = (
    Message.contact_id,
    Message.direction,
    Message.channel,
    Message.author,
    Message.body,
    Message.sent_at,
)
"""What a message says, who said it to whom and when: the fields of a `NewMessage`."""


def messages_between(
    session: Session,
    service_id: int,
    contact_ids: Collection[int],
    start: datetime,
    end: datetime,
) -> list[StoredMessage]:
    """Messages of `contact_ids` sent in `[start, end)`, in the order they were sent."""
    found: list[StoredMessage] = []
    for chunk in sorted_chunks(contact_ids, _CHUNK):
        rows = session.execute(
            select(Message.id, *_SAID).where(
                Message.service_id == service_id,
                Message.contact_id.in_(chunk),
                Message.sent_at >= start,
                Message.sent_at < end,
            )
        )
        found += [StoredMessage(*row) for row in rows]
    return sorted(found, key=lambda message: (message.sent_at, message.id))


def latest_between(
    session: Session, service_id: int, start: datetime, end: datetime
) -> StoredMessage | None:
    """The service's message sent last in `[start, end)`, any contact's: what dated a day."""
    row = session.execute(
        select(Message.id, *_SAID)
        .where(Message.service_id == service_id, Message.sent_at >= start, Message.sent_at < end)
        .order_by(Message.sent_at.desc(), Message.id.desc())
        .limit(1)
    ).first()
    return StoredMessage(*row) if row else None


def recorded_under_ids(
    session: Session, service_id: int, external_ids: Collection[str]
) -> dict[str, NewMessage]:
    """The service's messages recorded under each of `external_ids` that is known."""
    found: dict[str, NewMessage] = {}
    for chunk in sorted_chunks(external_ids, _CHUNK):
        rows = session.execute(
            select(*_SAID, Message.external_id).where(
                Message.service_id == service_id, Message.external_id.in_(chunk)
            )
        )
        found.update((row.external_id, NewMessage(*row)) for row in rows)
    return found


def known_contact_ids(session: Session, service_id: int, contact_ids: Collection[int]) -> set[int]:
    """Which of `contact_ids` are contacts of the service (messages can only be theirs)."""
    known: set[int] = set()
    for chunk in sorted_chunks(contact_ids, _CHUNK):
        known.update(
            session.scalars(
                select(Contact.id).where(Contact.service_id == service_id, Contact.id.in_(chunk))
            )
        )
    return known
