"""The store's side of a page: what it holds for the page's records, and writing the changes.

Each read takes the whole page's keys (one query per key, none when the page has no such key),
so a page of 2,000 records costs a handful of statements whether it creates, updates or skips
them. The links its records had before a run unlinked them (a record undeleted, or back in the
service's rule) cost one more only when the service has such former links: the query of the
page's links says so (`former_links.links_and_any_former`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from forcebridge.store.models import LogLevel, Run, Service
from forcebridge.store.repositories.activity_windows import rewrite_where_relinked
from forcebridge.store.repositories.contact_merges import merge_contacts
from forcebridge.store.repositories.contacts import (
    Identity,
    add_identities,
    contacts_by_email,
    contacts_by_id,
    contacts_by_phone,
    identities_by_contact,
    insert_contacts,
    linked_contacts,
    linked_external_ids,
    planned_for_their_keys,
    remove_identities,
    update_contacts,
)
from forcebridge.store.repositories.former_links import (
    forget_former_links,
    former_links,
    links_and_any_former,
    remember_former_links,
)
from forcebridge.store.repositories.full_reads import add_seen
from forcebridge.store.repositories.rereads import add_rereads
from forcebridge.store.repositories.run_log import LogLine, add_log_lines
from forcebridge.store.repositories.watermarks import save_watermark, settings_moved
from forcebridge.sync.pull_page import (
    CONTACT_SOURCE,
    LEAD_SOURCE,
    SALESFORCE_SOURCES,
    PageChanges,
    StoreView,
    decide_page,
    never_linked_note,
)
from forcebridge.sync.pull_plan import PAGE_SIZE
from forcebridge.sync.pull_record import Incoming, ReadPage, Target
from forcebridge.sync.pull_report import Code, Note, Tally
from forcebridge.sync.pull_settings_version import SettingsChanged
from forcebridge.sync.watermark import Cursor


def store_view(session: Session, target: Target, records: Sequence[Incoming]) -> StoreView:
    """What the store holds for `records`: their links (and former links), and the contacts
    they may match."""
    with planned_for_their_keys(session):
        return _store_view(session, target, records)


def _store_view(session: Session, target: Target, records: Sequence[Incoming]) -> StoreView:
    sid = target.service_id
    ids = {r.external_id for r in records}
    linked, any_former = links_and_any_former(session, sid, target.source, ids)
    unlinked = [
        r.match_keys
        for r in records
        if r.external_id not in linked and not r.deleted and r.converted_to is None
    ]
    back = {keys.external_id for keys in unlinked} if any_former else ()
    formerly = former_links(session, sid, target.source, back)
    contacts = contacts_by_id(session, {*linked.values(), *formerly.values()})
    phones = {phone for keys in unlinked for phone in keys.phones}
    emails = {keys.email for keys in unlinked if keys.email is not None}
    candidates = [
        *contacts_by_phone(session, sid, phones, unlinked_from=target.source),
        *contacts_by_email(session, sid, emails, unlinked_from=target.source),
    ]
    contacts.update((c.id, c) for c in candidates)
    deleted = {linked[r.external_id] for r in records if r.deleted and r.external_id in linked}
    wanted = {c.id for c in candidates} | deleted | set(formerly.values())
    if target.source == LEAD_SOURCE:  # a Lead of someone who is also a Contact changes nothing
        wanted |= set(linked.values())
    identities = identities_by_contact(session, wanted)
    conversions = {r.converted_to for r in records if r.converted_to is not None}
    converted = linked_contacts(session, sid, CONTACT_SOURCE, conversions)
    contacts.update(contacts_by_id(session, set(converted.values()) - contacts.keys()))
    return StoreView(linked, contacts, identities, converted, formerly)


def apply_changes(session: Session, target: Target, changes: PageChanges) -> list[Note]:
    """Write a page's changes in the caller's transaction; what the writing found to log."""
    sid = target.service_id
    remove_identities(session, sid, target.source, set(changes.unlinks))
    remember_former_links(session, sid, target.source, changes.left)
    forget_former_links(session, sid, target.source, changes.back)
    new_ids = insert_contacts(session, sid, [columns for columns, _ in changes.creates])
    update_contacts(session, changes.updates)
    created = [
        Identity(cid, target.source, external_id, target.connection_id)
        for cid, (_, external_id) in zip(new_ids, changes.creates, strict=True)
    ]
    add_identities(session, sid, [*created, *changes.links])
    rewrite_where_relinked(session, sid, {link.contact_id for link in changes.links})
    add_rereads(session, sid, changes.rereads)
    return [
        Note(
            LogLevel.WARNING,
            Code.DUPLICATE_TASK,
            f"contact #{left.merged}, merged into contact #{left.kept}, had its own Task of "
            f"{left.day}; the day's Task of contact #{left.kept} now holds the whole "
            "conversation, so this one repeats part of it: delete it in Salesforce",
            left.task_id,
        )
        for left in merge_contacts(session, changes.merges)
    ]


@dataclass(frozen=True)
class PageWrite:
    """Everything a page changes for one service, written in one transaction."""

    target: Target
    run_id: int
    changes: PageChanges
    notes: Sequence[Note]
    tally: Tally
    watermark: tuple[str, Cursor] | None = None
    """The stream and the cursor to save with the page (ordered pages only)."""
    api_calls: int | None = None
    """The API calls the run has spent by this page, when it is the run that paid them."""
    seen: tuple[str, Sequence[str]] | None = None
    """The stream and the service's records the page found, in a full read that unlinks at
    its end the linked records it did not find (`full_reads`)."""
    settings_version: int | None = None
    """The service's pull settings version its read noted: the page is written only while it
    holds (`write_held`). None for a dry run's page and writes that are no read's."""


def decide(
    target: Target,
    run_id: int,
    page: ReadPage,
    view: StoreView,
    *,
    told: bool = False,
    settings_version: int | None = None,
) -> PageWrite:
    """Decide a page read for `target` against what the store holds for it (`store_view`);
    `told`: the run has logged a deleted record no contact is linked to already
    (`never_linked_note`); `settings_version`: see `PageWrite`."""
    changes = decide_page(page.incoming, view, target)
    tally = Tally()
    tally.add(page.tally)
    tally.add(changes.tally)
    notes = [*page.notes, *changes.notes]
    if changes.never_linked and not told:
        notes.append(never_linked_note(changes.never_linked[0]))
    return PageWrite(target, run_id, changes, notes, tally, settings_version=settings_version)


def write(session: Session, page: PageWrite) -> None:
    """Write a decided page in the caller's transaction: its changes, its log, its counts on
    the run, and the watermark that says it was read."""
    found = apply_changes(session, page.target, page.changes)
    run = session.get_one(Run, page.run_id)
    record_notes(session, run, [*page.notes, *found], page.target)
    page.tally.add_to(run)
    if page.api_calls is not None:
        run.api_calls = page.api_calls
    if page.seen is not None:
        add_seen(session, page.target.service_id, *page.seen)
    if page.watermark is not None:
        stream, cursor = page.watermark
        service = session.get_one(Service, page.target.service_id)
        save_watermark(session, service, stream, cursor.modstamp, cursor.ids)


def write_held(session: Session, pages: Sequence[PageWrite]) -> set[int]:
    """Write `pages` (a read page's writes, a service each) in the caller's transaction, but
    none for a service whose pull settings version has moved since its read noted it (their
    versions held first, before any write: `settings_moved`); those services."""
    noted = {p.target.service_id: p.settings_version for p in pages}
    moved = settings_moved(session, {sid: v for sid, v in noted.items() if v is not None})
    for page in pages:
        if page.target.service_id not in moved:
            write(session, page)
    return moved


def settle(
    session: Session,
    target: Target,
    run: Run,
    page: ReadPage,
    *,
    settings_version: int | None = None,
) -> Tally:
    """Decide and write a page read for `target` in the caller's transaction; its counts.
    `SettingsChanged`, writing nothing, when the `settings_version` its read noted has moved."""
    view = store_view(session, target, page.incoming)
    decided = decide(target, run.id, page, view, settings_version=settings_version)
    if write_held(session, [decided]):
        raise SettingsChanged
    return decided.tally


def unlink_missing(
    session: Session, target: Target, run: Run, present: Collection[str], now: dt.datetime
) -> None:
    """Unlink every record of `target`'s source linked in the service but not `present` in a
    complete read of its records (`unlink_gone`)."""
    linked = linked_external_ids(session, target.service_id, target.source, target.connection_id)
    unlink_gone(session, target, run, [sid for sid in linked if sid not in present], now)


def unlink_gone(
    session: Session,
    target: Target,
    run: Run,
    gone: Sequence[str],
    now: dt.datetime,
    *,
    settings_version: int | None = None,
) -> None:
    """Unlink the records of `target`'s source linked in the service that a complete read of
    its records did not find: they left them (deleted for good, or outside the service's query
    or routing rule). Committed a page at a time; `settings_version`: as for `settle`."""
    for start in range(0, len(gone), PAGE_SIZE):
        left = gone[start : start + PAGE_SIZE]
        page = ReadPage([Incoming(sid, now, deleted=True, left_scope=True) for sid in left])
        settle(session, target, run, page, settings_version=settings_version)
        session.commit()


def record_notes(session: Session, run: Run, notes: Sequence[Note], target: Target) -> None:
    """Log `notes` on `run`, naming each record by its Salesforce Id or, for another source,
    as the record reference."""
    from_salesforce = target.source.startswith(SALESFORCE_SOURCES)
    add_log_lines(
        session,
        run,
        (
            LogLine(
                n.level,
                n.message,
                n.code.value,
                salesforce_id=n.record_id if from_salesforce else None,
                field=n.field,
                record_ref=None if from_salesforce else n.record_id,
            )
            for n in notes
        ),
    )
