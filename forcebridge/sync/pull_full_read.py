"""A full read that unlinks, once complete, the linked records it did not find, begun and
ended for a member of a stream's read.

A stream's read starts from the beginning after a changed query, routing rule or mapping, with
`pull --full`, and for a new service. When the service already has records of the stream
linked, the records it does not find have left the service's records (a narrowed rule), and
are unlinked. What the read has found is written with each page and the read is said to be
under way before its first page (`forcebridge.store.repositories.full_reads`), so a run
stopped at any point (before its first page, between two, after the last but before the
unlinking, or midway through it) leaves the next run to read on from the watermark and unlink
what a read done in one go would have, without paying again for the pages read (a Bulk read,
whose unordered rows move the watermark only once all are read, begins again).

A service whose pull settings change meanwhile unlinks nothing more (`pull_settings_version`):
the change has begun the read anew and forgotten what this one saw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from forcebridge.store.repositories.contacts import any_linked
from forcebridge.store.repositories.full_reads import begin_full_read, end_full_read, unseen_linked
from forcebridge.sync.pull_members import Member
from forcebridge.sync.pull_settings_version import SettingsChanged, hold_settings
from forcebridge.sync.pull_store import unlink_gone


def begin_full_reads(
    session: Session, members: Sequence[Member], stream: str, *, dry_run: bool
) -> None:
    """Have each of `members` that reads `stream` from the start with records of it already
    linked unlink those it does not find, once the read is complete; a dry run says so in its
    rehearsal only. Committed before the first page is read."""
    for member in members:
        target = member.target
        if member.cursor.modstamp is None and any_linked(
            session, target.service_id, target.source, target.connection_id
        ):
            begin_full_read(session, member.service, stream, mark=not dry_run)
            member.unlinks_unseen = True
    session.commit()


def end_full_reads(
    session: Session, members: Sequence[Member], stream: str, now: dt.datetime, *, dry_run: bool
) -> set[int]:
    """The read of `stream` is complete: each of `members` whose full read is under way, begun
    by this run or an earlier one, unlinks the linked records it did not find. The services
    whose pull settings changed meanwhile, which it stopped."""
    changed = set()
    for member in members:
        if not member.unlinks_unseen:
            continue
        target = member.target
        gone = unseen_linked(
            session, target.service_id, stream, target.source, target.connection_id
        )
        noted = None if dry_run else member.settings_version
        try:
            unlink_gone(session, target, member.run, gone, now, settings_version=noted)
            if not dry_run:
                hold_settings(session, member)
        except SettingsChanged:
            session.rollback()
            changed.add(target.service_id)
            continue
        end_full_read(session, member.service, stream, mark=not dry_run)
        session.commit()
        member.unlinks_unseen = False
    return changed
