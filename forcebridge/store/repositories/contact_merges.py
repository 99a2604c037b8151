"""One person known as two contacts becomes one: the merged contact's links (its former ones
too, so that a record that comes back finds the person), conversations and activity windows
move to the contact that is kept, and the merged contact goes.

A Lead converted into a Contact that another contact already stands for is the case: the
person's conversations must all log to that Contact, on one Task a day. A day on which both
contacts had a window keeps the kept contact's; the window of the other, and the Task it wrote,
are left over (`LeftoverTask`), as the store cannot take a Task out of Salesforce. The merged
contact's id, which the product may still hold, is remembered as the kept contact's
(`kept_contacts`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from forcebridge.store.models import (
    ActivityWindow,
    Contact,
    ContactIdentity,
    ContactMerge,
    FormerLink,
    Message,
)
from forcebridge.store.repositories.chunks import sorted_chunks

_CHUNK = 1000
"""Ids per IN list: well under every driver's limit on bound parameters."""


@dataclass(frozen=True)
class LeftoverTask:
    """A Task the merged contact wrote for a day the kept contact has a Task of its own."""

    task_id: str
    day: date
    merged: int
    kept: int


def merge_contacts(session: Session, merges: Sequence[tuple[int, int]]) -> list[LeftoverTask]:
    """Merge each `(merged, kept)` pair in the caller's transaction; the Tasks left over. The
    kept contact's windows of the days the merged one had are written again at the next push,
    with the whole day's conversation."""
    leftovers: list[LeftoverTask] = []
    for merged, kept in merges:
        for model in (ContactIdentity, FormerLink, Message):
            session.execute(update(model).where(model.contact_id == merged).values(contact_id=kept))
        leftovers += _move_windows(session, merged, kept)
        _remember(session, merged, kept)
        session.execute(delete(Contact).where(Contact.id == merged))
    return leftovers


def _remember(session: Session, merged: int, kept: int) -> None:
    """Record that `merged` is `kept` now, and so are the contacts merged into it before."""
    merge = ContactMerge
    session.execute(update(merge).where(merge.kept_id == merged).values(kept_id=kept))
    service_id = select(Contact.service_id).where(Contact.id == kept).scalar_subquery()
    session.execute(insert(merge).values(merged_id=merged, service_id=service_id, kept_id=kept))


def kept_contacts(session: Session, service_id: int, merged_ids: Collection[int]) -> dict[int, int]:
    """The contact each of `merged_ids` that was merged away is now, by its id."""
    kept: dict[int, int] = {}
    for chunk in sorted_chunks(merged_ids, _CHUNK):
        rows = session.execute(
            select(ContactMerge.merged_id, ContactMerge.kept_id).where(
                ContactMerge.service_id == service_id, ContactMerge.merged_id.in_(chunk)
            )
        )
        kept.update((merged, now) for merged, now in rows)
    return kept


def _move_windows(session: Session, merged: int, kept: int) -> list[LeftoverTask]:
    window = ActivityWindow
    taken = {
        (day, part)
        for day, part in session.execute(
            select(window.window_date, window.part).where(window.contact_id == kept)
        )
    }
    moving = session.execute(
        select(window.id, window.window_date, window.part, window.salesforce_task_id).where(
            window.contact_id == merged
        )
    ).all()
    clashing = [row for row in moving if (row.window_date, row.part) in taken]
    if clashing:
        session.execute(delete(window).where(window.id.in_([row.id for row in clashing])))
    session.execute(update(window).where(window.contact_id == merged).values(contact_id=kept))
    days = {row.window_date for row in moving}
    if days:
        session.execute(
            update(window)
            .where(window.contact_id == kept, window.window_date.in_(days))
            .values(content_hash=None)
        )
    return [
        LeftoverTask(row.salesforce_task_id, row.window_date, merged, kept)
        for row in clashing
        if row.salesforce_task_id is not None
    ]
