"""Activity windows: the Task each (contact, local day, part) became, and how writing it went.

Rows are read and written as `StoredWindow` values, many at a time: the activity log decides
on plain data and hands back the new state of each window, which `save_windows` writes in one
statement. A window is recorded (with its idempotency key) before its Task is written, so a row
with a target but no Task id is a write whose outcome is unknown: the next run looks for it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Row,
    Select,
    and_,
    exists,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from forcebridge.store.models import ActivityWindow, ContactIdentity, LogLevel, Run, RunLogEntry
from forcebridge.store.repositories.chunks import sorted_chunks
from forcebridge.store.types import utcnow

_CHUNK = 500
"""Pairs per IN list: well under every driver's limit on bound parameters."""


@dataclass(frozen=True)
class StoredWindow:
    id: int
    contact_id: int
    day: date
    part: int
    key: str
    task_id: str | None = None
    target_object: str | None = None
    target_id: str | None = None
    """The record the Task was last written to, or is being created on (see the module doc)."""
    content_hash: str | None = None
    """Of the fields last written; None until a write succeeded."""
    message_count: int = 0
    """Messages in the part when it was last attempted."""
    last_message_id: int | None = None
    attempts: int = 0
    """Failed writes in a row."""
    parked_reason: str | None = None
    written_at: datetime | None = None
    parked_for: str | None = None
    """The record (WhoId) it was parked writing to."""

    @property
    def parked(self) -> bool:
        return self.parked_reason is not None

    @property
    def in_doubt(self) -> bool:
        """A create was sent (or about to be) and its outcome never recorded."""
        return self.task_id is None and self.target_id is not None


@dataclass(frozen=True)
class NewWindow:
    contact_id: int
    day: date
    part: int
    key: str


_STATE = tuple(f.name for f in fields(StoredWindow) if f.name not in ("id", "contact_id", "day"))
_COLUMNS = {
    "id": ActivityWindow.id,
    "contact_id": ActivityWindow.contact_id,
    "day": ActivityWindow.window_date,
    "part": ActivityWindow.part,
    "key": ActivityWindow.idempotency_key,
    "task_id": ActivityWindow.salesforce_task_id,
    "target_object": ActivityWindow.target_object,
    "target_id": ActivityWindow.target_id,
    "content_hash": ActivityWindow.content_hash,
    "message_count": ActivityWindow.message_count,
    "last_message_id": ActivityWindow.last_message_id,
    "attempts": ActivityWindow.attempts,
    "parked_reason": ActivityWindow.parked_reason,
    "written_at": ActivityWindow.written_at,
    "parked_for": ActivityWindow.parked_for,
}


def _select() -> Select[Any]:
    columns: list[Any] = list(_COLUMNS.values())
    return select(*columns)


def _read(session: Session, query: Select[Any]) -> list[StoredWindow]:
    return [StoredWindow(*row) for row in session.execute(query)]


def windows_of(
    session: Session, service_id: int, windows: Collection[tuple[int, date]]
) -> list[StoredWindow]:
    """Every part recorded for the `(contact_id, day)` pairs."""
    found: list[StoredWindow] = []
    for chunk in sorted_chunks(windows, _CHUNK):
        found += _read(
            session,
            _select().where(
                ActivityWindow.service_id == service_id,
                tuple_(ActivityWindow.contact_id, ActivityWindow.window_date).in_(chunk),
            ),
        )
    return found


def add_windows(
    session: Session, service_id: int, windows: Sequence[NewWindow]
) -> list[StoredWindow]:
    """Record new window parts with their keys; the stored rows, in order."""
    if not windows:
        return []
    now = utcnow()
    rows = [
        {
            "service_id": service_id,
            "contact_id": w.contact_id,
            "window_date": w.day,
            "part": w.part,
            "idempotency_key": w.key,
            "created_at": now,
            "updated_at": now,
        }
        for w in windows
    ]
    session.execute(insert(ActivityWindow), rows)
    # Read back rather than INSERT ... RETURNING in order, which SQLite does a row at a time.
    stored = {
        w.key: w for w in windows_of(session, service_id, {(w.contact_id, w.day) for w in windows})
    }
    return [stored[w.key] for w in windows]


def save_windows(session: Session, windows: Sequence[StoredWindow]) -> None:
    """Write the state of each window (everything but what identifies it)."""
    if not windows:
        return
    now = utcnow()
    session.execute(
        update(ActivityWindow),
        [
            {
                "id": w.id,
                "updated_at": now,
                **{_COLUMNS[name].key: getattr(w, name) for name in _STATE},
            }
            for w in windows
        ],
    )


def window_days_after(session: Session, service_id: int, day: date) -> list[date]:
    """The days after `day` the service recorded a window for, in order: a later zone change
    keeps their spans."""
    return list(
        session.scalars(
            select(ActivityWindow.window_date)
            .where(ActivityWindow.service_id == service_id, ActivityWindow.window_date > day)
            .distinct()
            .order_by(ActivityWindow.window_date)
        )
    )


def windows_to_retry(
    session: Session, service_id: int, sources: Collection[str]
) -> list[tuple[int, date]]:
    """`(contact_id, day)` of windows not parked that are unwritten or whose last write failed,
    and whose contact is now linked to a record of one of `sources` (a window held for want of
    a link waits, at no cost, until the contact has one); and of parked windows whose contact
    is linked to another record than the one they were parked writing to."""
    if not sources:
        return []
    allowed = _linked_to(sources)
    waiting = and_(_unwritten(), exists().where(*allowed))
    moved = and_(
        ActivityWindow.parked_for.is_not(None),
        exists().where(*allowed, ContactIdentity.external_id != ActivityWindow.parked_for),
    )
    rows = session.execute(
        select(ActivityWindow.contact_id, ActivityWindow.window_date)
        .where(ActivityWindow.service_id == service_id, or_(waiting, moved))
        .distinct()
    )
    return [(contact_id, day) for contact_id, day in rows]


def rewrite_where_relinked(session: Session, service_id: int, contact_ids: Collection[int]) -> None:
    """Have the next push write again the windows of `contact_ids` (contacts the pull just
    linked to a record) whose Task is under a record the contact is no longer linked to: their
    content is forgotten, so the push updates each Task to the contact's current record, or,
    where the Task went with its deleted record, writes the day anew with every message.
    Parked windows have their own way back (`parked_for`)."""
    relinked = (
        ActivityWindow.service_id == service_id,
        ActivityWindow.salesforce_task_id.is_not(None),
        ActivityWindow.parked_reason.is_(None),
        ~exists().where(
            ContactIdentity.contact_id == ActivityWindow.contact_id,
            ContactIdentity.external_id == ActivityWindow.target_id,
        ),
    )
    for chunk in sorted_chunks(contact_ids, _CHUNK):
        session.execute(
            update(ActivityWindow)
            .where(*relinked, ActivityWindow.contact_id.in_(chunk))
            .values(content_hash=None, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )


def windows_in_doubt(session: Session, service_id: int) -> list[StoredWindow]:
    """Windows whose Task may have been created by a run that stopped before recording it."""
    return _read(
        session,
        _select()
        .where(
            ActivityWindow.service_id == service_id,
            ActivityWindow.salesforce_task_id.is_(None),
            ActivityWindow.target_id.is_not(None),
        )
        .order_by(ActivityWindow.id),
    )


def held_windows(session: Session, service_id: int, sources: Collection[str]) -> list[StoredWindow]:
    """Windows not parked, unwritten or whose last write failed, whose contact is linked to
    no record of `sources` (not linked yet, or only to a Lead while the service logs to
    Contacts): they wait for the pull to link it (`windows_to_retry`); oldest day first."""
    return _read(
        session,
        _select()
        .where(*_held(service_id, sources))
        .order_by(ActivityWindow.window_date, ActivityWindow.contact_id, ActivityWindow.part),
    )


def count_held_windows(session: Session, service_id: int, sources: Collection[str]) -> int:
    """How many windows `held_windows` would list, counted by the database: a book whose
    contacts mostly have no Salesforce record may hold many, and each push reports them."""
    query = select(func.count()).select_from(ActivityWindow).where(*_held(service_id, sources))
    return int(session.execute(query).scalar_one())


def count_parked_windows(session: Session, service_id: int) -> int:
    """How many of the service's windows are parked."""
    query = (
        select(func.count())
        .select_from(ActivityWindow)
        .where(ActivityWindow.service_id == service_id, ActivityWindow.parked_reason.is_not(None))
    )
    return int(session.execute(query).scalar_one())


def parked_windows(session: Session, service_id: int, limit: int) -> list[StoredWindow]:
    """The first `limit` of the service's parked windows, oldest day first: what a page lists
    of them (`count_parked_windows` says how many there are in all)."""
    return _read(
        session,
        _select()
        .where(ActivityWindow.service_id == service_id, ActivityWindow.parked_reason.is_not(None))
        .order_by(ActivityWindow.window_date, ActivityWindow.contact_id, ActivityWindow.part)
        .limit(limit),
    )


def _held(service_id: int, sources: Collection[str]) -> tuple[ColumnElement[bool], ...]:
    return (
        ActivityWindow.service_id == service_id,
        _unwritten(),
        ~exists().where(*_linked_to(sources)),
    )


def _unwritten() -> ColumnElement[bool]:
    """A window not parked whose Task does not hold what it should: never written, or its
    last write failed."""
    return and_(
        ActivityWindow.parked_reason.is_(None),
        or_(ActivityWindow.content_hash.is_(None), ActivityWindow.attempts > 0),
    )


def _linked_to(sources: Collection[str]) -> tuple[ColumnElement[bool], ...]:
    """An identity of the window's contact from one of `sources` (for `exists`)."""
    return (
        ContactIdentity.contact_id == ActivityWindow.contact_id,
        ContactIdentity.source.in_(sorted(sources)),
    )


def troubled_windows(
    session: Session, service_id: int, sources: Collection[str]
) -> list[StoredWindow]:
    """Parked windows, then those whose last write failed; oldest day first. A failed window
    whose contact is linked to no record of `sources` is not failing any more but held: it
    waits for the pull to link its contact, and is tried afresh then."""
    failing = and_(ActivityWindow.attempts > 0, exists().where(*_linked_to(sources)))
    return _read(
        session,
        _select()
        .where(
            ActivityWindow.service_id == service_id,
            or_(ActivityWindow.parked_reason.is_not(None), failing),
        )
        .order_by(
            ActivityWindow.parked_reason.is_(None),
            ActivityWindow.window_date,
            ActivityWindow.contact_id,
            ActivityWindow.part,
        ),
    )


def unpark_windows(session: Session, service_id: int) -> int:
    """Give every parked window of the service its attempts back; how many there were."""
    result = session.execute(
        update(ActivityWindow)
        .where(ActivityWindow.service_id == service_id, ActivityWindow.parked_reason.is_not(None))
        .values(parked_reason=None, parked_for=None, attempts=0, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount


def latest_errors(session: Session, service_id: int, keys: Collection[str]) -> dict[str, str]:
    """The last error logged for each window key, by the service's runs."""
    rows = _logged(
        session,
        service_id,
        keys,
        select(RunLogEntry.record_ref, RunLogEntry.message)
        .where(RunLogEntry.level == LogLevel.ERROR)
        .order_by(RunLogEntry.id),
    )
    return {key: message for key, message in rows if key is not None}


def logged_about(
    session: Session, service_id: int, keys: Collection[str], codes: Collection[str]
) -> list[tuple[str | None, str]]:
    """`(code, message)` of the entries of `codes` the service's runs (dry runs aside) logged
    about the window parts `keys`: what a push said of their messages already."""
    query = select(RunLogEntry.code, RunLogEntry.message).where(
        Run.dry_run.is_(False), RunLogEntry.code.in_(sorted(codes))
    )
    return [(code, message) for code, message in _logged(session, service_id, keys, query)]


def _logged(
    session: Session, service_id: int, keys: Collection[str], query: Select[str | None, str]
) -> Iterator[Row[str | None, str]]:
    """`query`'s rows among the log entries the service's runs wrote about window `keys`, a
    chunk of keys at a time (in order within each chunk)."""
    for chunk in sorted_chunks(keys, _CHUNK):
        yield from session.execute(
            query.join(Run, Run.id == RunLogEntry.run_id).where(
                Run.service_id == service_id, RunLogEntry.record_ref.in_(chunk)
            )
        )
