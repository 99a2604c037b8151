"""What the service page's Streams section says of activity windows out of Salesforce: parked
(their write failed too often, so no push tries them again until someone does) or held (their
contact has no Salesforce record the service logs to). Scheduled pushes say it nowhere else,
and the activities stream reads OK all the while; the Try them again button that gives the
parked ones their attempts back is `service_streams.retry_windows`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from forcebridge.store.models import Service
from forcebridge.store.repositories.activity_windows import parked_windows
from forcebridge.store.repositories.contacts import contacts_by_id
from forcebridge.sync.activity_drafts import contact_name
from forcebridge.sync.documents import activity_windows_document
from forcebridge.wording import plural

LISTED_AT_MOST = 20
"""Parked windows the page lists; the rest are counted ("and 3 more")."""


@dataclass(frozen=True)
class ParkedWindow:
    contact_id: int
    contact: str
    """The contact's name, or what else identifies them."""
    day: date
    part: int
    reason: str


@dataclass(frozen=True)
class WindowsNotice:
    parked: int
    held: int
    listed: tuple[ParkedWindow, ...]
    """The first parked windows, oldest day first."""

    @property
    def unlisted(self) -> int:
        return self.parked - len(self.listed)

    @property
    def parked_text(self) -> str:
        one = self.parked == 1
        return (
            f"{plural(self.parked, 'activity window')} {'is' if one else 'are'} parked "
            f"({'its' if one else 'their'} conversations are not in Salesforce): "
            f"{'its' if one else 'each'} write failed too "
            f"many times in a row, so no push tries {'it' if one else 'them'} again until "
            "someone does."
        )

    @property
    def held_text(self) -> str:
        one = self.held == 1
        return (
            f"{plural(self.held, 'activity window')} {'is' if one else 'are'} held "
            f"({'its' if one else 'their'} contact has no Salesforce record the service logs "
            "to): written once the pull links one."
        )


def windows_notice(session: Session, service: Service) -> WindowsNotice | None:
    """The notice, or None when no window is parked or held (or the service, having no
    connection, has logged nothing)."""
    counts = activity_windows_document(session, service)
    if counts is None or not (counts["parked"] or counts["held"]):
        return None
    parked = parked_windows(session, service.id, LISTED_AT_MOST) if counts["parked"] else []
    contacts = contacts_by_id(session, {w.contact_id for w in parked})
    listed = tuple(
        ParkedWindow(
            w.contact_id,
            contact_name(w.contact_id, contacts.get(w.contact_id)).full,
            w.day,
            w.part,
            w.parked_reason or "",
        )
        for w in parked
    )
    return WindowsNotice(counts["parked"], counts["held"], listed)


def retried_notice(retried: int) -> str:
    """What Try them again did: how many parked windows were given their attempts back (none
    when a push or another admin got there first)."""
    if not retried:
        return "No activity window is parked, so nothing changed."
    verb, its, it = ("was", "its", "it") if retried == 1 else ("were", "their", "them")
    return (
        f"{plural(retried, 'parked activity window')} {verb} given {its} attempts back: the "
        f"next activities push tries {it} again (Run now on activities runs it at the "
        "scheduler's next tick)."
    )
